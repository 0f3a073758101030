"""A fictional, reproducible assessment history, so that a newcomer sees every chart working.

Everything written here is invented: analysts are "Sample analyst", links point to
example.org, and every note says it is sample data. The database is flagged as holding sample
data, and every dashboard page then says so in a banner.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from tracker import clock, db
from tracker.errors import refuse
from tracker.records import AssessmentDraft, EvidenceDraft
from tracker.service import Actor, Tracker

DEMO_URL = f"sqlite:///{db.PROJECT_ROOT / 'data' / 'demo.db'}"
LAST_DAY = date(2026, 11, 15)
SEED = 2026

# For each recommendation: (days before LAST_DAY, status, progress) in date order.
SCHEDULE: dict[str, list[tuple[int, str, int]]] = {
    "R1": [
        (290, "not_started", 0),
        (220, "in_progress", 15),
        (150, "in_progress", 35),
        (80, "in_progress", 55),
        (20, "in_progress", 70),
    ],
    "R2": [
        (280, "in_progress", 10),
        (200, "in_progress", 40),
        (120, "stalled", 40),
        (30, "in_progress", 60),
    ],
    "R3": [(260, "not_started", 0), (170, "in_progress", 20), (60, "modified", 45)],
    "R4": [(240, "in_progress", 5), (140, "stalled", 10), (10, "not_pursued", 10)],
    "R5": [(300, "in_progress", 30), (180, "in_progress", 65), (40, "implemented", 100)],
}
SOURCE_TYPES = ("official_statement", "news", "research", "budget", "agreement", "statistics")


def fill(tracker: Tracker, actor: Actor) -> int:
    """Writes the sample history into an empty or sample-only database; returns how many
    assessments it added (0 when the sample history is already there)."""
    if tracker.holds_sample_data():
        return 0
    if tracker.count_assessments():
        raise refuse("holds_real_assessments", at="db")
    known = {rec.id for rec in tracker.recommendations()}
    missing = sorted(set(SCHEDULE) - known)
    if missing:
        raise refuse("sample_needs_recommendations", {"missing": missing}, at="db")
    tracker.mark_sample_data(actor)
    rng = random.Random(SEED)
    last_day = min(LAST_DAY, clock.today())
    added = 0
    for rec_id, steps in SCHEDULE.items():
        for number, (days_before, status, progress) in enumerate(steps, start=1):
            as_of = last_day - timedelta(days=days_before)
            evidence = [
                _evidence(rng, rec_id, number, item, as_of)
                for item in range(1, rng.randint(1, 3) + 1)
            ]
            tracker.log_assessment(
                actor,
                AssessmentDraft(
                    recommendation_id=rec_id,
                    status=status,
                    progress=progress,
                    analyst=rng.choice(("Sample analyst A", "Sample analyst B")),
                    as_of=as_of,
                    confidence=rng.choice(("low", "moderate", "high")),
                    basis=rng.choice(("reported", "verified")),
                    note=f"Fictional sample data: step {number} of {rec_id}.",
                    evidence=tuple(evidence),
                ),
                recorded_at=datetime.combine(as_of + timedelta(days=1), time(12), tzinfo=UTC),
            )
            added += 1
    wrong = tracker.log_assessment(
        actor,
        AssessmentDraft(
            recommendation_id="R2",
            status="in_progress",
            progress=90,
            analyst="Sample analyst B",
            as_of=last_day - timedelta(days=5),
            note="Fictional sample data: a mistyped progress, corrected below.",
        ),
        recorded_at=datetime.combine(last_day - timedelta(days=4), time(9), tzinfo=UTC),
    )
    tracker.log_assessment(
        actor,
        AssessmentDraft(
            recommendation_id="R2",
            status="in_progress",
            progress=62,
            analyst="Sample analyst A",
            as_of=last_day - timedelta(days=5),
            note="Fictional sample data: corrects the mistyped progress.",
            corrects_id=wrong,
        ),
        recorded_at=datetime.combine(last_day - timedelta(days=4), time(15), tzinfo=UTC),
    )
    return added + 2


def _evidence(rng: random.Random, rec_id: str, step: int, item: int, as_of: date) -> EvidenceDraft:
    published = as_of - timedelta(days=rng.randint(0, 20))
    return EvidenceDraft(
        url=f"https://example.org/sample/{rec_id.lower()}/{step}-{item}",
        title=f"Sample source {item} for {rec_id}, step {step}",
        source_type=rng.choice(SOURCE_TYPES),
        publisher=rng.choice(("Sample Gazette", "Sample Ministry", "Sample Institute")),
        published_on=published,
        accessed_on=as_of,
        reliability=rng.choice("ABCDEF"),
        credibility=rng.choice("123456"),
        summary="Fictional sample evidence.",
    )
