"""The training calendar's search strategy (CP-SAT on `solver.training_model.TrainingModel`).

`solve` first bounds the objective with the time-indexed LP of solver.training_bound
(when it fits the time limit) and adds `objective >= bound` to the model; the LP's start
days are the hint, and rounded by list scheduling (`lp_rounding`) they give a complete plan:
the full model's hint when nothing better is known, and the returned plan when CP-SAT ends
with none as good. It then searches near the LP's solution (`_lp_neighbourhood`) before the
full model. Where the LP is skipped as too slow, the LNS on small models of
`solver.training_lns` improves the fallback plan first (`TrainingPart._lns_share`).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from models.check_training import check_training, training_terms, weighted_objective
from models.instance import Instance
from models.plan import TrainingPlan
from models.training_tasks import SessionWindows, deadline_shortfalls, remaining_sessions
from solver.params import BASELINE_FALLBACK, Result, SolveParams, raise_on_violations
from solver.progress import ProgressHook, StopToken
from solver.skeleton import Fallback, Run, Search, integral_objective, run_part
from solver.training_bound import TrainingBound, training_bound, window_bound
from solver.training_model import TrainingModel

__all__ = ["TrainingModel", "calendar_conflict", "explain_infeasibility", "solve", "tune"]


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 0,
    previous: TrainingPlan | None = None,
    progress: ProgressHook | None = None,
    hint: bool = True,
    explain: bool = True,
    relax: bool = True,
    log: bool = False,
    stop: StopToken | None = None,
    work_limit: float | None = None,
) -> Result[TrainingPlan]:
    """Plan the remaining training sessions.

    `relax`: first solve the time-indexed LP relaxation (solver.training_bound); its bound
    goes into the model and its start days are the hint. `stop` (set from outside) ends
    the searches; the best plan so far or the checked fallback is returned.

    Returns a Result whose plan has passed `check_training`; its status is `infeasible`
    (with `outcome.message` naming the conflicting rules when `explain`) or `unknown` when
    no plan exists or none was found in time.
    """
    params = SolveParams(
        time_limit=time_limit, seed=seed, workers=workers, log=log, work_limit=work_limit
    )
    part = TrainingPart(instance, previous, hint=hint, relax=relax, seed=seed)
    return run_part(part, params, progress=progress, stop=stop, explain=explain)


class TrainingPart:
    """The training part for `solver.skeleton.run_part`: the greedy baseline (or the rounded
    LP) as hint and fallback; the search: LP bound, near the LP, the full model."""

    name = "training"
    scale = 1.0
    replaces_worse = True

    def __init__(
        self,
        instance: Instance,
        previous: TrainingPlan | None,
        *,
        hint: bool,
        relax: bool,
        seed: int,
    ):
        self.instance = instance
        self.previous = previous
        self.hint = hint
        self.relax = relax
        self.seed = seed
        self.weights = instance.training.weights.as_dict() if instance.training else {}
        self.tm: TrainingModel | None = None
        self._fallback: Fallback[TrainingPlan] | None = None
        self._source = "baseline"  # where the fallback comes from: SOURCES

    def build(self) -> None:
        from solver.baselines import greedy_training  # local: baselines import this module

        if calendar_conflict(self.instance):
            return
        windows = SessionWindows.of(self.instance)  # shared by the baseline, model and LP
        start_plan = greedy_training(self.instance, windows=windows) if self.hint else None
        self._fallback = self._checked(start_plan, "baseline")
        if self.hint and self.previous is not None:
            kept = self._checked(kept_previous(self.instance, self.previous, windows), "previous")
            if kept is not None and (self._fallback is None or kept.value < self._fallback.value):
                self._fallback, self._source = kept, "previous"
                start_plan = kept.plan
        self.tm = TrainingModel(self.instance, self.previous, hint=start_plan, windows=windows)

    def search(self, run: Run) -> Search:
        tm = self.tm
        if tm is None or tm.empty_windows:  # no model CP-SAT can solve
            return Search(cp_model.INFEASIBLE, modelled=False)
        lower: TrainingBound | None = None
        floor: int | None = window_bound(tm)  # proven outside CP-SAT
        if self.relax:
            # at most LP_SHARE of the time left goes to the LP; without it CP-SAT's bound is
            # weak
            if run.params.work_limit is None:
                left = run.params.time_limit - run.seconds()
            else:
                # a reproducible run: whether the LP runs depends on the instance's size
                # (its predicted seconds against the whole limit), not on the seconds left
                left = run.params.time_limit
            run.emit("lp_bound", bound=floor)
            lower = training_bound(tm, left * LP_SHARE, run.stop)
            if lower is not None:
                floor = lower.value
                tm.add_lower_bound(lower.value)
                run.emit("lp_bound", bound=floor)
                if self.hint:
                    rounded = self._checked(lp_rounding(self.instance, tm, lower), "rounded")
                    fallback = self._fallback
                    if rounded is not None and (fallback is None or rounded.value < fallback.value):
                        self._fallback, self._source = rounded, "rounded"
                        tm.hint_plan(rounded.plan)  # a complete plan near the LP's solution
                    elif self._source != "previous":  # a kept previous plan stays the hint
                        start = fallback.plan if fallback is not None else None
                        tm.hint_start_days(lower.days(), start)
        near: cp_model.CpSolver | None = None  # a plan found near the LP's solution
        if lower is not None:
            fb = self._fallback
            rounded_plan = fb.plan if fb is not None and self._source == "rounded" else None
            near = _lp_neighbourhood(run, tm, lower, rounded_plan)
        if near is not None and near.objective_value <= lower.value + 1e-9:
            # at the LP bound: optimal; the restricted model's bound says nothing, the LP's does
            return Search(cp_model.OPTIMAL, near, bound_holds=False, known_bound=floor)
        fb = self._fallback
        if near is not None and (fb is None or near.objective_value < fb.value):
            tm.hint_solution(near)
        lns = self._lns_share(run, lower)
        if lns and self._improve(run, floor, run.time_left() * lns):
            tm.hint_plan(self._fallback.plan)
        if lns >= 1.0:  # the full model is too large to search (LNS_ONLY_SESSIONS)
            return Search(cp_model.UNKNOWN, None, bound_holds=False, known_bound=floor)
        solver, code = run.cp_sat(tm.model, run.params.left_after(run.t0), tune=_tuner(lower))
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and near is not None:
            return Search(cp_model.FEASIBLE, near, bound_holds=False, known_bound=floor)
        return Search(code, solver, known_bound=floor)

    def _lns_share(self, run: Run, lower: TrainingBound | None) -> float:
        """The share of the time left for the LNS on small models (`solver.training_lns`)
        before the full model: LNS_SHARE where the LP was skipped as too slow for the time
        limit (an office whose full model CP-SAT does not close either: office-unlike,
        generated-L at 60 s, XL) and the office has at least LNS_MIN_GROUPS groups. None
        where the LP ran (Bremen, generated-S and M close with it), with `relax` off, in a
        reproducible run (`--work-limit`: the LNS's moves are timed in seconds) or
        without a starting plan."""
        tm = self.tm
        if tm is None or lower is not None or not self.relax or not self.hint:
            return 0.0
        if run.params.work_limit is not None:
            return 0.0
        if len(tm.sessions) >= LNS_ONLY_SESSIONS:
            return 1.0
        return LNS_SHARE if len(tm.by_group) >= LNS_MIN_GROUPS else 0.0

    def _improve(self, run: Run, floor: int | None, seconds: float) -> bool:
        """Re-plan a few groups at a time from the fallback plan (there is no LP plan where
        the LNS runs) for `seconds`; a better plan becomes the fallback (and the full
        model's hint). True when it found one."""
        from solver.training_lns import improve

        tm = self.tm
        assert tm is not None
        if self._fallback is None:
            return False
        start, value = self._fallback.plan, self._fallback.value
        if floor is not None and value <= floor:
            return False  # proven optimal already

        def better(plan: TrainingPlan, v: float) -> None:
            bound = floor if floor is not None and floor <= v else None
            run.emit("lns", objective=v, bound=bound)
            run.history.add(run.seconds(), v, bound)

        run.emit("lns", objective=value)
        out = improve(
            self.instance,
            start,
            seconds=seconds,
            windows=tm.windows,
            previous=self.previous,
            seed=self.seed,
            workers=run.params.workers or 1,
            stop=run.stop,
            on_better=better,
        )
        run.history.work += out.work
        if not out.improved:
            return False
        self._fallback = self._checked(out.plan, "lns")
        self._source = "lns"
        return True

    def fallback(self) -> Fallback[TrainingPlan] | None:
        return self._fallback

    def _checked(self, plan: TrainingPlan | None, source: str) -> Fallback | None:
        """A plan from outside CP-SAT as a fallback (the hand-planning baseline, the LP
        rounded by list scheduling, or the previous plan kept), checked."""
        if plan is None:
            return None
        raise_on_violations(check_training(self.instance, plan), "a fallback training plan")
        terms = training_terms(self.instance, plan, self.previous)
        value = float(weighted_objective(self.instance, terms))
        rounded = source == "rounded"
        source = SOURCES[source]

        def message(found: str) -> str:
            return (
                f"CP-SAT found {found} within the time limit; this is {source} (it passed the "
                "checker), the bound is the LP's or CP-SAT's. Raise --time-limit for a better "
                "plan."
            )

        no_plan = message("no plan") if rounded else BASELINE_FALLBACK
        if source == SOURCES["lns"]:
            no_plan = (
                f"This is {source} (it passed the checker): the whole model is too large to "
                "search within the time limit, or CP-SAT found no plan in it; the bound is "
                "the LP's or the calendar's. Raise --time-limit for a better plan."
            )
        return Fallback(
            plan,
            value,
            {k: float(v) for k, v in terms.items()},
            worse_message=message("a worse plan"),
            no_plan_message=no_plan,
        )

    def objective(self, solver: cp_model.CpSolver, plan: TrainingPlan) -> float:
        return integral_objective(solver)

    def extract(self, solver: cp_model.CpSolver) -> TrainingPlan:
        assert self.tm is not None
        return self.tm.extract(solver)

    def check(self, plan: TrainingPlan) -> list:
        return check_training(self.instance, plan)

    def terms(self, solver: cp_model.CpSolver, plan: TrainingPlan) -> dict[str, float]:
        assert self.tm is not None
        # a term the model does not build (its weight is 0) is the checker's count
        terms = {k: float(v) for k, v in training_terms(self.instance, plan, self.previous).items()}
        terms.update({name: float(solver.value(expr)) for name, expr in self.tm.terms.items()})
        return terms

    def explain(self, time_limit: float) -> list[str]:
        return explain_infeasibility(self.instance, time_limit=time_limit, seed=self.seed)


SOURCES = {
    "baseline": "the hand-planning baseline's plan",
    "rounded": "the LP relaxation's start days rounded into a plan by list scheduling",
    "previous": "the previous plan, kept where it still fits (list scheduling from its dates)",
    "lns": "the best plan improved by re-planning a few groups at a time",
}

LNS_SHARE = 0.5
"""The share of the time left for the LNS on small models, before the full model.
office-unlike at 60 s (workers=2): CP-SAT alone 6864-6929 over three seeds; the LNS alone
from the baseline 6820-6839 (benchmarks/README.md)."""
LNS_ONLY_SESSIONS = 2000
"""From this many sessions the LNS gets all the time and the whole model is not searched:
generated-XL (3,000 sessions) at 60 s, CP-SAT found no plan in the whole model in 60 s
(before) nor in the 23 s left after the LNS (251249 from the LNS, 251811 the baseline)."""
LNS_MIN_GROUPS = 4  # below this, a neighbourhood of two or three groups is most of the office


def kept_previous(
    instance: Instance, previous: TrainingPlan, windows: SessionWindows | None = None
) -> TrainingPlan | None:
    """The previous plan as a start for a re-plan: the plan itself when it still passes
    the checker (a re-plan with nothing changed moves nothing), else list scheduling in the
    order of its dates, each session on the first feasible day from its previous one
    (`baselines.greedy_training`). Re-planning Bremen against its own optimal plan started
    from the hand-planning baseline (2919) and took 2.0-2.4 s to get back to the plan,
    against 1.0 s for the first solve."""
    from solver.baselines import greedy_training

    if not check_training(instance, previous):
        return previous
    dates = {(s.group, s.session): s.start for s in previous.sessions if s.start is not None}
    return greedy_training(instance, priority=dates, windows=windows) if dates else None


def lp_rounding(instance: Instance, tm: TrainingModel, lower: TrainingBound) -> TrainingPlan | None:
    """The LP's start days rounded into a plan: list scheduling in their order, each
    session on the first feasible day from its LP day (`baselines.greedy_training`)."""
    from solver.baselines import greedy_training

    days = {tm.sessions[i].task.key: tm.cal.days[w] for i, w in lower.days().items()}
    return greedy_training(instance, priority=days, windows=tm.windows)


def _tuner(lower: TrainingBound | None):
    def apply(solver: cp_model.CpSolver) -> None:
        tune(solver)
        if lower is not None and solver.parameters.num_workers == 2:
            # the bound comes from the LP; the full worker searches without CP-SAT's own LP
            # (faster nodes). generated-S at 40 s: the optimum in 2 of 5 runs against 0 of 3
            # with default_lp; generated-M at 60 s: 18752 against 18757
            solver.parameters.subsolvers.append("no_lp")

    return apply


LP_SHARE = 0.65
"""The LP may take this share of the time left, and runs when predicted to need at most 90 %
of that: generated-L's LP (56-65 s) runs at a 120 s limit, not at 60 s."""

LP_FIX_SHARE = 0.9  # sessions whose LP start has at least this share on one day are fixed


def _lp_neighbourhood(
    run: Run,
    tm: TrainingModel,
    lower: TrainingBound,
    rounded: TrainingPlan | None = None,
) -> cp_model.CpSolver | None:
    """Search near the LP's solution first: the sessions whose LP start sits (mostly) on
    one day are fixed there, for at most a third of the time left. A plan found there is
    a plan of the full model; one at the LP bound is optimal. The restricted model's own
    bound says nothing about the full model, so the history carries the LP bound.
    generated-S: the optimum 5831 in 4.0-4.5 s over three seeds with 48 of 156 sessions
    fixed (share 0.9; 4.8-5.9 s at 0.8, 4.2-5.3 s at 0.6-0.7, and at 0.5 the fixings
    conflict), where the full model needed 16 s to more than 60 s; generated-M: 18742 in
    0.7-0.9 s (352 of 360 fixed), the full model 18746 after 60 s.

    `rounded` (the LP rounded into a plan, already tm's hint): only the sessions it places
    on their LP day are fixed, so the restricted model starts from a complete plan.
    generated-L at 120 s: 50025 against 50201-50223 with the LP days fixed and hinted."""
    fixed = lower.days(LP_FIX_SHARE)
    if rounded is not None:
        by_key = rounded.by_key()
        agreed = {}
        for i, w in fixed.items():
            p = by_key.get(tm.sessions[i].task.key)
            if p is not None and p.start == tm.cal.days[w]:
                agreed[i] = w
        fixed = agreed
    if not fixed:
        return None
    restricted = cp_model.CpModel()
    restricted.proto.copy_from(tm.model.proto)
    for i, w in fixed.items():
        restricted.add(tm.sessions[i].start == tm.cal.offsets[w])
    budget = run.params.left_after(run.t0).share(1 / 3)
    solver, code = run.cp_sat(
        restricted, budget, tune=_tuner(lower), phase="near_lp", bound_override=float(lower.value)
    )
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return solver


def tune(solver: cp_model.CpSolver) -> None:
    """No probing in presolve: on the calendar models probing costs most of the presolve
    and finds little. workers=2, shared machine: time to the first solution Bremen
    0.82 -> 0.13 s (proof 1.65 -> 0.6 s), generated-S 8.7 -> 2.9 s, generated-M 15.0 ->
    3.1 s; objective after 20 s S 5907 -> 5856, M 19544 -> 19184."""
    solver.parameters.cp_model_probing_level = 0


def calendar_conflict(instance: Instance) -> str | None:
    """Why no session can be placed at all (too few working days), or None."""
    cal = instance.working_calendar
    if len(cal) == 0:
        return "working calendar: the horizon has no working day"
    too_long = [t for t in remaining_sessions(instance) if t.days > len(cal)]
    if too_long:
        t = too_long[0]
        return (
            f"working calendar: module {t.module} needs {t.days} working days, "
            f"the horizon has {len(cal)}"
        )
    return None


def explain_infeasibility(
    instance: Instance, *, time_limit: float = 20.0, seed: int = 0
) -> list[str]:
    """Names of the rule families (with group/trainer/centre) that conflict."""
    problem = calendar_conflict(instance)
    if problem:
        return [problem]
    tm = TrainingModel(instance, explain=True)
    short = deadline_shortfalls(instance, tm.windows)  # how many days are missing, in words
    return tm.assumptions.minimal_conflict(time_limit=time_limit, seed=seed) + short
