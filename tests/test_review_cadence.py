"""Review cadence: open recommendations come due after their interval, closed ones never."""

import pytest

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import reports, taxonomy
from tracker.service import Tracker

NOTE_FOR = {"not_pursued": "Dropped.", "superseded": "Overtaken by the 2027 treaty."}


def _close(tracker: Tracker, rec_id: str, status: str, days: int) -> None:
    tracker.log_assessment(
        ACTOR,
        draft(
            rec_id,
            as_of=days_ago(days),
            status=status,
            progress=100 if status == "implemented" else 20,
            note=NOTE_FOR.get(status, ""),
            evidence=[evidence()],
        ),
    )


def test_closed_statuses_are_implemented_not_pursued_and_superseded():
    assert set(taxonomy.CLOSED_STATUSES) == {"implemented", "not_pursued", "superseded"}
    assert set(taxonomy.CLOSED_STATUSES) <= set(taxonomy.LOGGABLE_STATUSES)


@pytest.mark.parametrize("status", taxonomy.CLOSED_STATUSES)
def test_a_closed_recommendation_never_comes_due(tracker: Tracker, status: str):
    _close(tracker, "R1", status, days=400)
    row = next(r for r in tracker.statuses() if r.recommendation.id == "R1")
    assert row.status == status
    assert not reports.is_review_due(row, days_ago(0))
    report = tracker.status_report()
    r1 = report.rows[0]
    assert (r1[0], r1[report.columns.index("review_due")]) == ("R1", False)


@pytest.mark.parametrize("status", ["in_progress", "stalled", "modified", "not_started"])
def test_an_open_recommendation_comes_due_after_its_interval(tracker: Tracker, status: str):
    tracker.log_assessment(
        ACTOR,
        draft(
            "R1",
            as_of=days_ago(91),
            status=status,
            progress=0 if status == "not_started" else 30,
            note="Changed in form." if status == "modified" else "",
        ),
    )
    tracker.log_assessment(
        ACTOR, draft("R2", as_of=days_ago(90), status=status, progress=0, note="x")
    )
    due = {r.recommendation.id: reports.is_review_due(r, days_ago(0)) for r in tracker.statuses()}
    assert due == {"R1": True, "R2": False, "R3": True, "R4": True, "R5": True}


def test_a_reopened_recommendation_comes_due_again(tracker: Tracker):
    _close(tracker, "R1", "not_pursued", days=300)
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(120), progress=25))
    (row, *_) = tracker.statuses()
    assert row.status == "in_progress"
    assert reports.is_review_due(row, days_ago(0))
