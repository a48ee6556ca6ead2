"""PSPLIB's single-mode RCPSP in plain integer time (no calendar): the problem data and the
bounds that follow from them alone, and the checker of a schedule (`check_rcpsp`). The
solver lives in `solver.rcpsp`."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class RcpspProblem:
    """A single-mode RCPSP in plain integer time (PSPLIB): jobs 0..n-1, job 0 the source
    and job n-1 the sink (both of duration 0)."""

    name: str
    durations: list[int]
    successors: list[list[int]]
    capacities: list[int]
    demands: list[list[int]]  # demands[job][resource]
    horizon: int = 0  # the file's horizon (sum of durations)
    critical_path: int | None = None  # the file's MPM-Time, if given

    @property
    def n_jobs(self) -> int:
        return len(self.durations)

    def predecessors(self) -> list[list[int]]:
        pred: list[list[int]] = [[] for _ in self.durations]
        for i, succ in enumerate(self.successors):
            for j in succ:
                pred[j].append(i)
        return pred

    def topological_order(self) -> list[int]:
        pred = self.predecessors()
        indeg = [len(p) for p in pred]
        ready = [j for j, d in enumerate(indeg) if d == 0]
        order: list[int] = []
        while ready:
            j = ready.pop()
            order.append(j)
            for k in self.successors[j]:
                indeg[k] -= 1
                if indeg[k] == 0:
                    ready.append(k)
        if len(order) != self.n_jobs:
            raise ValueError(f"{self.name}: the precedence relation has a cycle")
        return order

    def earliest_starts(self) -> list[int]:
        es = [0] * self.n_jobs
        for j in self.topological_order():
            for k in self.successors[j]:
                es[k] = max(es[k], es[j] + self.durations[j])
        return es

    def tails(self) -> list[int]:
        """Longest path from a job's start to the end of the project (its duration included)."""
        tail = list(self.durations)
        for j in reversed(self.topological_order()):
            for k in self.successors[j]:
                tail[j] = max(tail[j], self.durations[j] + tail[k])
        return tail

    def lower_bound(self) -> int:
        """max(critical path, ceil(energy / capacity) per resource)."""
        lb = max((e + d for e, d in zip(self.earliest_starts(), self.durations)), default=0)
        for r, cap in enumerate(self.capacities):
            energy = sum(d * dem[r] for d, dem in zip(self.durations, self.demands))
            if cap > 0:
                lb = max(lb, math.ceil(energy / cap))
        return lb


def energetic_infeasible(problem: RcpspProblem, makespan: int) -> bool:
    """True if no schedule ends by `makespan`, by energetic reasoning (Baptiste, Le Pape and
    Nuijten): every job must start in [earliest start, makespan - tail]; in any interval
    [t1, t2) a job takes at least the part of its duration that falls inside the interval
    when it is scheduled as far left or as far right as its window allows; if on some
    resource these least amounts of work exceed capacity x (t2 - t1), the makespan is too
    short. The intervals run from an earliest or latest start to an earliest or latest
    finish (the ones where the least work changes slope)."""
    d = np.array(problem.durations, dtype=np.int64)
    es = np.array(problem.earliest_starts(), dtype=np.int64)
    ls = makespan - np.array(problem.tails(), dtype=np.int64)
    if (ls < es).any():
        return True  # shorter than the critical path
    busy = d > 0
    d, es, ls = d[busy], es[busy], ls[busy]
    dem = np.array(problem.demands, dtype=np.int64).reshape(len(problem.durations), -1)[busy]
    caps = np.array(problem.capacities, dtype=np.int64)
    if not len(d) or not len(caps):
        return False
    ect, lct = es + d, ls + d
    t1s = np.unique(np.concatenate([es, ls]))
    t2s = np.unique(np.concatenate([ect, lct]))
    for t1 in t1s:
        t2 = t2s[t2s > t1]
        if not len(t2):
            continue
        length = (t2 - t1)[:, None]
        # least work of every job (columns) inside [t1, t2) for every t2 (rows)
        least = np.minimum(np.minimum(length, d), np.minimum(ect - t1, t2[:, None] - ls))
        work = np.maximum(least, 0) @ dem
        if (work > length * caps).any():
            return True
    return False


def energetic_lower_bound(problem: RcpspProblem, upper: int | None = None) -> int:
    """The least makespan from `lower_bound` up that energetic reasoning cannot refute
    (`energetic_infeasible`): a destructive lower bound. It stops at `upper` (a known
    schedule's makespan) when given."""
    t = problem.lower_bound()
    while (upper is None or t < upper) and energetic_infeasible(problem, t):
        t += 1
    return t


def check_rcpsp(problem: RcpspProblem, starts: list[int]) -> list[str]:
    """Violations of a schedule (start time of every job); an empty list means feasible."""
    n = problem.n_jobs
    if len(starts) != n:
        return [f"{len(starts)} start times for {n} jobs"]
    out = [f"job {j + 1} starts at {s} < 0" for j, s in enumerate(starts) if s < 0]
    for i, succ in enumerate(problem.successors):
        for j in succ:
            if starts[j] < starts[i] + problem.durations[i]:
                out.append(f"job {j + 1} starts at {starts[j]} before job {i + 1} ends")
    end = max((s + d for s, d in zip(starts, problem.durations)), default=0)
    for r, cap in enumerate(problem.capacities):
        profile = [0] * (end + 1)
        for j, s in enumerate(starts):
            for t in range(max(0, s), s + problem.durations[j]):
                profile[t] += problem.demands[j][r]
        over = [t for t, u in enumerate(profile) if u > cap]
        if over:
            out.append(f"resource {r + 1} over its capacity {cap} at times {over[:5]}")
    return out


def rcpsp_makespan(problem: RcpspProblem, starts: list[int]) -> int:
    return max((s + d for s, d in zip(starts, problem.durations)), default=0)
