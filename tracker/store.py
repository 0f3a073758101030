"""The one way into the tracker's database: every read and write of pages and commands.

Writes are single transactions: they check everything first and either store all of it or
nothing. Assessments are only ever appended; the current-status row of the recommendation is
recalculated in the same transaction, under a lock on that recommendation, so concurrent
writers never leave it stale.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from tracker import clock, db, locks
from tracker.errors import InvalidInput, Problem
from tracker.ledger import AppendPlan, in_effect
from tracker.models import (
    Assessment,
    CurrentStatus,
    Evidence,
    Recommendation,
    Setting,
    StatusDay,
)
from tracker.records import (
    AppendResult,
    AssessmentDraft,
    EvidenceDraft,
    NewAssessment,
    RecommendationDraft,
    values_of,
)
from tracker.views import (
    AssessmentView,
    EvidencePoint,
    EvidenceView,
    ProgressStep,
    RecommendationView,
    StatusRow,
)

SAMPLE_DATA = "sample_data"


class Store:
    """The tracker's database, reached through the URL given, TRACKER_DB_URL or the default."""

    def __init__(self, url: str | None = None) -> None:
        self.engine = db.make_engine(url)

    # -- schema and set-up -------------------------------------------------------------------

    def init(self, seed: Sequence[RecommendationDraft]) -> int:
        """Creates or upgrades the schema and adds `seed` to a tracker without recommendations,
        as the tables' owner when TRACKER_ADMIN_DB_URL names one (see `db.owner`).

        Returns how many recommendations were added: 0 when there already were some, so that
        running it again changes nothing.
        """
        with db.exclusive(self.engine) as connection, Session(connection) as session:
            db.migrate(connection)
            if session.scalar(select(func.count()).select_from(Recommendation)):
                return 0
            self._add_recommendations(session, seed)
            session.flush()
        return len(seed)

    def upgrade(self) -> None:
        """Applies pending schema migrations; cheap when there are none."""
        db.upgrade(self.engine)

    def schema(self) -> str:
        """The state of the schema, read without a lock and without creating anything: one of
        db.MISSING, db.CURRENT, db.OLDER, db.NEWER."""
        return db.schema_state(self.engine)

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

    def add_recommendations(self, drafts: Sequence[RecommendationDraft]) -> None:
        """Adds the recommendations, after the stored ones, all or none.

        Raises InvalidInput naming each draft (`record`) whose id is already stored.
        """
        with self._write() as session:
            self._add_recommendations(session, drafts)

    def _add_recommendations(self, session: Session, drafts: Sequence[RecommendationDraft]) -> None:
        # Positions follow the largest one; two imports at once must not pick the same.
        locks.recommendation_positions(session)
        ids = [d.id for d in drafts]
        # An id equal to a stored one but for case is refused too (ids are ASCII, so lower()
        # means the same on both databases).
        lowered = {rec_id.lower() for rec_id in ids}
        stored = set(
            session.scalars(
                select(Recommendation.id).where(func.lower(Recommendation.id).in_(lowered))
            )
        )
        by_case = {stored_id.lower(): stored_id for stored_id in sorted(stored)}
        problems = [
            Problem("recommendation_id_taken", "id", {"value": rec_id}, record=n)
            if rec_id in stored
            else Problem(
                "recommendation_id_taken_by_case",
                "id",
                {"value": rec_id, "stored": by_case[rec_id.lower()]},
                record=n,
            )
            for n, rec_id in enumerate(ids)
            if rec_id.lower() in by_case
        ]
        if problems:
            raise InvalidInput(problems)
        position = session.scalar(select(func.coalesce(func.max(Recommendation.position), 0)))
        for offset, draft in enumerate(drafts, start=1):
            session.add(
                Recommendation(
                    **values_of(RecommendationDraft, draft),
                    position=position + offset,
                    actors=";".join(draft.actors),
                )
            )

    def recommendations(self) -> list[RecommendationView]:
        with self._read() as session:
            rows = session.scalars(select(Recommendation).order_by(Recommendation.position))
            return [_recommendation_view(r) for r in rows]

    # -- assessments -------------------------------------------------------------------------

    def append(
        self,
        rows: Sequence[NewAssessment],
        *,
        skip_stored: bool = False,
        new_ids: bool = False,
        dry_run: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> AppendResult:
        """Appends the rows' assessments, with their evidence, in one transaction: all of them,
        or none.

        Checks what needs the database: the recommendation exists; a correction names an
        earlier assessment of the same recommendation that nothing else corrects; an id the
        row carries is free or holds the same assessment. Raises InvalidInput with every
        problem, each naming its row's index (`record`), and writes nothing. With
        `skip_stored`, a row equal to a stored assessment (by id when it has one; otherwise in
        every identifying field and its evidence) is skipped and counted. A row whose one-time
        form token is stored already is always skipped and counted: that submission is stored
        once (a unique index holds it, whatever writes). With `new_ids`, the rows' ids are
        another tracker's: the rows not stored yet get new ids after the stored ones, and their
        corrections follow them (see tracker.renumbering). With `dry_run`, only
        reads, and so holds no writer back. `on_progress(done, total)` is called as rows are
        written.
        """
        with self._read() if dry_run else self._write() as session:
            plan = AppendPlan(
                session, rows, skip_stored=skip_stored, lock=not dry_run, new_ids=new_ids
            )
            if plan.problems:
                raise InvalidInput(plan.problems)
            ids = () if dry_run else tuple(plan.write(on_progress))
            return AppendResult(added=len(plan.new), skipped=len(rows) - len(plan.new), ids=ids)

    def logged_with(self, token: str) -> int | None:
        """The id of the assessment stored with this one-time form token, if any."""
        with self._read() as session:
            query = select(Assessment.id).where(Assessment.submission_token == token)
            return session.scalar(query)

    def history(
        self, rec_id: str, *, limit: int | None = None, offset: int = 0
    ) -> list[AssessmentView]:
        """The recommendation's assessments, newest as-of first, corrected ones included."""
        with self._read() as session:
            if session.get(Recommendation, rec_id) is None:
                problem = Problem("unknown_recommendation", "recommendation_id", {"value": rec_id})
                raise InvalidInput([problem])
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
        """How many assessments are stored, of one recommendation when `rec_id` is given."""
        query = select(func.count()).select_from(Assessment)
        if rec_id is not None:
            query = query.where(Assessment.recommendation_id == rec_id)
        with self._read() as session:
            return session.scalar(query) or 0

    def assessment(self, assessment_id: int) -> AssessmentView | None:
        """One stored assessment with its evidence and corrections, or None."""
        with self._read() as session:
            row = session.get(Assessment, assessment_id)
            return _assessment_views(session, [row])[0] if row is not None else None

    def count_recommendations(self) -> int:
        with self._read() as session:
            return session.scalar(select(func.count()).select_from(Recommendation)) or 0

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
                effective = in_effect(
                    Recommendation.id,
                    on_or_before=as_of,
                    recorded_before=_end_of_day_utc(recorded_by),
                )
            elif as_of < today:
                effective = (
                    select(StatusDay.assessment_id)
                    .where(StatusDay.recommendation_id == Recommendation.id)
                    .where(StatusDay.day <= as_of)
                    .order_by(StatusDay.day.desc())
                    .limit(1)
                )
            else:
                effective = select(CurrentStatus.assessment_id).where(
                    CurrentStatus.recommendation_id == Recommendation.id
                )
            column = effective.correlate(Recommendation).scalar_subquery()
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

    def evidence_points(self, rec_id: str, *, assessments: int = 200) -> list[EvidencePoint]:
        """The evidence behind the recommendation's latest `assessments` assessments (by as-of
        date), leaving out corrected ones; most recent first.

        Bounded by the number of assessments looked at, so its cost does not grow with the
        history.
        """
        correction = aliased(Assessment)
        latest = (
            select(Assessment.id)
            .where(Assessment.recommendation_id == rec_id)
            .order_by(Assessment.as_of.desc(), Assessment.recorded_at.desc(), Assessment.id.desc())
            .limit(assessments)
            .subquery()
        )
        query = (
            select(Evidence, Assessment.id, Assessment.as_of, Assessment.progress)
            .join(Assessment, Assessment.id == Evidence.assessment_id)
            .where(Assessment.id.in_(select(latest.c.id)))
            .where(~exists(select(correction.id).where(correction.corrects_id == Assessment.id)))
            .order_by(Assessment.as_of.desc(), Assessment.id.desc(), Evidence.position)
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

    # -- whole history: export and import ----------------------------------------------------

    @contextmanager
    def history_snapshot(
        self, *, batch: int = 500
    ) -> Iterator[tuple[int, Iterator[AssessmentView]]]:
        """The most evidence any assessment has, and every assessment in id order, all read
        from one snapshot of the database, a batch at a time so that memory stays flat.

        Writers carry on meanwhile; what they add after the snapshot began is not included.
        """
        engine = self.engine
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        with Session(engine) as session, session.begin():
            counts = (
                select(func.count().label("n"))
                .select_from(Evidence)
                .group_by(Evidence.assessment_id)
                .subquery()
            )
            groups = session.scalar(select(func.max(counts.c.n))) or 0

            def assessments() -> Iterator[AssessmentView]:
                last = 0
                while True:
                    query = (
                        select(Assessment)
                        .where(Assessment.id > last)
                        .order_by(Assessment.id)
                        .limit(batch)
                    )
                    views = _assessment_views(session, session.scalars(query).all())
                    if not views:
                        return
                    yield from views
                    session.expunge_all()
                    last = views[-1].id

            yield groups, assessments()

    # -- settings ----------------------------------------------------------------------------

    def holds_sample_data(self) -> bool:
        """True when `python -m tracker demo` filled this database with fictional history."""
        with self._read() as session:
            return session.get(Setting, SAMPLE_DATA) is not None

    def mark_sample_data(self) -> None:
        with self._write() as session:
            if session.get(Setting, SAMPLE_DATA) is None:
                session.add(Setting(key=SAMPLE_DATA, value="fictional"))


def _end_of_day_utc(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=clock.timezone())


def _recommendation_view(row: Recommendation) -> RecommendationView:
    return RecommendationView(
        **values_of(RecommendationDraft, row),
        actors=tuple(a for a in row.actors.split(";") if a),
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
            **values_of(AssessmentDraft, row),
            id=row.id,
            recorded_at=row.recorded_at,
            corrected_by_id=corrected_by.get(row.id),
            evidence=tuple(_evidence_view(e) for e in row.evidence),
        )
        for row in rows
    ]


def _evidence_view(row: Evidence) -> EvidenceView:
    return EvidenceView(**values_of(EvidenceDraft, row), id=row.id, position=row.position)
