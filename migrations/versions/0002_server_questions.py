"""server questions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:50:44.738357
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('retired_question',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('retired_by', sa.BigInteger(), nullable=False),
    sa.Column('retired_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', 'question_id', name=op.f('pk_retired_question'))
    )
    with op.batch_alter_table('retired_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retired_question_retired_by'), ['retired_by'], unique=False)

    op.create_table('server_question',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', 'question_id', name=op.f('pk_server_question'))
    )
    with op.batch_alter_table('server_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_server_question_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_server_question_created_by'), ['created_by'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('server_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_question_created_by'))
        batch_op.drop_index(batch_op.f('ix_server_question_category'))

    op.drop_table('server_question')
    with op.batch_alter_table('retired_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retired_question_retired_by'))

    op.drop_table('retired_question')
