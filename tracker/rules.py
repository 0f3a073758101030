"""The rules every assessment, evidence item and recommendation must follow, and reading typed
values from text.

Checks need no database and return every problem at once rather than stopping at the first,
so that a person fixes a form or a file in one pass. What needs the database (the
recommendation exists, the corrected assessment belongs to it) is checked by the store. A
problem names the record field it concerns; whoever read the input says where that field was.
"""

import re
from dataclasses import MISSING, fields
from datetime import date
from urllib.parse import urlsplit

from tracker import taxonomy
from tracker.errors import Problem
from tracker.records import (
    ASSESSMENT_ID,
    DAY,
    KEY,
    LINK,
    NUMBER,
    TEXT,
    AssessmentDraft,
    EvidenceDraft,
    RecommendationDraft,
    Spec,
    declared_fields,
)

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+", re.ASCII)
RECOMMENDATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
MAX_ID = 2**31 - 1
"""The largest assessment id the database holds (a 32-bit integer on PostgreSQL)."""
MAX_DIGITS = 100
"""The most significant digits a whole number may have. Up to this many, a number is read and
then judged by its field's range (every number the tracker keeps has at most 10 digits); a longer
one is refused as such, unconverted: Python will not convert a number of more than 4,300 digits,
and one of millions would take seconds."""


def is_web_url(text: str) -> bool:
    """True for an absolute http or https URL with a host: the only links the tracker shows."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and text == text.strip()


# -- reading values from text ----------------------------------------------------------------


def read_number(text: str, field: str, problems: list[Problem], **where) -> int | None:
    """A whole number written in ASCII digits (an optional sign, no `_`, no other script's
    digits); blank text is reported as required."""
    text = text.strip()
    if not text:
        problems.append(Problem("required", field, **where))
        return None
    if not WHOLE_NUMBER.fullmatch(text):
        problems.append(Problem("not_whole_number", field, {"value": text}, **where))
        return None
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > MAX_DIGITS:
        params = {"value": text, "digits": len(digits), "limit": MAX_DIGITS}
        problems.append(Problem("too_many_digits", field, params, **where))
        return None
    value = int(digits or "0")
    return -value if text.startswith("-") else value


def read_date(text: str, field: str, problems: list[Problem], **where) -> date | None:
    """An ISO date (YYYY-MM-DD); empty text is no date."""
    text = text.strip()
    if not text:
        return None
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem("not_date", field, {"value": text}, **where))
        return None


def read_assessment_id(text: str, field: str, problems: list[Problem], **where) -> int | None:
    """An assessment id, or None for blank text."""
    if not text.strip():
        return None
    before = len(problems)
    value = read_number(text, field, problems, **where)
    if value is not None:
        check_id(value, field, problems, **where)
    return value if len(problems) == before else None


def read_value(text: str, name: str, spec: Spec, default: object, problems: list[Problem]):
    """A field's value from typed text, by the field's kind: keys lose surrounding spaces and
    fall back to `default`, texts stay as typed, numbers, dates and ids are read."""
    if spec.kind == KEY:
        return text.strip() or ("" if default is None else default)
    if spec.kind == NUMBER:
        return read_number(text, name, problems)
    if spec.kind == ASSESSMENT_ID:
        return read_assessment_id(text, name, problems)
    if spec.kind == DAY:
        value = read_date(text, name, problems)
        if value is None and spec.required and not text.strip():
            problems.append(Problem("required", name))
        return value
    return text


def default_of(record: type, name: str) -> object:
    """The field's default, or None for a field that must be given."""
    found = next(f for f in fields(record) if f.name == name)
    return None if found.default is MISSING else found.default


def check_id(value: int | None, field: str, problems: list[Problem], **where) -> None:
    if value is not None and not 1 <= value <= MAX_ID:
        problems.append(Problem("not_assessment_id", field, {"value": value}, **where))


# -- checks ------------------------------------------------------------------------------------

# The order in which a record's fields are checked, by kind, so that problems come out the same
# way every time: choices, then links and texts, then dates, then ids.
_ORDER = (KEY, LINK, TEXT, DAY, ASSESSMENT_ID)


def _check_fields(record, today: date, problems: list[Problem], item: int | None = None) -> None:
    """The rules every declared field of its kind follows."""
    where = {} if item is None else {"item": item}
    specs = sorted(declared_fields(type(record)), key=lambda pair: _order(pair[1].kind))
    for name, spec in specs:
        value = getattr(record, name)
        if spec.kind == KEY and spec.choices:
            if value not in spec.choices:
                params = {"value": value, "allowed": spec.choices}
                problems.append(Problem("not_one_of", name, params, **where))
        elif spec.kind == LINK:
            if not value.strip():
                if spec.required:
                    problems.append(Problem("link_required", name, **where))
            elif not is_web_url(value):
                problems.append(Problem("not_web_link", name, {"value": value}, **where))
        if spec.kind in (TEXT, LINK):
            _check_text(value, name, spec, problems, where)
        elif spec.kind == DAY and value is not None and value > today:
            params = {"value": value.isoformat(), "today": today}
            problems.append(Problem("in_future", name, params, **where))
        elif spec.kind == ASSESSMENT_ID:
            check_id(value, name, problems, **where)


def _order(kind: str) -> int:
    return _ORDER.index(kind) if kind in _ORDER else len(_ORDER)


def _check_text(value: str, name: str, spec, problems: list[Problem], where: dict) -> None:
    if spec.kind == TEXT and spec.required and not value.strip():
        problems.append(Problem("blank", name, **where))
    if spec.limit is not None and len(value) > spec.limit:
        params = {"length": len(value), "limit": spec.limit}
        problems.append(Problem("too_long", name, params, **where))
    if "\x00" in value:
        problems.append(Problem("nul_character", name, **where))


def check_evidence(item: EvidenceDraft, number: int, *, today: date) -> list[Problem]:
    """Every way evidence item `number` breaks the rules."""
    problems: list[Problem] = []
    _check_fields(item, today, problems, number)
    if item.published_on and item.accessed_on and item.accessed_on < item.published_on:
        problems.append(Problem("accessed_before_published", "accessed_on", item=number))
    return problems


def check_assessment(draft: AssessmentDraft, *, today: date) -> list[Problem]:
    """Every way the draft breaks the rules; empty when it may be stored.

    A field that could not be read (None) has been reported by its reader and is not checked.
    """
    problems: list[Problem] = []
    if draft.status == taxonomy.NOT_ASSESSED:
        problems.append(Problem("not_loggable", "status"))
    if draft.progress is not None:
        if not 0 <= draft.progress <= 100:
            params = {"value": draft.progress, "min": 0, "max": 100}
            problems.append(Problem("out_of_range", "progress", params))
        elif draft.progress != taxonomy.FIXED_PROGRESS.get(draft.status, draft.progress):
            params = {"fixed": taxonomy.FIXED_PROGRESS[draft.status], "status": draft.status}
            problems.append(Problem("fixed_progress", "progress", params))
    if draft.status == "implemented" and not draft.evidence:
        problems.append(Problem("needs_evidence", "evidence"))
    if draft.status in taxonomy.STATUSES_NEEDING_NOTE and not draft.note.strip():
        problems.append(Problem("needs_note", "note", {"status": draft.status}))
    fields_problems: list[Problem] = []
    _check_fields(draft, today, fields_problems)
    if draft.status == taxonomy.NOT_ASSESSED:
        fields_problems = [p for p in fields_problems if p.field != "status"]
    problems += fields_problems
    for number, item in enumerate(draft.evidence, start=1):
        problems += check_evidence(item, number, today=today)
    return problems


def check_recommendation(draft: RecommendationDraft, *, today: date) -> list[Problem]:
    problems: list[Problem] = []
    if not draft.id.strip():
        problems.append(Problem("blank", "id"))
    if len(draft.id) > taxonomy.RECOMMENDATION_ID_MAX_CHARS:
        params = {"length": len(draft.id), "limit": taxonomy.RECOMMENDATION_ID_MAX_CHARS}
        problems.append(Problem("too_long", "id", params))
    if draft.id and not RECOMMENDATION_ID.fullmatch(draft.id):
        problems.append(Problem("not_recommendation_id", "id", {"value": draft.id}))
    _check_fields(draft, today, problems)
    actors = ";".join(draft.actors)
    if len(actors) > taxonomy.TITLE_MAX_CHARS:
        params = {"length": len(actors), "limit": taxonomy.TITLE_MAX_CHARS}
        problems.append(Problem("too_long", "actors", params))
    if draft.review_every_days is not None and not 1 <= draft.review_every_days <= 3650:
        params = {"value": draft.review_every_days}
        problems.append(Problem("review_out_of_range", "review_every_days", params))
    return problems
