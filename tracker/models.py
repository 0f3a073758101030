"""The tracker's tables as SQLAlchemy 2 typed models.

Assessments and their evidence are append-only: the database itself refuses to update or delete
them (triggers created by the migrations). `current_status` and `status_day` are derived: the
assessment in effect today, and on each as-of date, kept in the same transaction as each append
so that reading statuses and progress charts costs the same at any history length.
"""

from dataclasses import fields
from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tracker import taxonomy
from tracker.records import (
    DAY,
    NUMBER,
    TOKEN_MAX_CHARS,
    AssessmentDraft,
    EvidenceDraft,
    RecommendationDraft,
    Spec,
    declared_fields,
)

# Text longer than this is stored as unbounded text (its limit is kept by the rules).
LONGEST_STRING = taxonomy.URL_MAX_CHARS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A moment stored in UTC and always read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("recorded times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _column_type(spec: Spec):
    if spec.kind == DAY:
        return Date
    if spec.kind == NUMBER:
        return Integer
    if spec.limit is None or spec.limit > LONGEST_STRING:
        return Text
    return String(spec.limit)


def columns_of(record: type, *, besides: tuple[str, ...] = ()) -> type:
    """A mixin with one column per declared field of `record` (those in `besides` are
    declared by the model itself, with what genuinely differs: keys to other tables)."""
    columns = {
        name: mapped_column(_column_type(spec), nullable=_optional(record, name))
        for name, spec in declared_fields(record)
        if name not in besides
    }
    return type(f"{record.__name__}Columns", (), columns)


def choice_checks(record: type) -> tuple[CheckConstraint, ...]:
    """A check that each of the record's choice fields holds one of its choices."""
    return tuple(
        CheckConstraint(_in(name, spec.choices), name=f"{name}_known")
        for name, spec in declared_fields(record)
        if spec.choices
    )


def _optional(record: type, name: str) -> bool:
    default = next(f.default for f in fields(record) if f.name == name)
    return default is None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Recommendation(columns_of(RecommendationDraft, besides=("id",)), Base):
    __tablename__ = "recommendation"

    id: Mapped[str] = mapped_column(String(taxonomy.RECOMMENDATION_ID_MAX_CHARS), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    # Stored joined by ";" until actors are records of their own.
    actors: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("review_every_days BETWEEN 1 AND 3650", name="review_every_days_range"),
    )


class Assessment(columns_of(AssessmentDraft, besides=("recommendation_id", "corrects_id")), Base):
    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("recommendation.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # An assessment is corrected at most once, by a later one.
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id"), unique=True, default=None
    )
    # The one-time token of the form that submitted it, so that the same submission arriving
    # twice is stored once. Not part of the history: never read back with it, never exported.
    submission_token: Mapped[str | None] = mapped_column(
        String(TOKEN_MAX_CHARS), default=None, deferred=True
    )

    evidence: Mapped[list["Evidence"]] = relationship(order_by="Evidence.position", lazy="selectin")

    __table_args__ = (
        *choice_checks(AssessmentDraft),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        # Finds the assessment in effect on a date without reading the whole history.
        Index("ix_assessment_timeline", "recommendation_id", "as_of", "recorded_at", "id"),
        Index("ix_assessment_as_of", "as_of"),
        Index("ix_assessment_submission_token", "submission_token", unique=True),
    )


class Evidence(columns_of(EvidenceDraft), Base):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = choice_checks(EvidenceDraft)


class CurrentStatus(Base):
    """The assessment in effect today for each recommendation that has one."""

    __tablename__ = "current_status"

    recommendation_id: Mapped[str] = mapped_column(
        ForeignKey("recommendation.id"), primary_key=True
    )
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))


class StatusDay(Base):
    """For each recommendation and as-of date with assessments, the one in effect that day.

    The steps of the progress-over-time charts, kept with each append like `current_status`.
    """

    __tablename__ = "status_day"

    recommendation_id: Mapped[str] = mapped_column(
        ForeignKey("recommendation.id"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))

    # Charts over a period read every recommendation's steps in a range of days.
    __table_args__ = (Index("ix_status_day_day", "day"),)


class Setting(Base):
    """Database-wide flags, such as whether the database holds sample data."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
