"""The one way into the tracker's database: every read and write of pages and commands.

Writes are single transactions: they check everything first and either store all of it or
nothing. Assessments are only ever appended; the current-status row of the recommendation is
recalculated in the same transaction, under a lock on that recommendation, so concurrent
writers never leave it stale.
"""

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine, exists, func, select
from sqlalchemy.orm import Session, aliased

from tracker import clock, db, locks
from tracker.errors import InvalidInput, NotFound, Problem
from tracker.ledger import AppendPlan, in_effect
from tracker.models import (
    Assessment,
    CurrentStatus,
    Evidence,
    Recommendation,
    Setting,
    StatusDay,
)
from tracker.recommendation_file import read_recommendations
from tracker.rules import (
    AssessmentDraft,
    ImportResult,
    ImportRow,
    RecommendationDraft,
    check_assessment,
)
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
        """Creates or upgrades the schema and loads `seed` into an empty tracker, as the tables'
        owner when TRACKER_ADMIN_DB_URL names one (see `db.owner`).

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
        # Positions follow the largest one; two imports at once must not pick the same.
        locks.recommendation_positions(session)
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

    # -- assessments -------------------------------------------------------------------------

    def log(self, draft: AssessmentDraft, *, recorded_at: datetime | None = None) -> int:
        """Appends an assessment with its evidence and returns its id.

        Raises InvalidInput, with every problem found and nothing written, when the draft
        breaks a rule, names an unknown recommendation, or corrects an assessment it cannot.
        `recorded_at` is the server's clock unless a caller replays history (sample data).
        """
        problems = check_assessment(draft, today=clock.today())
        row = ImportRow(draft, _log_field, recorded_at=recorded_at)
        with self._write() as session:
            plan = AppendPlan(session, [row], skip_stored=False)
            if problems or plan.problems:
                raise InvalidInput(plan.problems + problems)
            (new_id,) = plan.write()
            return new_id

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

    def import_assessments(
        self,
        rows: Sequence[ImportRow],
        *,
        dry_run: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> ImportResult:
        """Adds the rows' assessments in one transaction: all of them, or none.

        A row equal to a stored assessment (by id when it has one; otherwise same
        recommendation, status, progress, as-of date, analyst, note and evidence) is skipped
        and counted, so importing a file twice adds nothing the second time. A row whose id is
        stored with other content is an error: assessments are never changed. Ids and
        recorded times in the rows are kept. With `dry_run`, everything is checked and nothing
        is written. `on_progress(done, total)` is called as rows are written.
        """
        # A dry run only reads, and so holds no writer back.
        with self._read() if dry_run else self._write() as session:
            plan = AppendPlan(session, rows, skip_stored=True, lock=not dry_run)
            if plan.problems:
                raise InvalidInput(plan.problems)
            if not dry_run:
                plan.write(on_progress)
            return ImportResult(added=len(plan.new), skipped=len(rows) - len(plan.new))

    # -- backup and restore (SQLite) --------------------------------------------------------

    def _sqlite_only(self, action: str) -> None:
        if self.engine.dialect.name != "sqlite":
            raise InvalidInput(
                [
                    Problem(
                        f"{action} works on the SQLite database only; on PostgreSQL use "
                        "pg_dump and pg_restore (see the README)",
                        field="db",
                    )
                ]
            )

    def backup(self, target: Path) -> None:
        """Copies the database to `target` while others keep writing, then checks the copy.

        Uses SQLite's online backup API, which copies a consistent snapshot; the file appears
        only once complete and checked.
        """
        self._sqlite_only("backup")
        if target.exists():
            raise InvalidInput([Problem("already exists; choose a new file", file=str(target))])
        if not target.parent.is_dir():
            raise InvalidInput(
                [Problem(f"the folder {target.parent} does not exist", file=str(target))]
            )
        partial = target.with_name(f".{target.name}.partial")
        try:
            copy = sqlite3.connect(partial)
            try:
                with self.engine.connect() as connection:
                    connection.connection.driver_connection.backup(copy)
                problems = sqlite_file_problems(copy, str(target))
            finally:
                copy.close()
            if problems:
                raise InvalidInput(problems)
            os.replace(partial, target)
        except sqlite3.Error as exc:
            raise InvalidInput([Problem(f"cannot be written: {exc}", file=str(target))]) from exc
        finally:
            partial.unlink(missing_ok=True)

    def restore(self, source: Path, *, force: bool = False) -> None:
        """Replaces this database with a backup, after checking the backup is sound.

        Refuses, unless `force`, to replace a database that holds recommendations or
        assessments. A backup from an older version is upgraded after it is put back.
        """
        self._sqlite_only("restore")
        if source.is_dir():
            raise InvalidInput([Problem("is a folder, not a file", file=str(source))])
        if not source.is_file():
            raise InvalidInput([Problem("no such file", file=str(source))])
        try:
            backup = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise InvalidInput([Problem(f"cannot be opened: {exc}", file=str(source))]) from exc
        try:
            problems = sqlite_file_problems(backup, source.name)
            if problems:
                raise InvalidInput(problems)
            self.upgrade()
            held = self.count_assessments(), len(self.recommendations())
            if any(held) and not force:
                raise InvalidInput(
                    [
                        Problem(
                            f"the database holds {held[1]} recommendations and {held[0]} "
                            "assessments; add --force to replace them with the backup",
                            field="db",
                        )
                    ]
                )
            self.engine.dispose()
            with self.engine.connect() as connection:
                backup.backup(connection.connection.driver_connection)
            self.engine.dispose()
        finally:
            backup.close()
        self.upgrade()

    # -- settings ----------------------------------------------------------------------------

    def holds_sample_data(self) -> bool:
        """True when `python -m tracker demo` filled this database with fictional history."""
        with self._read() as session:
            return session.get(Setting, SAMPLE_DATA) is not None

    def mark_sample_data(self) -> None:
        with self._write() as session:
            if session.get(Setting, SAMPLE_DATA) is None:
                session.add(Setting(key=SAMPLE_DATA, value="fictional"))


def sqlite_file_problems(connection: sqlite3.Connection, name: str) -> list[Problem]:
    """What makes a SQLite file unfit to be the tracker's database: damage, or other content."""
    try:
        check = connection.execute("PRAGMA integrity_check").fetchall()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        return [Problem(f"is not a SQLite database ({exc})", file=name)]
    if check != [("ok",)]:
        return [Problem(f"fails SQLite's integrity check: {check[0][0]}", file=name)]
    missing = {"alembic_version", "recommendation", "assessment", "evidence"} - tables
    if missing:
        return [Problem(f"is not a tracker database (no {', '.join(sorted(missing))})", file=name)]
    revisions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    unknown = revisions - db.known_revisions()
    if unknown:
        return [Problem(f"comes from a newer tracker (schema {', '.join(unknown)})", file=name)]
    return []


def _log_field(name: str) -> dict:
    """Where a logged assessment's problem is: the field, as the form and command line name it."""
    return {"field": {"recommendation_id": "recommendation"}.get(name, name)}


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
