"""Training and rollout in one CP-SAT model (`juwe plan --joint`).

Planned one after the other, the training calendar is fixed first and the rollout then
avoids its days. In one model the training may give way to the rollout where that lowers
the combined objective (training objective + rollout objective, each with its own
weights). The joint model starts from the sequential plans (a hint, so it is never worse
when the hint is kept), and both plans it returns pass their checkers, the rollout's
against the training days of the joint training plan.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import NamedTuple

from ortools.sat.python import cp_model

from models.check_rollout import check_rollout, rollout_objective
from models.check_training import check_training, training_terms, weighted_objective
from models.coupling import training_days_by_centre
from models.instance import Instance
from models.plan import PartOutcome, RolloutPlan, TrainingPlan
from models.rollout import finish_offset
from solver.params import Result, SolveParams, status_name
from solver.progress import ProgressHook, SolveHistory, StopToken
from solver.rollout import RolloutModel, term_weights
from solver.skeleton import Fallback, Run, Search, integral_objective, run_part
from solver.training import tune
from solver.training_model import TrainingModel


class JointModel:
    """The training model and the rollout model built into one CP-SAT model, with the
    coupling rule between them as a constraint instead of fixed blocked days."""

    def __init__(
        self,
        instance: Instance,
        *,
        previous: TrainingPlan | None = None,
        hint: tuple[TrainingPlan, RolloutPlan] | None = None,
    ):
        self.instance = instance
        self.model = cp_model.CpModel()
        self.training = TrainingModel(
            instance, previous, hint=hint[0] if hint else None, model=self.model
        )
        self.rollout = RolloutModel(instance, model=self.model, units_interchangeable=False)
        if hint is not None:
            self.rollout.add_hint(hint[1])
        self.pairs = 0
        self._hinted: dict[int, int] = self._hint_values(hint) if hint is not None else {}
        self._no_training_clash()
        self.model.minimize(self.training.objective + self.rollout.objective)

    def _hint_values(self, hint: tuple[TrainingPlan, RolloutPlan]) -> dict[int, int]:
        """Calendar offsets of the hinted plans, by variable: every session day and every
        rollout task's start and finish offset (so the coupling literals get hints too and
        CP-SAT starts from a complete solution of the coupling)."""
        tm, rm = self.training, self.rollout
        values: dict[int, int] = {}
        sessions = hint[0].by_key()
        for s in tm.sessions:
            p = sessions.get(s.task.key)
            if p is None or p.start is None or not tm.cal.is_working(p.start):
                continue
            days = tm.cal.span(tm.cal.index(p.start), s.task.days)
            for var, day in zip(s.day_offsets, days):
                values[id(var)] = tm.cal.offset(day)
        tasks = hint[1].by_key()
        for t in rm.tasks:
            p = tasks.get(t.inst.key)
            if p is None or not rm.cal.is_working(p.start):
                continue
            idx = rm.cal.index(p.start)
            start, finish = rm.offset_of_start(t), rm.offset_of_finish(t)
            values[id(start)] = rm.cal.offsets[idx]
            values[id(finish)] = finish_offset(rm.cal, idx, t.inst.duration)
            self.model.add_hint(start, values[id(start)])
            self.model.add_hint(finish, values[id(finish)])
        return values

    def _no_training_clash(self) -> None:
        """A centre's rollout tasks that need its team leads use none of the days on which
        one of its groups is in module training (days that are no rollout working day, a
        rollout blackout, do not count: the same rule as `blocked_days`)."""
        tm, rm, m = self.training, self.rollout, self.model
        origin = rm.cal.origin
        rollout_days = {(d - origin).days for d in rm.cal.days}
        centre_of = {g.id: g.centre for g in self.instance.organisation.groups}
        days_by_centre: dict[str, list[cp_model.IntVar]] = {}
        for s in tm.sessions:
            days_by_centre.setdefault(centre_of[s.task.group], []).extend(s.day_offsets)
        for t in rm.tasks:
            days = days_by_centre.get(t.inst.unit) if t.inst.avoids_training else None
            if not days or t.inst.duration == 0:
                continue
            first = rm.cal.offsets[min(t.allowed)]
            last = rm.cal.offsets[max(t.allowed) + t.inst.duration - 1]
            start, finish = rm.offset_of_start(t), rm.offset_of_finish(t)
            for day in days:
                values = _values(day)
                if values[-1] < first or values[0] > last:
                    continue  # can never meet
                before = m.new_bool_var("")
                after = m.new_bool_var("")
                m.add(day < start).only_enforce_if(before)
                m.add(day >= finish).only_enforce_if(after)
                options = [before, after]
                off = [v for v in values if v not in rollout_days]
                if off:
                    outside = m.new_bool_var("")
                    m.add_linear_expression_in_domain(
                        day, cp_model.Domain.from_values(off)
                    ).only_enforce_if(outside)
                    options.append(outside)
                m.add_bool_or(options)
                self.pairs += 1
                hinted = [self._hinted.get(id(v)) for v in (day, start, finish)]
                if None not in hinted:
                    d, a, b = hinted
                    m.add_hint(before, d < a)
                    m.add_hint(after, d >= b)
                    if off:
                        m.add_hint(outside, d in off)


def _values(var: cp_model.IntVar) -> list[int]:
    flat = list(var.proto.domain)
    return [v for lo, hi in zip(flat[::2], flat[1::2]) for v in range(lo, hi + 1)]


@dataclass
class JointResult:
    outcome: PartOutcome  # the combined objective; terms: each part's objective
    training: Result[TrainingPlan] | None
    rollout: Result[RolloutPlan] | None
    history: SolveHistory


class JointPlans(NamedTuple):
    training: TrainingPlan
    rollout: RolloutPlan


def solve_joint(
    instance: Instance,
    *,
    hint: tuple[TrainingPlan, RolloutPlan] | None = None,
    previous: TrainingPlan | None = None,
    training_bound: float | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 0,
    progress: ProgressHook | None = None,
    log: bool = False,
    stop: StopToken | None = None,
    work_limit: float | None = None,
) -> JointResult:
    """Solve training and rollout together. Part results carry each part's objective and
    terms; their bounds are those of the combined objective's share, so only the joint
    outcome has a bound (part bounds are None unless the joint solve is optimal).

    `training_bound`: a proven lower bound of the training objective alone, such as the
    sequential training solve's bound. It holds here too, since the coupling only adds
    rules to the training. (The sequential rollout's bound does not: it was proven under
    the blocked days of one training plan.) Progress events carry the part name "joint"."""
    if instance.training is None or instance.rollout is None:
        raise ValueError("joint planning needs a training part and a rollout part")
    params = SolveParams(
        time_limit=time_limit, seed=seed, workers=workers, log=log, work_limit=work_limit
    )
    part = JointSolve(instance, previous, hint, training_bound)
    what = "the joint plan"
    result = run_part(part, params, progress=progress, stop=stop, explain=False, what=what)
    if result.plan is None:
        outcome = PartOutcome(status=result.status, seconds=result.seconds)
        return JointResult(outcome, None, None, result.history)
    if not part.part_results:  # no joint plan in time: the sequential plans stand
        return JointResult(result.outcome, None, None, result.history)
    parts = part.part_results
    return JointResult(result.outcome, parts["training"], parts["rollout"], result.history)


class JointSolve:
    """The joint solve for `solver.skeleton.run_part`: the sequential plans are the hint
    and, when CP-SAT finds no joint plan in time, the fallback (they keep the joint
    rules: the sequential rollout avoids the sequential training's days); one CP-SAT run,
    both plans checked."""

    name = "joint"
    scale = 1.0
    replaces_worse = False
    weights = {"training": 1, "rollout": 1}

    def __init__(
        self,
        instance: Instance,
        previous: TrainingPlan | None,
        hint: tuple[TrainingPlan, RolloutPlan] | None,
        training_bound: float | None,
    ):
        self.instance = instance
        self.previous = previous
        self.hint = hint
        self.training_bound = training_bound
        self.jm: JointModel | None = None
        self.part_results: dict[str, Result] = {}
        self._t0 = time.perf_counter()
        self._seconds = 0.0
        self._status = "unknown"

    def build(self) -> None:
        self._t0 = time.perf_counter()
        self.jm = JointModel(self.instance, previous=self.previous, hint=self.hint)
        if self.training_bound is not None and math.isfinite(self.training_bound):
            self.jm.training.add_lower_bound(math.ceil(self.training_bound - 1e-6))

    def search(self, run: Run) -> Search:
        jm = self.jm
        assert jm is not None
        if jm.training.empty_windows or jm.rollout.empty:
            return Search(cp_model.INFEASIBLE, modelled=False)
        solver, code = run.cp_sat(jm.model, run.params, tune=tune)  # the whole time limit
        self._status = status_name(code)
        self._seconds = time.perf_counter() - self._t0  # the part results': to the search's end
        return Search(code, solver)

    def fallback(self) -> Fallback[JointPlans] | None:
        if self.hint is None:
            return None
        training, rollout = self.hint
        terms = training_terms(self.instance, training, self.previous)
        t = weighted_objective(self.instance, terms)
        r = rollout_objective(self.instance, rollout)
        message = (
            "CP-SAT found no joint plan within the time limit; the plans made one after the "
            "other stand (checked). Raise --time-limit for a joint search."
        )
        values = {"training": float(t), "rollout": float(r)}
        plans = JointPlans(training, rollout)
        return Fallback(plans, float(t + r), values, no_plan_message=message)

    def objective(self, solver: cp_model.CpSolver, plan: JointPlans) -> float:
        return integral_objective(solver)

    def extract(self, solver: cp_model.CpSolver) -> JointPlans:
        assert self.jm is not None
        return JointPlans(self.jm.training.extract(solver), self.jm.rollout.extract(solver))

    def check(self, plan: JointPlans) -> list:
        blocked = training_days_by_centre(self.instance, plan.training)
        return [
            *check_training(self.instance, plan.training),
            *check_rollout(self.instance, plan.rollout, blocked),
        ]

    def terms(self, solver: cp_model.CpSolver, plan: JointPlans) -> dict[str, float]:
        """Each part's objective; the part results (their plans, objectives and terms)."""
        assert self.jm is not None and self.instance.rollout is not None
        status = self._status
        optimal = status == "optimal"
        built = {
            "training": (self.jm.training, self.instance.training.weights.as_dict()),
            "rollout": (self.jm.rollout, term_weights(self.instance.rollout)),
        }
        for name, (model, weights) in built.items():
            value = float(solver.value(model.objective))
            terms = {k: float(solver.value(e)) for k, e in model.terms.items()}
            if name == "training":  # terms at weight 0 the model does not build
                counted = training_terms(self.instance, plan.training, self.previous)
                terms = {**{k: float(v) for k, v in counted.items()}, **terms}
            part_outcome = PartOutcome(
                status=status,
                objective=value,
                bound=value if optimal else None,
                gap=0.0 if optimal else None,
                seconds=self._seconds,
                terms=terms,
                weights=weights,
                message="planned jointly with the "
                + ("rollout" if name == "training" else "training")
                + " (juwe plan --joint); the bound is the joint one",
            )
            self.part_results[name] = Result(name, part_outcome, getattr(plan, name))
        return {name: r.outcome.objective for name, r in self.part_results.items()}

    def explain(self, time_limit: float) -> list[str]:
        return []
