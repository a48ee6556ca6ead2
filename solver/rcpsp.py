"""PSPLIB RCPSP instances: priority-rule schedules (serial SGS, forward-backward
justification) and the CP-SAT fast path `solve_rcpsp` in plain integer time."""

from __future__ import annotations

import heapq
import time
from typing import NamedTuple

from ortools.sat.python import cp_model

from models.plan import Status
from models.rcpsp import RcpspProblem, check_rcpsp, rcpsp_makespan
from solver.params import SolveParams, raise_on_violations, status_name


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
            finishes = [s + d for s, d in zip(starts, problem.durations)]
            rev = serial_sgs(back, [-f for f in finishes])
            end = rcpsp_makespan(back, rev)
            mirrored = [end - r - d for r, d in zip(rev, problem.durations)]
            fwd = serial_sgs(problem, mirrored)
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


def solve_rcpsp(
    problem: RcpspProblem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 0,
    log: bool = False,
) -> RcpspResult:
    """Minimise the makespan of a PSPLIB instance in integer time.

    Start windows come from the critical path and the makespan of a serial-SGS schedule
    (latest-finish priority; when it is not provably optimal, the best of three rules with
    forward-backward justification), which is also the hint; the makespan is bounded below
    by the critical path and the resource energy. Jobs of which no two fit together on a
    resource also share a no-overlap (a stronger propagation than the cumulative alone).
    With two workers the full-problem worker searches without LP relaxation (`_portfolio`).
    """
    t0 = time.perf_counter()
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers, log=log)
    hint = serial_sgs(problem)
    ub, lb = rcpsp_makespan(problem, hint), problem.lower_bound()
    if ub > lb:
        hint = justified_schedule(problem)
        ub = min(ub, rcpsp_makespan(problem, hint))
    if ub <= lb:
        _assert_schedule(problem, hint)
        return RcpspResult("optimal", ub, ub, time.perf_counter() - t0, hint)
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
    for r, cap in enumerate(problem.capacities):
        jobs = [j for j in range(problem.n_jobs) if problem.demands[j][r] > 0 and d[j] > 0]
        if sum(problem.demands[j][r] for j in jobs) > cap:
            m.add_cumulative([ivs[j] for j in jobs], [problem.demands[j][r] for j in jobs], cap)
        big = [j for j in jobs if 2 * problem.demands[j][r] > cap]
        if len(big) > 1:
            m.add_no_overlap([ivs[j] for j in big])
    for s, h in zip(starts, hint):
        m.add_hint(s, h)
    m.add_hint(makespan, ub)
    m.minimize(makespan)
    solver = cp_model.CpSolver()
    params.apply(solver)
    _portfolio(solver, workers)
    status = status_name(solver.solve(m))
    seconds = time.perf_counter() - t0
    if status in ("infeasible", "unknown"):
        return RcpspResult(status, None, int(solver.best_objective_bound or lb), seconds, None)
    found = [solver.value(s) for s in starts]
    _assert_schedule(problem, found)
    return RcpspResult(
        status, rcpsp_makespan(problem, found), int(solver.best_objective_bound), seconds, found
    )


def _assert_schedule(problem: RcpspProblem, starts: list[int]) -> None:
    raise_on_violations(check_rcpsp(problem, starts), f"{problem.name}: the schedule")
