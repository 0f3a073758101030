"""The log form in headless Chromium: a double click stores one assessment and empties the form,
problems are named by their labels and leave once fixed, and the status keeps a typed progress.

One dashboard serves the whole module (each test works on a recommendation of its own); it
needs Debian's chromium at /usr/bin/chromium, and skips without it.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.browser_support import CHROMIUM, launch_chromium, screenshot, wait_for_app
from tests.test_browser import _serve
from tracker import clock
from tracker.service import Tracker
from tracker.ui.common import WORD_JOINER

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Dashboard:
    base: str
    db_url: str

    def history(self, rec_id: str) -> list:
        tracker = Tracker.open(self.db_url)
        try:
            return tracker.history(rec_id)
        finally:
            tracker.close()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory) -> Iterator[Dashboard]:
    """The dashboard on a fresh SQLite database, shared by the module's tests."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    folder = tmp_path_factory.mktemp("log-form")
    db_url = f"sqlite:///{folder / 'tracker.db'}"
    with _serve(db_url, folder / "streamlit.log") as base:
        yield Dashboard(base, db_url)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def open_form(page, dashboard: Dashboard, rec_id: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{dashboard.base}/log?id={rec_id}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Log an assessment")).to_be_visible()


def choose(page, label: str, option: str) -> None:
    from playwright.sync_api import expect

    selected(page, label).click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(selected(page, label)).to_have_value(option)
    wait_for_app(page)


def selected(page, label: str):
    """A select box, whose value is the option shown."""
    return page.get_by_role("combobox", name=label, exact=True)


def date_field(page, label: str):
    """A date input, whose text is the date shown."""
    return page.get_by_role("group", name=label, exact=True)


def type_into(page, label: str, text: str) -> None:
    """Types into a field and leaves it, as a person does, so that the page takes the value."""
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Tab")
    wait_for_app(page)


def add_evidence_items(page, count: int) -> None:
    from playwright.sync_api import expect

    type_into(page, "Evidence items", str(count))
    expect(page.get_by_text(f"Evidence {count}", exact=True)).to_be_visible()


PRESSED = "Nothing was saved. Please fix:"
WHILE_FIXING = "Nothing was saved yet. Left to fix:"


def problems_shown(page, heading: str) -> list[str]:
    """The problems listed under `heading` once it shows, one line each, as a person reads them:
    `PRESSED` after the button was pressed, `WHILE_FIXING` as fields are fixed."""
    from playwright.sync_api import expect

    errors = page.get_by_test_id("stAlertContentError")
    expect(errors).to_contain_text(heading)
    wait_for_app(page)
    text = errors.inner_text().replace(WORD_JOINER, "")
    shown, *problems = [line for line in text.splitlines() if line]
    assert shown == heading
    return problems


def test_a_double_click_logs_one_assessment_and_empties_the_form(dashboard: Dashboard, page):
    from playwright.sync_api import expect

    open_form(page, dashboard, "R2")
    expect(page.get_by_text("Not assessed yet")).to_be_visible()
    choose(page, "Status", "Stalled")
    type_into(page, "Progress (%)", "35")
    type_into(page, "Analyst", "Browser Analyst")
    type_into(page, "Note", "Fusion cell talks paused after the summit.")
    add_evidence_items(page, 1)
    today = clock.today().isoformat()
    expect(date_field(page, "Accessed")).to_contain_text(today)
    type_into(page, "Link (http or https)", "https://www.gob.mx/sre/prensa/fusion-cell")
    page.get_by_label("Title", exact=True).fill("Fusion cell communiqué")
    screenshot(page, "log-form-filled")

    page.get_by_role("button", name="Log assessment").dblclick()
    expect(page.get_by_text("Logged assessment #1 of R2: Stalled, 35 %.")).to_be_visible()
    wait_for_app(page)

    (stored,) = dashboard.history("R2")
    assert (stored.status, stored.progress, stored.analyst) == ("stalled", 35, "Browser Analyst")
    assert [e.url for e in stored.evidence] == ["https://www.gob.mx/sre/prensa/fusion-cell"]
    # Emptied, except the recommendation, the analyst and the as-of date; and it now starts from
    # the assessment just logged.
    expect(page.get_by_label("Note", exact=True)).to_have_value("")
    expect(page.get_by_label("Evidence items", exact=True)).to_have_value("0")
    expect(page.get_by_label("Link (http or https)", exact=True)).to_have_count(0)
    expect(page.get_by_label("Analyst", exact=True)).to_have_value("Browser Analyst")
    expect(date_field(page, "As of")).to_contain_text(today)
    expect(selected(page, "Recommendation")).to_have_value("R2 · Expand Intelligence Fusion")
    expect(selected(page, "Status")).to_have_value("Stalled")
    expect(page.get_by_label("Progress (%)", exact=True)).to_have_value("35")
    expect(
        page.get_by_text(
            f"In effect now:{WORD_JOINER} Stalled, 35 % as of {stored.as_of} "
            f"(assessment #{stored.id}, "
            "by Browser Analyst)."
        )
    ).to_be_visible()
    screenshot(page, "log-form-after-save")

    # Clicked again once the page has settled, the emptied form has nothing new to log.
    page.get_by_role("button", name="Log assessment").click()
    expect(page.get_by_text(re.compile("R2 already stands at Stalled, 35 %"))).to_be_visible()
    assert len(dashboard.history("R2")) == 1


def test_problems_are_named_by_their_labels_and_leave_once_fixed(dashboard: Dashboard, page):
    from playwright.sync_api import expect

    open_form(page, dashboard, "R3")
    choose(page, "Status", "Modified")
    type_into(page, "Progress (%)", "150")
    type_into(page, "Analyst", "Browser Analyst")
    add_evidence_items(page, 1)
    type_into(page, "Link (http or https)", "ftp://example.org/report")
    page.get_by_role("button", name="Log assessment").click()

    link_problem = (
        "Evidence 1 · Link (http or https): 'ftp://example.org/report' is not an http or https link"
    )
    assert problems_shown(page, PRESSED) == [
        "Progress (%): 150 is outside 0–100",
        "Note: modified needs a note saying why",
        link_problem,
    ]
    screenshot(page, "log-form-problems")

    # Fixing the link removes its message as soon as the field is left, and at the next press.
    type_into(page, "Link (http or https)", "https://example.org/report")
    left_to_fix = ["Progress (%): 150 is outside 0–100", "Note: modified needs a note saying why"]
    assert problems_shown(page, WHILE_FIXING) == left_to_fix
    page.get_by_role("button", name="Log assessment").click()
    assert problems_shown(page, PRESSED) == left_to_fix

    type_into(page, "Progress (%)", "60")
    type_into(page, "Note", "Carried out through state programmes instead.")
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(page.get_by_text("Everything is fixed")).to_be_visible()
    assert dashboard.history("R3") == []
    page.get_by_role("button", name="Log assessment").click()
    expect(page.get_by_text("Logged assessment #")).to_be_visible()
    (stored,) = dashboard.history("R3")
    assert (stored.status, stored.progress) == ("modified", 60)


def test_a_status_keeps_a_typed_progress_unless_it_fixes_it(dashboard: Dashboard, page):
    from playwright.sync_api import expect

    open_form(page, dashboard, "R4")
    progress = page.get_by_label("Progress (%)", exact=True)
    type_into(page, "Progress (%)", "70")
    choose(page, "Status", "Stalled")
    expect(progress).to_have_value("70")
    expect(page.get_by_text(re.compile("Progress set to"))).to_have_count(0)
    choose(page, "Status", "Implemented")
    expect(progress).to_have_value("100")
    expect(page.get_by_text("Progress set to 100 %: Implemented means 100 %.")).to_be_visible()
    screenshot(page, "log-form-status-sets-progress")
    choose(page, "Status", "In progress")
    expect(progress).to_have_value("100")
    expect(page.get_by_text(re.compile("Progress set to"))).to_have_count(0)
    choose(page, "Status", "Not started")
    expect(progress).to_have_value("0")
    expect(page.get_by_text("Progress set to 0 %: Not started means 0 %.")).to_be_visible()
    assert dashboard.history("R4") == []
