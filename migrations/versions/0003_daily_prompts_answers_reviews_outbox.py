"""daily prompts answers reviews outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:57:02.766398
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('daily_prompt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('nonce', sa.String(length=25), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('thread_id', sa.BigInteger(), nullable=True),
    sa.Column('due_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('posted_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_prompt')),
    sa.UniqueConstraint('guild_id', 'local_date', name=op.f('uq_daily_prompt_guild_id_local_date'))
    )
    with op.batch_alter_table('daily_prompt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_prompt_guild_id'), ['guild_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_prompt_thread_id'), ['thread_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_guild_id'), ['guild_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_state'), ['state'], unique=False)

    op.create_table('prompt_schedule',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('shard_key', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=True),
    sa.Column('post_time', sa.String(length=5), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('days', sa.String(length=40), nullable=False),
    sa.Column('rotation', sa.String(length=200), nullable=False),
    sa.Column('tracks', sa.JSON(), nullable=False),
    sa.Column('ping_role_id', sa.BigInteger(), nullable=True),
    sa.Column('archive_minutes', sa.Integer(), nullable=False),
    sa.Column('pause_until', sa.Date(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('rotation_index', sa.Integer(), nullable=False),
    sa.Column('next_post_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('low_pool_warned', sa.JSON(), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', name=op.f('pk_prompt_schedule'))
    )
    with op.batch_alter_table('prompt_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prompt_schedule_shard_key'), ['shard_key'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prompt_id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_message_id', sa.BigInteger(), nullable=True),
    sa.Column('post_message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['prompt_id'], ['daily_prompt.id'], name=op.f('fk_answer_prompt_id_daily_prompt'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer')),
    sa.UniqueConstraint('prompt_id', 'user_id', name=op.f('uq_answer_prompt_id_user_id'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_guild_id'), ['guild_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_post_message_id'), ['post_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_user_id'), ['user_id'], unique=False)

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('reviewer_id', sa.BigInteger(), nullable=False),
    sa.Column('reviewer_name', sa.String(length=100), nullable=False),
    sa.Column('structure', sa.Integer(), nullable=False),
    sa.Column('clarity', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('notice_message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_review_answer_id_answer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review')),
    sa.UniqueConstraint('answer_id', 'reviewer_id', name=op.f('uq_review_answer_id_reviewer_id'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_guild_id'), ['guild_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_notice_message_id'), ['notice_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_reviewer_id'), ['reviewer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_review_notice_message_id'))
        batch_op.drop_index(batch_op.f('ix_review_guild_id'))

    op.drop_table('review')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_user_id'))
        batch_op.drop_index(batch_op.f('ix_answer_post_message_id'))
        batch_op.drop_index(batch_op.f('ix_answer_guild_id'))

    op.drop_table('answer')
    with op.batch_alter_table('prompt_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prompt_schedule_shard_key'))

    op.drop_table('prompt_schedule')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_state'))
        batch_op.drop_index(batch_op.f('ix_outbox_guild_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_channel_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('daily_prompt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_prompt_thread_id'))
        batch_op.drop_index(batch_op.f('ix_daily_prompt_guild_id'))

    op.drop_table('daily_prompt')
