"""Chart builders as plain functions: the spec's encodings and the data it carries."""

from datetime import date

import pytest

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import charts, clock, taxonomy
from tracker.service import Tracker
from tracker.views import ProgressStep

STEPS = [
    ProgressStep("R1", date(2026, 1, 1), "not_started", 0),
    ProgressStep("R1", date(2026, 2, 1), "in_progress", 10),
    ProgressStep("R1", date(2026, 3, 1), "stalled", 10),
    ProgressStep("R2", date(2026, 2, 1), "in_progress", 20),
]
UNTIL = date(2026, 4, 1)


def _layers(spec: dict) -> list[dict]:
    """Every single-view layer of the spec, nested layers flattened, in drawing order."""
    found = []
    for layer in spec["layer"]:
        found.extend(_layers(layer) if "layer" in layer else [layer])
    return found


def _data(spec: dict, layer: dict) -> list[dict]:
    name = layer.get("data", spec.get("data", {})).get("name")
    if name is None:
        name = next(
            inner["data"]["name"]
            for inner in spec["layer"]
            if "layer" in inner and layer in inner["layer"]
        )
    return spec["datasets"][name]


def _layer(spec: dict, mark: str, **properties) -> dict:
    """The one layer with this mark type and these mark properties."""
    (found,) = [
        layer
        for layer in _layers(spec)
        if layer["mark"]["type"] == mark
        and all(layer["mark"].get(k) == v for k, v in properties.items())
    ]
    return found


def _status_scale(encoding: dict) -> tuple[list, list]:
    return encoding["scale"]["domain"], encoding["scale"]["range"]


STATUS_PALETTE = (
    [s.label for s in taxonomy.STATUSES],
    [charts.STATUS_COLOURS[s.key] for s in taxonomy.STATUSES],
)


def test_progress_bars_colour_by_status_and_label_unassessed(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R2", progress=45))
    spec = charts.progress_bars(tracker.statuses()).to_dict()
    bars, labels = _layers(spec)
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["field"] == "progress"
    assert bars["encoding"]["color"]["field"] == "status"
    assert _status_scale(bars["encoding"]["color"]) == STATUS_PALETTE
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


def test_status_counts_stack_one_part_per_status_in_the_status_palette(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R1", progress=30))
    tracker.log_assessment(ACTOR, draft("R2", progress=60))
    tracker.log_assessment(
        ACTOR, draft("R3", status="implemented", progress=100, evidence=[evidence()])
    )
    tracker.log_assessment(ACTOR, draft("R4", status="not_pursued", progress=5, note="Dropped."))
    spec = charts.status_counts(tracker.statuses()).to_dict()
    bar = _layer(spec, "bar")
    assert bar["encoding"]["x"]["field"] == "count"
    assert bar["encoding"]["x"]["stack"] == "zero"
    assert bar["encoding"]["order"]["field"] == "order"
    assert _status_scale(bar["encoding"]["color"]) == STATUS_PALETTE
    counts = [(r["status"], r["count"], r["share"], r["closed"]) for r in _data(spec, bar)]
    assert counts == [
        ("Not assessed", 1, "20%", "no"),
        ("In progress", 2, "40%", "no"),
        ("Implemented", 1, "20%", "yes"),
        ("Not pursued", 1, "20%", "yes"),
    ]
    assert _layer(spec, "text")["encoding"]["text"]["field"] == "count"


def test_progress_over_time_lines_end_at_the_last_assessment_and_mark_today_apart():
    spec = charts.progress_over_time(STEPS, UNTIL, {"R1": "One", "R2": "Two"}).to_dict()
    line = _layer(spec, "line")
    assert line["mark"]["interpolate"] == "step-after"
    assert (line["encoding"]["x"]["field"], line["encoding"]["x"]["type"]) == ("day", "temporal")
    assert line["encoding"]["x"]["axis"]["title"] == "As of"
    assert line["encoding"]["x"]["axis"]["tickMinStep"] == 24 * 60 * 60 * 1000
    assert line["encoding"]["y"]["field"] == "progress"
    assert line["encoding"]["color"]["field"] == "recommendation"
    points = [(r["id"], r["day"][:10], r["progress"]) for r in _data(spec, line)]
    assert points == [
        ("R1", "2026-01-01", 0),
        ("R1", "2026-02-01", 10),
        ("R1", "2026-03-01", 10),
        ("R2", "2026-02-01", 20),
    ], "no line runs past a recommendation's last assessment"

    today = _layer(spec, "point", filled=False)
    marked = [(r["id"], r["day"][:10], r["progress"], r["assessed"]) for r in _data(spec, today)]
    assert marked == [
        ("R1", "2026-04-01", 10, "2026-03-01"),
        ("R2", "2026-04-01", 20, "2026-02-01"),
    ]
    rule = _layer(spec, "rule")
    assert [r["day"][:10] for r in _data(spec, rule)] == ["2026-04-01"]
    assert [r["label"] for r in _data(spec, _layer(spec, "text"))] == ["Today"]


def test_progress_over_time_shows_each_status_change_in_the_status_palette():
    spec = charts.progress_over_time(STEPS, UNTIL, {"R1": "One", "R2": "Two"}).to_dict()
    points = _layer(spec, "point", filled=True)
    assert points["encoding"]["fill"]["field"] == "status"
    assert _status_scale(points["encoding"]["fill"]) == STATUS_PALETTE
    assert points["encoding"]["shape"]["field"] == "status"
    statuses = [(r["id"], r["status"]) for r in _data(spec, points)]
    assert statuses == [
        ("R1", "Not started"),
        ("R1", "In progress"),
        ("R1", "Stalled"),
        ("R2", "In progress"),
    ]
    shapes = dict(zip(*_status_scale(points["encoding"]["shape"]), strict=True))
    assert len({shapes[s] for _, s in statuses}) == 3, "each status its own shape"


def test_recommendation_lines_never_take_a_status_colour():
    steps = [ProgressStep(f"R{n}", date(2026, 1, n), "in_progress", n) for n in range(1, 13)]
    spec = charts.progress_over_time(steps, UNTIL, {}).to_dict()
    line = _layer(spec, "line")
    colours = line["encoding"]["color"]["scale"]["range"]
    dashes = line["encoding"]["strokeDash"]["scale"]["range"]
    assert len(colours) == 12
    assert set(colours).isdisjoint(charts.STATUS_COLOURS.values())
    assert len({(c, tuple(d)) for c, d in zip(colours, dashes, strict=True)}) == 12
    today = _layer(spec, "point", filled=False)
    assert today["encoding"]["color"]["scale"] == line["encoding"]["color"]["scale"]


def test_progress_over_time_with_no_steps_is_an_empty_chart():
    spec = charts.progress_over_time([], UNTIL, {}).to_dict()
    assert _data(spec, _layer(spec, "line")) == []
    assert _data(spec, _layer(spec, "point", filled=False)) == []


def test_timeline_keeps_every_evidence_item_of_an_assessment_reachable(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(20), progress=10))
    tracker.log_assessment(
        ACTOR,
        draft(
            "R1",
            as_of=days_ago(5),
            progress=60,
            evidence=[evidence(title="Decree"), evidence(title="Budget line")],
        ),
    )
    steps = tracker.progress_steps(days_ago(30), clock.today(), ["R1"])
    spec = charts.timeline(steps, tracker.evidence_points("R1"), clock.today()).to_dict()
    line = _layer(spec, "line")
    assert line["mark"]["interpolate"] == "step-after"
    assert line["mark"]["color"] not in charts.STATUS_COLOURS.values()
    assert [row["progress"] for row in _data(spec, line)] == [10, 60]

    status_points = _layer(spec, "point", filled=True)
    assert _status_scale(status_points["encoding"]["fill"]) == STATUS_PALETTE

    items = _layer(spec, "point", shape="diamond")
    assert items["encoding"]["y"]["field"] == "y"
    rows = _data(spec, items)
    assert [(r["title"], r["grade"], r["progress"]) for r in rows] == [
        ("Decree", "B2", 60),
        ("Budget line", "B2", 60),
    ]
    assert rows[0]["publisher"] == "Presidencia de México"
    assert rows[0]["source_type"] == "Official statement"
    heights = [r["y"] for r in rows]
    assert len(set(heights)) == 2, "two items of one assessment never share a spot"
    assert all(h != 60 for h in heights), "nor sit on the assessment's own point"
    assert all(0 <= h <= 100 for h in heights)
    tooltip = [t["title"] for t in items["encoding"]["tooltip"]]
    assert tooltip == ["Evidence", "Publisher", "Published", "Grade", "Source type", "Assessment"]
    assert items["encoding"]["color"]["scale"]["range"] == [charts.EVIDENCE_COLOUR]
    assert charts.EVIDENCE_COLOUR not in charts.STATUS_COLOURS.values()

    today = _layer(spec, "point", shape="circle", filled=False)
    assert [(r["progress"], r["day"][:10]) for r in _data(spec, today)] == [
        (60, clock.today().isoformat())
    ]


def _legends(spec: dict) -> list[dict]:
    return [
        channel["legend"]
        for layer in _layers(spec)
        for channel in layer.get("encoding", {}).values()
        if isinstance(channel, dict) and channel.get("legend")
    ]


def _builders(tracker: Tracker) -> dict:
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(20), progress=10))
    tracker.log_assessment(
        ACTOR, draft("R1", as_of=days_ago(5), progress=60, evidence=[evidence()])
    )
    rows = tracker.statuses()
    steps = tracker.progress_steps(days_ago(30), clock.today(), ["R1"])
    points = tracker.evidence_points("R1")
    today = clock.today()
    return {
        "status_counts": lambda narrow: charts.status_counts(rows, narrow=narrow),
        "progress_bars": lambda narrow: charts.progress_bars(rows, narrow=narrow),
        "progress_over_time": lambda narrow: charts.progress_over_time(
            steps, today, {"R1": "One"}, narrow=narrow
        ),
        "timeline": lambda narrow: charts.timeline(steps, points, today, narrow=narrow),
    }


@pytest.mark.parametrize(
    "name", ["status_counts", "progress_bars", "progress_over_time", "timeline"]
)
def test_every_chart_fits_its_width_with_legends_below(tracker: Tracker, name: str):
    build = _builders(tracker)[name]
    for narrow in (False, True):
        spec = build(narrow).to_dict()
        assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
        legends = _legends(spec)
        assert legends
        assert {legend["orient"] for legend in legends} == {"bottom"}
        assert "direction: 'vertical'" in spec["config"]["legend"]["layout"]["expr"]
        most = 2 if narrow else 4
        columns = {legend["columns"]["expr"] for legend in legends}
        assert all(c.startswith(f"min({most}, ") for c in columns), columns


def test_narrow_charts_have_fewer_axis_labels_and_shorter_names(tracker: Tracker):
    built = _builders(tracker)
    for name in ("progress_over_time", "timeline"):
        wide, narrow = (built[name](n).to_dict() for n in (False, True))
        wide_x = _layer(wide, "line")["encoding"]["x"]["axis"]
        narrow_x = _layer(narrow, "line")["encoding"]["x"]["axis"]
        assert "expr" in wide_x["tickCount"], "wide: as many labels as the width allows"
        assert narrow_x["tickCount"] == 3
        assert narrow_x["format"] == "%b %Y"
        assert _layer(narrow, "line")["encoding"]["y"]["axis"]["values"] == [0, 50, 100]
    wide_bars, narrow_bars = (built["progress_bars"](n).to_dict() for n in (False, True))
    assert _layer(wide_bars, "bar")["encoding"]["y"]["field"] == "recommendation"
    assert _layer(narrow_bars, "bar")["encoding"]["y"]["field"] == "id"
    assert len(_layer(narrow_bars, "bar")["encoding"]["x"]["axis"]["values"]) == 3
