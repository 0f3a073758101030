"""The dashboard's pages run without a browser (Streamlit's AppTest): headings and form flows."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import ACTOR, draft
from tracker import recommendation_file
from tracker.service import Tracker
from tracker.ui.common import WORD_JOINER, plain

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGES = {
    "tracker/ui/pages/overview.py": "Overview",
    "tracker/ui/pages/recommendation.py": "Recommendation",
    "tracker/ui/pages/log.py": "Log an assessment",
    "tracker/ui/pages/reports.py": "Reports",
}


@pytest.fixture
def app_db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_DB_URL", url)
    return url


def open_page(path: str) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    if path != "tracker/ui/pages/overview.py":
        app.switch_page(path).run()
    return app


@pytest.mark.parametrize("path", PAGES, ids=PAGES.values())
def test_every_page_runs_and_shows_its_heading(app_db: str, path: str):
    app = open_page(path)
    assert not app.exception
    assert [t.value for t in app.title] == [PAGES[path]]
    assert not app.warning, "no sample-data banner on a real database"


@pytest.mark.parametrize("path", PAGES, ids=PAGES.values())
def test_every_page_carries_the_banner_over_sample_data(app_db: str, path: str):
    tracker = Tracker.open(app_db)
    tracker.init()
    tracker.mark_sample_data(ACTOR)
    tracker.close()
    app = open_page(path)
    assert not app.exception
    assert "Sample data." in app.warning[0].value


def test_overview_lists_the_five_recommendations_not_assessed(app_db: str):
    app = open_page("tracker/ui/pages/overview.py")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Recommendations tracked"] == "5"
    assert metrics["Implemented or in progress"] == "0 of 5"
    assert metrics["Closed"] == "0"
    assert metrics["Due for review"] == "5"


def test_recommendation_page_shows_text_as_typed_never_as_markup(app_db: str):
    tracker = Tracker.open(app_db)
    tracker.init()
    tracker.log_assessment(
        ACTOR, draft("R1", note="![x](http://127.0.0.1:9/i.png) <script>alert(1)</script>")
    )
    tracker.close()
    app = open_page("tracker/ui/pages/recommendation.py")
    assert not app.exception
    assert app.header[0].value == "R1 · Revitalize the Mérida Initiative"
    history = app.dataframe[0].value
    assert history["Note"][0] == "![x](http://127.0.0.1:9/i.png) <script>alert(1)</script>"


def widget(app: AppTest, kind: str, label: str):
    """The page's widget of that kind with that label (the log form's keys change with each
    showing of the form)."""
    return next(w for w in getattr(app, kind) if w.label == label)


LABELS = {"analyst": "Analyst", "note": "Note", "corrects": "Corrects assessment #"}


def fill_form(app: AppTest, **values) -> AppTest:
    if "status" in values:
        widget(app, "selectbox", "Status").set_value(values.pop("status")).run()
    evidence = values.pop("evidence", [])
    if evidence:
        widget(app, "number_input", "Evidence items").set_value(len(evidence)).run()
    token = app.session_state["log_token"]
    for n, item in enumerate(evidence, start=1):
        for field, value in item.items():
            app.text_input(key=f"log_ev{n}_{field}_{token}").input(value)
    for name, value in values.items():
        widget(app, "text_area" if name == "note" else "text_input", LABELS[name]).input(value)
    next(b for b in app.button if b.label == "Log assessment").click()
    return app.run()


def test_valid_submission_is_stored_and_shown(app_db: str):
    app = open_page("tracker/ui/pages/log.py")
    app = fill_form(
        app,
        status="implemented",
        analyst="Ana",
        note="Signed.",
        evidence=[{"url": "https://example.org/law", "title": "Decree", "publisher": "DOF"}],
    )
    assert not app.exception
    assert not app.error
    assert app.success[0].value == "Logged assessment #1 of R1: Implemented, 100 %."
    assert widget(app, "text_area", "Note").value == "", "the form empties after a submission"
    assert widget(app, "number_input", "Evidence items").value == 0
    assert app.text_input(key="log_analyst").value == "Ana", "the analyst's name stays"
    tracker = Tracker.open(app_db)
    (stored,) = tracker.history("R1")
    assert (stored.status, stored.progress, stored.analyst, stored.note) == (
        "implemented",
        100,
        "Ana",
        "Signed.",
    )
    assert [(e.url, e.title, e.publisher) for e in stored.evidence] == [
        ("https://example.org/law", "Decree", "DOF")
    ]
    tracker.close()
    app.switch_page("tracker/ui/pages/overview.py").run()
    metrics = {m.label: m.value for m in app.metric}
    assert (metrics["Implemented or in progress"], metrics["Closed"]) == ("1 of 5", "1")


INVALID = {
    "implemented_without_evidence": (
        {"status": "implemented", "analyst": "Ana"},
        "Evidence items: implemented needs at least one evidence item",
    ),
    "blank_analyst": ({"analyst": "  "}, "Analyst: must not be blank"),
    "modified_without_note": (
        {"status": "modified", "analyst": "Ana"},
        "Note: modified needs a note saying why",
    ),
    "evidence_link_not_web": (
        {"analyst": "Ana", "evidence": [{"url": "javascript:alert(1)"}]},
        "Evidence 1 · Link (http or https): 'javascript:alert(1)' is not an http or https link",
    ),
    "correcting_an_unknown_assessment": (
        {"analyst": "Ana", "corrects": "41"},
        "Corrects assessment #: there is no assessment 41",
    ),
    "corrects_not_a_number": (
        {"analyst": "Ana", "corrects": "yesterday's"},
        'Corrects assessment #: "yesterday\'s" is not an assessment id',
    ),
}


@pytest.mark.parametrize(("values", "message"), INVALID.values(), ids=INVALID.keys())
def test_invalid_submission_shows_the_problem_and_stores_nothing(
    app_db: str, values: dict, message: str
):
    app = fill_form(open_page("tracker/ui/pages/log.py"), **values)
    assert not app.exception
    assert not app.success
    shown = app.error[0].value.replace("\\", "").replace(WORD_JOINER, "")
    assert shown.startswith("Nothing was saved.")
    assert message in shown
    tracker = Tracker.open(app_db)
    assert tracker.count_assessments() == 0
    tracker.close()


def test_reports_page_shows_the_status_report(app_db: str):
    tracker = Tracker.open(app_db)
    tracker.init()
    tracker.log_assessment(ACTOR, draft("R3", progress=25))
    tracker.close()
    app = open_page("tracker/ui/pages/reports.py")
    table = app.dataframe[0].value
    assert list(table["recommendation_id"]) == ["R1", "R2", "R3", "R4", "R5"]
    assert table.loc[2, "progress"] == 25
    assert table.loc[2, "status"] == "in_progress"


def test_overview_filters_by_paper_once_there_are_several(app_db: str, tmp_path):
    tracker = Tracker.open(app_db)
    tracker.init()
    paper = tmp_path / "paper.csv"
    paper.write_text("id,title,description,source\nP1,Open data,D,Another paper\n", "utf-8")
    tracker.add_recommendations(ACTOR, recommendation_file.read(paper))
    tracker.close()
    app = open_page("tracker/ui/pages/overview.py")
    assert {m.label: m.value for m in app.metric}["Recommendations tracked"] == "6"
    app.multiselect[0].set_value(["Another paper"]).run()
    assert app.multiselect[0].label == "Paper"
    assert {m.label: m.value for m in app.metric}["Recommendations tracked"] == "1"


def test_plain_text_cannot_become_markup():
    hostile = (
        "**b** _i_ [x](https://e.example) ![i](http://127.0.0.1:9/i.png) <script>x</script> "
        ":red[r] $x$ `c` # h www.e.example a@b.example"
    )
    shown = plain(hostile)
    assert shown.replace("\\", "").replace(WORD_JOINER, "") == hostile
    unescaped = [c for i, c in enumerate(shown) if c in "*_[]()!<>:$`#@" and shown[i - 1] != "\\"]
    assert unescaped == []
    for address in ("www.e", "://", "@b"):
        assert address not in shown.replace("\\", "")


def test_the_form_lists_every_problem_of_a_submission_at_once(app_db: str):
    app = fill_form(
        open_page("tracker/ui/pages/log.py"),
        status="modified",
        analyst=" ",
        corrects="soon",
        evidence=[{"url": "javascript:alert(1)"}],
    )
    shown = app.error[0].value.replace("\\", "").replace(WORD_JOINER, "")
    assert shown.splitlines()[2:] == [
        "- Analyst: must not be blank",
        "- Note: modified needs a note saying why",
        "- Corrects assessment #: 'soon' is not an assessment id",
        "- Evidence 1 · Link (http or https): 'javascript:alert(1)' is not an http or https link",
    ]
    tracker = Tracker.open(app_db)
    assert tracker.count_assessments() == 0
    tracker.close()
