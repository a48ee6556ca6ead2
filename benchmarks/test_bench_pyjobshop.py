"""Side by side: `solver.rcpsp.solve_rcpsp` and PyJobShop (its OR-Tools CP-SAT backend)
on the same PSPLIB instances, same time limit, workers=2 / num_workers=2.

Needs the `bench` extra (`pip install -e .[bench]`); skipped without pyjobshop.
Run: python -m pytest benchmarks/test_bench_pyjobshop.py --benchmark-only -s
Each solver's rows: at best known makespan, proven optimal, total / mean / median / max
seconds; `time_ratio_ours_over_pyjobshop` is our total seconds over PyJobShop's. Both
solvers' schedules are checked by `models.rcpsp.check_rcpsp`.
"""

from __future__ import annotations

import os

import pytest

from benchmarks.psplib_run import PSPLIB, instance_names, run, summarize

pytest.importorskip("pyjobshop")
TIME_LIMIT = float(os.environ.get("PSPLIB_TIME_LIMIT", "10"))
pytestmark = pytest.mark.skipif(not (PSPLIB / "j30").is_dir(), reason="no PSPLIB data")


def _compare(benchmark, selection: str) -> dict:
    names = instance_names(selection)
    rows = benchmark.pedantic(
        lambda: run(names, ["ours", "pyjobshop"], time_limit=TIME_LIMIT, workers=2),
        rounds=1,
        iterations=1,
    )
    summary = summarize(rows)
    for solver in ("ours", "pyjobshop"):
        benchmark.extra_info.update({f"{solver}_{k}": v for k, v in summary[solver].items()})
    benchmark.extra_info["time_ratio"] = summary["time_ratio_ours_over_pyjobshop"]
    for solver in ("ours", "pyjobshop"):
        print(f"\n{solver}: " + ", ".join(f"{k}={v}" for k, v in summary[solver].items()))
    print(f"time ratio ours/pyjobshop: {summary['time_ratio_ours_over_pyjobshop']}")
    return summary


def test_j60_sample_vs_pyjobshop(benchmark):
    _compare(benchmark, "j60-sample")  # j60 best known values are not all proven optima


def test_j30_all_vs_pyjobshop(benchmark):
    summary = _compare(benchmark, "j30")
    assert summary["ours"]["better_than_best_known"] == 0
    assert summary["pyjobshop"]["better_than_best_known"] == 0


def test_j120_sample_vs_pyjobshop(benchmark):
    # instance 1 of every third parameter set; most best known values are not proven
    summary = _compare(benchmark, "j120-sample")
    for solver in ("ours", "pyjobshop"):
        print(f"{solver}: mean % above best known {summary[solver]['mean_pct_above_best_known']}")
