"""Headless Chromium over the DevTools protocol, for the browser tests: start the browser,
open its page, send commands, collect the events (console, network), take screenshots.

Debian's `chromium` (installed by .ci/run); without it a test module skips on a developer
machine and fails in CI (CI=true).
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_browser() -> str | None:
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


needs_browser = pytest.mark.skipif(
    find_browser() is None and os.environ.get("CI") != "true",
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

    def navigate(self, url: str, timeout: float = 30) -> None:
        """Opens `url` and waits until the new document has loaded (the old one is marked,
        so a reload of the same address is not mistaken for the page before it)."""
        self.evaluate("window.__leaving = true")
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        loaded = "!window.__leaving && document.readyState === 'complete'"
        while time.monotonic() < deadline:
            if self.evaluate(loaded):
                return
            time.sleep(0.1)
        raise TimeoutError(f"{url} did not load within {timeout} s")

    def evaluate(self, expression: str, await_promise: bool = False):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=await_promise,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout: float = 30, what: str = "") -> object:
        """Polls a JavaScript expression until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        raise TimeoutError(f"{what or expression} not within {timeout} s")

    def screenshot(self, name: str, full_page: bool = False) -> Path:
        params: dict = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params |= {
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": size["height"],
                    "scale": 1,
                },
            }
        shot = self.send("Page.captureScreenshot", **params)
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def errors(self) -> list[dict]:
        """Exceptions and console or log errors among the events seen so far."""
        return [
            e["params"]
            for e in self.events
            if e.get("method") == "Runtime.exceptionThrown"
            or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
            or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
        ]

    def requested(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def close(self) -> None:
        self.ws.close()


@contextmanager
def chromium(profile: Path, window: str = "1400,1000") -> Iterator[int]:
    """A headless Chromium; yields its DevTools port."""
    exe = find_browser()
    if exe is None:
        pytest.fail("CI=true but no chromium: .ci/run must install it")
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
            f"--window-size={window}",
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


def open_page(port: int) -> DevTools:
    """The browser's page, with the Page, Runtime, Network and Log events switched on."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
        targets = json.load(resp)
    page = next(t for t in targets if t["type"] == "page")
    tools = DevTools(page["webSocketDebuggerUrl"])
    for domain in ("Page", "Runtime", "Network", "Log"):
        tools.send(f"{domain}.enable")
    return tools
