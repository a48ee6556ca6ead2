"""A solve's history (objective and bound over time) and its progress events: plain data
without the solver, read by the reports, the CLI and the web service (`solver.progress`
makes them)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

Phase = Literal["start", "lp_bound", "near_lp", "search", "lns", "fallback", "explain", "done"]
PHASE_TITLES: dict[str, str] = {
    "start": "building the model",
    "lp_bound": "LP bound",
    "near_lp": "searching near the LP solution",
    "search": "searching",
    "lns": "re-planning a few groups at a time",
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
    """Objective and bound of one solve over time (seconds since the part started), and
    `work`: CP-SAT's deterministic time over its searches ("work units", the measure of
    `--work-limit`), which unlike the seconds does not depend on the machine's load."""

    points: list[HistoryPoint] = field(default_factory=list)
    work: float = 0.0

    def add(self, seconds: float, objective: float | None, bound: float | None) -> None:
        if bound is not None and not math.isfinite(bound):
            bound = None
        self.points.append(HistoryPoint(seconds, objective, bound))

    def extend(self, other: SolveHistory, *, offset: float = 0.0) -> None:
        """Append `other`'s points, shifted by `offset` seconds (a later phase), and add
        its work."""
        self.points += [replace(p, seconds=p.seconds + offset) for p in other.points]
        self.work += other.work

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
            ],
            work=self.work,
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
