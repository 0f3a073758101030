"""Chart builders as plain functions: the spec's encodings and the data it carries."""

from datetime import date

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import charts, clock
from tracker.service import Tracker
from tracker.views import ProgressStep


def _layers(spec: dict) -> list[dict]:
    return spec["layer"]


def _data(spec: dict, layer: dict) -> list[dict]:
    name = layer.get("data", spec.get("data", {})).get("name")
    return spec["datasets"][name]


def test_progress_bars_colour_by_status_and_label_unassessed(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R2", progress=45))
    spec = charts.progress_bars(tracker.statuses()).to_dict()
    bars, labels = _layers(spec)
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["field"] == "progress"
    assert bars["encoding"]["color"]["field"] == "status"
    assert bars["encoding"]["color"]["scale"]["domain"][0] == "Not assessed"
    assert spec["title"] == "Progress by recommendation"
    rows = {row["id"]: row for row in _data(spec, bars)}
    assert (rows["R2"]["progress"], rows["R2"]["status"], rows["R2"]["label"]) == (
        45,
        "In progress",
        "45%",
    )
    assert rows["R1"]["progress"] is None
    assert rows["R1"]["label"] == "Not assessed"
    assert labels["mark"]["type"] == "text"
    assert {t["field"] for t in bars["encoding"]["tooltip"]} == {
        "recommendation",
        "status",
        "progress",
        "as_of",
    }


def test_progress_over_time_is_a_step_line_reaching_the_end_date():
    steps = [
        ProgressStep("R1", date(2026, 1, 1), "in_progress", 10),
        ProgressStep("R1", date(2026, 3, 1), "in_progress", 40),
        ProgressStep("R2", date(2026, 2, 1), "stalled", 20),
    ]
    spec = charts.progress_over_time(steps, date(2026, 4, 1), {"R1": "One", "R2": "Two"}).to_dict()
    assert spec["mark"]["type"] == "line"
    assert spec["mark"]["interpolate"] == "step-after"
    assert (spec["encoding"]["x"]["field"], spec["encoding"]["x"]["type"]) == ("day", "temporal")
    assert spec["encoding"]["x"]["axis"]["title"] == "As of"
    assert spec["encoding"]["x"]["axis"]["tickMinStep"] == 24 * 60 * 60 * 1000
    assert spec["encoding"]["y"]["field"] == "progress"
    assert spec["encoding"]["color"]["field"] == "recommendation"
    points = [(r["id"], r["day"][:10], r["progress"]) for r in _data(spec, spec)]
    assert points == [
        ("R1", "2026-01-01", 10),
        ("R1", "2026-03-01", 40),
        ("R1", "2026-04-01", 40),
        ("R2", "2026-02-01", 20),
        ("R2", "2026-04-01", 20),
    ]


def test_progress_over_time_with_no_steps_is_an_empty_chart():
    spec = charts.progress_over_time([], date(2026, 4, 1), {}).to_dict()
    assert _data(spec, spec) == []


def test_timeline_shows_evidence_points_with_their_grades(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(20), progress=10))
    tracker.log_assessment(
        ACTOR, draft("R1", as_of=days_ago(5), progress=60, evidence=[evidence(title="Decree")])
    )
    steps = tracker.progress_steps(days_ago(30), clock.today(), ["R1"])
    spec = charts.timeline(steps, tracker.evidence_points("R1"), clock.today()).to_dict()
    line, points = _layers(spec)
    assert line["mark"]["interpolate"] == "step-after"
    assert points["mark"]["type"] == "point"
    (point,) = _data(spec, points)
    assert (point["title"], point["grade"], point["progress"]) == ("Decree", "B2", 60)
    assert point["publisher"] == "Presidencia de México"
    tooltip = [t["title"] for t in points["encoding"]["tooltip"]]
    assert tooltip == ["Evidence", "Publisher", "Published", "Grade", "Source type"]
    assert [row["progress"] for row in _data(spec, line)] == [10, 60, 60]
