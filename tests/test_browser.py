"""report.html of the Bremen plan in a real browser: headless Chromium (Debian's `chromium`,
installed by .ci/run), driven over the DevTools protocol. Every chart renders (plotly's SVG
inside each chart), the console shows no JavaScript error, and the page makes no network
request: only the file itself is loaded. A full-page screenshot is saved to
test-artifacts/report.png.

Without chromium the test is skipped on a developer machine and fails in CI (CI=true).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, chromium, needs_browser, open_page

pytestmark = needs_browser


@pytest.fixture(scope="module")
def report(tmp_path_factory, juwe_module) -> Path:
    out = tmp_path_factory.mktemp("browser") / "plan"
    r = juwe_module("plan", "--out", out, "--workers", "2", "--time-limit", "30", "-q")
    assert r.exit_code == 0, r.output
    return out / "report.html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as port:
        yield port


def test_report_renders_offline_without_errors(report, browser):
    tools = open_page(browser)
    try:
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
        tools.screenshot("report.png", full_page=True)
        # let late console messages and requests arrive
        tools.send("Runtime.evaluate", expression="1")
    finally:
        tools.close()

    ids = [c for c, _ in charts]
    expected = ["gantt-by-group", "gantt-by-trainer", "staffing-timeline", "rollout-gantt",
                "rollout-resources"]  # fmt: skip
    assert ids == expected
    assert all(n > 0 for _, n in charts), charts
    errors = tools.errors()
    assert errors == []
    requested = tools.requested()
    network = [u for u in requested if not u.startswith(("file:", "data:", "about:"))]
    assert network == []
    assert url in requested
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000
