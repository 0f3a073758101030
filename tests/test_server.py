"""The dashboard as shipped: it listens on 127.0.0.1 only and reaches no other machine, and
behind the reverse proxy of deploy/nginx.conf every page works in Chromium, loads only from the
proxy and carries the protective headers.

The server runs `streamlit run dashboard.py` from the project folder with nothing but the shipped
.streamlit/config.toml and a free port, under the start-up hook in tests/network_guard, which
logs (and refuses) every attempt to reach the network. Needs Debian's chromium at
/usr/bin/chromium, nginx and openssl (CI installs them); skips without them. Screenshots through
the proxy go to artifacts/screenshots/.
"""

import base64
import fcntl
import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import urlopen

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

NETWORK_GUARD = Path(__file__).resolve().parent / "network_guard"
SHIPPED_PROXY_CONFIG = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
OPENSSL = shutil.which("openssl")
SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address

# Path, heading, number of charts, and the sidebar entry of another page to go to from there.
PAGES = {
    "overview": ("", "Overview", 3, "Reports"),
    "recommendation": ("/recommendation?id=R2", "Recommendation", 1, "Overview"),
    "log": ("/log?id=R3", "Log an assessment", 0, "Recommendation"),
    "reports": ("/reports", "Reports", 0, "Log an assessment"),
}

# Collects the page's Content-Security-Policy violations, so that a test sees what the policy
# blocked.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
    window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@dataclass
class ShippedServer:
    """A running dashboard with its address and the log of its network attempts."""

    base: str
    port: int
    process: subprocess.Popen
    network_log: Path

    def network_attempts(self) -> list[dict]:
        """Every attempt so far to resolve a name, connect or send, by any of its processes."""
        lines = self.network_log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def assert_reached_no_other_machine(self) -> None:
        """Fails unless the hook is live in the server and every attempt stayed on loopback."""
        attempts = self.network_attempts()
        assert any(
            attempt["call"] == "installed" and attempt["pid"] == self.process.pid
            for attempt in attempts
        ), "the network hook is not live in the server"
        assert [attempt for attempt in attempts if not attempt["loopback"]] == []


@contextmanager
def serve_shipped(database_url: str, folder: Path) -> Iterator[ShippedServer]:
    """The dashboard as the README starts it, on a free port, under the network hook."""
    port = free_port()
    network_log = folder / "network.jsonl"
    network_log.touch()
    # Nothing from this process's environment may change the shipped configuration.
    env = {name: value for name, value in os.environ.items() if not name.startswith("STREAMLIT_")}
    python_path = [str(NETWORK_GUARD), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env |= {
        "TRACKER_DB_URL": database_url,
        "TRACKER_NETWORK_LOG": str(network_log),
        "PYTHONPATH": os.pathsep.join(python_path),
    }
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)]
    with (folder / "streamlit.log").open("w") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, server)
            yield ShippedServer(base, port, server, network_log)
        finally:
            server.terminate()
            server.wait(timeout=30)


def listening_addresses(port: int) -> set[str]:
    """The local addresses on which this machine has a TCP socket listening on `port`."""
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, local_port = local.split(":")
            if state != "0A" or int(local_port, 16) != port:  # 0A: LISTEN
                continue
            # The kernel prints the address as 32-bit words in the machine's byte order.
            words = [address[index : index + 8] for index in range(0, len(address), 8)]
            packed = b"".join(struct.pack("=I", int(word, 16)) for word in words)
            found.add(socket.inet_ntop(family, packed))
    return found


def non_loopback_addresses() -> list[str]:
    """This machine's IPv4 addresses and global IPv6 addresses other than loopback."""
    found = []
    for _, interface in socket.if_nameindex():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                request = struct.pack("256s", interface.encode()[:15])
                answer = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, request)
            except OSError:
                continue  # no IPv4 address on this interface
            found.append(socket.inet_ntoa(answer[20:24]))
    if Path("/proc/net/if_inet6").exists():
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            address, scope = line.split()[0], line.split()[3]
            if scope == "00":  # global scope; link-local ones need an interface to be reached
                found.append(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(address)))
    return [address for address in found if not address.startswith("127.") and address != "::1"]


def websocket_handshake(port: int, host: str, origin: str, tls: bool = False) -> int:
    """Asks for Streamlit's websocket at 127.0.0.1:`port` with the given Host and Origin
    headers, as a browser on another page would; returns the HTTP status of the answer."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    if tls:
        connection = unverified_tls().wrap_socket(connection, server_hostname="127.0.0.1")
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /_stcore/stream HTTP/1.1\r\n"
        f"Host: {host}\r\nOrigin: {origin}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with connection:
        connection.sendall(request.encode())
        answer = connection.makefile("rb").readline()
    return int(answer.split()[1])


def unverified_tls() -> ssl.SSLContext:
    """TLS for the proxy's self-signed test certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@dataclass
class Proxy:
    """nginx with the shipped configuration in front of a shipped dashboard."""

    base: str
    port: int
    plain_port: int
    server: ShippedServer


def proxy_config(dashboard_port: int, https_port: int, http_port: int, folder: Path) -> str:
    """A whole nginx.conf running the shipped configuration from `folder`, with the test's own
    ports on 127.0.0.1 and self-signed certificate in place of the deployment's values. Each
    of those must occur exactly once, so that a change to the shipped file cannot leave the test
    checking something else."""
    config = SHIPPED_PROXY_CONFIG.read_text(encoding="utf-8")
    for shipped, tested in (
        ("server 127.0.0.1:8501;", f"server 127.0.0.1:{dashboard_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("listen [::]:443 ssl;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("/etc/ssl/certs/tracker.example.org.pem", str(folder / "cert.pem")),
        ("/etc/ssl/private/tracker.example.org.key", str(folder / "key.pem")),
    ):
        assert config.count(shipped) == 1, f"{SHIPPED_PROXY_CONFIG} no longer has {shipped!r} once"
        config = config.replace(shipped, tested)
    # Run as root, nginx hands requests to workers of an unprivileged user, who could not
    # enter the test's private folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(
        f"{kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}pid {folder / 'nginx.pid'};\nevents {{}}\n"
        f"http {{\naccess_log {folder / 'access.log'};\n{temp_paths}{config}\n}}\n"
    )


@contextmanager
def serve_proxy(server: ShippedServer, folder: Path) -> Iterator[Proxy]:
    """nginx with the shipped configuration and a fresh self-signed certificate, on free ports
    of 127.0.0.1, in front of `server`."""
    subprocess.run(
        [
            OPENSSL,
            *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    https_port, http_port = free_port(), free_port()
    config = folder / "nginx.conf"
    config.write_text(proxy_config(server.port, https_port, http_port, folder), encoding="utf-8")
    command = [NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config)]
    with (folder / "nginx.log").open("w") as output:
        proxy = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=output, stderr=subprocess.STDOUT
        )
        base = f"https://127.0.0.1:{https_port}"
        try:
            wait_until_healthy(base, proxy, unverified_tls())
            yield Proxy(base, https_port, http_port, server)
        finally:
            proxy.terminate()
            proxy.wait(timeout=30)


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")


@pytest.fixture(scope="module")
def shipped_server(tmp_path_factory) -> Iterator[ShippedServer]:
    """The shipped dashboard on the sample history of `python -m tracker demo`."""
    require_chromium()
    folder = tmp_path_factory.mktemp("shipped")
    url = f"sqlite:///{folder / 'demo.db'}"
    subprocess.run([sys.executable, "-m", "tracker", "demo", "--db", url], cwd=ROOT, check=True)
    with serve_shipped(url, folder) as server:
        yield server


@pytest.fixture(scope="module")
def proxy(shipped_server: ShippedServer, tmp_path_factory) -> Iterator[Proxy]:
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    if OPENSSL is None:
        pytest.skip("openssl is not installed (apt-get install openssl)")
    with serve_proxy(shipped_server, tmp_path_factory.mktemp("proxy")) as started:
        yield started


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@dataclass
class RecordedPage:
    """A page with every request, response and websocket it made."""

    page: object
    requests: list
    responses: list
    websockets: list

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.cspViolations")


@pytest.fixture
def recorded(browser) -> Iterator[RecordedPage]:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, ignore_https_errors=True, accept_downloads=True
    )
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(30_000)
    opened = RecordedPage(page, [], [], [])
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("response", lambda response: opened.responses.append(response))
    page.on("websocket", lambda websocket: opened.websockets.append(websocket.url))
    yield opened
    context.close()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def open_page(page, base: str, name: str) -> None:
    """Opens one of PAGES at `base` and waits until it is drawn as a user would see it."""
    from playwright.sync_api import expect

    path, heading, chart_count, _ = PAGES[name]
    page.goto(base + path)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_text("Sample data.")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    charts_drawn(page, chart_count)


def go_by_sidebar(page, name: str) -> None:
    """Goes from the current page to another by its sidebar entry, which only works once the
    page's websocket is open: the server draws the new page."""
    from playwright.sync_api import expect

    _, _, _, other = PAGES[name]
    page.get_by_test_id("stSidebarNav").get_by_text(other, exact=True).click()
    expect(page.get_by_role("heading", name=other, exact=True)).to_be_visible()
    wait_for_app(page)


@pytest.mark.browser
def test_the_shipped_server_listens_on_loopback_only_and_reaches_no_other_machine(
    shipped_server: ShippedServer, recorded: RecordedPage
):
    """Started as shipped and used in Chromium, the dashboard can be reached at 127.0.0.1 only,
    and neither it nor its pages try to reach another machine."""
    assert listening_addresses(shipped_server.port) == {"127.0.0.1"}
    for address in non_loopback_addresses():
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, shipped_server.port), timeout=5).close()

    for name in PAGES:
        open_page(recorded.page, shipped_server.base, name)
        go_by_sidebar(recorded.page, name)

    assert {origin(url) for url in recorded.requests} == {shipped_server.base}
    assert set(recorded.websockets) == {f"ws://127.0.0.1:{shipped_server.port}/_stcore/stream"}
    shipped_server.assert_reached_no_other_machine()


@pytest.mark.browser
def test_the_shipped_server_refuses_a_websocket_under_another_host_name(
    shipped_server: ShippedServer,
):
    """A page whose own name has been made to resolve to 127.0.0.1 cannot drive the dashboard."""
    own = f"127.0.0.1:{shipped_server.port}"
    assert websocket_handshake(shipped_server.port, own, f"http://{own}") == 101
    rebound = f"rebound.example:{shipped_server.port}"
    assert websocket_handshake(shipped_server.port, rebound, f"http://{rebound}") == 403
    shipped_server.assert_reached_no_other_machine()


def test_the_network_hook_sees_and_refuses_streamlits_external_address_lookup(tmp_path: Path):
    """The hook the server runs under catches the lookup that the shipped configuration avoids."""
    log = tmp_path / "network.jsonl"
    lookup = "from streamlit import net_util; print(net_util.get_external_ip())"
    env = {**os.environ, "TRACKER_NETWORK_LOG": str(log), "PYTHONPATH": str(NETWORK_GUARD)}
    done = subprocess.run(
        [sys.executable, "-c", lookup], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "None"
    attempts = [json.loads(line) for line in log.read_text().splitlines()]
    refused = [attempt["address"] for attempt in attempts if not attempt["loopback"]]
    assert refused and all("checkip.amazonaws.com" in address for address in refused)


@pytest.mark.browser
@pytest.mark.parametrize("name", PAGES)
def test_each_page_through_the_proxy_loads_only_from_it_with_protective_headers(
    proxy: Proxy, recorded: RecordedPage, name: str
):
    open_page(recorded.page, proxy.base, name)
    screenshot(recorded.page, f"proxy-{name}")
    go_by_sidebar(recorded.page, name)

    assert recorded.csp_violations() == []
    assert {origin(url) for url in recorded.requests} == {proxy.base}
    assert set(recorded.websockets) == {f"wss://127.0.0.1:{proxy.port}/_stcore/stream"}
    assert recorded.responses
    for response in recorded.responses:
        headers = response.all_headers()
        assert "frame-ancestors 'none'" in headers["content-security-policy"], response.url
        assert headers["x-content-type-options"] == "nosniff", response.url
        assert headers["referrer-policy"] == "no-referrer", response.url
    assert listening_addresses(proxy.server.port) == {"127.0.0.1"}
    proxy.server.assert_reached_no_other_machine()


@pytest.mark.browser
def test_a_download_and_an_upload_through_the_proxy(
    proxy: Proxy, recorded: RecordedPage, tmp_path: Path
):
    """Files travel as requests of their own (an upload with Streamlit's XSRF token) through the
    proxy, under its Content-Security-Policy."""
    from playwright.sync_api import expect

    page = recorded.page
    open_page(page, proxy.base, "reports")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the status report (CSV)").click()
    report = Path(download_info.value.path()).read_bytes().decode("utf-8")
    assert report.startswith("\ufeffrecommendation_id,title,theme,status,progress,")
    assert len(report.splitlines()) == 6

    sheet = tmp_path / "through-the-proxy.csv"
    sheet.write_text(
        "recommendation_id,status,progress,as_of,analyst,note\n"
        "R4,stalled,15,2026-01-15,Proxy Analyst,Sent through the proxy.\n"
        "R5,in_progress,50,2026-02-01,Proxy Analyst,Sent through the proxy too.\n",
        encoding="utf-8",
    )
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(sheet)
    expect(page.get_by_text("2 assessments will be added; 0 are already stored")).to_be_visible()
    assert any(urlsplit(url).path.startswith("/_stcore/upload_file") for url in recorded.requests)
    assert {origin(url) for url in recorded.requests} == {proxy.base}
    assert recorded.csp_violations() == []


def framed(page, url: str):
    """Puts `url` in a frame of a page of another origin; returns the frame once it loaded."""
    page.set_content(
        f'<iframe src="{url}" width="1000" height="700"'
        " onload=\"document.body.dataset.framed = 'yes'\"></iframe>"
    )
    page.wait_for_function("() => document.body.dataset.framed === 'yes'")
    return page.main_frame.child_frames[0]


@pytest.mark.browser
def test_no_other_site_can_frame_the_log_form(proxy: Proxy, recorded: RecordedPage):
    # Served without the proxy, the form shows in the frame, so the check below can see one.
    framed(recorded.page, f"{proxy.server.base}/log").wait_for_selector("[data-testid=stApp]")

    through_the_proxy = framed(recorded.page, f"{proxy.base}/log")
    assert through_the_proxy.url != f"{proxy.base}/log"
    assert through_the_proxy.locator("[data-testid=stApp]").count() == 0


@pytest.mark.browser
def test_the_proxy_opens_the_websocket_only_for_the_dashboards_own_pages(proxy: Proxy):
    own = f"127.0.0.1:{proxy.port}"
    assert websocket_handshake(proxy.port, own, f"https://{own}", tls=True) == 101
    # Streamlit alone would accept this one: the same host name on another port.
    assert websocket_handshake(proxy.port, own, "https://127.0.0.1:9", tls=True) == 403
    # And for this one it would first ask the internet for this machine's address.
    assert websocket_handshake(proxy.port, own, "https://elsewhere.example", tls=True) == 403
    proxy.server.assert_reached_no_other_machine()


@pytest.mark.browser
def test_the_proxy_sends_plain_http_to_https(proxy: Proxy):
    with socket.create_connection(("127.0.0.1", proxy.plain_port), timeout=10) as connection:
        connection.sendall(b"GET /reports HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = connection.makefile("rb").read().decode("latin-1")
    assert answer.startswith("HTTP/1.1 301")
    assert "\r\nLocation: https://127.0.0.1/reports\r\n" in answer


@pytest.mark.browser
def test_the_proxy_keeps_the_servers_counters_to_itself(proxy: Proxy):
    context = unverified_tls()
    with urlopen(f"{proxy.server.base}/_stcore/metrics", timeout=10) as direct:
        assert b"session_events" in direct.read()
    with pytest.raises(HTTPError) as refused:
        urlopen(f"{proxy.base}/_stcore/metrics", timeout=10, context=context)
    assert refused.value.code == 404
