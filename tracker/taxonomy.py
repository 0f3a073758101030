"""The tracker's fixed vocabularies: statuses with their rubric, confidence, basis, sources, grades.

Keys are stored in the database and written to files; labels and rubrics are for people. Every
page, report and check reads them from here, so a label changes in one place.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    rubric: str


STATUSES: tuple[Status, ...] = (
    Status(
        "not_assessed",
        "Not assessed",
        "Nothing is known yet: the state of every recommendation before its first assessment.",
    ),
    Status("not_started", "Not started", "No step toward it has been taken; progress is 0 %."),
    Status("in_progress", "In progress", "Concrete steps are under way but it is not complete."),
    Status("stalled", "Stalled", "Steps were taken but nothing has moved for a long time."),
    Status("implemented", "Implemented", "Fully carried out as recommended; progress is 100 %."),
    Status("modified", "Modified", "Carried out in a changed form; the note says how."),
    Status("not_pursued", "Not pursued", "Decided against or dropped; the note says why."),
    Status("superseded", "Superseded", "Overtaken by events; the note says by what."),
)
STATUS_BY_KEY: dict[str, Status] = {status.key: status for status in STATUSES}
NOT_ASSESSED = "not_assessed"
LOGGABLE_STATUSES: tuple[str, ...] = tuple(s.key for s in STATUSES if s.key != NOT_ASSESSED)
# Statuses whose progress the rules fix, so that forms can default it.
FIXED_PROGRESS: dict[str, int] = {"not_started": 0, "implemented": 100}
STATUSES_NEEDING_NOTE: tuple[str, ...] = ("modified", "not_pursued", "superseded")
# Statuses that end the story: such a recommendation is counted as closed and never comes due
# for review. "Modified" stays open, since a changed form can change again.
CLOSED_STATUSES: tuple[str, ...] = ("implemented", "not_pursued", "superseded")

CONFIDENCE_LEVELS: tuple[str, ...] = ("low", "moderate", "high")
BASES: dict[str, str] = {
    "reported": "Reported by the implementing actor",
    "verified": "Verified independently",
}

SOURCE_TYPES: dict[str, str] = {
    "official_statement": "Official statement",
    "legislation": "Legislation",
    "budget": "Budget",
    "agreement": "Agreement",
    "statistics": "Statistics",
    "news": "News",
    "research": "Research",
    "other": "Other",
}

# The Admiralty grading scale used by intelligence analysts: the source, then the information.
RELIABILITY_GRADES: dict[str, str] = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}
CREDIBILITY_GRADES: dict[str, str] = {
    "1": "Confirmed by other sources",
    "2": "Probably true",
    "3": "Possibly true",
    "4": "Doubtful",
    "5": "Improbable",
    "6": "Truth cannot be judged",
}

# Length limits, in characters. Text is stored exactly as typed up to these limits.
NOTE_MAX_CHARS = 20_000
SUMMARY_MAX_CHARS = 5_000
DESCRIPTION_MAX_CHARS = 10_000
TITLE_MAX_CHARS = 500
NAME_MAX_CHARS = 200
URL_MAX_CHARS = 2_000
RECOMMENDATION_ID_MAX_CHARS = 40
