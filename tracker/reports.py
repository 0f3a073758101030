"""Status and "what changed" reports: tables built from the store's records, and their CSV.

Both are plain functions of what the store returns, so the dashboard, the command line and the
tests build exactly the same report.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from tracker import clock, csvfile
from tracker.errors import InvalidInput, Problem
from tracker.store import Store
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

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(self.columns))

    def csv_bytes(self) -> bytes:
        return csvfile.to_bytes(self.columns, self.rows)


def is_review_due(row: StatusRow, on: date) -> bool:
    """Never assessed, or assessed longer ago than the recommendation's review interval."""
    if row.assessment is None:
        return True
    return (on - row.assessment.as_of).days > row.recommendation.review_every_days


def status_report(rows: Sequence[StatusRow], on: date) -> Report:
    """One row per recommendation: the assessment in effect on `on`, counted from `on`."""
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
                (on - a.as_of).days if a else None,
                is_review_due(row, on),
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
    on: date | None = None, *, since: date | None = None, recorded_by: date | None = None
) -> list[Problem]:
    """Report dates must not lie in the future, and a period must run forwards."""
    today = clock.today()
    problems = [
        Problem(f"{value} is in the future (today is {today})", field=name)
        for name, value in (("as_of", on), ("since", since), ("recorded_by", recorded_by))
        if value is not None and value > today
    ]
    if since is not None and on is not None and since >= on:
        problems.append(Problem(f"must be before the end date {on}", field="since"))
    return problems


def status_report_for(
    store: Store, on: date | None = None, recorded_by: date | None = None
) -> Report:
    """The status report on `on` (today by default), as recorded by `recorded_by` if given."""
    on = on or clock.today()
    problems = check_dates(on, recorded_by=recorded_by)
    if problems:
        raise InvalidInput(problems)
    return status_report(store.statuses(on, recorded_by=recorded_by), on)


def changes_for(store: Store, since: date, until: date | None = None) -> tuple[Report, Report]:
    """The "what changed" report between two dates and the assessments added in between."""
    until = until or clock.today()
    problems = check_dates(until, since=since)
    if problems:
        raise InvalidInput(problems)
    added = [a for a in store.assessments_between(since, until) if not a.is_corrected]
    summary = changes_report(store.statuses(since), store.statuses(until), added)
    return summary, added_assessments(added)
