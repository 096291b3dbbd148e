"""drop prompt_schedule.shard_key: every due query filters by guild ownership in the process

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('prompt_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prompt_schedule_shard_key'))
        batch_op.drop_column('shard_key')


def downgrade() -> None:
    with op.batch_alter_table('prompt_schedule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shard_key', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_prompt_schedule_shard_key'), ['shard_key'], unique=False)
