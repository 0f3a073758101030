"""The one way into the tracker's database: every read and write of pages and commands.

Writes are single transactions: they check everything first and either store all of it or
nothing. Assessments are only ever appended; the current-status row of the recommendation is
recalculated in the same transaction, under a lock on that recommendation, so concurrent
writers never leave it stale.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine, Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from tracker import clock, db
from tracker.errors import InvalidInput, NotFound, Problem
from tracker.models import (
    Assessment,
    CurrentStatus,
    Evidence,
    Recommendation,
    Setting,
    StatusDay,
)
from tracker.recommendation_file import read_recommendations
from tracker.rules import AssessmentDraft, RecommendationDraft, check_assessment
from tracker.views import (
    AssessmentView,
    EvidencePoint,
    EvidenceView,
    ProgressStep,
    RecommendationView,
    StatusRow,
)

SEED_FILE = db.PROJECT_ROOT / "data" / "recommendations.csv"
SAMPLE_DATA = "sample_data"


class Store:
    """The tracker's database, reached through the URL given, TRACKER_DB_URL or the default."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.engine = engine or db.make_engine(url)

    # -- schema and set-up -------------------------------------------------------------------

    def init(self, seed: Path = SEED_FILE) -> int:
        """Creates or upgrades the schema and loads `seed` into an empty tracker.

        Returns how many recommendations were loaded: 0 when there already were some, so that
        running it again changes nothing.
        """
        drafts = read_recommendations(seed)
        with db.exclusive(self.engine) as connection, Session(connection) as session:
            db.migrate(connection)
            if session.scalar(select(func.count()).select_from(Recommendation)):
                return 0
            self._add_recommendations(session, drafts, seed.name)
            session.flush()
        return len(drafts)

    def upgrade(self) -> None:
        """Applies pending schema migrations; cheap when there are none."""
        db.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(db.writer(self.engine), expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    # -- recommendations ---------------------------------------------------------------------

    def import_recommendations(self, path: Path) -> list[str]:
        """Adds the recommendations in a CSV file (all or none); returns their ids."""
        drafts = read_recommendations(path)
        with self._write() as session:
            self._add_recommendations(session, drafts, path.name)
        return [d.id for d in drafts]

    def _add_recommendations(
        self, session: Session, drafts: Sequence[RecommendationDraft], file: str
    ) -> None:
        ids = [d.id for d in drafts]
        taken = set(session.scalars(select(Recommendation.id).where(Recommendation.id.in_(ids))))
        if taken:
            raise InvalidInput(
                Problem(
                    f"{rec_id!r} is already the id of a stored recommendation",
                    file=file,
                    column="id",
                )
                for rec_id in ids
                if rec_id in taken
            )
        position = session.scalar(select(func.coalesce(func.max(Recommendation.position), 0)))
        for offset, draft in enumerate(drafts, start=1):
            session.add(
                Recommendation(
                    id=draft.id,
                    position=position + offset,
                    title=draft.title,
                    description=draft.description,
                    source=draft.source,
                    section=draft.section,
                    theme=draft.theme,
                    actors=";".join(draft.actors),
                    review_every_days=draft.review_every_days,
                )
            )

    def recommendations(self) -> list[RecommendationView]:
        with self._read() as session:
            rows = session.scalars(select(Recommendation).order_by(Recommendation.position))
            return [_recommendation_view(r) for r in rows]

    def recommendation(self, rec_id: str) -> RecommendationView:
        with self._read() as session:
            row = session.get(Recommendation, rec_id)
            if row is None:
                raise NotFound([_unknown_recommendation(rec_id)])
            return _recommendation_view(row)

    # -- assessments -------------------------------------------------------------------------

    def log(self, draft: AssessmentDraft, *, recorded_at: datetime | None = None) -> int:
        """Appends an assessment with its evidence and returns its id.

        Raises InvalidInput, with every problem found and nothing written, when the draft
        breaks a rule, names an unknown recommendation, or corrects an assessment it cannot.
        `recorded_at` is the server's clock unless a caller replays history (sample data).
        """
        problems = check_assessment(draft, today=clock.today())
        days = {draft.as_of}
        with self._write() as session:
            locked = select(Recommendation.id).where(Recommendation.id == draft.recommendation_id)
            if session.scalar(locked.with_for_update()) is None:
                problems.insert(0, _unknown_recommendation(draft.recommendation_id))
            elif draft.corrects_id is not None:
                problems.extend(self._check_correction(session, draft))
                corrected = session.get(Assessment, draft.corrects_id)
                if corrected is not None:
                    days.add(corrected.as_of)
            if problems:
                raise InvalidInput(problems)
            assessment = Assessment(
                recommendation_id=draft.recommendation_id,
                status=draft.status,
                progress=draft.progress,
                as_of=draft.as_of,
                recorded_at=recorded_at or clock.utc_now(),
                analyst=draft.analyst,
                confidence=draft.confidence,
                basis=draft.basis,
                note=draft.note,
                corrects_id=draft.corrects_id,
                evidence=[
                    Evidence(
                        position=position,
                        url=item.url,
                        title=item.title,
                        source_type=item.source_type,
                        publisher=item.publisher,
                        published_on=item.published_on,
                        accessed_on=item.accessed_on,
                        archive_url=item.archive_url,
                        reliability=item.reliability,
                        credibility=item.credibility,
                        summary=item.summary,
                    )
                    for position, item in enumerate(draft.evidence, start=1)
                ],
            )
            session.add(assessment)
            session.flush()
            self._refresh_derived(session, draft.recommendation_id, days)
            return assessment.id

    @staticmethod
    def _check_correction(session: Session, draft: AssessmentDraft) -> list[Problem]:
        target = session.get(Assessment, draft.corrects_id)
        if target is None:
            return [Problem(f"there is no assessment {draft.corrects_id}", field="corrects")]
        if target.recommendation_id != draft.recommendation_id:
            return [
                Problem(
                    f"assessment {target.id} is of {target.recommendation_id}, "
                    f"not {draft.recommendation_id}",
                    field="corrects",
                )
            ]
        corrected_by = session.scalar(
            select(Assessment.id).where(Assessment.corrects_id == target.id)
        )
        if corrected_by is not None:
            return [
                Problem(
                    f"assessment {target.id} was already corrected by {corrected_by}; "
                    f"correct {corrected_by} instead",
                    field="corrects",
                )
            ]
        return []

    @staticmethod
    def _refresh_derived(session: Session, rec_id: str, days: set[date]) -> None:
        """Recalculates the recommendation's current status and its status on `days`."""
        for day in days:
            _put(
                session,
                StatusDay,
                (rec_id, day),
                session.scalar(_in_effect(rec_id, on_day=day)),
                recommendation_id=rec_id,
                day=day,
            )
        _put(
            session,
            CurrentStatus,
            rec_id,
            session.scalar(_in_effect(rec_id)),
            recommendation_id=rec_id,
        )

    def history(
        self, rec_id: str, *, limit: int | None = None, offset: int = 0
    ) -> list[AssessmentView]:
        """The recommendation's assessments, newest as-of first, corrected ones included."""
        with self._read() as session:
            if session.get(Recommendation, rec_id) is None:
                raise NotFound([_unknown_recommendation(rec_id)])
            query = (
                select(Assessment)
                .where(Assessment.recommendation_id == rec_id)
                .order_by(
                    Assessment.as_of.desc(), Assessment.recorded_at.desc(), Assessment.id.desc()
                )
                .offset(offset)
                .limit(limit)
            )
            return _assessment_views(session, session.scalars(query).all())

    def count_assessments(self, rec_id: str | None = None) -> int:
        query = select(func.count()).select_from(Assessment)
        if rec_id is not None:
            query = query.where(Assessment.recommendation_id == rec_id)
        with self._read() as session:
            return session.scalar(query) or 0

    # -- statuses ----------------------------------------------------------------------------

    def statuses(
        self, as_of: date | None = None, *, recorded_by: date | None = None
    ) -> list[StatusRow]:
        """Every recommendation with the assessment in effect on `as_of` (today by default).

        With `recorded_by`, only what had been recorded by the end of that day (in the
        tracker's time zone) counts, corrections included, so that an earlier report can be
        reproduced exactly. Today's statuses come from the current-status rows, other dates from
        the status-per-day rows: one indexed look-up per recommendation, whatever the length of
        the history. Only `recorded_by` reads the log itself.
        """
        today = clock.today()
        as_of = as_of or today
        with self._read() as session:
            if recorded_by is not None:
                in_effect = _in_effect(
                    Recommendation.id,
                    on_or_before=as_of,
                    recorded_before=_end_of_day_utc(recorded_by),
                )
            elif as_of < today:
                in_effect = (
                    select(StatusDay.assessment_id)
                    .where(StatusDay.recommendation_id == Recommendation.id)
                    .where(StatusDay.day <= as_of)
                    .order_by(StatusDay.day.desc())
                    .limit(1)
                )
            else:
                in_effect = select(CurrentStatus.assessment_id).where(
                    CurrentStatus.recommendation_id == Recommendation.id
                )
            column = in_effect.correlate(Recommendation).scalar_subquery()
            query = select(Recommendation, column).order_by(Recommendation.position)
            pairs = session.execute(query).all()
            ids = [aid for _, aid in pairs if aid is not None]
            found = session.scalars(select(Assessment).where(Assessment.id.in_(ids))).all()
            views = {v.id: v for v in _assessment_views(session, found)}
            return [
                StatusRow(_recommendation_view(rec), views.get(aid) if aid else None)
                for rec, aid in pairs
            ]

    def progress_steps(
        self, since: date, until: date, rec_ids: Sequence[str] | None = None
    ) -> list[ProgressStep]:
        """Each recommendation's progress as steps from `since` to `until`, for charts.

        The first step of an assessed recommendation is its status on `since`; then one step per
        as-of date with assessments, read from the status-per-day rows, never from the log.
        """
        steps = [
            ProgressStep(row.recommendation.id, since, row.status, row.progress)
            for row in self.statuses(since)
            if row.assessment is not None and (rec_ids is None or row.recommendation.id in rec_ids)
        ]
        query = (
            select(
                StatusDay.recommendation_id, StatusDay.day, Assessment.status, Assessment.progress
            )
            .join(Assessment, Assessment.id == StatusDay.assessment_id)
            .where(StatusDay.day > since, StatusDay.day <= until)
            .order_by(StatusDay.recommendation_id, StatusDay.day)
        )
        if rec_ids is not None:
            query = query.where(StatusDay.recommendation_id.in_(rec_ids))
        with self._read() as session:
            steps.extend(ProgressStep(*row) for row in session.execute(query))
        return steps

    def first_as_of(self, rec_id: str | None = None) -> date | None:
        """The earliest as-of date in effect anywhere (or for one recommendation)."""
        query = select(func.min(StatusDay.day))
        if rec_id is not None:
            query = query.where(StatusDay.recommendation_id == rec_id)
        with self._read() as session:
            return session.scalar(query)

    def evidence_points(self, rec_id: str, *, limit: int = 500) -> list[EvidencePoint]:
        """The evidence behind a recommendation's uncorrected assessments, most recent first."""
        correction = aliased(Assessment)
        query = (
            select(Evidence, Assessment.id, Assessment.as_of, Assessment.progress)
            .join(Assessment, Assessment.id == Evidence.assessment_id)
            .where(Assessment.recommendation_id == rec_id)
            .where(~exists(select(correction.id).where(correction.corrects_id == Assessment.id)))
            .order_by(Assessment.as_of.desc(), Assessment.id.desc(), Evidence.position)
            .limit(limit)
        )
        with self._read() as session:
            return [
                EvidencePoint(_evidence_view(item), assessment_id, as_of, progress)
                for item, assessment_id, as_of, progress in session.execute(query)
            ]

    def assessments_between(self, since: date, until: date) -> list[AssessmentView]:
        """Assessments with an as-of date after `since` and on or before `until`, oldest first."""
        query = (
            select(Assessment)
            .where(Assessment.as_of > since, Assessment.as_of <= until)
            .order_by(Assessment.as_of, Assessment.recorded_at, Assessment.id)
        )
        with self._read() as session:
            return _assessment_views(session, session.scalars(query).all())

    # -- settings ----------------------------------------------------------------------------

    def holds_sample_data(self) -> bool:
        """True when `python -m tracker demo` filled this database with fictional history."""
        with self._read() as session:
            return session.get(Setting, SAMPLE_DATA) is not None

    def mark_sample_data(self) -> None:
        with self._write() as session:
            if session.get(Setting, SAMPLE_DATA) is None:
                session.add(Setting(key=SAMPLE_DATA, value="fictional"))


def _in_effect(
    rec_id,
    *,
    on_or_before: date | None = None,
    on_day: date | None = None,
    recorded_before: datetime | None = None,
) -> Select:
    """The id of the assessment in effect: latest as-of, then latest recorded, not corrected."""
    correction = aliased(Assessment)
    corrected = select(correction.id).where(correction.corrects_id == Assessment.id)
    query = select(Assessment.id).where(Assessment.recommendation_id == rec_id)
    if on_or_before is not None:
        query = query.where(Assessment.as_of <= on_or_before)
    if on_day is not None:
        query = query.where(Assessment.as_of == on_day)
    if recorded_before is not None:
        query = query.where(Assessment.recorded_at < recorded_before)
        corrected = corrected.where(correction.recorded_at < recorded_before)
    return (
        query.where(~exists(corrected))
        .order_by(Assessment.as_of.desc(), Assessment.recorded_at.desc(), Assessment.id.desc())
        .limit(1)
    )


def _put(session: Session, model, key, assessment_id: int | None, **identity) -> None:
    """Points a derived row at `assessment_id`, or removes it when nothing is in effect."""
    row = session.get(model, key)
    if assessment_id is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(model(assessment_id=assessment_id, **identity))
    else:
        row.assessment_id = assessment_id


def _end_of_day_utc(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=clock.timezone())


def _unknown_recommendation(rec_id: str) -> Problem:
    return Problem(f"there is no recommendation {rec_id!r}", field="recommendation")


def _recommendation_view(row: Recommendation) -> RecommendationView:
    return RecommendationView(
        id=row.id,
        title=row.title,
        description=row.description,
        source=row.source,
        section=row.section,
        theme=row.theme,
        actors=tuple(a for a in row.actors.split(";") if a),
        review_every_days=row.review_every_days,
    )


def _assessment_views(session: Session, rows: Sequence[Assessment]) -> list[AssessmentView]:
    ids = [row.id for row in rows]
    corrected_by = dict(
        session.execute(
            select(Assessment.corrects_id, Assessment.id).where(Assessment.corrects_id.in_(ids))
        ).all()
    )
    return [
        AssessmentView(
            id=row.id,
            recommendation_id=row.recommendation_id,
            status=row.status,
            progress=row.progress,
            as_of=row.as_of,
            recorded_at=row.recorded_at,
            analyst=row.analyst,
            confidence=row.confidence,
            basis=row.basis,
            note=row.note,
            corrects_id=row.corrects_id,
            corrected_by_id=corrected_by.get(row.id),
            evidence=tuple(_evidence_view(e) for e in row.evidence),
        )
        for row in rows
    ]


def _evidence_view(row: Evidence) -> EvidenceView:
    return EvidenceView(
        id=row.id,
        position=row.position,
        url=row.url,
        title=row.title,
        source_type=row.source_type,
        publisher=row.publisher,
        published_on=row.published_on,
        accessed_on=row.accessed_on,
        archive_url=row.archive_url,
        reliability=row.reliability,
        credibility=row.credibility,
        summary=row.summary,
    )
