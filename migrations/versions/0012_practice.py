"""practice on demand: the questions members drew for themselves and their attempts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'practice_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('question_id', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('final_answer', sa.String(length=100), nullable=True),
        sa.Column('query', sa.Text(), nullable=True),
        sa.Column('verdict', sa.String(length=8), nullable=True),
        sa.Column('model_answer_opened_at', bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('after_model_answer', sa.Boolean(), nullable=False),
        sa.Column('shown_at', bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('attempted_at', bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_attempt')),
        sa.UniqueConstraint('guild_id', 'user_id', 'question_id',
                            name=op.f('uq_practice_attempt_guild_id_user_id_question_id')),
    )
    with op.batch_alter_table('practice_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_attempt_guild_id'), ['guild_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_attempt_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('practice_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_attempt_user_id'))
        batch_op.drop_index(batch_op.f('ix_practice_attempt_guild_id'))
    op.drop_table('practice_attempt')
