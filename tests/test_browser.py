"""The real dashboard in headless Chromium: see, log through the form, check, download.

Needs Debian's chromium at /usr/bin/chromium (CI installs it); skips without it. Screenshots of
every page go to artifacts/screenshots/.
"""

import csv
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser_support import (
    CHROMIUM,
    ROOT,
    charts_drawn,
    free_port,
    launch_chromium,
    screenshot,
    wait_for_app,
    wait_until_healthy,
)
from tests.factories import ACTOR, draft
from tracker import recommendation_file
from tracker.service import Tracker

TITLES = (
    "Revitalize the Mérida Initiative",
    "Expand Intelligence Fusion",
    "Harm Reduction Partnerships",
    "Regional Engagement",
    "Diplomatic Track II Mechanisms",
)

pytestmark = pytest.mark.browser


@contextmanager
def _serve(database_url: str, log: Path) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port against `database_url`; yields its address."""
    port = free_port()
    env = {**os.environ, "TRACKER_DB_URL": database_url}
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, server)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture
def dashboard(tmp_path_factory) -> Iterator[str]:
    """The dashboard on a fresh SQLite database of the test's own, initialised by its start."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    folder = tmp_path_factory.mktemp("browser")
    with _serve(f"sqlite:///{folder / 'tracker.db'}", folder / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def sample_dashboard(tmp_path_factory) -> Iterator[str]:
    """The dashboard on the sample history of `python -m tracker demo`."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    folder = tmp_path_factory.mktemp("sample")
    url = f"sqlite:///{folder / 'demo.db'}"
    subprocess.run([sys.executable, "-m", "tracker", "demo", "--db", url], cwd=ROOT, check=True)
    with _serve(url, folder / "streamlit.log") as base:
        yield base


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
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def test_log_an_assessment_and_see_it_everywhere(dashboard: str, page):
    from playwright.sync_api import expect

    page.goto(dashboard)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    for title in TITLES:
        expect(page.get_by_text(title, exact=False).first).to_be_visible()
    charts_drawn(page, 2)
    screenshot(page, "1-overview-empty")

    page.get_by_test_id("stSidebarNav").get_by_text("Log an assessment").click()
    expect(page.get_by_role("heading", name="Log an assessment")).to_be_visible()
    wait_for_app(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Recommendation").click()
    page.get_by_role("option", name="R2 · Expand Intelligence Fusion").click()
    expect(page).to_have_url(re.compile(r"/log\?id=R2$"))
    wait_for_app(page)
    evidence_count = page.get_by_label("Evidence items", exact=True)
    evidence_count.fill("1")
    evidence_count.press("Enter")
    expect(page.get_by_text("Evidence 1", exact=True)).to_be_visible()
    page.get_by_label("Progress (%)", exact=True).fill("45")
    page.get_by_label("Analyst", exact=True).fill("Browser Analyst")
    page.get_by_label("Note", exact=True).fill("=SUM(1,1) cell staffed <b>in part</b>")
    page.get_by_label("Link (http or https)", exact=True).fill(
        "https://www.gob.mx/sre/prensa/fusion-cell"
    )
    page.get_by_label("Title", exact=True).fill("Fusion cell communiqué")
    page.get_by_label("Publisher", exact=True).fill("SRE")
    screenshot(page, "3-log-form")
    page.get_by_role("button", name="Log assessment").click()
    expect(page.get_by_text("Logged assessment #1 of R2")).to_be_visible()

    page.goto(dashboard)
    wait_for_app(page)
    expect(page.get_by_text("R2 · Expand Intelligence Fusion — In progress, 45 %")).to_be_visible()
    charts_drawn(page, 3)
    screenshot(page, "1-overview")

    page.get_by_text("R2 · Expand Intelligence Fusion — In progress, 45 %").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="R2 · Expand Intelligence Fusion")).to_be_visible()
    values = page.get_by_test_id("stMetricValue")
    expect(values.nth(0)).to_have_text("In progress")
    expect(values.nth(1)).to_have_text("45 %")
    charts_drawn(page, 1)
    screenshot(page, "2-recommendation")

    page.goto(f"{dashboard}/reports")
    wait_for_app(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the status report (CSV)").click()
    content = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
    rows = {row["recommendation_id"]: row for row in csv.DictReader(io.StringIO(content))}
    assert list(rows) == ["R1", "R2", "R3", "R4", "R5"]
    assert (rows["R2"]["status"], rows["R2"]["progress"], rows["R2"]["analyst"]) == (
        "in_progress",
        "45",
        "Browser Analyst",
    )
    assert rows["R2"]["evidence_count"] == "1"
    assert rows["R2"]["last_note"] == "'=SUM(1,1) cell staffed <b>in part</b>"
    assert (rows["R1"]["status"], rows["R1"]["progress"]) == ("not_assessed", "")
    screenshot(page, "4-reports")


def test_download_the_history_and_import_assessments(dashboard: str, page, tmp_path: Path):
    from playwright.sync_api import expect

    page.goto(f"{dashboard}/reports")
    wait_for_app(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the full history (CSV)").click()
    exported = Path(download_info.value.path()).read_bytes()
    assert exported.startswith(b"\xef\xbb\xbfassessment_id,recommendation_id,status,progress,")

    sheet = tmp_path / "new-assessments.csv"
    sheet.write_text(
        "recommendation_id,status,progress,as_of,analyst,note\n"
        "R4,stalled,15,2026-01-15,Sheet Analyst,Compact talks paused.\n"
        "R5,in_progress,50,2026-02-01,Sheet Analyst,Dialogue series launched.\n",
        encoding="utf-8",
    )
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(sheet)
    expect(page.get_by_text("2 assessments will be added; 0 are already stored")).to_be_visible()
    screenshot(page, "5-import-preview")
    page.get_by_role("button", name="Import 2 assessments").click()
    expect(page.get_by_text("Imported 2 assessments; skipped 0 already stored.")).to_be_visible()

    page.goto(dashboard)
    wait_for_app(page)
    expect(page.get_by_text("R4 · Regional Engagement — Stalled, 15 %")).to_be_visible()

    broken = tmp_path / "broken.csv"
    broken.write_text(
        "recommendation_id,status,progress,as_of,analyst\nR1,done,500,2026-01-01,X\n",
        encoding="utf-8",
    )
    page.goto(f"{dashboard}/reports")
    wait_for_app(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(broken)
    problems = page.get_by_test_id("stAlertContentError")
    expect(problems).to_contain_text("Nothing was saved")
    shown = problems.inner_text().replace("\u2060", "")
    assert "broken.csv, row 2, column status: 'done' is not one of" in shown
    assert "broken.csv, row 2, column progress: 500 is outside 0–100" in shown


HOSTILE_TITLE = "Open **data** at www.evil-example.com <img src=x onerror=alert(1)>"
HOSTILE_SOURCE = "[Read](https://evil-example.com/s) ![i](http://127.0.0.1:9/i.png) :red[big]"


def test_typed_text_is_shown_as_typed_never_as_markup(browser, tmp_path: Path):
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    tracker = Tracker.open(url)
    tracker.init()
    paper = tmp_path / "paper.csv"
    with paper.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(
            [
                ["id", "title", "description", "source"],
                ["X1", HOSTILE_TITLE, "Plain <b>bold?</b> www.x-example.org", HOSTILE_SOURCE],
            ]
        )
    tracker.add_recommendations(ACTOR, recommendation_file.read(paper))
    tracker.log_assessment(
        ACTOR, draft("X1", note="![x](http://127.0.0.1:9/n.png) <script>alert(1)</script>")
    )
    tracker.close()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        with _serve(url, tmp_path / "streamlit.log") as base:
            for path in ("", "/recommendation?id=X1", "/log?id=X1", "/reports"):
                page.goto(base + path)
                wait_for_app(page)
                expect(page.get_by_test_id("stException")).to_have_count(0)
                assert page.locator("a[href*='evil-example'], a[href*='x-example']").count() == 0
                assert page.locator("img[src*='127.0.0.1:9'], img[src='x']").count() == 0
                assert page.locator("[data-testid=stMain] strong:has-text('data')").count() == 0
            text = page.evaluate("document.body.innerText").replace("\u2060", "")
            page.goto(base + "/recommendation?id=X1")
            wait_for_app(page)
            shown = page.evaluate("document.body.innerText").replace("\u2060", "")
            assert f"X1 · {HOSTILE_TITLE}" in shown
            assert HOSTILE_SOURCE in shown
            assert "Plain <b>bold?</b> www.x-example.org" in shown
            screenshot(page, "6-recommendation-typed-text")
            assert "Reports" in text
    finally:
        context.close()


SAMPLE_PAGES = {
    "overview": ("", "Overview", 3),
    "recommendation": ("/recommendation?id=R2", "Recommendation", 1),
    "log": ("/log?id=R3", "Log an assessment", 0),
    "reports": ("/reports", "Reports", 0),
}


@pytest.mark.parametrize("name", SAMPLE_PAGES)
def test_every_page_over_the_sample_history(sample_dashboard: str, page, name: str):
    from playwright.sync_api import expect

    path, heading, chart_count = SAMPLE_PAGES[name]
    page.goto(sample_dashboard + path)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_text("Sample data.")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    charts_drawn(page, chart_count)
    screenshot(page, f"sample-{name}")


def test_charts_draw_in_the_dark_theme(sample_dashboard: str, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="dark")
    page = context.new_page()
    try:
        for name, path in (("overview", ""), ("recommendation", "/recommendation?id=R5")):
            page.goto(sample_dashboard + path)
            wait_for_app(page)
            background = page.evaluate(
                "getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor"
            )
            assert background != "rgb(255, 255, 255)"
            expect(page.get_by_test_id("stException")).to_have_count(0)
            charts_drawn(page, 3 if name == "overview" else 1)
            screenshot(page, f"sample-{name}-dark")
    finally:
        context.close()
