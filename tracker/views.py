"""What the store hands out: plain, immutable records, free of any database session.

Each view is its draft's fields plus what storing added (ids, recorded time, corrections), so
a field declared on a draft is on its view too. Pages cache them, reports and charts turn them
into tables, and none of them can reach the database through them.
"""

from dataclasses import dataclass
from datetime import date, datetime

from tracker.records import AssessmentDraft, EvidenceDraft, RecommendationDraft
from tracker.taxonomy import NOT_ASSESSED


@dataclass(frozen=True, kw_only=True)
class RecommendationView(RecommendationDraft):
    """A stored recommendation."""


@dataclass(frozen=True, kw_only=True)
class EvidenceView(EvidenceDraft):
    id: int
    position: int

    @property
    def grade(self) -> str:
        """The Admiralty grade, source then information, as analysts write it: "B2"."""
        return f"{self.reliability}{self.credibility}"


@dataclass(frozen=True, kw_only=True)
class AssessmentView(AssessmentDraft):
    id: int
    recorded_at: datetime
    corrected_by_id: int | None
    evidence: tuple[EvidenceView, ...]

    @property
    def is_corrected(self) -> bool:
        return self.corrected_by_id is not None


@dataclass(frozen=True)
class StatusRow:
    """A recommendation and the assessment in effect on some date (None before the first)."""

    recommendation: RecommendationView
    assessment: AssessmentView | None

    @property
    def status(self) -> str:
        return self.assessment.status if self.assessment else NOT_ASSESSED

    @property
    def progress(self) -> int | None:
        return self.assessment.progress if self.assessment else None


@dataclass(frozen=True)
class ProgressStep:
    """From `day` on, the recommendation stood at this status and progress."""

    recommendation_id: str
    day: date
    status: str
    progress: int


@dataclass(frozen=True)
class EvidencePoint:
    """An evidence item placed on a recommendation's timeline at its assessment's as-of date."""

    evidence: EvidenceView
    assessment_id: int
    as_of: date
    progress: int
