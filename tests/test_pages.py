"""The Overview and Recommendation pages under AppTest: headline figures, human words in
tables, the history's pager and detail view, and the compact chart layout."""

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker.service import Tracker
from tracker.ui.common import WORD_JOINER

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
OVERVIEW = "tracker/ui/pages/overview.py"
RECOMMENDATION = "tracker/ui/pages/recommendation.py"
LONG_NOTE = "First line of a long note.\n" + "Staffing confirmed in part; " * 120 + "\nLast line."


@pytest.fixture
def app_db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_DB_URL", url)
    return url


@pytest.fixture
def tracker(app_db: str):
    opened = Tracker.open(app_db)
    opened.init()
    yield opened
    opened.close()


def open_page(path: str, rec_id: str | None = None) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    if rec_id is not None:
        app.query_params["id"] = rec_id
    app.run()
    if path != OVERVIEW:
        app.switch_page(path).run()
    assert not app.exception
    return app


def read(text: str) -> str:
    """Markdown as a person reads it: escapes and invisible word joiners removed."""
    return text.replace("\\", "").replace(WORD_JOINER, "")


def pager(app: AppTest) -> str:
    return next(read(m.value) for m in app.markdown if " of " in m.value and "–" in m.value)


def detail_heading(app: AppTest) -> str:
    return next(read(m.value) for m in app.markdown if m.value.startswith("**Assessment"))


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def history(app: AppTest) -> pd.DataFrame:
    return next(t for t in app.dataframe if t.key and t.key.startswith("history_table")).value


def specs(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]


def test_history_pages_through_twenty_at_a_time(tracker: Tracker):
    ids = [tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(n))) for n in range(1, 46)]
    app = open_page(RECOMMENDATION)
    assert pager(app) == "1–20 of 45"
    assert list(history(app)["Id"]) == ids[:20], "newest first"
    assert button(app, "Previous").disabled
    assert not button(app, "Next").disabled
    assert detail_heading(app).startswith(f"**Assessment #{ids[0]} of R1")

    button(app, "Next").click().run()
    assert pager(app) == "21–40 of 45"
    assert list(history(app)["Id"]) == ids[20:40]
    assert detail_heading(app).startswith(f"**Assessment #{ids[20]} of R1")
    button(app, "Next").click().run()
    assert pager(app) == "41–45 of 45"
    assert list(history(app)["Id"]) == ids[40:]
    assert button(app, "Next").disabled
    button(app, "Previous").click().run()
    assert pager(app) == "21–40 of 45"
    assert not app.exception


def test_a_history_row_opens_the_assessment_whole_with_corrections_both_ways(
    tracker: Tracker,
):
    older = tracker.log_assessment(ACTOR, draft("R2", as_of=days_ago(30), progress=20))
    wrong = tracker.log_assessment(
        ACTOR,
        draft(
            "R2",
            as_of=days_ago(3),
            progress=90,
            note=LONG_NOTE,
            evidence=[
                evidence(title="Decree", archive_url="https://web.archive.org/web/2026/decree"),
                evidence(title="Budget line", source_type="budget", url="https://hacienda.mx/b"),
            ],
        ),
    )
    fixing = tracker.log_assessment(
        ACTOR, draft("R2", as_of=days_ago(3), progress=60, corrects_id=wrong, note="Typo.")
    )
    app = open_page(RECOMMENDATION, "R2")
    assert list(history(app)["Id"]) == [fixing, wrong, older]
    assert (
        detail_heading(app)
        == f"**Assessment #{fixing} of R2 · as of {days_ago(3)} · In progress · 60 %**"
    )

    table_key = next(t.key for t in app.dataframe if t.key.startswith("history_table"))
    app.session_state[table_key] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    app.run()
    assert detail_heading(app).startswith(f"**Assessment #{older} of R2")
    assert not [b for b in app.button if b.label.startswith("Correct")]

    app.session_state[table_key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    button(app, f"Corrects #{wrong}").click().run()
    assert detail_heading(app).startswith(f"**Assessment #{wrong} of R2")
    assert [t.value for t in app.text] == [LONG_NOTE], "the note whole, line breaks and all"
    assert f"Corrected by assessment #{fixing}" in app.warning[-1].value
    shown = " ".join(read(m.value) for m in app.markdown)
    for words in ("**Decree**", "**Budget line**", "Source type: Budget", "Evidence (2)"):
        assert words in shown
    links = [(read(b.proto.label), b.proto.url) for b in app.get("link_button")]
    assert links == [
        ("Link: www.gob.mx", "https://www.gob.mx/presidencia/prensa/comunicado"),
        ("Archive link: web.archive.org", "https://web.archive.org/web/2026/decree"),
        ("Link: hacienda.mx", "https://hacienda.mx/b"),
    ]
    assert len(history(app)) == 3

    button(app, f"Corrected by #{fixing}").click().run()
    assert detail_heading(app).startswith(f"**Assessment #{fixing} of R2")
    assert [t.value for t in app.text] == ["Typo."]


def test_recommendation_tables_speak_in_labels_with_blank_empty_cells(tracker: Tracker):
    tracker.log_assessment(
        ACTOR,
        draft(
            "R3",
            as_of=days_ago(4),
            basis="verified",
            confidence="high",
            evidence=[evidence(source_type="budget", published_on=None, reliability="C")],
        ),
    )
    app = open_page(RECOMMENDATION, "R3")
    row = history(app).iloc[0]
    assert (row["Status"], row["Basis"], row["Confidence"]) == (
        "In progress",
        "Verified independently",
        "High",
    )
    assert pd.Timestamp(row["As of"]).date() == days_ago(4)
    assert row["Correction"] is None, "blank, not 'None'"
    items = next(t for t in app.dataframe if not (t.key or "").startswith("history")).value
    item = items.iloc[0]
    assert (item["Source type"], item["Source reliability"]) == ("Budget", "C – Fairly reliable")
    assert item["Archive link (optional)"] is None
    assert pd.isna(item["Published"])
    assert pd.Timestamp(item["Accessed"]).date() == days_ago(2)


def test_overview_counts_closed_recommendations_and_never_calls_them_due(tracker: Tracker):
    tracker.log_assessment(
        ACTOR,
        draft("R1", as_of=days_ago(300), status="implemented", progress=100, evidence=[evidence()]),
    )
    tracker.log_assessment(
        ACTOR, draft("R2", as_of=days_ago(200), status="not_pursued", progress=5, note="Dropped.")
    )
    tracker.log_assessment(ACTOR, draft("R3", as_of=days_ago(200), progress=50))
    tracker.log_assessment(ACTOR, draft("R4", as_of=days_ago(10), progress=30))
    app = open_page(OVERVIEW)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {
        "Recommendations tracked": "5",
        "Implemented or in progress": "3 of 5",
        "Closed": "2",
        "Due for review": "2",
    }
    assert any("count as closed and never come due for review" in c.value for c in app.caption)
    counts, due = (t.value for t in app.dataframe)
    assert list(
        zip(counts["Status"], counts["Recommendations"], counts["Closed"], strict=True)
    ) == [
        ("Not assessed", 1, "no"),
        ("In progress", 2, "no"),
        ("Implemented", 1, "yes"),
        ("Not pursued", 1, "yes"),
    ]
    assert list(due["Recommendation"]) == ["R3", "R5"]
    assert pd.Timestamp(due["Last as-of date"][0]).date() == days_ago(200)
    assert due["Days since"][0] == 200
    assert pd.isna(due["Last as-of date"][1]) and pd.isna(due["Days since"][1])
    assert due["Status"][1] == "Not assessed"


def test_compact_charts_switch_every_chart_to_the_narrow_layout(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(40), progress=10))
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(5), progress=35))
    app = open_page(OVERVIEW)
    assert app.toggle(key="compact_charts_overview").value is False, (
        "a desktop browser: wide charts"
    )
    bars = next(s for s in specs(app) if s.get("title") == "Progress by recommendation")
    assert bars["layer"][0]["encoding"]["y"]["field"] == "recommendation"

    app.toggle(key="compact_charts_overview").set_value(True).run()
    titles = [s.get("title") for s in specs(app)]
    assert titles == [
        "Recommendations by status",
        "Progress by recommendation",
        "Progress over time",
    ]
    for spec in specs(app):
        legends = [
            channel["legend"]
            for layer in spec["layer"]
            for channel in layer.get("encoding", {}).values()
            if isinstance(channel, dict) and channel.get("legend")
        ]
        assert legends and all(g["columns"]["expr"].startswith("min(2, ") for g in legends)
    bars = next(s for s in specs(app) if s.get("title") == "Progress by recommendation")
    assert bars["layer"][0]["encoding"]["y"]["field"] == "id"
    over_time = next(s for s in specs(app) if s.get("title") == "Progress over time")
    assert over_time["layer"][0]["encoding"]["x"]["axis"]["tickCount"] == 3

    app.switch_page(RECOMMENDATION).run()
    assert app.toggle(key="compact_charts_recommendation").value is True, (
        "the choice holds across pages"
    )
    (timeline,) = specs(app)
    assert timeline["layer"][0]["encoding"]["x"]["axis"]["tickCount"] == 3
