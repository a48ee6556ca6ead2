"""Progress of a solve as events, its history as a type, and stopping a solve from outside.

Every part's solve reports `ProgressEvent`s to one hook (`ProgressHook`): the phase it is
in (the LP bound, the search near it, the CP-SAT search, the explanation of a conflict),
the objective and bound as they move (CP-SAT's solution and bound callbacks) and the time
left. The CLI's progress line, the web service and the sweeps consume the same events;
`plan_programme` adds which part of how many it is.

A `StopToken` (anything with `is_set()`, e.g. `threading.Event` or `multiprocessing.Event`)
ends the searches early: the best plan found so far (or the checked baseline's) is kept.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from ortools.sat.python import cp_model

Phase = Literal["start", "lp_bound", "near_lp", "search", "fallback", "explain", "done"]
PHASE_TITLES: dict[str, str] = {
    "start": "building the model",
    "lp_bound": "LP bound",
    "near_lp": "searching near the LP solution",
    "search": "searching",
    "fallback": "baseline plan",
    "explain": "explaining the conflict",
    "done": "done",
}


@dataclass(frozen=True)
class HistoryPoint:
    seconds: float
    objective: float | None
    bound: float | None


@dataclass
class SolveHistory:
    """Objective and bound of one solve over time (seconds since the part started)."""

    points: list[HistoryPoint] = field(default_factory=list)

    def add(self, seconds: float, objective: float | None, bound: float | None) -> None:
        if bound is not None and not math.isfinite(bound):
            bound = None
        self.points.append(HistoryPoint(seconds, objective, bound))

    def extend(self, other: SolveHistory, *, offset: float = 0.0) -> None:
        """Append `other`'s points, shifted by `offset` seconds (a later phase)."""
        self.points += [replace(p, seconds=p.seconds + offset) for p in other.points]

    def scaled(self, factor: float) -> SolveHistory:
        """Objective and bound divided by `factor` (models with a scaled objective)."""
        return SolveHistory(
            [
                HistoryPoint(
                    p.seconds,
                    None if p.objective is None else p.objective / factor,
                    None if p.bound is None else p.bound / factor,
                )
                for p in self.points
            ]
        )

    def solutions(self) -> list[HistoryPoint]:
        """The points at which an improving plan was found."""
        return [p for p in self.points if p.objective is not None]

    def __iter__(self) -> Iterator[HistoryPoint]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def __bool__(self) -> bool:
        return bool(self.points)


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a solve. `index`/`total`: part k of n in a programme (1/1 alone)."""

    part: str
    phase: Phase
    seconds: float
    objective: float | None = None
    bound: float | None = None
    time_left: float | None = None
    index: int = 1
    total: int = 1
    status: str | None = None  # with phase "done": the part's status

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))

    def as_dict(self) -> dict[str, object]:
        return {
            "part": self.part,
            "phase": self.phase,
            "index": self.index,
            "total": self.total,
            "seconds": round(self.seconds, 3),
            "objective": self.objective,
            "bound": self.bound,
            "gap": None if self.gap is None else round(self.gap, 6),
            "time_left": None if self.time_left is None else round(self.time_left, 3),
            "status": self.status,
        }


ProgressHook = Callable[[ProgressEvent], None]


class StopToken(Protocol):
    def is_set(self) -> bool: ...


class SearchRecorder(cp_model.CpSolverSolutionCallback):
    """Records (and forwards as events) every improving solution and every bound CP-SAT
    proves during one search; stops the search when `stop` is set.

    `scale`: the model's objective is the reported one times `scale`. `offset`: seconds of
    the part already spent before this search. `bound_override`: a bound proven outside
    this model (the LP's for a restricted model, whose own bound says nothing)."""

    def __init__(
        self,
        part: str,
        hook: ProgressHook | None = None,
        *,
        phase: Phase = "search",
        offset: float = 0.0,
        scale: float = 1.0,
        time_limit: float | None = None,
        stop: StopToken | None = None,
        bound_override: float | None = None,
    ):
        super().__init__()
        self.part = part
        self.phase: Phase = phase
        self._hook = hook
        self._offset = offset
        self._scale = scale
        self._time_limit = time_limit
        self._stop = stop
        self._override = bound_override
        self._t0 = time.perf_counter()
        self._objective: float | None = None
        self._bound: float | None = bound_override
        self.history = SolveHistory()

    def _now(self) -> float:
        return self._offset + time.perf_counter() - self._t0

    def _emit(self) -> None:
        seconds = self._now()
        self.history.add(seconds, self._objective, self._bound)
        if self._hook is not None:
            left = None
            if self._time_limit is not None:
                left = max(0.0, self._time_limit - (time.perf_counter() - self._t0))
            self._hook(
                ProgressEvent(
                    self.part, self.phase, seconds, self._objective, self._bound, left
                )
            )

    def on_solution_callback(self) -> None:
        self._objective = self.objective_value / self._scale
        if self._override is None:
            self._bound = self.best_objective_bound / self._scale
        self._emit()
        if self._stop is not None and self._stop.is_set():
            self.stop_search()

    def on_bound(self, bound: float) -> None:
        if self._override is not None:
            return
        value = bound / self._scale
        if not math.isfinite(value) or (self._bound is not None and value <= self._bound):
            return
        self._bound = value
        self._emit()

    def solve(self, solver: cp_model.CpSolver, model: cp_model.CpModel) -> int:
        """`solver.solve(model)` with this recorder, CP-SAT's bound callback and the stop
        token watched (every 0.1 s) while it runs. Returns CP-SAT's status code."""
        if self._stop is not None and self._stop.is_set():
            return cp_model.UNKNOWN
        solver.best_bound_callback = self.on_bound
        done = threading.Event()
        watcher = None
        if self._stop is not None:
            stop = self._stop

            def watch() -> None:
                while not done.wait(0.1):
                    if stop.is_set():
                        solver.stop_search()
                        return

            watcher = threading.Thread(target=watch, name=f"juwe-stop-{self.part}", daemon=True)
            watcher.start()
        try:
            return solver.solve(model, self)
        finally:
            done.set()
            if watcher is not None:
                watcher.join()
            solver.best_bound_callback = None


def emit(
    hook: ProgressHook | None,
    part: str,
    phase: Phase,
    seconds: float,
    *,
    objective: float | None = None,
    bound: float | None = None,
    time_left: float | None = None,
    status: str | None = None,
) -> None:
    """Send one event outside a CP-SAT search (a phase begins or ends)."""
    if hook is not None:
        hook(ProgressEvent(part, phase, seconds, objective, bound, time_left, status=status))
