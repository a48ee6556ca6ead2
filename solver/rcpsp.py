"""PSPLIB RCPSP instances: priority-rule schedules (serial SGS, forward-backward
justification) and the CP-SAT fast path `solve_rcpsp` in plain integer time."""

from __future__ import annotations

import heapq
import random
import threading
import time
from dataclasses import replace
from typing import NamedTuple

from ortools.sat.python import cp_model

from models.plan import Status
from models.rcpsp import RcpspProblem, check_rcpsp, energetic_lower_bound, rcpsp_makespan
from solver.params import SolveParams, raise_on_violations, status_name
from solver.progress import SearchRecorder, StopToken

LNS_SECONDS = 0.3  # per neighbourhood
LNS_JOBS = 62  # projects with more jobs (j90, j120) end in `lns`


class RcpspResult(NamedTuple):
    status: Status
    makespan: int | None
    bound: int
    seconds: float
    starts: list[int] | None


def latest_finish_priority(problem: RcpspProblem) -> list[int]:
    """Latest finish times (from the critical path) of every job: the LFT priority rule."""
    tails = problem.tails()
    length = max(tails, default=0)
    return [length - tail + d for tail, d in zip(tails, problem.durations)]


def serial_sgs(problem: RcpspProblem, priority: list[int] | None = None) -> list[int]:
    """Serial schedule-generation scheme: repeatedly take the eligible job (all predecessors
    scheduled) with the smallest priority value and start it as early as the precedences
    and the resource profile allow. Default priority: latest finish time."""
    prio = priority if priority is not None else latest_finish_priority(problem)
    n, durations = problem.n_jobs, problem.durations
    pred = problem.predecessors()
    horizon = sum(durations) + 1
    free = [[cap] * horizon for cap in problem.capacities]
    starts = [0] * n
    missing = [len(p) for p in pred]
    eligible = [(prio[j], j) for j in range(n) if missing[j] == 0]
    heapq.heapify(eligible)
    while eligible:
        _, j = heapq.heappop(eligible)
        d, dem = durations[j], problem.demands[j]
        t = max((starts[i] + durations[i] for i in pred[j]), default=0)
        while any(
            dem[r] and any(free[r][u] < dem[r] for u in range(t, t + d)) for r in range(len(free))
        ):
            t += 1
        starts[j] = t
        for r, amount in enumerate(dem):
            if amount:
                for u in range(t, t + d):
                    free[r][u] -= amount
        for k in problem.successors[j]:
            missing[k] -= 1
            if missing[k] == 0:
                heapq.heappush(eligible, (prio[k], k))
    return starts


def _reversed(problem: RcpspProblem) -> RcpspProblem:
    """The same project with every precedence turned round (for backward passes)."""
    return RcpspProblem(
        name=problem.name,
        durations=problem.durations,
        successors=problem.predecessors(),
        capacities=problem.capacities,
        demands=problem.demands,
    )


def justify(
    problem: RcpspProblem, starts: list[int], back: RcpspProblem | None = None
) -> list[int]:
    """One forward-backward justification pass: schedule the jobs backwards in the order
    of their finish times (latest first), then forwards in the order of the starts of
    that backward schedule; the result is never longer than `starts` would be after a
    forward pass in the order of their starts. `back`: `_reversed(problem)`, if at hand."""
    back = back if back is not None else _reversed(problem)
    finishes = [s + d for s, d in zip(starts, problem.durations)]
    rev = serial_sgs(back, [-f for f in finishes])
    end = rcpsp_makespan(back, rev)
    return serial_sgs(problem, [end - r - d for r, d in zip(rev, problem.durations)])


def justified_schedule(problem: RcpspProblem, passes: int = 4) -> list[int]:
    """The best of a few priority rules (latest finish, latest start, most successors),
    each improved by forward-backward justification: schedule the jobs backwards in the
    order of their finish times, then forwards in the order of their starts, while the
    makespan shrinks."""
    back = _reversed(problem)
    lft = latest_finish_priority(problem)
    total = [0] * problem.n_jobs
    for j in reversed(problem.topological_order()):
        total[j] = len(problem.successors[j]) + sum(total[k] for k in problem.successors[j])
    rules = [
        lft,
        [f - d for f, d in zip(lft, problem.durations)],
        [-t for t in total],
    ]
    best: list[int] | None = None
    for rule in rules:
        starts = serial_sgs(problem, rule)
        span = rcpsp_makespan(problem, starts)
        for _ in range(passes):
            fwd = justify(problem, starts, back)
            new = rcpsp_makespan(problem, fwd)
            if new >= span:
                break
            starts, span = fwd, new
        if best is None or span < rcpsp_makespan(problem, best):
            best = starts
    assert best is not None
    return best


def _portfolio(solver: cp_model.CpSolver, workers: int) -> None:
    """Search settings for PSPLIB instances. With two workers CP-SAT runs one full-problem
    subsolver (`default_lp`) and gives the other thread to LNS and local search; the
    heuristics find the optimum early, the time goes into the proof, and pure CP search
    with clause learning (`no_lp`, no LP relaxation) proves it faster (benchmarks/README.md:
    j30 hard instances 147 s -> 106 s, 22 -> 28 of 31 proven)."""
    if workers == 1:
        solver.parameters.linearization_level = 0
    elif workers == 2:
        solver.parameters.subsolvers.append("no_lp")


class _Model(NamedTuple):
    model: cp_model.CpModel
    starts: list[cp_model.IntVar]
    makespan: cp_model.IntVar


def _build(
    problem: RcpspProblem,
    lb: int,
    ub: int,
    hint: list[int],
    order: list[tuple[int, int]] = (),  # type: ignore[assignment]
) -> _Model:
    """The CP-SAT model: start windows from the critical path and `ub`, makespan in
    [lb, ub], precedences (and the extra ones in `order`), one cumulative per resource and
    a no-overlap over the jobs of which no two fit together on a resource."""
    m = cp_model.CpModel()
    es, tails, d = problem.earliest_starts(), problem.tails(), problem.durations
    starts = [m.new_int_var(es[j], ub - tails[j], f"s{j + 1}") for j in range(problem.n_jobs)]
    ivs = [
        m.new_fixed_size_interval_var(s, dj, f"job{j + 1}")
        for j, (s, dj) in enumerate(zip(starts, d))
    ]
    makespan = m.new_int_var(lb, ub, "makespan")
    for j, succ in enumerate(problem.successors):
        for k in succ:
            m.add(starts[k] >= starts[j] + d[j])
        if not succ:
            m.add(makespan >= starts[j] + d[j])
    for i, k in order:
        m.add(starts[k] >= starts[i] + d[i])
    for r, cap in enumerate(problem.capacities):
        jobs = [j for j in range(problem.n_jobs) if problem.demands[j][r] > 0 and d[j] > 0]
        if sum(problem.demands[j][r] for j in jobs) > cap:
            m.add_cumulative([ivs[j] for j in jobs], [problem.demands[j][r] for j in jobs], cap)
        big = [j for j in jobs if 2 * problem.demands[j][r] > cap]
        if len(big) > 1:
            m.add_no_overlap([ivs[j] for j in big])
    for s, h in zip(starts, hint):
        m.add_hint(s, h)
    m.add_hint(makespan, rcpsp_makespan(problem, hint))
    m.minimize(makespan)
    return _Model(m, starts, makespan)


class _Collector(SearchRecorder):
    """A SearchRecorder that also hands every solution's start times to `on_solution`."""

    def __init__(self, starts: list[cp_model.IntVar], on_solution, stop: StopToken | None):  # type: ignore[no-untyped-def]
        super().__init__("rcpsp", stop=stop)
        self._starts = starts
        self._on_solution = on_solution

    def on_solution_callback(self) -> None:
        super().on_solution_callback()
        self._on_solution([self.value(s) for s in self._starts])


class _Incumbent:
    """The best schedule so far, shared by the full search (in a thread) and `lns`."""

    def __init__(self, problem: RcpspProblem, starts: list[int]):
        self.problem = problem
        self.lock = threading.Lock()
        self.starts, self.span = list(starts), rcpsp_makespan(problem, starts)

    def offer(self, starts: list[int]) -> None:
        span = rcpsp_makespan(self.problem, starts)
        with self.lock:
            if span < self.span:
                self.starts, self.span = list(starts), span

    def get(self) -> tuple[list[int], int]:
        with self.lock:
            return self.starts, self.span


class _Either:
    """A stop token set when any of its tokens is."""

    def __init__(self, *tokens: StopToken | None):
        self.tokens = [t for t in tokens if t is not None]

    def is_set(self) -> bool:
        return any(t.is_set() for t in self.tokens)


def _solve(
    built: _Model,
    params: SolveParams,
    workers: int,
    stop: StopToken | None,
    portfolio: bool = True,
    on_solution=None,  # type: ignore[no-untyped-def]
) -> tuple[Status, list[int] | None, int]:
    """Solve a built model: status, start times (or None) and CP-SAT's bound (0 when the
    search did not run: `stop` was set before)."""
    if stop is not None and stop.is_set():
        return "unknown", None, 0
    solver = cp_model.CpSolver()
    params.apply(solver)
    if portfolio:
        _portfolio(solver, workers)
    if on_solution is None:
        recorder = SearchRecorder("rcpsp", stop=stop)
    else:
        recorder = _Collector(built.starts, on_solution, stop)
    status = status_name(recorder.solve(solver, built.model))
    if status in ("infeasible", "unknown"):
        return status, None, int(solver.best_objective_bound or 0)
    return status, [solver.value(s) for s in built.starts], int(solver.best_objective_bound)


def _window_model(
    problem: RcpspProblem, best: list[int], t1: int, t2: int, lb: int
) -> tuple[cp_model.CpModel, list[cp_model.IntVar], cp_model.IntVar]:
    """The neighbourhood of `lns`: jobs that start before t1 keep their starts, jobs that
    start in [t1, t2) are free, jobs that start from t2 on move left together by one
    shift (so they stay feasible among themselves). Minimises the makespan, then the sum
    of the free starts (left-justified, which leaves room for the next window)."""
    m = cp_model.CpModel()
    n, d = problem.n_jobs, problem.durations
    span = rcpsp_makespan(problem, best)
    shift = m.new_int_var(-(t2 - t1), 0, "shift")
    es = problem.earliest_starts()
    tails = problem.tails()
    starts: list = []
    free = []
    for j in range(n):
        if best[j] < t1:
            starts.append(best[j])
        elif best[j] < t2:
            v = m.new_int_var(max(es[j], t1 - (t2 - t1)), span - tails[j], f"s{j + 1}")
            m.add_hint(v, best[j])
            starts.append(v)
            free.append(v)
        else:
            starts.append(best[j] + shift)
    for j, succ in enumerate(problem.successors):
        for k in succ:
            if not (isinstance(starts[j], int) and isinstance(starts[k], int)):
                m.add(starts[k] >= starts[j] + d[j])
    makespan = m.new_int_var(lb, span, "makespan")
    for j in range(n):
        if not problem.successors[j]:
            m.add(makespan >= starts[j] + d[j])
    for r, cap in enumerate(problem.capacities):
        jobs = [j for j in range(n) if problem.demands[j][r] > 0 and d[j] > 0]
        ivs = []
        for j in jobs:
            if best[j] + d[j] <= t1 - (t2 - t1) and isinstance(starts[j], int):
                continue  # fixed and ends before any free job can start
            if isinstance(starts[j], int):
                ivs.append(m.new_fixed_size_interval_var(starts[j], d[j], f"f{j + 1}"))
            else:
                ivs.append(m.new_fixed_size_interval_var(starts[j], d[j], f"job{j + 1}"))
        kept = [j for j in jobs if not (best[j] + d[j] <= t1 - (t2 - t1) and best[j] < t1)]
        m.add_cumulative(ivs, [problem.demands[j][r] for j in kept], cap)
    m.add_hint(shift, 0)
    m.add_hint(makespan, span)
    m.minimize(makespan * (n * (span + 1)) + sum(free))
    return m, starts, shift


def lns(
    problem: RcpspProblem,
    starts: list[int],
    lb: int,
    deadline: float,
    *,
    seed: int = 0,
    workers: int = 1,
    stop: StopToken | None = None,
    log: bool = False,
    incumbent: _Incumbent | None = None,
) -> list[int]:
    """Large-neighbourhood search around CP-SAT from a feasible schedule: free the jobs
    that start in a time window, keep the starts of those before it and shift those after
    it left as one block (`_window_model`); a schedule at least as short replaces the
    current one. The windows sweep the schedule from left to right with random widths of
    8-25 % of the makespan, each searched for at most `LNS_SECONDS`; after every accepted
    schedule one forward-backward justification pass (`justify`). Ends at
    `deadline` (`time.perf_counter()`), at `lb`, or when `stop` is set. With `incumbent`
    (shared with a full search running beside it) a shorter schedule found there is
    taken over, and every improvement is offered back."""
    rng = random.Random(seed)
    best, span = list(starts), rcpsp_makespan(problem, starts)
    back = _reversed(problem)
    t1 = 0
    while span > lb and not (stop is not None and stop.is_set()):
        left = deadline - time.perf_counter()
        if left < 0.05:
            break
        width = max(2, int(span * rng.uniform(0.08, 0.25)))
        if incumbent is not None:
            other, other_span = incumbent.get()
            if other_span < span:
                best, span = other, other_span
                if span <= lb:
                    break
        if t1 >= span:
            t1 = 0
        t2 = t1 + width
        m, vars_, _ = _window_model(problem, best, t1, t2, lb)
        solver = cp_model.CpSolver()
        SolveParams(
            time_limit=min(left, LNS_SECONDS), seed=rng.randrange(1 << 30), workers=workers, log=log
        ).apply(solver)
        status = status_name(SearchRecorder("rcpsp", stop=stop).solve(solver, m))
        if status in ("optimal", "feasible"):
            found = [v if isinstance(v, int) else solver.value(v) for v in vars_]
            _assert_schedule(problem, found)
            if rcpsp_makespan(problem, found) <= span:
                best, span = found, rcpsp_makespan(problem, found)
                again = justify(problem, best, back)
                if rcpsp_makespan(problem, again) <= span:
                    best, span = again, rcpsp_makespan(problem, again)
                if incumbent is not None:
                    incumbent.offer(best)
        t1 += max(1, width // 2)
    return best


def solve_rcpsp(
    problem: RcpspProblem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 0,
    log: bool = False,
    stop: StopToken | None = None,
) -> RcpspResult:
    """Minimise the makespan of a PSPLIB instance in integer time.

    Start windows come from the critical path and the makespan of a serial-SGS schedule
    (latest-finish priority; when it is not provably optimal, the best of three rules with
    forward-backward justification), which is also the hint; the makespan is bounded below
    by the critical path, the resource energy and energetic reasoning
    (`models.rcpsp.energetic_lower_bound`). Jobs of which no two fit together on a
    resource also share a no-overlap (a stronger propagation than the cumulative alone).
    With two workers the full-problem worker searches without LP relaxation (`_portfolio`).
    Projects of more than 62 jobs (j90, j120) run `lns` (one worker) beside that search
    (the other workers), sharing the best schedule (`_portfolio_with_lns`); with one
    worker the search gets a fifth of the time and `lns` the rest. `stop` (e.g. a
    `threading.Event`) ends the search early with the best schedule so far.
    """
    t0 = time.perf_counter()
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers, log=log)
    hint = serial_sgs(problem)
    ub, lb = rcpsp_makespan(problem, hint), problem.lower_bound()
    if ub > lb:
        lb = energetic_lower_bound(problem, ub)
    if ub > lb:
        hint = justified_schedule(problem)
        ub = min(ub, rcpsp_makespan(problem, hint))
    if ub <= lb:
        _assert_schedule(problem, hint)
        return RcpspResult("optimal", ub, ub, time.perf_counter() - t0, hint)
    built = _build(problem, lb, ub, hint)
    if problem.n_jobs <= LNS_JOBS:
        status, found, bound = _solve(built, params.left_after(t0), workers, stop)
        found = found if found is not None else hint
    elif workers == 1:
        first = params.left_after(t0)
        first = replace(first, time_limit=max(0.5, first.time_limit / 5))
        status, found, bound = _solve(built, first, workers, stop)
        found = found if found is not None else hint
        if status != "optimal" and rcpsp_makespan(problem, found) > max(bound, lb):
            found = lns(problem, found, max(bound, lb), t0 + time_limit, seed=seed, stop=stop)
    else:
        status, found, bound = _portfolio_with_lns(problem, built, hint, lb, params, t0, stop)
    bound = max(bound, lb)
    _assert_schedule(problem, found)
    span = rcpsp_makespan(problem, found)
    status = "optimal" if span <= bound else "feasible"
    return RcpspResult(status, span, bound, time.perf_counter() - t0, found)


def _portfolio_with_lns(
    problem: RcpspProblem,
    built: _Model,
    hint: list[int],
    lb: int,
    params: SolveParams,
    t0: float,
    stop: StopToken | None,
) -> tuple[Status, list[int], int]:
    """The full search (all workers but one, in a thread) beside `lns` (one worker) for
    the whole time limit, sharing the best schedule; either ends the other when it
    reaches the bound."""
    incumbent = _Incumbent(problem, hint)
    full_done, lns_done = threading.Event(), threading.Event()
    out: dict = {}
    full = replace(params.left_after(t0), workers=params.workers - 1 if params.workers else 0)

    def search() -> None:
        try:
            out["full"] = _solve(
                built, full, full.workers, _Either(stop, lns_done), on_solution=incumbent.offer
            )
        finally:
            full_done.set()

    thread = threading.Thread(target=search, name="rcpsp-full", daemon=True)
    thread.start()
    try:
        best = lns(
            problem,
            hint,
            lb,
            t0 + params.time_limit,
            seed=params.seed,
            stop=_Either(stop, full_done),
            incumbent=incumbent,
        )
        incumbent.offer(best)
    finally:
        lns_done.set()
        thread.join()
    status, _, bound = out.get("full", ("unknown", None, 0))
    return status, incumbent.get()[0], bound


def _assert_schedule(problem: RcpspProblem, starts: list[int]) -> None:
    raise_on_violations(check_rcpsp(problem, starts), f"{problem.name}: the schedule")
