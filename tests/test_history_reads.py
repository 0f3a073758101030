"""What the Recommendation page reads: one assessment whole, and how long a history is."""

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker.service import Tracker


def test_one_assessment_comes_whole_with_its_corrections_both_ways(tracker: Tracker):
    first = tracker.log_assessment(
        ACTOR, draft("R2", as_of=days_ago(9), progress=90, evidence=[evidence(title="Decree")])
    )
    fixing = tracker.log_assessment(
        ACTOR, draft("R2", as_of=days_ago(9), progress=60, corrects_id=first, note="Typo.")
    )
    corrected = tracker.assessment(first)
    assert (corrected.id, corrected.progress, corrected.corrected_by_id) == (first, 90, fixing)
    assert [e.title for e in corrected.evidence] == ["Decree"]
    correction = tracker.assessment(fixing)
    assert (correction.corrects_id, correction.corrected_by_id, correction.note) == (
        first,
        None,
        "Typo.",
    )
    assert tracker.assessment(fixing + 100) is None


def test_a_history_is_counted_per_recommendation(tracker: Tracker):
    for days in range(5):
        tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(days + 1)))
    wrong = tracker.log_assessment(ACTOR, draft("R3", progress=10))
    tracker.log_assessment(ACTOR, draft("R3", progress=15, corrects_id=wrong))
    assert tracker.count_assessments("R1") == 5
    assert tracker.count_assessments("R3") == 2, "corrected ones count, as in the history"
    assert tracker.count_assessments("R2") == 0
    assert tracker.count_assessments() == 7
