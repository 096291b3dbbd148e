"""checked answers: an answer's final number, query and verdict; model answers opened; members' tried queries

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('final_answer', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('query', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('verdict', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('after_model_answer', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        'model_answer_view',
        sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('question_id', sa.String(length=40), nullable=False),
        sa.Column('opened_at', bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('guild_id', 'user_id', 'question_id', name=op.f('pk_model_answer_view')),
    )
    op.create_table(
        'sql_scratch',
        sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('question_id', sa.String(length=40), nullable=False),
        sa.Column('query', sa.Text(), nullable=False),
        sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('guild_id', 'user_id', name=op.f('pk_sql_scratch')),
    )


def downgrade() -> None:
    op.drop_table('sql_scratch')
    op.drop_table('model_answer_view')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('after_model_answer')
        batch_op.drop_column('verdict')
        batch_op.drop_column('query')
        batch_op.drop_column('final_answer')
