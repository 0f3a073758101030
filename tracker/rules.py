"""The rules every assessment, evidence item and recommendation must follow.

Checks return every problem at once rather than stopping at the first, so that a person fixes a
form or a file in one pass. Parsing helpers turn typed text (command line, CSV) into values and
report what could not be read under the name of the field it came from.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from tracker import taxonomy as tx
from tracker.errors import Problem

Where = Callable[[str], dict]
"""Maps a field name to the keyword arguments of a Problem that say where that field is."""


def by_field(prefix: str = "") -> Where:
    return lambda name: {"field": f"{prefix}{name}"}


@dataclass
class EvidenceDraft:
    url: str
    title: str = ""
    source_type: str = "other"
    publisher: str = ""
    published_on: date | None = None
    accessed_on: date | None = None
    archive_url: str = ""
    reliability: str = "F"
    credibility: str = "6"
    summary: str = ""


@dataclass
class AssessmentDraft:
    recommendation_id: str
    status: str
    progress: int
    analyst: str
    as_of: date
    confidence: str = "moderate"
    basis: str = "reported"
    note: str = ""
    corrects_id: int | None = None
    evidence: list[EvidenceDraft] = field(default_factory=list)


@dataclass(frozen=True)
class ImportRow:
    """One assessment to append, logged or imported, with where its fields came from (for
    messages), and for imports its own id and recorded time."""

    draft: AssessmentDraft
    where: Where
    assessment_id: int | None = None
    recorded_at: datetime | None = None
    row: int | None = None


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int


@dataclass
class RecommendationDraft:
    id: str
    title: str
    description: str
    source: str
    section: str = ""
    theme: str = ""
    actors: tuple[str, ...] = ()
    review_every_days: int = 90


def is_web_url(text: str) -> bool:
    """True for an absolute http or https URL with a host: the only links the tracker shows."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and text == text.strip()


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
RECOMMENDATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
MAX_ID = 2**31 - 1
"""The largest assessment id the database holds (a 32-bit integer on PostgreSQL)."""


def check_id(value: int | None, name: str, where: Where, problems: list[Problem]) -> None:
    if value is not None and not 1 <= value <= MAX_ID:
        problems.append(Problem(f"{value} is not an assessment id", **where(name)))


def parse_int(text: str, name: str, where: Where, problems: list[Problem]) -> int | None:
    if not text.strip():
        problems.append(Problem("is required", **where(name)))
        return None
    try:
        return int(text.strip())
    except ValueError:
        problems.append(Problem(f"{text!r} is not a whole number", **where(name)))
        return None


def parse_date(text: str, name: str, where: Where, problems: list[Problem]) -> date | None:
    """Reads an ISO date (YYYY-MM-DD); empty text is no date."""
    text = text.strip()
    if not text:
        return None
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(f"{text!r} is not a date in the form YYYY-MM-DD", **where(name)))
        return None


def _check_text(
    value: str, name: str, limit: int, where: Where, problems: list[Problem], required: bool
) -> None:
    if required and not value.strip():
        problems.append(Problem("must not be blank", **where(name)))
    if len(value) > limit:
        problems.append(
            Problem(f"is {len(value):,} characters long; the limit is {limit:,}", **where(name))
        )
    if "\x00" in value:
        problems.append(Problem("contains a NUL character", **where(name)))


def _check_choice(value: str, name: str, choices, where: Where, problems: list[Problem]) -> None:
    if value not in choices:
        allowed = ", ".join(choices)
        problems.append(Problem(f"{value!r} is not one of: {allowed}", **where(name)))


def _check_not_future(
    value: date | None, name: str, today: date, where: Where, problems: list[Problem]
) -> None:
    if value is not None and value > today:
        problems.append(
            Problem(f"{value.isoformat()} is in the future (today is {today})", **where(name))
        )


def check_evidence(
    item: EvidenceDraft, *, today: date, where: Where, problems: list[Problem]
) -> None:
    if not item.url.strip():
        problems.append(Problem("a link is required", **where("url")))
    elif not is_web_url(item.url):
        problems.append(Problem(f"{item.url!r} is not an http or https link", **where("url")))
    if item.archive_url and not is_web_url(item.archive_url):
        problems.append(
            Problem(f"{item.archive_url!r} is not an http or https link", **where("archive_url"))
        )
    for name, value, limit in (
        ("url", item.url, tx.URL_MAX_CHARS),
        ("archive_url", item.archive_url, tx.URL_MAX_CHARS),
        ("title", item.title, tx.TITLE_MAX_CHARS),
        ("publisher", item.publisher, tx.NAME_MAX_CHARS),
        ("summary", item.summary, tx.SUMMARY_MAX_CHARS),
    ):
        _check_text(value, name, limit, where, problems, required=False)
    _check_choice(item.source_type, "source_type", tuple(tx.SOURCE_TYPES), where, problems)
    _check_choice(item.reliability, "reliability", tuple(tx.RELIABILITY_GRADES), where, problems)
    _check_choice(item.credibility, "credibility", tuple(tx.CREDIBILITY_GRADES), where, problems)
    _check_not_future(item.published_on, "published", today, where, problems)
    _check_not_future(item.accessed_on, "accessed", today, where, problems)
    if item.published_on and item.accessed_on and item.accessed_on < item.published_on:
        problems.append(Problem("is earlier than the published date", **where("accessed")))


def check_assessment(
    draft: AssessmentDraft,
    *,
    today: date,
    where: Where | None = None,
    evidence_where: Callable[[int], Where] | None = None,
) -> list[Problem]:
    """Every way the draft breaks the rules; empty when it may be stored.

    What needs the database (the recommendation exists, the corrected assessment belongs to it)
    is checked by the store.
    """
    where = where or by_field()
    evidence_where = evidence_where or (lambda n: by_field(f"evidence {n} "))
    problems: list[Problem] = []
    if draft.status == tx.NOT_ASSESSED:
        problems.append(
            Problem(
                "not_assessed is the state before the first assessment and cannot be logged",
                **where("status"),
            )
        )
    else:
        _check_choice(draft.status, "status", tx.LOGGABLE_STATUSES, where, problems)
    if not 0 <= draft.progress <= 100:
        problems.append(Problem(f"{draft.progress} is outside 0–100", **where("progress")))
    elif draft.status in tx.FIXED_PROGRESS and draft.progress != tx.FIXED_PROGRESS[draft.status]:
        fixed = tx.FIXED_PROGRESS[draft.status]
        problems.append(
            Problem(f"must be {fixed} when the status is {draft.status}", **where("progress"))
        )
    if draft.status == "implemented" and not draft.evidence:
        problems.append(
            Problem("implemented needs at least one evidence item", **where("evidence"))
        )
    if draft.status in tx.STATUSES_NEEDING_NOTE and not draft.note.strip():
        problems.append(Problem(f"{draft.status} needs a note saying why", **where("note")))
    _check_choice(draft.confidence, "confidence", tx.CONFIDENCE_LEVELS, where, problems)
    _check_choice(draft.basis, "basis", tuple(tx.BASES), where, problems)
    _check_text(draft.analyst, "analyst", tx.NAME_MAX_CHARS, where, problems, required=True)
    _check_text(draft.note, "note", tx.NOTE_MAX_CHARS, where, problems, required=False)
    _check_not_future(draft.as_of, "as_of", today, where, problems)
    check_id(draft.corrects_id, "corrects", where, problems)
    for number, item in enumerate(draft.evidence, start=1):
        check_evidence(item, today=today, where=evidence_where(number), problems=problems)
    return problems


def check_recommendation(draft: RecommendationDraft, where: Where) -> list[Problem]:
    problems: list[Problem] = []
    _check_text(draft.id, "id", tx.RECOMMENDATION_ID_MAX_CHARS, where, problems, required=True)
    if draft.id and not RECOMMENDATION_ID.fullmatch(draft.id):
        problems.append(
            Problem(
                f"{draft.id!r} is not an id: use letters, digits, '.', '_' and '-', "
                "starting with a letter or digit",
                **where("id"),
            )
        )
    _check_text(draft.title, "title", tx.TITLE_MAX_CHARS, where, problems, required=True)
    _check_text(
        draft.description, "description", tx.DESCRIPTION_MAX_CHARS, where, problems, required=True
    )
    _check_text(draft.source, "source", tx.TITLE_MAX_CHARS, where, problems, required=True)
    _check_text(draft.section, "section", tx.TITLE_MAX_CHARS, where, problems, required=False)
    _check_text(draft.theme, "theme", tx.NAME_MAX_CHARS, where, problems, required=False)
    _check_text(";".join(draft.actors), "actors", tx.TITLE_MAX_CHARS, where, problems, False)
    if not 1 <= draft.review_every_days <= 3650:
        problems.append(
            Problem(
                f"{draft.review_every_days} is outside 1–3650 days", **where("review_every_days")
            )
        )
    return problems
