"""Large-neighbourhood search for the training calendar, on small models.

CP-SAT's own LNS copies and presolves the whole model for every neighbourhood: on
office-unlike (192 sessions, 13,600 variables after the delta encoding) that is one move
every 2-3 s, and on generated-XL (3,000 sessions) not even a first one within a minute.
Here a neighbourhood is a handful of whole groups: `TrainingModel(free_groups=...,
frozen=plan)` builds the model of their sessions only, with the other groups' sessions
fixed where the plan has them (their days block trainers and centres and count against the
monthly caps). That model is small whatever the office's size: it is built in a fraction
of a second and searched for at most MOVE_SECONDS.

The groups of a neighbourhood are chosen to compete for the same days: a random group,
then the groups whose planned span overlaps it most, half the time only those of its
centre or sharing its trainers. The neighbourhood grows by a group when a move is proven
optimal within its budget and shrinks by one when a move finds no plan or no better one.

Every accepted plan is the whole plan, scored by the checker's terms
(`models.check_training.training_terms`), so a move that does not improve the whole
objective is never taken. The checker's verdict on the final plan is the caller's
(`solver.skeleton.run_part` checks every plan that leaves).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from models.check_training import plan_objective
from models.instance import Instance
from models.plan import TrainingPlan
from models.training_tasks import SessionWindows
from solver.progress import StopToken

MOVE_SECONDS = 2.0
"""The budget of one neighbourhood. office-unlike, 60 s from the baseline, workers=2: 6839
with 1 s (58 moves), 6825 with 2 s (32), 6820 with 4 s (16)."""
PRESOLVE = False
"""Neighbourhoods are solved without presolve: on a 24-session office-unlike neighbourhood
presolve took 0.47 s of a 0.5 s move. Without it, 3 and 4 groups at 0.5 s with two workers:
1727 and 1365 against 1765 and none; at 60 s from the baseline 6867 against 6898."""
MIN_GROUPS, MAX_GROUPS = 2, 40


@dataclass
class LnsOutcome:
    plan: TrainingPlan
    value: float
    moves: int = 0  # neighbourhoods solved
    improved: int = 0  # of them, accepted as better
    work: float = 0.0  # CP-SAT's deterministic time over the moves (the history's `work`)
    history: list[tuple[float, float]] = field(default_factory=list)  # (seconds, value)


def improve(
    instance: Instance,
    plan: TrainingPlan,
    *,
    seconds: float,
    windows: SessionWindows | None = None,
    previous: TrainingPlan | None = None,
    seed: int = 0,
    workers: int = 1,
    stop: StopToken | None = None,
    on_better=None,
) -> LnsOutcome:
    """Improve a feasible `plan` for `seconds` by re-planning neighbourhoods of groups.
    `on_better(plan, value)` is called on every accepted plan."""
    t0 = time.perf_counter()
    windows = windows if windows is not None else SessionWindows.of(instance)
    rng = random.Random(seed)
    value = float(plan_objective(instance, plan, previous))
    out = LnsOutcome(plan, value, history=[(0.0, value)])
    groups = sorted({t.group for t in windows.tasks})
    if len(groups) < 2:
        return out
    per_group = max(1, len(windows.tasks) // len(groups))
    size = max(MIN_GROUPS, min(MAX_GROUPS, 48 // per_group))
    centre_of = {g.id: g.centre for g in instance.organisation.groups}
    while True:
        left = seconds - (time.perf_counter() - t0)
        if left < 0.2 or (stop is not None and stop.is_set()):
            break
        free = _neighbourhood(out.plan, groups, centre_of, min(size, len(groups)), rng)
        tm = _model(instance, out.plan, free, windows, previous)
        if not _complete_hint(tm, out.plan):
            out.moves += 1
            continue
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.max_time_in_seconds = min(MOVE_SECONDS, left)
        p.num_workers = workers
        p.random_seed = rng.randrange(1 << 30)
        p.cp_model_probing_level = 0
        p.cp_model_presolve = PRESOLVE
        code = solver.solve(tm.model)  # (a stop is seen between moves, at most 2 s apart)
        out.moves += 1
        out.work += solver.response_proto.deterministic_time
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            size = max(MIN_GROUPS, size - 1)
            continue
        candidate = tm.extract(solver)
        v = float(plan_objective(instance, candidate, previous))
        if code == cp_model.OPTIMAL:
            size = min(MAX_GROUPS, size + 1)
        elif v >= out.value - 1e-9:
            size = max(MIN_GROUPS, size - 1)
        if v < out.value - 1e-9:
            out.plan, out.value = candidate, v
            out.improved += 1
            out.history.append((time.perf_counter() - t0, v))
            if on_better is not None:
                on_better(candidate, v)
    return out


def _model(instance, plan, free, windows, previous):
    """The neighbourhood's model, unhinted: `_complete_hint` hints every variable."""
    from solver.training_model import TrainingModel  # local: the model imports the solver

    return TrainingModel(instance, previous, windows=windows, free_groups=free, frozen=plan)


def _complete_hint(tm, plan: TrainingPlan) -> bool:
    """Hint every variable of the neighbourhood's model, not only the starts and trainers:
    the model with the free sessions fixed where `plan` has them is solved by propagation
    alone, and its solution is the hint. With the starts and trainers hinted only, one
    worker found no plan of a two-group office-unlike neighbourhood within 0.5 s."""
    fixed = cp_model.CpModel()
    fixed.proto.copy_from(tm.model.proto)
    fixed.clear_hints()
    by_key = plan.by_key()
    cal = tm.cal
    for i, s in enumerate(tm.sessions):
        p = by_key.get(s.task.key)
        if p is None or p.start is None:
            return False
        fixed.add(s.start == cal.offset(p.start))
        if p.trainer in tm.assign[i]:
            fixed.add(tm.assign[i][p.trainer] == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 1.0
    if solver.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    tm.model.clear_hints()
    values = solver.response_proto.solution
    hint = tm.model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)
    return True


def _neighbourhood(
    plan: TrainingPlan,
    groups: list[str],
    centre_of: dict[str, str],
    size: int,
    rng: random.Random,
) -> set[str]:
    """A random group and the `size` - 1 groups whose planned spans overlap it most (half
    the time among those of its centre or sharing one of its trainers first)."""
    span: dict[str, list] = {}
    trainers: dict[str, set] = defaultdict(set)
    for s in plan.sessions:
        if s.status != "planned" or s.start is None:
            continue
        lo, hi = span.get(s.group, (s.start, s.end or s.start))
        span[s.group] = (min(lo, s.start), max(hi, s.end or s.start))
        trainers[s.group].add(s.trainer)
    pool = [g for g in groups if g in span]
    if len(pool) <= size:
        return set(pool)
    g0 = rng.choice(pool)
    lo0, hi0 = span[g0]

    def overlap(g: str) -> float:
        lo, hi = span[g]
        return (min(hi, hi0) - max(lo, lo0)).days + rng.random()

    others = [g for g in pool if g != g0]
    if rng.random() < 0.5:
        close = [g for g in others if centre_of[g] == centre_of[g0] or trainers[g] & trainers[g0]]
        rest = [g for g in others if g not in close]
        ranked = sorted(close, key=overlap, reverse=True) + sorted(rest, key=overlap, reverse=True)
    else:
        ranked = sorted(others, key=overlap, reverse=True)
    return {g0, *ranked[: size - 1]}
