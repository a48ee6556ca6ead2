"""PSPLIB RCPSP with the rollout fast path (`solver.rollout.solve_rcpsp`), workers=2.

The whole j30 set (480 instances, all with proven optima) and a j60 sample (instance 1 of
each of the 48 parameter sets). Each row reports how many instances reached the best known
makespan, how many were proven optimal, and mean / median / max seconds per instance.
Run: pytest benchmarks/test_bench_psplib.py --benchmark-only -s
(`PSPLIB_DIR` points elsewhere than /work/shared/benchmarks/psplib; `PSPLIB_TIME_LIMIT`
changes the 10 s limit per instance.)
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

import pytest

from instances.psplib import read_optima, read_sm
from models.check_rollout import check_rcpsp
from solver.rollout import solve_rcpsp

PSPLIB = Path(os.environ.get("PSPLIB_DIR", "/work/shared/benchmarks/psplib"))
TIME_LIMIT = float(os.environ.get("PSPLIB_TIME_LIMIT", "10"))
pytestmark = pytest.mark.skipif(not (PSPLIB / "j30").is_dir(), reason="no PSPLIB data")


def _run(names: list[tuple[str, str]]) -> dict:
    optima = read_optima(PSPLIB)
    rows = []
    for folder, name in names:
        p = read_sm(PSPLIB / folder / f"{name}.sm")
        r = solve_rcpsp(p, time_limit=TIME_LIMIT, seed=0, workers=2)
        assert r.starts is not None and check_rcpsp(p, r.starts) == []
        best = optima[name]
        rows.append((name, r.status, r.makespan, r.bound, best.makespan, r.seconds))
    secs = [row[5] for row in rows]
    summary = {
        "instances": len(rows),
        "at_best_known": sum(1 for row in rows if row[2] == row[4]),
        "proven_optimal": sum(1 for row in rows if row[1] == "optimal"),
        "better_than_best_known": sum(1 for row in rows if row[2] < row[4]),
        "mean_seconds": round(statistics.mean(secs), 3),
        "median_seconds": round(statistics.median(secs), 3),
        "max_seconds": round(max(secs), 3),
        "not_at_best_known": [f"{r[0]}:{r[2]}>{r[4]}" for r in rows if r[2] != r[4]],
        "not_proven": [f"{r[0]}:[{r[3]},{r[2]}]" for r in rows if r[1] != "optimal"],
    }
    print("\n" + "\n".join(f"{k}: {v}" for k, v in summary.items()))
    return summary


def _sorted_stems(folder: str) -> list[tuple[str, str]]:
    stems = [f.stem for f in (PSPLIB / folder).glob("*.sm")]
    key = lambda s: tuple(int(x) for x in s[len(folder) :].split("_"))  # noqa: E731
    return [(folder, s) for s in sorted(stems, key=key)]


def test_j30_all_workers2(benchmark):
    summary = benchmark.pedantic(lambda: _run(_sorted_stems("j30")), rounds=1, iterations=1)
    benchmark.extra_info.update(summary)
    assert summary["better_than_best_known"] == 0  # the optima are proven


def test_j60_sample_workers2(benchmark):
    names = [("j60", f"j60{p}_1") for p in range(1, 49)]
    summary = benchmark.pedantic(lambda: _run(names), rounds=1, iterations=1)
    benchmark.extra_info.update(summary)
