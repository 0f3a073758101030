"""One-time submission tokens on assessments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00

The dashboard's log form carries a one-time token, made afresh each time the form is shown; the
assessment it submits is stored with it. A unique index keeps a second submission of the same
form (a double click, a form sent again, another dashboard server receiving it at once) from
being stored twice. Assessments stored before have no token (NULL, which never collides), and
the token is no part of the history: exports and imports do not carry it.

On SQLite the insert guard of 0003 must refuse a collision on the new unique column too, since
`REPLACE` would otherwise remove the stored assessment holding a token; it is re-created with
it. PostgreSQL's triggers refuse every update and delete already.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tracker import append_only

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_assessment_submission_token"
UNIQUE_BEFORE = ("id", "corrects_id")
UNIQUE_AFTER = (*UNIQUE_BEFORE, "submission_token")


def _guard(unique: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"DROP TRIGGER {append_only.sqlite_insert_guard_name('assessment')}")
    op.execute(append_only.sqlite_insert_guard("assessment", unique))


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: re-creating the table on SQLite would drop its triggers.
    op.add_column("assessment", sa.Column("submission_token", sa.String(64), nullable=True))
    op.create_index(INDEX, "assessment", ["submission_token"], unique=True)
    _guard(UNIQUE_AFTER)


def downgrade() -> None:
    # SQLite drops a column only once no trigger or index names it.
    _guard(UNIQUE_BEFORE)
    op.drop_index(INDEX, table_name="assessment")
    op.execute("ALTER TABLE assessment DROP COLUMN submission_token")
