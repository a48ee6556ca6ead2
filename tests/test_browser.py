"""report.html of the Bremen plan in a real browser: headless Chromium (Debian's `chromium`,
installed by .ci/run), driven over the DevTools protocol. Every chart renders (plotly's SVG
inside each chart), the console shows no JavaScript error, and the page makes no network
request: only the file itself is loaded. A full-page screenshot is saved to
test-artifacts/report.png.

Without chromium the test is skipped on a developer machine and fails in CI (CI=true).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def _browser() -> str | None:
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


pytestmark = pytest.mark.skipif(
    _browser() is None and os.environ.get("CI") != "true",
    reason="no chromium on this machine (CI installs it: apt-get install chromium)",
)


class DevTools:
    """A minimal DevTools-protocol client for one page: commands and the events seen."""

    def __init__(self, ws_url: str):
        import websocket  # websocket-client, in the test extra

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        seen = len(self.events)
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            msg = json.loads(self.ws.recv())
            self.events.append(msg)
            if msg.get("method") == method:
                return msg
        raise TimeoutError(f"no {method} within {timeout} s (events: {len(self.events) - seen})")

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory, juwe_module) -> Path:
    out = tmp_path_factory.mktemp("browser") / "plan"
    r = juwe_module("plan", "--out", out, "--workers", "2", "--time-limit", "30", "-q")
    assert r.exit_code == 0, r.output
    return out / "report.html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = _browser()
    if exe is None:
        pytest.fail("CI=true but no chromium: .ci/run must install it")
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen(
        [
            exe,
            "--headless=new",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",  # so every request seen is the page's own
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--window-size=1400,1000",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    port = None
    deadline = time.monotonic() + 60
    assert proc.stderr is not None
    while port is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
        m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
        if m:
            port = int(m.group(1))
    if port is None:
        proc.kill()
        pytest.fail("chromium did not start its DevTools endpoint")
    try:
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _page(port: int) -> DevTools:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
        targets = json.load(resp)
    page = next(t for t in targets if t["type"] == "page")
    return DevTools(page["webSocketDebuggerUrl"])


def test_report_renders_offline_without_errors(report, browser):
    tools = _page(browser)
    try:
        for domain in ("Page", "Runtime", "Network", "Log"):
            tools.send(f"{domain}.enable")
        url = report.resolve().as_uri()
        tools.send("Page.navigate", url=url)
        tools.wait_for("Page.loadEventFired")
        # plotly draws on load; wait until every chart has its SVG (or time out)
        charts: list = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            charts = tools.evaluate(
                "Array.from(document.querySelectorAll('.plotly-graph-div')).map("
                "d => [d.id, d.querySelectorAll('svg.main-svg').length])"
            )
            if charts and all(n > 0 for _, n in charts):
                break
            time.sleep(0.5)
        metrics = tools.send("Page.getLayoutMetrics")
        size = metrics["cssContentSize"]
        shot = tools.send(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        )
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "report.png").write_bytes(base64.b64decode(shot["data"]))
        # let late console messages and requests arrive
        tools.send("Runtime.evaluate", expression="1")
        events = list(tools.events)
    finally:
        tools.close()

    ids = [c for c, _ in charts]
    expected = ["gantt-by-group", "gantt-by-trainer", "staffing-timeline", "rollout-gantt",
                "rollout-resources"]  # fmt: skip
    assert ids == expected
    assert all(n > 0 for _, n in charts), charts
    errors = [
        e["params"]
        for e in events
        if e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
    requested = [
        e["params"]["request"]["url"]
        for e in events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    network = [u for u in requested if not u.startswith(("file:", "data:", "about:"))]
    assert network == []
    assert url in requested
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000
