"""Benchmarks run on demand: `pytest benchmarks --benchmark-only` (see README)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def record(benchmark):
    """Attach solver figures (status, objective, bound, gap) to the benchmark's JSON row."""

    def _record(result) -> None:
        o = result.outcome
        benchmark.extra_info.update(
            {
                "status": o.status,
                "objective": o.objective,
                "bound": o.bound,
                "gap": o.gap,
                "solver_seconds": round(o.seconds, 3),
                "terms": json.dumps(o.terms),
            }
        )
        print(
            f"\n{result.part}: status={o.status} objective={o.objective} bound={o.bound} "
            f"gap={o.gap} seconds={o.seconds:.2f}"
        )

    return _record
