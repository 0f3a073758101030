"""The full history as one CSV file: every assessment with its evidence, for export and import.

One row per assessment, in id order, with the columns of BASE_COLUMNS and then numbered
evidence groups (`evidence_1_url`, `evidence_1_title`, … `evidence_2_url`, …), as many as the
assessment with the most evidence has, at least one. Keys, not labels; ISO dates; recorded
times in UTC with microseconds. What `write` produces, `read` takes back unchanged.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from tracker import clock, csvfile
from tracker.errors import InvalidInput, Problem
from tracker.rules import (
    AssessmentDraft,
    EvidenceDraft,
    ImportRow,
    check_assessment,
    check_id,
    parse_date,
    parse_int,
)
from tracker.store import Store
from tracker.views import AssessmentView

BASE_COLUMNS = (
    "assessment_id",
    "recommendation_id",
    "status",
    "progress",
    "as_of",
    "recorded_at",
    "analyst",
    "confidence",
    "basis",
    "note",
    "corrects",
)
REQUIRED = ("recommendation_id", "status", "progress", "as_of", "analyst")
EVIDENCE_FIELDS = (
    "url",
    "title",
    "source_type",
    "publisher",
    "published",
    "accessed",
    "archive_url",
    "reliability",
    "credibility",
    "summary",
)
EVIDENCE_COLUMN = re.compile(r"evidence_([1-9][0-9]*)_(" + "|".join(EVIDENCE_FIELDS) + r")")


def header(groups: int) -> list[str]:
    return [*BASE_COLUMNS] + [
        f"evidence_{n}_{field}" for n in range(1, max(groups, 1) + 1) for field in EVIDENCE_FIELDS
    ]


def _recorded(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _row(a: AssessmentView, groups: int) -> list[object]:
    cells: list[object] = [
        a.id,
        a.recommendation_id,
        a.status,
        a.progress,
        a.as_of,
        _recorded(a.recorded_at),
        a.analyst,
        a.confidence,
        a.basis,
        a.note,
        a.corrects_id,
    ]
    for e in a.evidence:
        cells += [
            e.url,
            e.title,
            e.source_type,
            e.publisher,
            e.published_on,
            e.accessed_on,
            e.archive_url,
            e.reliability,
            e.credibility,
            e.summary,
        ]
    return cells + [None] * (len(EVIDENCE_FIELDS) * (max(groups, 1) - len(a.evidence)))


def write(store: Store, out: TextIO) -> None:
    """Writes the whole history, from one snapshot, streaming it a batch at a time."""
    with store.history_snapshot() as (groups, assessments):
        csvfile.write(header(groups), (_row(a, groups) for a in assessments), out)


def _known(column: str) -> bool:
    return column in BASE_COLUMNS or EVIDENCE_COLUMN.fullmatch(column) is not None


def read(path: Path) -> list[ImportRow]:
    return parse(csvfile.read_file(path), path.name)


def parse(data: bytes, name: str) -> list[ImportRow]:
    """Every row as an assessment to import; all problems at once (up to csvfile.MAX_PROBLEMS)."""
    table = csvfile.parse(
        csvfile.decode(data, name), name, required=REQUIRED, optional=BASE_COLUMNS, is_known=_known
    )
    groups = sorted({int(m.group(1)) for c in table.header if (m := EVIDENCE_COLUMN.fullmatch(c))})
    today = clock.today()
    problems: list[Problem] = []
    found: list[ImportRow] = []
    for row in table.rows:
        if len(problems) >= csvfile.MAX_PROBLEMS:
            break
        parsed = _parse_row(row, table.name, groups, today, problems)
        if parsed is not None:
            found.append(parsed)
    if problems:
        raise InvalidInput(problems)
    return found


def _parse_row(
    row: csvfile.CsvRow, name: str, groups: list[int], today, problems: list[Problem]
) -> ImportRow | None:
    values = row.values

    def where(column: str) -> dict:
        return {"file": name, "row": row.number, "column": column}

    def text(column: str) -> str:
        return csvfile.restore(values.get(column, ""))

    def key(column: str, default: str = "") -> str:
        return values.get(column, "").strip() or default

    before = len(problems)
    assessment_id = _optional_id(key("assessment_id"), "assessment_id", where, problems)
    corrects = _optional_id(key("corrects"), "corrects", where, problems)
    progress = parse_int(key("progress"), "progress", where, problems)
    as_of = parse_date(key("as_of"), "as_of", where, problems)
    if as_of is None and not key("as_of"):
        problems.append(Problem("is required", **where("as_of")))
    recorded_at = _recorded_at(key("recorded_at"), where, problems)
    evidence: list[EvidenceDraft] = []
    evidence_groups: list[int] = []
    for n in groups:
        cell = {f: values.get(f"evidence_{n}_{f}", "") for f in EVIDENCE_FIELDS}
        if not any(v.strip() for v in cell.values()):
            continue
        group_where = _group_where(where, n)
        evidence.append(
            EvidenceDraft(
                url=csvfile.restore(cell["url"]),
                title=csvfile.restore(cell["title"]),
                source_type=cell["source_type"].strip() or "other",
                publisher=csvfile.restore(cell["publisher"]),
                published_on=parse_date(cell["published"], "published", group_where, problems),
                accessed_on=parse_date(cell["accessed"], "accessed", group_where, problems),
                archive_url=csvfile.restore(cell["archive_url"]),
                reliability=cell["reliability"].strip() or "F",
                credibility=cell["credibility"].strip() or "6",
                summary=csvfile.restore(cell["summary"]),
            )
        )
        evidence_groups.append(n)
    if len(problems) > before:
        return None
    draft = AssessmentDraft(
        recommendation_id=key("recommendation_id"),
        status=key("status"),
        progress=progress,
        analyst=text("analyst"),
        as_of=as_of,
        confidence=key("confidence", "moderate"),
        basis=key("basis", "reported"),
        note=text("note"),
        corrects_id=corrects,
        evidence=evidence,
    )
    found = check_assessment(
        draft,
        today=today,
        where=lambda field: where("evidence_1_url" if field == "evidence" else field),
        evidence_where=lambda k: _group_where(where, evidence_groups[k - 1]),
    )
    if draft.recommendation_id == "":
        found.insert(0, Problem("must not be blank", **where("recommendation_id")))
    problems.extend(found)
    if found:
        return None
    return ImportRow(draft, where, assessment_id, recorded_at, row.number)


def _group_where(where: Callable[[str], dict], n: int) -> Callable[[str], dict]:
    return lambda field: where(f"evidence_{n}_{field}")


def _optional_id(text: str, column: str, where, problems: list[Problem]) -> int | None:
    if not text:
        return None
    value = parse_int(text, column, where, problems)
    before = len(problems)
    check_id(value, column, where, problems)
    return value if len(problems) == before else None


def _recorded_at(text: str, where, problems: list[Problem]) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
    except (ValueError, OverflowError):
        problems.append(
            Problem(f"{text!r} is not a date and time in ISO form", **where("recorded_at"))
        )
        return None
    if value.tzinfo is None:
        problems.append(
            Problem(
                f"{text!r} has no UTC offset (write it as in an export)", **where("recorded_at")
            )
        )
        return None
    return value
