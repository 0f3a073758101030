"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 19:17:37.565494

Assessments and evidence are append-only in the database itself: triggers refuse any update or
delete, whoever connects.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("assessment", "evidence")


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION tracker_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION tracker_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION tracker_refuse_change()"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION tracker_refuse_change() CASCADE")
        return
    for table in APPEND_ONLY:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER {table}_append_only_{action}")


def upgrade() -> None:
    op.create_table(
        "recommendation",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("section", sa.String(length=500), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("actors", sa.Text(), nullable=False),
        sa.Column("review_every_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "review_every_days BETWEEN 1 AND 3650",
            name=op.f("ck_recommendation_review_every_days_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
        sa.UniqueConstraint("position", name=op.f("uq_recommendation_position")),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("analyst", sa.String(length=200), nullable=False),
        sa.Column("confidence", sa.String(length=10), nullable=False),
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "basis IN ('reported', 'verified')", name=op.f("ck_assessment_basis_known")
        ),
        sa.CheckConstraint(
            "confidence IN ('low', 'moderate', 'high')", name=op.f("ck_assessment_confidence_known")
        ),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'stalled', 'implemented', 'modified', 'not_pursued', 'superseded')",
            name=op.f("ck_assessment_status_known"),
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_assessment_progress_range")),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["assessment.id"], name=op.f("fk_assessment_corrects_id_assessment")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_assessment_recommendation_id_recommendation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint("corrects_id", name=op.f("uq_assessment_corrects_id")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_timeline",
            ["recommendation_id", "as_of", "recorded_at", "id"],
            unique=False,
        )

    op.create_table(
        "current_status",
        sa.Column("recommendation_id", sa.String(length=40), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_current_status_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_current_status_recommendation_id_recommendation"),
        ),
        sa.PrimaryKeyConstraint("recommendation_id", name=op.f("pk_current_status")),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("source_type", sa.String(length=20), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("accessed_on", sa.Date(), nullable=True),
        sa.Column("archive_url", sa.String(length=2000), nullable=False),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("credibility", sa.String(length=1), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "credibility IN ('1', '2', '3', '4', '5', '6')",
            name=op.f("ck_evidence_credibility_grade"),
        ),
        sa.CheckConstraint(
            "reliability IN ('A', 'B', 'C', 'D', 'E', 'F')",
            name=op.f("ck_evidence_reliability_grade"),
        ),
        sa.CheckConstraint(
            "source_type IN ('official_statement', 'legislation', 'budget', 'agreement', 'statistics', 'news', 'research', 'other')",
            name=op.f("ck_evidence_source_type_known"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_evidence_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_assessment_id"), ["assessment_id"], unique=False
        )
    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_assessment_id"))

    op.drop_table("evidence")
    op.drop_table("current_status")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_timeline")

    op.drop_table("assessment")
    op.drop_table("recommendation")
