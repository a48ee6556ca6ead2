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
from collections.abc import Callable
from typing import Protocol

from ortools.sat.python import cp_model

# plain data, re-exported: reports and the CLI read them without loading the solver
from models.history import (  # noqa: F401
    PHASE_TITLES,
    HistoryPoint,
    Phase,
    ProgressEvent,
    SolveHistory,
)

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
                ProgressEvent(self.part, self.phase, seconds, self._objective, self._bound, left)
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
        token watched (every 0.1 s) while it runs. Returns CP-SAT's status code; CP-SAT's
        deterministic time is added to the history's `work`."""
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
            self.history.work += solver.response_proto.deterministic_time
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
