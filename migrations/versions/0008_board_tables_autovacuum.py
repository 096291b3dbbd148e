"""PostgreSQL: vacuum the leaderboard tables after a few hundred updates, not a fifth of the table

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 06:30:00.000000

A leaderboard view counts its board (its size, the caller's rank) with an index-only scan, which
reads the table itself for every row on a page changed since the last vacuum. Every counted answer
changes a member_streak row (twice) and two period_stat rows, scattered over the table, so with
the default autovacuum (after a fifth of the table has changed: 10,000 changes for 50,000 members)
a busy day leaves a row changed on nearly every page. Counted on a 19,000-member board here: 2.7 ms
just after a vacuum, 4-5 ms after 500 members' rows changed, 7-10 ms once nearly every page has
one. These tables' vacuums are cheap (member_streak: about 50 ms for 50,000 members), so they are
vacuumed after 500 changes plus 1% of the rows (about 500 answers for 50,000 members). SQLite has
no such setting, and needs none.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("member_streak", "period_stat")
SETTINGS = "autovacuum_vacuum_threshold = 500, autovacuum_vacuum_scale_factor = 0.01"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} SET ({SETTINGS})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET (autovacuum_vacuum_threshold, autovacuum_vacuum_scale_factor)")
