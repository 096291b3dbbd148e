"""mock pairing

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 22:46:20.503792
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('app_secret',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_app_secret'))
    )
    op.create_table('mock_avoid',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('avoided_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', 'user_id', 'avoided_key', name=op.f('pk_mock_avoid'))
    )
    op.create_table('mock_profile',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('track', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('availability_text', sa.String(length=300), nullable=False),
    sa.Column('slots', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('paused_until', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('inactive_reason', sa.String(length=40), nullable=True),
    sa.Column('missed_followups', sa.Integer(), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', 'user_id', name=op.f('pk_mock_profile'))
    )
    op.create_table('mock_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('period_key', sa.String(length=20), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=True),
    sa.Column('repeats', sa.Integer(), nullable=False),
    sa.Column('unpaired', sa.JSON(), nullable=False),
    sa.Column('followup_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mock_round')),
    sa.UniqueConstraint('guild_id', 'period_key', name=op.f('uq_mock_round_guild_id_period_key'))
    )
    with op.batch_alter_table('mock_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mock_round_guild_id'), ['guild_id'], unique=False)

    op.create_table('pairing_config',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=True),
    sa.Column('cadence', sa.String(length=10), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('post_time', sa.String(length=5), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('heads_up_hours', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('next_round_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('heads_up_for', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', name=op.f('pk_pairing_config'))
    )
    op.create_table('mock_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('thread_id', sa.BigInteger(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('followup_message_id', sa.BigInteger(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('outcome_by', sa.BigInteger(), nullable=True),
    sa.Column('outcome_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['mock_round.id'], name=op.f('fk_mock_group_round_id_mock_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mock_group'))
    )
    with op.batch_alter_table('mock_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mock_group_guild_id'), ['guild_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mock_group_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mock_group_thread_id'), ['thread_id'], unique=False)

    op.create_table('mock_group_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('pack', sa.JSON(), nullable=False),
    sa.Column('responded', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['mock_group.id'], name=op.f('fk_mock_group_member_group_id_mock_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_mock_group_member'))
    )
    with op.batch_alter_table('mock_group_member', schema=None) as batch_op:
        batch_op.create_index('ix_mock_group_member_guild_user', ['guild_id', 'user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mock_group_member', schema=None) as batch_op:
        batch_op.drop_index('ix_mock_group_member_guild_user')

    op.drop_table('mock_group_member')
    with op.batch_alter_table('mock_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mock_group_thread_id'))
        batch_op.drop_index(batch_op.f('ix_mock_group_round_id'))
        batch_op.drop_index(batch_op.f('ix_mock_group_guild_id'))

    op.drop_table('mock_group')
    op.drop_table('pairing_config')
    with op.batch_alter_table('mock_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mock_round_guild_id'))

    op.drop_table('mock_round')
    op.drop_table('mock_profile')
    op.drop_table('mock_avoid')
    op.drop_table('app_secret')
