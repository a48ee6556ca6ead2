"""Robust staffing against the expected-value allocation on Bremen and generated-M (the
overload risk, K = 40, CVaR at 0.9, 2,000 fresh runs): the figures of the robust-staffing
table in benchmarks/README.md. Each case takes two to four minutes (60 s of CP-SAT with
one worker after the expected-value solve and the local search).

Run: pytest benchmarks/test_bench_robust.py --benchmark-only -s
"""

from __future__ import annotations

import pytest

from instances import bundled_path
from models.io import load_instance
from solver.params import SolveParams
from solver.staffing_robust import compare_robust


@pytest.mark.parametrize("name", ["bremen-2016", "generated-M"])
def test_robust_lowers_the_overload_p90(benchmark, name):
    inst = load_instance(bundled_path(name))
    params = SolveParams(time_limit=60, workers=1, seed=0)
    out = benchmark.pedantic(
        lambda: compare_robust(inst, samples=40, alpha=0.9, risk="overload", params=params),
        rounds=1,
        iterations=1,
    )
    expected, robust = out.rows
    assert expected["checked"] and robust["checked"]
    key = "overload_unit_months_p90"
    assert robust[key] < expected[key]
    assert robust["robust_objective"] <= expected["robust_objective"]
    benchmark.extra_info.update(
        {f"{r['allocation']}_{k}": v for r in out.rows for k, v in r.items()}
    )
    for r in out.rows:
        print(
            f"\n{name} {r['allocation']}: overload mean/P50/P90 "
            f"{r['overload_unit_months_mean']}/{r['overload_unit_months_p50']}/{r[key]}, "
            f"excess mean {r['excess_case_months_mean']}, "
            f"in-sample CVaR {r['in_sample_overload_cvar']}, "
            f"fresh CVaR {r['overload_unit_months_cvar']}"
        )
