"""Valid assessments and evidence for tests, each field overridable."""

from datetime import date, timedelta

from tracker import clock
from tracker.records import AssessmentDraft, EvidenceDraft
from tracker.service import COMMAND_LINE, Actor

ACTOR = Actor("Ana Analyst", COMMAND_LINE)
"""Who acts in tests that write."""


def days_ago(days: int) -> date:
    return clock.today() - timedelta(days=days)


def draft(rec_id: str = "R1", **changes) -> AssessmentDraft:
    """A valid assessment of `rec_id`, with `changes` applied."""
    values = {
        "recommendation_id": rec_id,
        "status": "in_progress",
        "progress": 40,
        "analyst": "Ana Analyst",
        "as_of": days_ago(1),
    }
    values.update(changes)
    return AssessmentDraft(**values)


def evidence(**changes) -> EvidenceDraft:
    values = {
        "url": "https://www.gob.mx/presidencia/prensa/comunicado",
        "title": "Official communiqué",
        "source_type": "official_statement",
        "publisher": "Presidencia de México",
        "published_on": days_ago(3),
        "accessed_on": days_ago(2),
        "reliability": "B",
        "credibility": "2",
        "summary": "Announces the working group.",
    }
    values.update(changes)
    return EvidenceDraft(**values)
