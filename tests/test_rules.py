"""Every rule refuses bad input with a message naming the problem, and nothing is written."""

from datetime import timedelta

import pytest

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import clock, taxonomy
from tracker.errors import InvalidInput
from tracker.service import Tracker

# Two days ahead, so that it is still in the future if the suite runs across midnight.
IN_TWO_DAYS = clock.today() + timedelta(days=2)

REFUSED = {
    "not_assessed_is_never_logged": (
        {"status": "not_assessed", "progress": 0},
        "status: not_assessed is the state before the first assessment and cannot be logged",
    ),
    "unknown_status": ({"status": "done"}, "status: 'done' is not one of: not_started"),
    "progress_above_100": ({"progress": 101}, "progress: 101 is outside 0–100"),
    "progress_below_0": ({"progress": -1}, "progress: -1 is outside 0–100"),
    "not_started_with_progress": (
        {"status": "not_started", "progress": 10},
        "progress: must be 0 when the status is not_started",
    ),
    "implemented_below_100": (
        {"status": "implemented", "progress": 90, "evidence": [evidence()]},
        "progress: must be 100 when the status is implemented",
    ),
    "implemented_without_evidence": (
        {"status": "implemented", "progress": 100},
        "evidence: implemented needs at least one evidence item",
    ),
    "modified_without_note": (
        {"status": "modified", "note": "  \n"},
        "note: modified needs a note saying why",
    ),
    "not_pursued_without_note": (
        {"status": "not_pursued"},
        "note: not_pursued needs a note saying why",
    ),
    "superseded_without_note": (
        {"status": "superseded"},
        "note: superseded needs a note saying why",
    ),
    "as_of_in_the_future": ({"as_of": IN_TWO_DAYS}, f"as_of: {IN_TWO_DAYS} is in the future"),
    "unknown_confidence": ({"confidence": "certain"}, "confidence: 'certain' is not one of"),
    "unknown_basis": ({"basis": "rumour"}, "basis: 'rumour' is not one of: reported, verified"),
    "blank_analyst": ({"analyst": "  "}, "analyst: must not be blank"),
    "note_over_the_limit": (
        {"note": "n" * (taxonomy.NOTE_MAX_CHARS + 1)},
        f"note: is {taxonomy.NOTE_MAX_CHARS + 1:,} characters long; the limit is",
    ),
    "note_with_nul": ({"note": "a\x00b"}, "note: contains a NUL character"),
    "unknown_recommendation": (
        {"recommendation_id": "R99"},
        "recommendation: there is no recommendation 'R99'",
    ),
    "evidence_ftp_url": (
        {"evidence": [evidence(url="ftp://example.org/file")]},
        "evidence 1 url: 'ftp://example.org/file' is not an http or https link",
    ),
    "evidence_javascript_url": (
        {"evidence": [evidence(url="javascript:alert(1)")]},
        "evidence 1 url: 'javascript:alert(1)' is not an http or https link",
    ),
    "evidence_without_url": ({"evidence": [evidence(url="")]}, "evidence 1 url: a link is"),
    "evidence_archive_url_not_web": (
        {"evidence": [evidence(), evidence(archive_url="file:///etc/passwd")]},
        "evidence 2 archive_url: 'file:///etc/passwd' is not an http or https link",
    ),
    "evidence_unknown_source_type": (
        {"evidence": [evidence(source_type="blog")]},
        "evidence 1 source_type: 'blog' is not one of",
    ),
    "evidence_unknown_reliability": (
        {"evidence": [evidence(reliability="G")]},
        "evidence 1 reliability: 'G' is not one of: A, B, C, D, E, F",
    ),
    "evidence_unknown_credibility": (
        {"evidence": [evidence(credibility="7")]},
        "evidence 1 credibility: '7' is not one of: 1, 2, 3, 4, 5, 6",
    ),
    "evidence_published_in_the_future": (
        {"evidence": [evidence(published_on=IN_TWO_DAYS, accessed_on=None)]},
        f"evidence 1 published: {IN_TWO_DAYS} is in the future",
    ),
    "evidence_accessed_before_published": (
        {"evidence": [evidence(published_on=days_ago(2), accessed_on=days_ago(5))]},
        "evidence 1 accessed: is earlier than the published date",
    ),
}


@pytest.mark.parametrize(("changes", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_log_refuses_bad_input_and_writes_nothing(tracker: Tracker, changes: dict, message: str):
    with pytest.raises(InvalidInput) as refused:
        tracker.log_assessment(ACTOR, draft(**changes))
    assert any(str(p).startswith(message) for p in refused.value.problems), refused.value
    assert tracker.count_assessments() == 0
    assert tracker.statuses()[0].status == "not_assessed"


def test_every_problem_is_reported_at_once(tracker: Tracker):
    with pytest.raises(InvalidInput) as refused:
        tracker.log_assessment(
            ACTOR, draft(status="implemented", progress=50, analyst="", as_of=IN_TWO_DAYS)
        )
    fields = [p.field for p in refused.value.problems]
    assert fields == ["progress", "evidence", "analyst", "as_of"]


ACCEPTED = {
    "not_started_at_0": {"status": "not_started", "progress": 0},
    "stalled_at_any_progress": {"status": "stalled", "progress": 65},
    "implemented_with_evidence": {
        "status": "implemented",
        "progress": 100,
        "evidence": [evidence()],
    },
    "modified_with_note": {"status": "modified", "progress": 80, "note": "Narrower scope."},
    "in_progress_at_100": {"status": "in_progress", "progress": 100},
    "note_at_the_limit": {"note": "n" * taxonomy.NOTE_MAX_CHARS},
    "as_of_today": {"as_of": clock.today()},
}


@pytest.mark.parametrize("changes", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_log_accepts_what_the_rules_allow(tracker: Tracker, changes: dict):
    new_id = tracker.log_assessment(ACTOR, draft(**changes))
    assert tracker.statuses()[0].assessment.id == new_id
    assert tracker.statuses()[0].status == changes.get("status", "in_progress")


def test_every_status_has_a_label_and_a_rubric():
    keys = [s.key for s in taxonomy.STATUSES]
    assert keys == [
        "not_assessed",
        "not_started",
        "in_progress",
        "stalled",
        "implemented",
        "modified",
        "not_pursued",
        "superseded",
    ]
    assert all(s.label and s.rubric for s in taxonomy.STATUSES)
