"""The generated instances S and M, every part (training, staffing, rollout) with workers=2
beside its hand-planning baseline: status, objective, bound, gap, baseline objective and
the ratio to it in each row's extra_info. Time limits: S 10 s, M 60 s per part. Parts are
coupled as in `juwe plan`: staffing relief and the rollout's blocked days come from the
training plan (solved once per size, outside the timed rounds).

Run: python -m pytest benchmarks/test_bench_generated.py --benchmark-only -s
     (only S: add -k generated-S)
"""

from __future__ import annotations

from functools import cache

import pytest

from instances import bundled_path
from models.instance import Instance
from models.io import load_instance
from models.plan import TrainingPlan
from solver.bench import bench_rollout, bench_staffing, bench_training

TIME_LIMITS = {"S": 10.0, "M": 60.0}
PARTS = ("training", "staffing", "rollout")
CASES = [(size, part) for size in TIME_LIMITS for part in PARTS]


@cache
def _instance(size: str) -> Instance:
    return load_instance(bundled_path(f"generated-{size}"))


_training_plans: dict[str, TrainingPlan | None] = {}


def _training_plan(size: str) -> TrainingPlan | None:
    """The training row's plan; solved here (untimed) when that row did not run."""
    if size not in _training_plans:
        _, plan = bench_training(
            f"generated-{size}", _instance(size), time_limit=TIME_LIMITS[size], workers=2
        )
        _training_plans[size] = plan
    return _training_plans[size]


@pytest.mark.parametrize(("size", "part"), CASES, ids=[f"generated-{s}-{p}" for s, p in CASES])
def test_generated_part_workers2(benchmark, size, part):
    """Each part solved once (rounds=1) by the code behind `juwe bench`; every plan, the
    solver's and the baseline's, passes its checker there."""
    name, inst = f"generated-{size}", _instance(size)
    args = {"time_limit": TIME_LIMITS[size], "workers": 2, "seed": 0}
    if part == "training":
        row, plan = benchmark.pedantic(
            lambda: bench_training(name, inst, **args), rounds=1, iterations=1
        )
        _training_plans[size] = plan
    elif part == "staffing":
        plan = _training_plan(size)
        row = benchmark.pedantic(
            lambda: bench_staffing(name, inst, plan, **args), rounds=1, iterations=1
        )
    else:
        plan = _training_plan(size)
        row, _ = benchmark.pedantic(
            lambda: bench_rollout(name, inst, plan, **args), rounds=1, iterations=1
        )
    figures = row.as_dict()
    keys = ("status", "objective", "bound", "gap_pct", "seconds", "baseline_objective")
    benchmark.extra_info.update({k: figures[k] for k in keys})
    benchmark.extra_info["ratio_to_baseline"] = figures["ratio_to_baseline"]
    print(
        f"\n{name} {part}: status={row.status} objective={row.objective} "
        f"bound={row.bound} gap%={figures['gap_pct']} seconds={row.seconds:.2f} "
        f"baseline={row.baseline} ratio={figures['ratio_to_baseline']}"
    )
    assert row.status in ("optimal", "feasible"), row
    assert row.bound is not None and row.objective is not None
    assert row.bound <= row.objective + 1e-6 * max(1.0, abs(row.objective))
