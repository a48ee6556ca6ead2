"""Signals during a real `juwe plan` run (issue 17, item 2).

SIGINT and SIGTERM at random points (delays from a seeded RNG) of a `juwe plan` subprocess
on Bremen with --time-limit 20: the exit code is 130 / 143 (or 0 when the run finished
before the signal), the output folder is either absent or complete (every file, plan.json
parses) and no staging folder `.NAME.juwe-*` is left. Generous bounds only: the run ends
within 10 s of the signal.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "plan.json",
    "solve_stats.json",
    "training_sessions.csv",
    "anlage1.csv",
    "anlage1.xlsx",
    "anlage1.html",
    "training.ics",
    "plan.xlsx",
    "staffing_allocation.csv",
    "staffing_timeline.csv",
    "staffing_table.csv",
    "rollout_tasks.csv",
    "anlage2.csv",
    "anlage2.html",
    "report.html",
}
RNG = random.Random(17)
CASES = [(signal.SIGINT, RNG.uniform(1.5, 8)), (signal.SIGTERM, RNG.uniform(1.5, 8))]
CASES += [(signal.SIGINT, RNG.uniform(1.5, 8)), (signal.SIGTERM, RNG.uniform(1.5, 8))]


def _start(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "plan", "--out", str(out), "--workers", "1"]
        + ["--time-limit", "20", "-q", *extra],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _complete(out: Path) -> None:
    assert {p.name for p in out.iterdir()} == FILES
    json.loads((out / "plan.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("signum", "delay"), CASES, ids=[f"{s.name}@{d:.1f}s" for s, d in CASES])
def test_signal_stops_the_run_and_leaves_no_half_output(tmp_path, signum, delay):
    out = tmp_path / "out"
    proc = _start(out)
    time.sleep(delay)
    sent = time.monotonic()
    proc.send_signal(signum)
    try:
        _, stderr = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"juwe plan still running 10 s after {signum.name}")
    assert time.monotonic() - sent < 10
    assert "Traceback" not in stderr, stderr
    assert proc.returncode in (128 + signum, 0), stderr
    if proc.returncode == 0 or out.exists():
        _complete(out)
    if proc.returncode != 0:
        assert not out.exists(), "an interrupted run wrote files"
    assert not list(tmp_path.glob(".out.juwe-*")), "a staging folder was left behind"


def test_keep_on_interrupt_writes_the_best_plans_marked(tmp_path):
    out = tmp_path / "out"
    proc = _start(out, "--keep-on-interrupt")
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    _complete(out)
    assert json.loads((out / "plan.json").read_text(encoding="utf-8"))["interrupted"] is True
    stats = json.loads((out / "solve_stats.json").read_text(encoding="utf-8"))
    assert all(part["interrupted"] for part in stats.values())
    assert not list(tmp_path.glob(".out.juwe-*"))


def test_a_signal_during_the_commit_is_too_late_to_stop(tmp_path, write_instance, monkeypatch):
    """A Ctrl-C that lands while the finished files are committed (signals held off) stops
    nothing: every file is there, the exit code is 0 and a note says so (before, it
    claimed the plans were "found so far" and "marked as interrupted", which they were not)."""
    from click.testing import CliRunner

    from cli.main import cli
    from reports.outdir import OutDir
    from tests.builders import tiny_dict

    commit = OutDir.commit

    def commit_with_a_ctrl_c(self):
        os.kill(os.getpid(), signal.SIGINT)  # noted by the held-off handler, not raised
        return commit(self)

    monkeypatch.setattr(OutDir, "commit", commit_with_a_ctrl_c)
    out = tmp_path / "out"
    path = write_instance(tiny_dict())
    args = ["plan", str(path), "--out", str(out), "--workers", "1", "--time-limit", "10", "-q"]
    result = CliRunner().invoke(cli, args, prog_name="juwe")
    assert result.exit_code == 0, result.output
    assert "came after the plans were finished" in result.output
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert not plan.get("interrupted")
