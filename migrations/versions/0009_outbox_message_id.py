"""outbox: the message an item posted (or deletes) in its own column, so done rows can be pruned

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('payload', sa.JSON),
                  sa.column('message_id', sa.BigInteger))


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    for item_id, payload in conn.execute(sa.select(outbox.c.id, outbox.c.payload)).all():
        if isinstance(payload, dict) and payload.get('message_id') is not None:
            rest = {k: v for k, v in payload.items() if k != 'message_id'}
            conn.execute(outbox.update().where(outbox.c.id == item_id)
                         .values(message_id=int(payload['message_id']), payload=rest))


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(outbox.c.id, outbox.c.payload, outbox.c.message_id)
                        .where(outbox.c.message_id.is_not(None))).all()
    for item_id, payload, message_id in rows:
        conn.execute(outbox.update().where(outbox.c.id == item_id)
                     .values(payload={**(payload or {}), 'message_id': str(message_id)}))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('message_id')
