"""streak milestones announced per member

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('member_streak', schema=None) as batch_op:
        batch_op.add_column(sa.Column('milestone_announced', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('member_streak', schema=None) as batch_op:
        batch_op.drop_column('milestone_announced')
