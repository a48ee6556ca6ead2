"""Shared solve parameters, the Result every part returns, the baseline as a result.
Progress events and the solve history live in `solver.progress`."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from ortools.sat.python import cp_model

from models.plan import PartOutcome, Status
from solver.progress import SolveHistory

P = TypeVar("P")


@dataclass(frozen=True)
class SolveParams:
    time_limit: float = 30.0
    seed: int = 0
    workers: int = 0  # 0: let CP-SAT choose (all cores)
    log: bool = False
    work_limit: float | None = None
    """CP-SAT's deterministic time per part (`max_deterministic_time`, "work units"): a
    limit that ends a search at the same point on every run (with workers=1), so the plan
    does not depend on the machine's speed or load. `time_limit` still holds as well."""

    def __post_init__(self) -> None:
        if self.time_limit <= 0:
            raise ValueError(f"time_limit must be positive, got {self.time_limit}")
        if self.workers < 0:
            raise ValueError(f"workers must be >= 0, got {self.workers}")
        if self.work_limit is not None and not self.work_limit > 0:
            raise ValueError(f"work_limit must be positive, got {self.work_limit}")

    def left_after(self, t0: float) -> SolveParams:
        """The same parameters with the time limit that is left since `t0` (model building
        counts against the limit), at least one second."""
        left = max(1.0, self.time_limit - (time.perf_counter() - t0))
        return replace(self, time_limit=left)

    def share(self, fraction: float) -> SolveParams:
        """These parameters for a search that may use `fraction` of them (the search near
        the LP): the time limit (at least one second) and the work limit scaled."""
        work = None if self.work_limit is None else self.work_limit * fraction
        return replace(self, time_limit=max(1.0, self.time_limit * fraction), work_limit=work)

    def apply(self, solver: cp_model.CpSolver) -> None:
        p = solver.parameters
        p.max_time_in_seconds = self.time_limit
        p.random_seed = self.seed
        if self.workers:
            p.num_workers = self.workers
        p.log_search_progress = self.log
        # Ctrl-C is the CLI's (cli/signals.py): CP-SAT's own handler would end only the
        # running search and swallow the signal
        p.catch_sigint_signal = False
        if self.work_limit is not None:
            p.max_deterministic_time = self.work_limit


@dataclass
class Result(Generic[P]):
    """What a solve returns: the outcome figures and, unless none was found, the plan."""

    part: str
    outcome: PartOutcome
    plan: P | None
    history: SolveHistory = field(default_factory=SolveHistory)

    @property
    def status(self) -> Status:
        return self.outcome.status

    @property
    def objective(self) -> float | None:
        return self.outcome.objective

    @property
    def bound(self) -> float | None:
        return self.outcome.bound

    @property
    def gap(self) -> float | None:
        return self.outcome.gap

    @property
    def seconds(self) -> float:
        return self.outcome.seconds


STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
}


def status_name(code: Any) -> Status:
    if code == cp_model.MODEL_INVALID:
        raise RuntimeError("CP-SAT reports an invalid model: a bug in juwe-planner")
    return STATUS[code]  # type: ignore[return-value]


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(1.0, abs(objective))


BASELINE_FALLBACK = (
    "CP-SAT found no plan within the time limit; this is the hand-planning baseline's plan "
    "(it passed the checker), the bound is CP-SAT's or one proven before it ran. Raise "
    "--time-limit for a better plan."
)


def raise_on_violations(violations: list, what: str) -> None:
    """A plan that fails its independent checker is a bug: raise, naming the first few."""
    if violations:
        raise RuntimeError(
            f"{what} fails the checker (a bug): " + "; ".join(map(str, violations[:5]))
        )


def baseline_result(
    part: str,
    plan: P,
    objective: float,
    terms: dict[str, float],
    weights: dict[str, int],
    solver: cp_model.CpSolver | None,
    t0: float,
    history: SolveHistory,
    *,
    scale: float = 1.0,
    message: str = BASELINE_FALLBACK,
    known_bound: float | None = None,
) -> Result[P]:
    """The checked hand-planning plan as a part's result: status `feasible`, CP-SAT's
    bound (in units of `scale`) or `known_bound` (one proven outside CP-SAT), whichever
    is higher, and a message saying where the plan is from. `solver` None: no CP-SAT bound
    holds (e.g. the solver ran on a restricted model)."""
    candidates = [known_bound]
    if solver is not None:
        candidates.append(solver.best_objective_bound / scale)
    usable = [b for b in candidates if b is not None and math.isfinite(b) and b <= objective + 1e-9]
    bound = max(usable) if usable else None
    outcome = PartOutcome(
        status="feasible",
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        seconds=time.perf_counter() - t0,
        terms=terms,
        weights=weights,
        message=message,
    )
    return Result(part, outcome, plan, history=history)
