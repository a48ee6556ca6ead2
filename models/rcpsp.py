"""PSPLIB's single-mode RCPSP in plain integer time (no calendar): the problem data and the
bounds that follow from them alone. The solver lives in `solver.rcpsp`, the checker in
`models.check_rollout.check_rcpsp`."""

from __future__ import annotations

import math
from dataclasses import dataclass


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
