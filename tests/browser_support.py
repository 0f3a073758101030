"""What the browser tests share: free ports, waiting for a server, Chromium, screenshots."""

import socket
import ssl
import subprocess
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
STARTUP_TIMEOUT_SECONDS = 90
# Chromium's own traffic to Google (updates, sync, field trials) stays off, so that every
# request a test sees is one the page made.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(
    base: str, server: subprocess.Popen, context: ssl.SSLContext | None = None
) -> None:
    """Polls Streamlit's health endpoint at `base` until it answers, the server dies, or time
    runs out; `context` is the TLS context for an https `base`."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server for {base} exited with {server.returncode}")
        try:
            with urlopen(f"{base}/_stcore/health", timeout=2, context=context) as response:
                if response.status == 200:
                    return
        except (URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # between polls of a condition, not in place of one
    raise TimeoutError(f"no health answer at {base} within {STARTUP_TIMEOUT_SECONDS}s")


def launch_chromium(playwright):
    """Debian's headless Chromium, driven by Playwright."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))


def wait_for_app(page) -> None:
    """Waits until Streamlit has finished running the page's script."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    page.wait_for_selector("h1")


def wait_for_tables(page) -> None:
    """Tables are drawn on a canvas that takes its width only once laid out."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stDataFrame]')]"
        ".every(table => table.getBoundingClientRect().width > 300)"
    )


def screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main area, so the window grows to fit it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wait_for_tables(page)
    size = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    wait_for_tables(page)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    page.set_viewport_size(size)


def charts_drawn(page, count: int) -> None:
    """Waits until the page shows `count` charts, each drawn."""
    from playwright.sync_api import expect

    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts).to_have_count(count)
    for index in range(count):
        expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()
