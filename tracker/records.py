"""The tracker's records, each field declared once with what every face needs to know of it.

A field's declaration carries its name in messages, its column in the history file, its
command-line option, its form label and help, its kind and its limit. Drafts (what a person
or a file proposes), views (what the store hands out), the history file's columns, the
command line's evidence options, the identity that recognises a stored row, the database
columns and the rules all derive from these declarations, so adding a field is a change here
and in a migration, plus whatever genuinely differs.
"""

from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from datetime import date, datetime
from typing import Any

from tracker import taxonomy

# The kinds of field: how a face reads one from text, and which rules apply.
KEY = "key"  # a stored key: surrounding spaces dropped, a default when empty
TEXT = "text"  # text kept exactly as typed
LINK = "link"  # an http or https address, kept as typed
DAY = "day"  # an ISO date
NUMBER = "number"  # a whole number
ASSESSMENT_ID = "assessment_id"  # the id of a stored assessment


@dataclass(frozen=True)
class Spec:
    """What the faces and the rules need to know of one field."""

    kind: str
    label: str
    help: str = ""
    name: str = ""
    """Its name in messages; the attribute name unless given."""
    column: str = ""
    """Its column in the history file; the name unless given."""
    option: str = ""
    """Its command-line option without dashes; derived from the name unless given."""
    limit: int | None = None
    """Characters: the most a text may hold, or the width of a stored key."""
    choices: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    """What each choice means, for people; choices without one show as they are."""
    required: bool = False
    identifying: bool = True
    """Whether it is part of what makes two records the same record (an import that meets a
    stored assessment equal in every identifying field skips it)."""


def declared(default: Any = ..., **spec: Any) -> Any:
    """A dataclass field with its Spec; without a default, the field must be given."""
    metadata = {"spec": Spec(**spec)}
    if default is ...:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


def spec_of(item: Field) -> Spec:
    spec: Spec = item.metadata["spec"]
    name = spec.name or item.name
    option = spec.option or name.replace("_", "-")
    return Spec(**{**spec.__dict__, "name": name, "column": spec.column or name, "option": option})


def declared_fields(record: type) -> list[tuple[str, Spec]]:
    """The record's declared fields, in order, as (attribute name, spec)."""
    return [(item.name, spec_of(item)) for item in fields(record) if "spec" in item.metadata]


def values_of(record: type, source: object) -> dict[str, Any]:
    """The declared fields of `record`, read from any object that has them (a stored row)."""
    return {name: getattr(source, name) for name, _ in declared_fields(record)}


@dataclass(frozen=True, kw_only=True)
class EvidenceDraft:
    """An evidence item as a person or a file gives it."""

    url: str = declared(
        kind=LINK,
        required=True,
        label="Link (http or https)",
        help="an http or https link; starts an evidence item",
        limit=taxonomy.URL_MAX_CHARS,
    )
    title: str = declared(
        "", kind=TEXT, label="Title", help="the source's title", limit=taxonomy.TITLE_MAX_CHARS
    )
    source_type: str = declared(
        "other",
        kind=KEY,
        label="Source type",
        option="type",
        help="one of: " + ", ".join(taxonomy.SOURCE_TYPES) + " (default: other)",
        limit=20,
        choices=tuple(taxonomy.SOURCE_TYPES),
        labels=taxonomy.SOURCE_TYPES,
    )
    publisher: str = declared(
        "", kind=TEXT, label="Publisher", help="who published it", limit=taxonomy.NAME_MAX_CHARS
    )
    published_on: date | None = declared(
        None,
        kind=DAY,
        name="published",
        label="Published",
        help="when it was published (YYYY-MM-DD)",
    )
    accessed_on: date | None = declared(
        None, kind=DAY, name="accessed", label="Accessed", help="when it was read (YYYY-MM-DD)"
    )
    archive_url: str = declared(
        "",
        kind=LINK,
        label="Archive link (optional)",
        help="an archived copy (http or https)",
        limit=taxonomy.URL_MAX_CHARS,
    )
    reliability: str = declared(
        "F",
        kind=KEY,
        label="Source reliability",
        help="source reliability, A (completely reliable) to F (cannot be judged; default)",
        limit=1,
        choices=tuple(taxonomy.RELIABILITY_GRADES),
        labels={g: f"{g} – {m}" for g, m in taxonomy.RELIABILITY_GRADES.items()},
    )
    credibility: str = declared(
        "6",
        kind=KEY,
        label="Information credibility",
        help="information credibility, 1 (confirmed) to 6 (cannot be judged; default)",
        limit=1,
        choices=tuple(taxonomy.CREDIBILITY_GRADES),
        labels={g: f"{g} – {m}" for g, m in taxonomy.CREDIBILITY_GRADES.items()},
    )
    summary: str = declared(
        "", kind=TEXT, label="Summary", help="what it says", limit=taxonomy.SUMMARY_MAX_CHARS
    )


@dataclass(frozen=True, kw_only=True)
class AssessmentDraft:
    """An assessment as a person or a file gives it. A value that could not be read from text
    is None; whoever read it has reported that already."""

    recommendation_id: str = declared(
        kind=KEY,
        name="recommendation",
        column="recommendation_id",
        label="Recommendation",
        limit=taxonomy.RECOMMENDATION_ID_MAX_CHARS,
        required=True,
    )
    status: str = declared(
        kind=KEY,
        label="Status",
        help="one of: " + ", ".join(taxonomy.LOGGABLE_STATUSES),
        limit=20,
        choices=taxonomy.LOGGABLE_STATUSES,
        labels={s.key: s.label for s in taxonomy.STATUSES},
        required=True,
    )
    progress: int | None = declared(
        kind=NUMBER, label="Progress (%)", help="0 to 100", required=True
    )
    as_of: date | None = declared(
        kind=DAY,
        label="As of",
        help="the day the status held (default: today; never in the future)",
        required=True,
    )
    analyst: str = declared(
        kind=TEXT,
        label="Analyst",
        help="who makes the judgement",
        limit=taxonomy.NAME_MAX_CHARS,
        required=True,
    )
    confidence: str = declared(
        "moderate",
        kind=KEY,
        label="Confidence",
        identifying=False,
        help="low, moderate or high (default: moderate)",
        limit=10,
        choices=taxonomy.CONFIDENCE_LEVELS,
        labels={level: level.capitalize() for level in taxonomy.CONFIDENCE_LEVELS},
    )
    basis: str = declared(
        "reported",
        kind=KEY,
        label="Basis",
        identifying=False,
        help="reported (by the implementing actor) or verified (independently); default: reported",
        limit=10,
        choices=tuple(taxonomy.BASES),
        labels=taxonomy.BASES,
    )
    note: str = declared(
        "",
        kind=TEXT,
        label="Note",
        help=f"why; required for modified, not_pursued and superseded "
        f"(up to {taxonomy.NOTE_MAX_CHARS:,} characters)",
        limit=taxonomy.NOTE_MAX_CHARS,
    )
    corrects_id: int | None = declared(
        None,
        kind=ASSESSMENT_ID,
        name="corrects",
        label="Corrects assessment #",
        help="the id of an earlier assessment of this recommendation that this one corrects",
    )
    evidence: tuple[EvidenceDraft, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RecommendationDraft:
    """A recommendation as a paper's file gives it."""

    id: str = declared(
        kind=KEY, label="Id", limit=taxonomy.RECOMMENDATION_ID_MAX_CHARS, required=True
    )
    title: str = declared(kind=TEXT, label="Title", limit=taxonomy.TITLE_MAX_CHARS, required=True)
    description: str = declared(
        kind=TEXT, label="Description", limit=taxonomy.DESCRIPTION_MAX_CHARS, required=True
    )
    source: str = declared(kind=TEXT, label="Source", limit=taxonomy.TITLE_MAX_CHARS, required=True)
    section: str = declared("", kind=TEXT, label="Section", limit=taxonomy.TITLE_MAX_CHARS)
    theme: str = declared("", kind=TEXT, label="Theme", limit=taxonomy.NAME_MAX_CHARS)
    actors: tuple[str, ...] = ()
    review_every_days: int | None = declared(
        90, kind=NUMBER, label="Review every (days)", required=True
    )


TOKEN_MAX_CHARS = 64
"""The longest one-time token a form may carry (see `NewAssessment.token`)."""


@dataclass(frozen=True)
class NewAssessment:
    """An assessment to append: a draft and, when it comes from a history file, the id and
    recorded time it had where it was exported."""

    draft: AssessmentDraft
    assessment_id: int | None = None
    recorded_at: datetime | None = None
    token: str | None = None
    """When it comes from a form, the one-time token of that showing of the form: an
    assessment stored with it already is that submission, stored once. Never exported."""


@dataclass(frozen=True)
class AppendResult:
    """What an append did (or, in a dry run, would do)."""

    added: int
    skipped: int
    ids: tuple[int, ...] = ()


_EVIDENCE_NAMES = {name: spec.name for name, spec in declared_fields(EvidenceDraft)}
_ASSESSMENT_NAMES = {name: spec.name for name, spec in declared_fields(AssessmentDraft)}


def field_name(attribute: str, *, item: bool = False) -> str:
    """A field's name in messages: `corrects_id` is "corrects", `published_on` "published"."""
    names = _EVIDENCE_NAMES if item else _ASSESSMENT_NAMES
    return names.get(attribute, attribute)
