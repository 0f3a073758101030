"""The full history as one CSV file: every assessment with its evidence, for export and import.

One row per assessment, in id order: `assessment_id`, the assessment's fields (with
`recorded_at` after `as_of`), then numbered evidence groups (`evidence_1_url`,
`evidence_1_title`, … `evidence_2_url`, …), as many as the assessment with the most evidence
has, at least one. The columns come from the records' declarations. Keys, not labels; ISO
dates; recorded times in UTC with microseconds. What `write` produces, `parse` takes back
unchanged; `parse` also takes a choice by the label the dashboard shows ("In progress").
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from tracker import clock, csvfile
from tracker.errors import Problem, Problems
from tracker.records import (
    LINK,
    TEXT,
    AssessmentDraft,
    EvidenceDraft,
    NewAssessment,
    Spec,
    declared_fields,
)
from tracker.rules import check_assessment, default_of, read_assessment_id, read_value
from tracker.views import AssessmentView

_ASSESSMENT = declared_fields(AssessmentDraft)
_EVIDENCE = declared_fields(EvidenceDraft)
_ID, _RECORDED = "assessment_id", "recorded_at"


def _base_columns() -> tuple[str, ...]:
    columns = [_ID]
    for _, spec in _ASSESSMENT:
        columns.append(spec.column)
        if spec.column == "as_of":
            columns.append(_RECORDED)
    return tuple(columns)


BASE_COLUMNS = _base_columns()
REQUIRED = tuple(spec.column for _, spec in _ASSESSMENT if spec.required)
EVIDENCE_FIELDS = tuple(spec.column for _, spec in _EVIDENCE)
EVIDENCE_COLUMN = re.compile(r"evidence_([1-9][0-9]*)_(" + "|".join(EVIDENCE_FIELDS) + r")")


def header(groups: int) -> list[str]:
    return [*BASE_COLUMNS] + [
        f"evidence_{n}_{field}" for n in range(1, max(groups, 1) + 1) for field in EVIDENCE_FIELDS
    ]


def _recorded(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _row(a: AssessmentView, groups: int) -> list[object]:
    cells: list[object] = [a.id]
    for name, spec in _ASSESSMENT:
        cells.append(getattr(a, name))
        if spec.column == "as_of":
            cells.append(_recorded(a.recorded_at))
    for e in a.evidence:
        cells += [getattr(e, name) for name, _ in _EVIDENCE]
    return cells + [None] * (len(EVIDENCE_FIELDS) * (max(groups, 1) - len(a.evidence)))


def write(groups: int, assessments: Iterable[AssessmentView], out: TextIO) -> None:
    """Writes the history; streams, holding one assessment at a time. `groups` is the most
    evidence any assessment has."""
    csvfile.write(header(groups), (_row(a, groups) for a in assessments), out)


@dataclass(frozen=True)
class HistoryFile:
    """The assessments of a history file, and where each came from."""

    name: str
    rows: list[NewAssessment]
    row_numbers: list[int]
    evidence_groups: list[list[int]]
    """For each row, the group number of each evidence item it holds (empty groups skipped)."""

    def locate(self, problem: Problem) -> Problem:
        """A problem of row `problem.record` placed at its file, row and column."""
        n = problem.record
        params = dict(problem.params)
        if "other" in params:
            params["other_row"] = self.row_numbers[params.pop("other")]
        return problem.placed(
            file=self.name,
            row=self.row_numbers[n],
            column=_column(problem, self.evidence_groups[n]),
            params=params,
        )


def _column(problem: Problem, groups: list[int]) -> str:
    if problem.item is not None:
        name = dict(_EVIDENCE)[problem.field].column
        return f"evidence_{groups[problem.item - 1]}_{name}"
    if problem.field == "evidence":
        return "evidence_1_url"
    specs = dict(_ASSESSMENT)
    return specs[problem.field].column if problem.field in specs else problem.field


def _known(column: str) -> bool:
    return column in BASE_COLUMNS or EVIDENCE_COLUMN.fullmatch(column) is not None


def read(path: Path) -> HistoryFile:
    return parse(csvfile.read_file(path), path.name)


def parse(data: bytes, name: str) -> HistoryFile:
    """Every row as an assessment to import; all problems at once (the first
    csvfile.MAX_PROBLEMS kept, every one counted)."""
    table = csvfile.parse(
        csvfile.decode(data, name), name, required=REQUIRED, optional=BASE_COLUMNS, is_known=_known
    )
    groups = sorted({int(m.group(1)) for c in table.header if (m := EVIDENCE_COLUMN.fullmatch(c))})
    today = clock.today()
    problems = Problems(csvfile.MAX_PROBLEMS)
    found = HistoryFile(table.name, [], [], [])
    for row in table.rows:
        found.row_numbers.append(row.number)
        row_problems = _parse_row(row.values, groups, today, found)
        problems.extend(found.locate(p.placed(record=len(found.rows) - 1)) for p in row_problems)
    if problems:
        raise problems.error()
    return found


# For each field with choices, its keys by their labels in any case: a file may say "In
# progress" where the export says `in_progress`.
_KEYS_BY_LABEL = {
    (record, name): {label.casefold(): key for key, label in spec.labels.items()}
    for record in (AssessmentDraft, EvidenceDraft)
    for name, spec in declared_fields(record)
    if spec.choices
}


def _read_cell(text: str, name: str, spec: Spec, record: type, problems: list[Problem]):
    """A field's value from a cell; text written with a leading `'` gets its own text back,
    and a choice given by its label (in any case) its key."""
    if spec.kind in (TEXT, LINK):
        return csvfile.restore(text)
    value = read_value(text, name, spec, default_of(record, name), problems)
    if spec.choices and value not in spec.choices:
        return _KEYS_BY_LABEL[record, name].get(value.casefold(), value)
    return value


def _parse_row(
    values: dict[str, str], groups: list[int], today: date, found: HistoryFile
) -> list[Problem]:
    """Reads one row into `found` and returns its problems (placed by field)."""
    problems: list[Problem] = []
    assessment_id = read_assessment_id(values.get(_ID, ""), _ID, problems)
    recorded_at = _recorded_at(values.get(_RECORDED, "").strip(), problems)
    evidence: list[EvidenceDraft] = []
    evidence_groups: list[int] = []
    for n in groups:
        cells = {
            spec.column: values.get(f"evidence_{n}_{spec.column}", "") for _, spec in _EVIDENCE
        }
        if not any(v.strip() for v in cells.values()):
            continue
        item_problems: list[Problem] = []
        item = {
            name: _read_cell(cells[spec.column], name, spec, EvidenceDraft, item_problems)
            for name, spec in _EVIDENCE
        }
        problems += [p.placed(item=len(evidence) + 1) for p in item_problems]
        evidence.append(EvidenceDraft(**item))
        evidence_groups.append(n)
    draft = AssessmentDraft(
        **{
            name: _read_cell(values.get(spec.column, ""), name, spec, AssessmentDraft, problems)
            for name, spec in _ASSESSMENT
        },
        evidence=tuple(evidence),
    )
    if draft.recommendation_id == "":
        problems.insert(0, Problem("blank", "recommendation_id"))
    problems += check_assessment(draft, today=today)
    found.rows.append(NewAssessment(draft, assessment_id, recorded_at))
    found.evidence_groups.append(evidence_groups)
    return problems


def _recorded_at(text: str, problems: list[Problem]) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
    except (ValueError, OverflowError):
        problems.append(Problem("not_date_time", _RECORDED, {"value": text}))
        return None
    if value.tzinfo is None:
        problems.append(Problem("no_utc_offset", _RECORDED, {"value": text}))
        return None
    return value
