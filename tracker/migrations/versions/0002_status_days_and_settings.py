"""Status per day, settings, and an as-of index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 19:30:00

`status_day` holds, for each recommendation and each as-of date that has assessments, the
assessment in effect at the end of that day. Progress-over-time charts read it instead of the
log, so their cost follows the number of dated steps, not the number of assessments.
`setting` holds database-wide flags, such as whether the database holds sample data.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
INSERT INTO status_day (recommendation_id, day, assessment_id)
SELECT recommendation_id, day, assessment_id FROM (
    SELECT d.recommendation_id AS recommendation_id, d.as_of AS day, (
        SELECT a.id FROM assessment a
        WHERE a.recommendation_id = d.recommendation_id AND a.as_of = d.as_of
          AND NOT EXISTS (SELECT 1 FROM assessment c WHERE c.corrects_id = a.id)
        ORDER BY a.recorded_at DESC, a.id DESC
        LIMIT 1
    ) AS assessment_id
    FROM (SELECT DISTINCT recommendation_id, as_of FROM assessment) d
) days
WHERE assessment_id IS NOT NULL
"""


def upgrade() -> None:
    op.create_table(
        "status_day",
        sa.Column("recommendation_id", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_status_day_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_status_day_recommendation_id_recommendation"),
        ),
        sa.PrimaryKeyConstraint("recommendation_id", "day", name=op.f("pk_status_day")),
    )
    with op.batch_alter_table("status_day", schema=None) as batch_op:
        batch_op.create_index("ix_status_day_day", ["day"], unique=False)
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index("ix_assessment_as_of", ["as_of"], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_as_of")
    op.drop_table("setting")
    with op.batch_alter_table("status_day", schema=None) as batch_op:
        batch_op.drop_index("ix_status_day_day")
    op.drop_table("status_day")
