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
from tracker.models import Assessment, CurrentStatus, Evidence, Recommendation
from tracker.recommendation_file import read_recommendations
from tracker.rules import AssessmentDraft, RecommendationDraft, check_assessment
from tracker.views import AssessmentView, EvidenceView, RecommendationView, StatusRow

SEED_FILE = db.PROJECT_ROOT / "data" / "recommendations.csv"


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

    def log(self, draft: AssessmentDraft) -> int:
        """Appends an assessment with its evidence and returns its id.

        Raises InvalidInput, with every problem found and nothing written, when the draft
        breaks a rule, names an unknown recommendation, or corrects an assessment it cannot.
        """
        problems = check_assessment(draft, today=clock.today())
        with self._write() as session:
            locked = select(Recommendation.id).where(Recommendation.id == draft.recommendation_id)
            if session.scalar(locked.with_for_update()) is None:
                problems.insert(0, _unknown_recommendation(draft.recommendation_id))
            elif draft.corrects_id is not None:
                problems.extend(self._check_correction(session, draft))
            if problems:
                raise InvalidInput(problems)
            assessment = Assessment(
                recommendation_id=draft.recommendation_id,
                status=draft.status,
                progress=draft.progress,
                as_of=draft.as_of,
                recorded_at=clock.utc_now(),
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
            self._refresh_current_status(session, draft.recommendation_id)
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
    def _refresh_current_status(session: Session, rec_id: str) -> None:
        latest = session.scalar(_in_effect(rec_id))
        row = session.get(CurrentStatus, rec_id)
        if latest is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(CurrentStatus(recommendation_id=rec_id, assessment_id=latest))
        else:
            row.assessment_id = latest

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
        reproduced exactly. Today's statuses come from the current-status rows; other dates
        cost one indexed look-up per recommendation, whatever the length of the history.
        """
        today = clock.today()
        as_of = as_of or today
        with self._read() as session:
            if as_of >= today and recorded_by is None:
                query = (
                    select(Recommendation, CurrentStatus.assessment_id)
                    .outerjoin(CurrentStatus)
                    .order_by(Recommendation.position)
                )
            else:
                cutoff = _end_of_day_utc(recorded_by) if recorded_by else None
                in_effect = (
                    _in_effect(Recommendation.id, on_or_before=as_of, recorded_before=cutoff)
                    .correlate(Recommendation)
                    .scalar_subquery()
                )
                query = select(Recommendation, in_effect).order_by(Recommendation.position)
            pairs = session.execute(query).all()
            ids = [aid for _, aid in pairs if aid is not None]
            found = session.scalars(select(Assessment).where(Assessment.id.in_(ids))).all()
            views = {v.id: v for v in _assessment_views(session, found)}
            return [
                StatusRow(_recommendation_view(rec), views.get(aid) if aid else None)
                for rec, aid in pairs
            ]


def _in_effect(
    rec_id, *, on_or_before: date | None = None, recorded_before: datetime | None = None
) -> Select:
    """The id of the assessment in effect: latest as-of, then latest recorded, not corrected."""
    correction = aliased(Assessment)
    corrected = select(correction.id).where(correction.corrects_id == Assessment.id)
    query = select(Assessment.id).where(Assessment.recommendation_id == rec_id)
    if on_or_before is not None:
        query = query.where(Assessment.as_of <= on_or_before)
    if recorded_before is not None:
        query = query.where(Assessment.recorded_at < recorded_before)
        corrected = corrected.where(correction.recorded_at < recorded_before)
    return (
        query.where(~exists(corrected))
        .order_by(Assessment.as_of.desc(), Assessment.recorded_at.desc(), Assessment.id.desc())
        .limit(1)
    )


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
