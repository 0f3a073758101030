"""The log form under Streamlit's AppTest: it starts from the assessment in effect, keeps a typed
progress unless the status fixes it, names every problem by its label, and stores a submission
once."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import ACTOR, days_ago, draft
from tracker import clock
from tracker.service import Tracker
from tracker.ui.common import WORD_JOINER

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


@pytest.fixture
def app_db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_DB_URL", url)
    tracker = Tracker.open(url)
    tracker.init()
    tracker.close()
    return url


def open_form() -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    return app.switch_page("tracker/ui/pages/log.py").run()


def widget(app: AppTest, kind: str, label: str):
    return next(w for w in getattr(app, kind) if w.label == label)


def press(app: AppTest) -> AppTest:
    next(b for b in app.button if b.label == "Log assessment").click()
    return app.run()


def shown(element) -> str:
    return element.value.replace("\\", "").replace(WORD_JOINER, "")


def stored(url: str, rec_id: str) -> list:
    tracker = Tracker.open(url)
    try:
        return tracker.history(rec_id)
    finally:
        tracker.close()


def test_the_form_starts_from_the_assessment_in_effect(app_db: str):
    tracker = Tracker.open(app_db)
    tracker.log_assessment(ACTOR, draft("R1", status="in_progress", progress=40, as_of=days_ago(9)))
    tracker.log_assessment(ACTOR, draft("R1", status="stalled", progress=70, as_of=days_ago(3)))
    tracker.close()
    app = open_form()
    assert widget(app, "selectbox", "Status").value == "stalled"
    assert widget(app, "number_input", "Progress (%)").value == 70
    assert shown(app.caption[1]) == (
        f"In effect now: Stalled, 70 % as of {days_ago(3)} (assessment #2, by Ana Analyst). "
        "The form starts from it."
    )
    widget(app, "selectbox", "Recommendation").set_value("R2").run()
    assert widget(app, "selectbox", "Status").value == "in_progress"
    assert widget(app, "number_input", "Progress (%)").value == 0
    assert shown(app.caption[1]) == "Not assessed yet: this will be its first assessment."


def test_a_status_keeps_a_typed_progress_unless_it_fixes_it(app_db: str):
    app = open_form()
    widget(app, "number_input", "Progress (%)").set_value(70).run()
    widget(app, "selectbox", "Status").set_value("stalled").run()
    assert widget(app, "number_input", "Progress (%)").value == 70
    assert not app.info
    widget(app, "selectbox", "Status").set_value("implemented").run()
    assert widget(app, "number_input", "Progress (%)").value == 100
    assert [i.value for i in app.info] == ["Progress set to 100 %: Implemented means 100 %."]
    widget(app, "selectbox", "Status").set_value("modified").run()
    assert widget(app, "number_input", "Progress (%)").value == 100
    assert not app.info
    widget(app, "selectbox", "Status").set_value("not_started").run()
    assert widget(app, "number_input", "Progress (%)").value == 0
    assert [i.value for i in app.info] == ["Progress set to 0 %: Not started means 0 %."]


def test_evidence_accessed_defaults_to_today(app_db: str):
    app = open_form()
    widget(app, "number_input", "Evidence items").set_value(2).run()
    assert [d.value for d in app.date_input if d.label == "Accessed"] == [clock.today()] * 2
    assert [d.value for d in app.date_input if d.label == "Published"] == [None, None]


@pytest.mark.parametrize(
    ("label", "value", "message"),
    [
        ("Progress (%)", 150, "Progress (%): 150 is outside 0–100"),
        ("Progress (%)", -5, "Progress (%): -5 is outside 0–100"),
        ("Evidence items", 25, "Evidence items: 25 is outside 0–20"),
    ],
)
def test_a_number_outside_its_range_is_named_by_its_label(
    app_db: str, label: str, value: int, message: str
):
    app = open_form()
    widget(app, "text_input", "Analyst").input("Ana")
    widget(app, "number_input", label).set_value(value).run()
    app = press(app)
    assert not app.exception
    assert f"- {message}" in shown(app.error[0]).splitlines()
    assert stored(app_db, "R1") == []


def test_problems_left_to_fix_are_listed_until_each_is_fixed(app_db: str):
    app = open_form()
    widget(app, "selectbox", "Status").set_value("modified").run()
    widget(app, "text_input", "Analyst").input(" ")
    app = press(app)
    assert shown(app.error[0]).splitlines() == [
        "Nothing was saved. Please fix:",
        "",
        "- Analyst: must not be blank",
        "- Note: modified needs a note saying why",
    ]
    widget(app, "text_input", "Analyst").input("Ana").run()
    assert shown(app.error[0]).splitlines() == [
        "Nothing was saved yet. Left to fix:",
        "",
        "- Note: modified needs a note saying why",
    ]
    widget(app, "selectbox", "Status").set_value("stalled").run()
    assert not app.error
    assert [i.value for i in app.info] == ["Everything is fixed: press Log assessment to save it."]
    assert stored(app_db, "R1") == []


def test_after_a_save_the_form_is_empty_and_starts_from_the_new_state(app_db: str):
    app = open_form()
    widget(app, "selectbox", "Recommendation").set_value("R3").run()
    widget(app, "selectbox", "Status").set_value("stalled").run()
    widget(app, "number_input", "Progress (%)").set_value(35)
    widget(app, "selectbox", "Confidence").set_value("high")
    widget(app, "text_input", "Analyst").input("Ana")
    widget(app, "date_input", "As of").set_value(days_ago(2))
    widget(app, "text_area", "Note").input("Pilot sites closed.")
    widget(app, "text_input", "Corrects assessment #").input("")
    app = press(app)
    assert app.success[0].value == "Logged assessment #1 of R3: Stalled, 35 %."
    assert widget(app, "selectbox", "Recommendation").value == "R3"
    assert widget(app, "text_input", "Analyst").value == "Ana"
    assert widget(app, "date_input", "As of").value == days_ago(2)
    assert widget(app, "selectbox", "Status").value == "stalled"
    assert widget(app, "number_input", "Progress (%)").value == 35
    assert widget(app, "selectbox", "Confidence").value == "moderate"
    assert widget(app, "text_area", "Note").value == ""
    assert widget(app, "number_input", "Evidence items").value == 0
    (logged,) = stored(app_db, "R3")
    assert (logged.status, logged.progress, logged.confidence, logged.note) == (
        "stalled",
        35,
        "high",
        "Pilot sites closed.",
    )

    # Pressed again on the emptied form, it has nothing new to log.
    app = press(app)
    assert shown(app.info[0]).startswith(
        f"Nothing new to log: R3 already stands at Stalled, 35 % as of {days_ago(2)} "
        "(assessment #1)."
    )
    assert len(stored(app_db, "R3")) == 1
    widget(app, "text_area", "Note").input("Still closed a week later.")
    app = press(app)
    assert app.success[0].value == "Logged assessment #2 of R3: Stalled, 35 %."
    assert len(stored(app_db, "R3")) == 2


def test_a_form_sent_again_with_its_used_token_is_answered_with_the_stored_assessment(
    app_db: str,
):
    tracker = Tracker.open(app_db)
    first = tracker.log_submission(ACTOR, draft("R1", note="first"), "used-token").id
    tracker.close()
    app = open_form()
    app.session_state["log_token"] = "used-token"
    app.run()
    widget(app, "text_input", "Analyst").input("Ana")
    widget(app, "text_area", "Note").input("sent again")
    app = press(app)
    assert not app.error
    assert [shown(i) for i in app.info] == [
        f"Already logged as #{first}: this form was sent more than once, and its assessment "
        "is stored once."
    ]
    assert [a.note for a in stored(app_db, "R1")] == ["first"]
    assert app.session_state["log_token"] != "used-token", "the next showing has a new token"
