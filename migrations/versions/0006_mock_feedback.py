"""mock feedback, feedback drafts, guild departures

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 01:33:44.495007
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('guild_departure',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('left_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('purge_after', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', name=op.f('pk_guild_departure'))
    )
    op.create_table('feedback_draft',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('giver_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('recipient_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('signal', sa.String(length=12), nullable=True),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('improve', sa.Text(), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['mock_group.id'], name=op.f('fk_feedback_draft_group_id_mock_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'giver_id', 'recipient_id', name=op.f('pk_feedback_draft'))
    )
    with op.batch_alter_table('feedback_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_draft_guild_id'), ['guild_id'], unique=False)

    op.create_table('mock_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('giver_id', sa.BigInteger(), nullable=False),
    sa.Column('recipient_id', sa.BigInteger(), nullable=False),
    sa.Column('communication', sa.Integer(), nullable=False),
    sa.Column('structure', sa.Integer(), nullable=False),
    sa.Column('technical_depth', sa.Integer(), nullable=False),
    sa.Column('problem_solving', sa.Integer(), nullable=False),
    sa.Column('culture', sa.Integer(), nullable=False),
    sa.Column('signal', sa.String(length=12), nullable=False),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('improve', sa.Text(), nullable=False),
    sa.Column('reported_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('report_note', sa.Text(), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['mock_group.id'], name=op.f('fk_mock_feedback_group_id_mock_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mock_feedback')),
    sa.UniqueConstraint('group_id', 'giver_id', 'recipient_id', name=op.f('uq_mock_feedback_group_id_giver_id_recipient_id'))
    )
    with op.batch_alter_table('mock_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_mock_feedback_giver', ['guild_id', 'giver_id'], unique=False)
        batch_op.create_index('ix_mock_feedback_recipient', ['guild_id', 'recipient_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mock_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_mock_feedback_recipient')
        batch_op.drop_index('ix_mock_feedback_giver')

    op.drop_table('mock_feedback')
    with op.batch_alter_table('feedback_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_draft_guild_id'))

    op.drop_table('feedback_draft')
    op.drop_table('guild_departure')
