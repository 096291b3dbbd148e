"""streaks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 22:14:45.025289
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('member_streak',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('current', sa.Integer(), nullable=False),
    sa.Column('best', sa.Integer(), nullable=False),
    sa.Column('freezes', sa.Integer(), nullable=False),
    sa.Column('earn_progress', sa.Integer(), nullable=False),
    sa.Column('frozen_in_streak', sa.Integer(), nullable=False),
    sa.Column('total_answers', sa.Integer(), nullable=False),
    sa.Column('reviews_given', sa.Integer(), nullable=False),
    sa.Column('last_prompt_date', sa.Date(), nullable=True),
    sa.Column('remind', sa.Boolean(), nullable=False),
    sa.Column('reminded_prompt_id', sa.Integer(), nullable=True),
    sa.Column('dm_closed', sa.Boolean(), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', 'user_id', name=op.f('pk_member_streak'))
    )
    with op.batch_alter_table('member_streak', schema=None) as batch_op:
        batch_op.create_index('ix_member_streak_board_answers', ['guild_id', sa.literal_column('total_answers DESC'), 'user_id'], unique=False)
        batch_op.create_index('ix_member_streak_board_best', ['guild_id', sa.literal_column('best DESC'), 'user_id'], unique=False)
        batch_op.create_index('ix_member_streak_board_current', ['guild_id', sa.literal_column('current DESC'), 'user_id'], unique=False)
        batch_op.create_index('ix_member_streak_board_reviews', ['guild_id', sa.literal_column('reviews_given DESC'), 'user_id'], unique=False)

    op.create_table('period_stat',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('period', sa.String(length=5), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('best', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', 'user_id', 'period', 'start', name=op.f('pk_period_stat'))
    )
    with op.batch_alter_table('period_stat', schema=None) as batch_op:
        batch_op.create_index('ix_period_stat_board_answers', ['guild_id', 'period', 'start', sa.literal_column('answers DESC'), 'user_id'], unique=False)
        batch_op.create_index('ix_period_stat_board_best', ['guild_id', 'period', 'start', sa.literal_column('best DESC'), 'user_id'], unique=False)
        batch_op.create_index('ix_period_stat_board_reviews', ['guild_id', 'period', 'start', sa.literal_column('reviews DESC'), 'user_id'], unique=False)

    op.create_table('streak_day',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('streak_after', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', 'user_id', 'local_date', name=op.f('pk_streak_day'))
    )
    with op.batch_alter_table('streak_day', schema=None) as batch_op:
        batch_op.create_index('ix_streak_day_guild_date', ['guild_id', 'local_date'], unique=False)

    op.create_table('streak_settings',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('freezes_enabled', sa.Boolean(), nullable=False),
    sa.Column('milestones', sa.JSON(), nullable=False),
    sa.Column('milestone_roles', sa.JSON(), nullable=False),
    sa.Column('heads_up_hours', sa.Integer(), nullable=False),
    sa.Column('role_error', sa.Text(), nullable=True),
    sa.Column('role_error_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', name=op.f('pk_streak_settings'))
    )


def downgrade() -> None:
    op.drop_table('streak_settings')
    with op.batch_alter_table('streak_day', schema=None) as batch_op:
        batch_op.drop_index('ix_streak_day_guild_date')

    op.drop_table('streak_day')
    with op.batch_alter_table('period_stat', schema=None) as batch_op:
        batch_op.drop_index('ix_period_stat_board_reviews')
        batch_op.drop_index('ix_period_stat_board_best')
        batch_op.drop_index('ix_period_stat_board_answers')

    op.drop_table('period_stat')
    with op.batch_alter_table('member_streak', schema=None) as batch_op:
        batch_op.drop_index('ix_member_streak_board_reviews')
        batch_op.drop_index('ix_member_streak_board_current')
        batch_op.drop_index('ix_member_streak_board_best')
        batch_op.drop_index('ix_member_streak_board_answers')

    op.drop_table('member_streak')
