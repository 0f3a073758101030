"""Refuse replacing assessments and evidence on SQLite

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00

SQLite's REPLACE (`REPLACE INTO`, `INSERT OR REPLACE`) removes a stored row that collides with
the new one on a unique column without firing the delete triggers of 0001: a stored assessment
could be overwritten through its id, or a stored correction removed through `corrects_id`. A
BEFORE INSERT trigger on each table now refuses any insert that collides with a stored row, so
no statement form can change or remove one. PostgreSQL has no REPLACE, and its 0001 triggers
already refuse UPDATE (and so `ON CONFLICT DO UPDATE` and `MERGE`), DELETE and TRUNCATE: nothing
changes there.
"""

from collections.abc import Sequence

from alembic import op

from tracker import append_only

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIQUE_COLUMNS = {"assessment": ("id", "corrects_id"), "evidence": ("id",)}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, unique in UNIQUE_COLUMNS.items():
        op.execute(append_only.sqlite_insert_guard(table, unique))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in UNIQUE_COLUMNS:
        op.execute(f"DROP TRIGGER {append_only.sqlite_insert_guard_name(table)}")
