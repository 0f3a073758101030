"""Every page on a phone's screen (390 px) and a desktop's (1400 px), in headless Chromium.

Over the sample history: a screenshot of each page at each width in artifacts/screenshots/;
no page wider than the screen; no link label cut; every request the page makes goes to the
server under test (fonts and icons included); and the history's detail view followed through a
correction link. One server and one browser serve the whole module.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

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

pytestmark = pytest.mark.browser

PAGES = {
    "overview": ("", "Overview", 3),
    "recommendation": ("/recommendation?id=R2", "Recommendation", 1),
    "log": ("/log?id=R3", "Log an assessment", 0),
    "reports": ("/reports", "Reports", 0),
}
# A phone: its width, and the User-Agent by which the pages choose compact charts.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36",
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1400, "height": 1000}}
SCREENS = {"390px": PHONE, "1400px": DESKTOP}

# Widths measured in the page: the document, Streamlit's main area (which scrolls by itself),
# and every page link or link button whose label is cut short.
MEASURE = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const cut = [...document.querySelectorAll(
      '[data-testid=stPageLink] a p, [data-testid=stLinkButton] a p')]
    .filter(label => label.scrollWidth > label.clientWidth + 1)
    .map(label => label.innerText);
  return {
    document: document.documentElement.scrollWidth,
    window: window.innerWidth,
    main: main.scrollWidth,
    mainVisible: main.clientWidth,
    cut: cut,
  };
}"""


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory) -> Iterator[str]:
    """The dashboard on the sample history of `python -m tracker demo`; yields its address."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    folder = tmp_path_factory.mktemp("screens")
    url = f"sqlite:///{folder / 'demo.db'}"
    subprocess.run([sys.executable, "-m", "tracker", "demo", "--db", url], cwd=ROOT, check=True)
    port = free_port()
    with (folder / "streamlit.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT,
            env={**os.environ, "TRACKER_DB_URL": url},
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, server)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@pytest.fixture(params=list(SCREENS))
def screen(request, browser) -> Iterator[tuple[str, object, list[str]]]:
    """(its name, a page on that screen, every address the page requested)."""
    context = browser.new_context(**SCREENS[request.param])
    page = context.new_page()
    page.set_default_timeout(30_000)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("websocket", lambda socket: requested.append(socket.url))
    yield request.param, page, requested
    context.close()


def _open(page, base: str, name: str) -> None:
    from playwright.sync_api import expect

    path, heading, charts = PAGES[name]
    page.goto(base + path)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    charts_drawn(page, charts)


def test_every_page_fits_the_screen_and_asks_only_its_own_server(sample_server: str, screen):
    from playwright.sync_api import expect

    width, page, requested = screen
    for name in PAGES:
        _open(page, sample_server, name)
        if PAGES[name][2]:
            # Phones get compact charts without asking; a desktop, the full layout.
            toggle = page.get_by_test_id("stCheckbox").filter(has_text="Compact charts")
            expect(toggle.locator("input")).to_be_checked(checked=width == "390px")
        screenshot(page, f"screen-{width}-{name}")
        sizes = page.evaluate(MEASURE)
        assert sizes["document"] <= sizes["window"], f"{name} at {width}: {sizes}"
        assert sizes["main"] <= sizes["mainVisible"], f"{name} at {width}: {sizes}"
        assert sizes["cut"] == [], f"{name} at {width}: link labels cut short"
    hosts = {(urlsplit(url).hostname, urlsplit(url).port) for url in requested}
    assert hosts == {("127.0.0.1", int(urlsplit(sample_server).port))}


def test_a_correction_link_opens_the_assessment_it_names_on_a_phone(sample_server: str, browser):
    from playwright.sync_api import expect

    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _open(page, sample_server, "recommendation")
        detail = page.locator(".st-key-history_detail_box")
        expect(detail).to_contain_text("Assessment #20 of R2")
        expect(page.get_by_text("1–6 of 6", exact=True)).to_be_visible()
        detail.get_by_role("button", name="Corrects #19").click()
        expect(detail).to_contain_text("Assessment #19 of R2")
        expect(detail).to_contain_text("Corrected by assessment #20")
        expect(detail).to_contain_text("Fictional sample data: a mistyped progress")
        detail.get_by_role("button", name="Corrected by #20").click()
        expect(detail).to_contain_text("Assessment #20 of R2")
        sizes = page.evaluate(MEASURE)
        assert sizes["main"] <= sizes["mainVisible"]
        screenshot(page, "screen-390px-recommendation-detail")
    finally:
        context.close()
