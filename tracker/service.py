"""The tracker's use cases: what pages and commands call to do things.

Every write takes the acting party, so that who may do what, and the audit trail, live here
and nowhere else. A use case checks the rules, asks the store to persist, and places the
problems it finds where the input came from (a file's rows and columns). Pages and commands
call this layer only, never the store.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from tracker import backup as backups
from tracker import clock, db, history_file, recommendation_file, reports
from tracker.errors import InvalidInput, Problem, refuse
from tracker.history_file import HistoryFile
from tracker.recommendation_file import RecommendationFile
from tracker.records import TOKEN_MAX_CHARS, AppendResult, AssessmentDraft, NewAssessment
from tracker.rules import check_assessment
from tracker.store import Store
from tracker.views import (
    AssessmentView,
    EvidencePoint,
    ProgressStep,
    RecommendationView,
    StatusRow,
)

SEED_FILE = db.PROJECT_ROOT / "data" / "recommendations.csv"

# Where a call came from.
COMMAND_LINE = "command line"
DASHBOARD = "dashboard"


@dataclass(frozen=True)
class Actor:
    """Who is acting, and through what."""

    name: str
    via: str


@dataclass(frozen=True)
class Logged:
    """What submitting a form's assessment did."""

    id: int
    repeated: bool = False
    """The form had been submitted before: `id` is what that submission stored, and nothing
    new was stored now."""


class Tracker:
    """The use cases over one database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, url: str | None = None) -> "Tracker":
        """The tracker on the database at `url` (else TRACKER_DB_URL, else the default)."""
        return cls(Store(url))

    def close(self) -> None:
        self.store.close()

    # -- schema ------------------------------------------------------------------------------

    def init(self, seed: Path = SEED_FILE) -> int:
        """Creates or upgrades the database and, when it holds no recommendations, loads the
        seed file's; returns how many it loaded (0 when there already were some)."""
        return self.store.init(recommendation_file.read(seed).drafts)

    def upgrade(self) -> None:
        """Creates or brings the schema up to date; cheap when it is current."""
        self.store.upgrade()

    def require_schema(self) -> None:
        """Makes sure the database holds the tracker's schema before a command reads it.

        Refuses a database without one (nothing is created), brings an older schema up to
        date, as every command does after an upgrade of the code, and takes no lock when the
        schema is current.
        """
        state = self.store.schema()
        if state == db.MISSING:
            where = self.store.engine.url.render_as_string(hide_password=True)
            raise refuse("no_tracker_database", {"where": where})
        if state == db.NEWER:
            raise refuse("newer_schema", {"revisions": "unknown"}, at="db")
        if state == db.OLDER:
            self.store.upgrade()

    # -- writes ------------------------------------------------------------------------------

    def log_assessment(
        self,
        actor: Actor,
        draft: AssessmentDraft,
        *,
        read_problems: Sequence[Problem] = (),
        recorded_at: datetime | None = None,
    ) -> int:
        """Appends one assessment with its evidence and returns its id.

        Raises InvalidInput with every problem at once, and writes nothing, when the draft
        breaks a rule, names an unknown recommendation or corrects an assessment it cannot.
        `read_problems` are those its face found reading the input (a number that is not
        one), reported with the rest. `recorded_at` is the clock's time unless a caller
        replays history (sample data).
        """
        return self._log(draft, read_problems, recorded_at=recorded_at).id

    def log_submission(
        self,
        actor: Actor,
        draft: AssessmentDraft,
        token: str,
        *,
        read_problems: Sequence[Problem] = (),
    ) -> Logged:
        """Logs the assessment a form submitted, once, as `log_assessment` does.

        `token` is the form's one-time token, made afresh each time the form is shown. A
        second submission with it, however it arrives (a double click, the form sent again,
        another dashboard server receiving it at the same moment), stores nothing and answers
        with the assessment the first one stored (`repeated`), whatever it holds. The store
        checks the token in the same transaction as the append, and a unique index holds it.
        """
        if not 0 < len(token) <= TOKEN_MAX_CHARS:
            raise ValueError(f"a form token holds 1 to {TOKEN_MAX_CHARS} characters")
        return self._log(draft, read_problems, token=token)

    def problems_with(
        self, draft: AssessmentDraft, *, read_problems: Sequence[Problem] = ()
    ) -> list[Problem]:
        """Every problem that logging the draft would meet, all at once, found without writing
        or locking anything: for a form that shows which are left while they are fixed."""
        problems = [*read_problems, *check_assessment(draft, today=clock.today())]
        try:
            self.store.append([NewAssessment(draft)], dry_run=True)
        except InvalidInput as refused:
            problems += [p.placed(record=None) for p in refused.problems]
        return problems

    def _log(
        self,
        draft: AssessmentDraft,
        read_problems: Sequence[Problem],
        *,
        recorded_at: datetime | None = None,
        token: str | None = None,
    ) -> Logged:
        problems = [*read_problems, *check_assessment(draft, today=clock.today())]
        row = NewAssessment(draft, recorded_at=recorded_at, token=token)
        result: AppendResult | None = None
        try:
            result = self.store.append([row], dry_run=bool(problems))
        except InvalidInput as refused:
            problems += [p.placed(record=None) for p in refused.problems]
        if token is not None and result is not None and result.skipped:
            earlier = self.store.logged_with(token)
            if earlier is not None:
                return Logged(earlier, repeated=True)
        if problems:
            raise InvalidInput(problems)
        (new_id,) = result.ids
        return Logged(new_id)

    def import_history(
        self,
        actor: Actor,
        file: HistoryFile,
        *,
        dry_run: bool = False,
        new_ids: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> AppendResult:
        """Adds a history file's assessments in one transaction: all of them, or none.

        A row equal to a stored assessment is skipped and counted, so importing a file twice
        adds nothing the second time; a row whose id is stored with other content is an
        error, since assessments are never changed. Ids and recorded times in the file are
        kept; with `new_ids` (a file from another tracker), only recorded times are: the
        assessments get new ids after the stored ones, a correction corrects the new id of the
        row it names, and one that names no row of the file is an error. With `dry_run`,
        everything is checked and nothing is written.
        """
        try:
            return self.store.append(
                file.rows,
                skip_stored=True,
                new_ids=new_ids,
                dry_run=dry_run,
                on_progress=on_progress,
            )
        except InvalidInput as refused:
            raise InvalidInput(file.locate(p) for p in refused.problems) from None

    def add_recommendations(self, actor: Actor, file: RecommendationFile) -> list[str]:
        """Adds a paper's recommendations (all or none); returns their ids."""
        try:
            self.store.add_recommendations(file.drafts)
        except InvalidInput as refused:
            raise InvalidInput(file.locate(p) for p in refused.problems) from None
        return [d.id for d in file.drafts]

    def backup(self, actor: Actor, target: Path) -> None:
        """Copies the SQLite database to `target` while others keep writing."""
        backups.backup(self.store, target)

    def restore(self, actor: Actor, source: Path, *, force: bool = False) -> None:
        """Puts a checked backup back in place of the SQLite database."""
        backups.restore(self.store, source, force=force)

    def mark_sample_data(self, actor: Actor) -> None:
        self.store.mark_sample_data()

    # -- reads -------------------------------------------------------------------------------

    def recommendations(self) -> list[RecommendationView]:
        return self.store.recommendations()

    def statuses(
        self, as_of: date | None = None, *, recorded_by: date | None = None
    ) -> list[StatusRow]:
        """Every recommendation with the assessment in effect on `as_of` (today by default),
        counting only what was recorded by the end of `recorded_by` when given."""
        return self.store.statuses(as_of, recorded_by=recorded_by)

    def history(
        self, rec_id: str, *, limit: int | None = None, offset: int = 0
    ) -> list[AssessmentView]:
        """The recommendation's assessments, newest as-of first, corrected ones included."""
        return self.store.history(rec_id, limit=limit, offset=offset)

    def progress_steps(
        self, since: date, until: date, rec_ids: Sequence[str] | None = None
    ) -> list[ProgressStep]:
        return self.store.progress_steps(since, until, rec_ids)

    def evidence_points(self, rec_id: str) -> list[EvidencePoint]:
        return self.store.evidence_points(rec_id)

    def count_assessments(self, rec_id: str | None = None) -> int:
        """How many assessments are stored, of one recommendation when `rec_id` is given
        (corrected ones included, as in its history)."""
        return self.store.count_assessments(rec_id)

    def assessment(self, assessment_id: int) -> AssessmentView | None:
        """One assessment, whatever its recommendation, or None when there is no such id."""
        return self.store.assessment(assessment_id)

    def holds_sample_data(self) -> bool:
        return self.store.holds_sample_data()

    def status_report(
        self, as_of: date | None = None, recorded_by: date | None = None
    ) -> reports.Report:
        """The status report on `as_of` (today by default), as recorded by `recorded_by`."""
        as_of = as_of or clock.today()
        problems = reports.check_dates(as_of, recorded_by=recorded_by)
        if problems:
            raise InvalidInput(problems)
        return reports.status_report(self.store.statuses(as_of, recorded_by=recorded_by), as_of)

    def changes(
        self, since: date, until: date | None = None
    ) -> tuple[reports.Report, reports.Report]:
        """What changed between two dates, and the assessments added in between."""
        until = until or clock.today()
        problems = reports.check_dates(until, since=since)
        if problems:
            raise InvalidInput(problems)
        added = [a for a in self.store.assessments_between(since, until) if not a.is_corrected]
        summary = reports.changes_report(
            self.store.statuses(since), self.store.statuses(until), added
        )
        return summary, reports.added_assessments(added)

    def export_history(self, out: TextIO) -> None:
        """Writes the whole history, from one snapshot, streaming it a batch at a time."""
        with self.store.history_snapshot() as (groups, assessments):
            history_file.write(groups, assessments, out)
