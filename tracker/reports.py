"""Status and "what changed" reports: tables built from the store's records, and their CSV.

Both are plain functions of what the store returns, so the dashboard, the command line and the
tests build exactly the same report.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker import clock, csvfile, taxonomy
from tracker.errors import Problem
from tracker.views import AssessmentView, StatusRow

STATUS_COLUMNS = (
    "recommendation_id",
    "title",
    "theme",
    "status",
    "progress",
    "as_of",
    "analyst",
    "confidence",
    "basis",
    "evidence_count",
    "last_note",
    "days_since_assessment",
    "review_due",
)

CHANGES_COLUMNS = (
    "recommendation_id",
    "title",
    "status_at_start",
    "progress_at_start",
    "status_at_end",
    "progress_at_end",
    "progress_change",
    "assessments_added",
    "evidence_added",
    "added",
)

ADDED_COLUMNS = (
    "assessment_id",
    "recommendation_id",
    "as_of",
    "status",
    "progress",
    "analyst",
    "confidence",
    "basis",
    "corrects",
    "evidence_count",
    "evidence",
    "note",
)


@dataclass(frozen=True)
class Report:
    """A report's rows, in column order, ready for a table or a CSV file."""

    columns: tuple[str, ...]
    rows: list[tuple]

    def csv_bytes(self) -> bytes:
        return csvfile.to_bytes(self.columns, self.rows)


def is_review_due(row: StatusRow, as_of: date) -> bool:
    """Never assessed, or assessed longer ago than the recommendation's review interval; a
    closed recommendation (implemented, not pursued, superseded) never comes due."""
    if row.status in taxonomy.CLOSED_STATUSES:
        return False
    if row.assessment is None:
        return True
    return (as_of - row.assessment.as_of).days > row.recommendation.review_every_days


def status_report(rows: Sequence[StatusRow], as_of: date) -> Report:
    """One row per recommendation: the assessment in effect on `as_of`, counted from it."""
    lines = []
    for row in rows:
        rec, a = row.recommendation, row.assessment
        lines.append(
            (
                rec.id,
                rec.title,
                rec.theme,
                row.status,
                row.progress,
                a.as_of if a else None,
                a.analyst if a else None,
                a.confidence if a else None,
                a.basis if a else None,
                len(a.evidence) if a else 0,
                a.note if a else None,
                (as_of - a.as_of).days if a else None,
                is_review_due(row, as_of),
            )
        )
    return Report(STATUS_COLUMNS, lines)


def _summary(a: AssessmentView) -> str:
    return f"#{a.id} {a.as_of} {a.status} {a.progress}% ({len(a.evidence)} evidence)"


def changes_report(
    at_start: Sequence[StatusRow], at_end: Sequence[StatusRow], added: Sequence[AssessmentView]
) -> Report:
    """One row per recommendation: status and progress at both ends, and what came in between.

    `added` are the uncorrected assessments dated in between.
    """
    by_rec: dict[str, list[AssessmentView]] = defaultdict(list)
    for a in added:
        by_rec[a.recommendation_id].append(a)
    start = {row.recommendation.id: row for row in at_start}
    lines = []
    for end in at_end:
        rec = end.recommendation
        begin = start[rec.id]
        change = (
            end.progress - begin.progress
            if end.progress is not None and begin.progress is not None
            else None
        )
        mine = by_rec.get(rec.id, [])
        lines.append(
            (
                rec.id,
                rec.title,
                begin.status,
                begin.progress,
                end.status,
                end.progress,
                change,
                len(mine),
                sum(len(a.evidence) for a in mine),
                "; ".join(_summary(a) for a in mine),
            )
        )
    return Report(CHANGES_COLUMNS, lines)


def added_assessments(added: Sequence[AssessmentView]) -> Report:
    """The uncorrected assessments dated between the two ends of a "what changed" report."""
    lines = [
        (
            a.id,
            a.recommendation_id,
            a.as_of,
            a.status,
            a.progress,
            a.analyst,
            a.confidence,
            a.basis,
            a.corrects_id,
            len(a.evidence),
            "; ".join(f"{e.title or e.url} <{e.url}> {e.grade}" for e in a.evidence),
            a.note,
        )
        for a in added
    ]
    return Report(ADDED_COLUMNS, lines)


def check_dates(
    as_of: date | None = None, *, since: date | None = None, recorded_by: date | None = None
) -> list[Problem]:
    """Report dates must not lie in the future, and a period must run forwards."""
    today = clock.today()
    problems = [
        Problem("in_future", name, {"value": value, "today": today})
        for name, value in (("as_of", as_of), ("since", since), ("recorded_by", recorded_by))
        if value is not None and value > today
    ]
    if since is not None and as_of is not None and since >= as_of:
        problems.append(Problem("not_before_end", "since", {"end": as_of}))
    return problems
