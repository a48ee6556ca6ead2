"""PSPLIB RCPSP with the rollout fast path (`solver.rcpsp.solve_rcpsp`), workers=2.

The whole j30 set (480 instances, all with proven optima), a j60 sample (instance 1 of
each of the 48 parameter sets, i.e. every 10th instance) and the 16 j30/j60 instances of
`psplib_run.PROVEN_SAMPLE`. Each row reports how many
instances reached the best known makespan, how many were proven optimal, and total / mean /
median / max seconds per instance (`benchmarks.psplib_run.summarize`).
Run: python -m pytest benchmarks/test_bench_psplib.py --benchmark-only -s
(`PSPLIB_DIR` points elsewhere than ../shared/benchmarks/psplib; `PSPLIB_TIME_LIMIT`
changes the 30 s limit per instance: with 30 s every j30 instance is proven optimal.)
The comparison with PyJobShop is in `test_bench_pyjobshop.py`; the same runs without
pytest: `python -m benchmarks.psplib_run`.
"""

from __future__ import annotations

import os

import pytest

from benchmarks.psplib_run import PSPLIB, instance_names, run, summarize

TIME_LIMIT = float(os.environ.get("PSPLIB_TIME_LIMIT", "30"))
pytestmark = pytest.mark.skipif(not (PSPLIB / "j30").is_dir(), reason="no PSPLIB data")


def _bench(benchmark, selection: str) -> dict:
    names = instance_names(selection)
    rows = benchmark.pedantic(
        lambda: run(names, ["ours"], time_limit=TIME_LIMIT, workers=2), rounds=1, iterations=1
    )
    summary = summarize(rows)["ours"]
    benchmark.extra_info.update(summary)
    print("\n" + "\n".join(f"{k}: {v}" for k, v in summary.items()))
    return summary


def test_j30_all_workers2(benchmark):
    summary = _bench(benchmark, "j30")
    assert summary["better_than_best_known"] == 0  # the optima are proven


def test_j60_sample_workers2(benchmark):
    _bench(benchmark, "j60-sample")


def test_proven_sample_workers2(benchmark):
    summary = _bench(benchmark, "proven-sample")
    assert summary["better_than_best_known"] == 0  # the optima are proven
