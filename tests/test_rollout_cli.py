"""`juwe rollout psplib`: the table, results.csv and per-instance schedules, checked."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from instances.psplib import read_sm
from models.rcpsp import check_rcpsp

ROOT = Path(__file__).resolve().parent.parent
PSPLIB = Path(__file__).parent / "data" / "psplib"  # a sample, with optima.csv beside it
J30 = PSPLIB / "j30"


def test_psplib_command_writes_checked_schedules(tmp_path):
    files = [J30 / "j301_1.sm", J30 / "j3010_1.sm", J30 / "j3020_1.sm"]
    out = tmp_path / "res"
    result = CliRunner().invoke(
        cli, ["rollout", "psplib", *map(str, files), "--workers", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "at the known optimum: 3/3" in result.output
    rows = list(csv.DictReader(open(out / "results.csv")))
    assert [r["instance"] for r in rows] == ["j3010_1", "j301_1", "j3020_1"]
    for r in rows:
        assert r["status"] == "optimal" and r["makespan"] == r["known_optimum"] == r["bound"]
        problem = read_sm(J30 / f"{r['instance']}.sm")
        sched = list(csv.DictReader(open(out / f"{r['instance']}.csv")))
        assert [int(s["job"]) for s in sched] == list(range(1, problem.n_jobs + 1))
        starts = [int(s["start"]) for s in sched]
        assert check_rcpsp(problem, starts) == []
        assert max(int(s["end"]) for s in sched) == int(r["makespan"])


def test_psplib_command_rejects_a_malformed_file(tmp_path):
    bad = tmp_path / "broken.sm"
    bad.write_text((J30 / "j301_1.sm").read_text().replace("PRECEDENCE RELATIONS:", "PRECEDENCE:"))
    out = tmp_path / "res"
    result = CliRunner().invoke(cli, ["rollout", "psplib", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "broken.sm" in result.output and "Traceback" not in result.output
    assert not out.exists()


def _write_sm(path: Path, seed: int, jobs: int = 80) -> None:
    """A random single-mode .sm file: `jobs` real jobs on two tight resources (capacity 10,
    demands 1-7), sparse precedences; too hard to prove optimal in seconds."""
    import random

    rng = random.Random(seed)
    n = jobs + 2
    succ: list[list[int]] = [[] for _ in range(n)]
    for i in range(2, n - 1):
        succ[i - 1] = sorted({rng.randint(i + 1, min(n - 1, i + 10)) for _ in range(2)})
    has_pred = {j for s in succ for j in s}
    succ[0] = [j for j in range(2, n) if j not in has_pred]
    durations = [0] + [rng.randint(1, 10) for _ in range(jobs)] + [0]
    demands = [[0, 0]] + [[rng.randint(1, 7), rng.randint(1, 7)] for _ in range(jobs)] + [[0, 0]]
    lines = [
        f"jobs (incl. supersource/sink ):  {n}",
        f"horizon                       :  {sum(durations)}",
        "  - renewable                 :  2   R",
        "PRECEDENCE RELATIONS:",
        "jobnr.    #modes  #successors   successors",
    ]
    lines += [f"{j + 1} 1 {len(s)} " + " ".join(str(k) for k in s) for j, s in enumerate(succ)]
    lines += ["REQUESTS/DURATIONS:", "jobnr. mode duration  R 1  R 2", "-" * 20]
    lines += [f"{j + 1} 1 {durations[j]} {a} {b}" for j, (a, b) in enumerate(demands)]
    lines += ["RESOURCEAVAILABILITIES:", "  R 1  R 2", "   10   10"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_psplib_command_stops_on_a_signal_and_keeps_the_results_so_far(tmp_path, signum):
    files = [tmp_path / f"hard{k}.sm" for k in range(3)]
    for k, f in enumerate(files):
        _write_sm(f, seed=k)
    out = tmp_path / "res"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "rollout", "psplib", *map(str, files)]
        + ["--workers", "1", "--time-limit", "60", "--out", str(out)],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    waited = time.monotonic()  # until the staging folder is there (the solves start then)
    while not list(tmp_path.glob(".res.juwe-*")) and time.monotonic() - waited < 60:
        time.sleep(0.1)
    time.sleep(2)
    proc.send_signal(signum)
    try:
        stdout, stderr = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"juwe rollout psplib still running 20 s after {signum.name}")
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 128 + signum, stderr
    assert "kept" in stderr and "interrupted" in stdout
    with open(out / "results.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert 1 <= len(rows) < len(files)  # each instance would take 60 s
    assert rows[-1]["status"] == "interrupted"
    for row in rows:
        problem = read_sm(tmp_path / f"{row['instance']}.sm")
        with open(out / f"{row['instance']}.csv", newline="") as fh:
            starts = [int(r["start"]) for r in csv.DictReader(fh)]
        assert check_rcpsp(problem, starts) == []
        assert int(row["makespan"]) >= int(row["bound"])
    assert not list(tmp_path.glob(".res.juwe-*"))
