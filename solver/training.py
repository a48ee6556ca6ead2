"""The training-calendar model (CP-SAT).

Time is counted in calendar days from the horizon start. A session's start variable has
as its domain exactly the working days from which the module's days run on consecutive
working days inside its window, so holidays and blackouts never need a constraint, and the
spacing, completion and minimal-change rules stay linear. Multi-day sessions link their
last day to their start by a small table.

Each hard rule family is one method. In *explain* mode the families sit behind assumption
literals (per group, trainer or centre) so that an infeasible instance can be answered with
the rules in conflict; the normal mode uses tight domains and redundant constraints instead.

`solve` first bounds the objective with the time-indexed LP of solver.training_bound
(when it fits the time limit) and adds `objective >= bound` to the model; the LP's start
days are the hint, and rounded by list scheduling (`lp_rounding`) they give a complete plan:
the full model's hint when nothing better is known, and the returned plan when CP-SAT ends
with none as good. It then searches near the LP's solution (`_lp_neighbourhood`) before the
full model.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models.calendar import WEEKDAYS
from models.check_training import check_training, training_terms, weighted_objective
from models.instance import Instance
from models.plan import PartOutcome, TrainingPlan
from models.training_tasks import (
    SessionTask,
    assemble_plan,
    remaining_sessions,
    tightened_windows,
)
from solver.explain import Assumptions
from solver.params import (
    BASELINE_FALLBACK,
    Progress,
    ProgressRecorder,
    Result,
    SolveParams,
    baseline_result,
    raise_on_violations,
    relative_gap,
    status_name,
)
from solver.training_bound import TrainingBound, training_bound, window_bound

TERMS = ("completion", "trainer_balance", "weekday", "change", "trainer_change")


@dataclass
class _Session:
    task: SessionTask
    lo: int  # first allowed start (working-day index)
    hi: int  # last allowed start (working-day index)
    start: cp_model.IntVar  # calendar offset of the first day
    last: cp_model.IntVar | cp_model.LinearExpr  # calendar offset of the last day
    interval: cp_model.IntervalVar  # [first day, last day + 1) in calendar offsets
    day_offsets: list  # calendar offset of each of its days (vars or expressions)


class TrainingModel:
    """Builds the CP-SAT model of an instance's remaining training sessions."""

    def __init__(
        self,
        instance: Instance,
        previous: TrainingPlan | None = None,
        *,
        explain: bool = False,
        hint: TrainingPlan | None = None,
        model: cp_model.CpModel | None = None,
    ):
        """`model`: build into this CP-SAT model (joint planning with the rollout)."""
        if instance.training is None:
            raise ValueError("the instance has no training part")
        self.instance = instance
        self.training = instance.training
        self.cal = instance.working_calendar
        self.previous = previous
        self.explain = explain
        self.model = model if model is not None else cp_model.CpModel()
        self.assumptions = Assumptions(self.model, active=explain)
        self.trainers = [t.id for t in self.training.trainers]
        self.tasks = remaining_sessions(instance)
        self.windows = tightened_windows(instance, self.tasks)
        self.empty_windows: list[SessionTask] = []
        self._variables()
        self._add_constraints()
        self.terms: dict[str, cp_model.LinearExprT] = {}
        if not explain:
            self._objective()
            if hint is not None:
                self._add_hint(hint)

    # ----------------------------------------------------------------- variables
    def _index_window(self, task: SessionTask) -> tuple[int, int]:
        """First and last allowed start index, with the spacing rules propagated."""
        first_day, last_start_day = self.windows[task.key]
        return (
            self.cal.first_index_on_or_after(first_day),
            self.cal.last_index_on_or_before(last_start_day),
        )

    def _variables(self) -> None:
        """Start and last day of every session, as calendar offsets.

        A start's domain is the set of working days from which the module's days run on
        consecutive working days inside its window; a multi-day session's last day follows
        from its start by a table. Calendar spans are exact for overlap rules: every day of
        a span that another session can use is one of the session's own working days.
        """
        m, n = self.model, len(self.cal)
        offsets = self.cal.offsets
        self.sessions: list[_Session] = []
        for t in self.tasks:
            lo, hi = self._index_window(t)
            if lo > hi:
                self.empty_windows.append(t)
            if self.explain or lo > hi:
                lo, hi = 0, n - t.days
            hi = max(lo, hi)
            name = f"g{t.group}_s{t.session}"
            starts = offsets[lo : hi + 1] or [0]
            start = m.new_int_var_from_domain(cp_model.Domain.from_values(starts), f"start({name})")
            if t.days == 1:
                last = start
                iv = m.new_fixed_size_interval_var(start, 1, f"session({name})")
                day_offsets = [start]
            else:
                day_offsets = [start]
                for k in range(1, t.days):
                    pairs = [
                        (offsets[w], offsets[w + k]) for w in range(lo, min(hi, n - t.days) + 1)
                    ]
                    dk = m.new_int_var_from_domain(
                        cp_model.Domain.from_values([b for _, b in pairs] or [0]), f"day{k}({name})"
                    )
                    m.add_allowed_assignments([start, dk], pairs or [(0, 0)])
                    day_offsets.append(dk)
                last = day_offsets[-1]
                size = m.new_int_var(
                    t.days, offsets[-1] + 1 if offsets else t.days, f"span({name})"
                )
                iv = m.new_interval_var(start, size, last + 1, f"session({name})")
            self.sessions.append(_Session(t, lo, hi, start, last, iv, day_offsets))
        self.by_group: dict[str, list[_Session]] = defaultdict(list)
        for s in self.sessions:
            self.by_group[s.task.group].append(s)
        for seq in self.by_group.values():
            seq.sort(key=lambda s: s.task.position)
        # assignment of trainers; in explain mode a session may go to no trainer at all
        # when the trainer-capacity assumption is dropped
        self.assign: list[dict[str, cp_model.IntVar]] = []
        cap_lit = self.assumptions.literal("trainer_capacity", "all trainers")
        for s in self.sessions:
            row = {
                tid: m.new_bool_var(f"assign({s.task.group},{s.task.session},{tid})")
                for tid in self.trainers
            }
            if self.explain:
                none = m.new_bool_var(f"no_trainer({s.task.group},{s.task.session})")
                m.add_exactly_one([*row.values(), none])
                m.add_implication(cap_lit, none.Not())
            else:
                m.add_exactly_one(row.values())
            self.assign.append(row)

    # --------------------------------------------------------------- constraints
    def _rule(
        self, bounded: cp_model.BoundedLinearExpression, switch: cp_model.IntVar | bool
    ) -> None:
        """Add a rule; in explain mode behind its assumption literal."""
        ct = self.model.add(bounded)
        if switch is not True:
            ct.only_enforce_if(switch)

    def _add_constraints(self) -> None:
        self._group_windows()
        self._planned_year()
        self._module_order()
        self._spacing()
        self._trainer_no_overlap()
        self._trainer_month_cap()
        self._centre_coverage()
        if not self.explain:
            self._redundant_trainer_capacity()
            self._trainer_symmetry()

    def _group_windows(self) -> None:
        """Earliest start (snapshot date, group start) and deadline of every group."""
        if not self.explain:
            return  # in the normal mode the windows are the variables' domains
        off = self.cal.offset
        for group, seq in self.by_group.items():
            early = self.assumptions.literal("earliest_start", f"group {group}")
            late = self.assumptions.literal("deadline", f"group {group}")
            for s in seq:
                self._rule(s.start >= off(s.task.earliest), early)
                self._rule(s.last <= off(s.task.latest_end), late)

    def _planned_year(self) -> None:
        """A session whose planned year the snapshot gives is held in that year."""
        if not self.explain:
            return  # part of the domains
        off = self.cal.offset
        for group, seq in self.by_group.items():
            lit = self.assumptions.literal("planned_year", f"group {group}")
            for s in seq:
                if s.task.year is None:
                    continue
                y = s.task.year
                self._rule(s.start >= off(dt.date(y, 1, 1)), lit)
                self._rule(s.last <= off(dt.date(y, 12, 31)), lit)

    def _module_order(self) -> None:
        """A group's sessions follow the module order, one after the other."""
        for group, seq in self.by_group.items():
            lit = self.assumptions.literal("module_order", f"group {group}")
            for a, b in zip(seq, seq[1:]):
                self._rule(b.start > a.last, lit)

    def _spacing(self) -> None:
        """Calendar days from one session's start to the next one's within [min, max]."""
        sp = self.training.spacing
        for group, seq in self.by_group.items():
            lit = self.assumptions.literal("spacing", f"group {group}")
            for a, b in zip(seq, seq[1:]):
                gap = b.start - a.start
                if sp.min_days > 0:
                    self._rule(gap >= sp.min_days, lit)
                if sp.max_days is not None:
                    self._rule(gap <= sp.max_days, lit)

    def _unavailable_ranges(self, trainer_index: int) -> list[tuple[int, int]]:
        """Maximal runs [first, last] (calendar offsets) of a trainer's unavailable days."""
        t = self.training.trainers[trainer_index]
        blocked = sorted(
            {self.cal.offset(d) for r in t.unavailable for d in r.days() if self.cal.is_working(d)}
        )
        runs: list[tuple[int, int]] = []
        for i in blocked:
            if runs and runs[-1][1] == i - 1:
                runs[-1] = (runs[-1][0], i)
            else:
                runs.append((i, i))
        return runs

    def _session_interval(self, s: _Session, presence, name: str) -> cp_model.IntervalVar:
        """An optional copy of a session's calendar span, present with `presence`."""
        if s.task.days == 1:
            return self.model.new_optional_fixed_size_interval_var(s.start, 1, presence, name)
        size = self.model.new_int_var(
            s.task.days, len(self.cal.days) and self.cal.offsets[-1] + 1, ""
        )
        return self.model.new_optional_interval_var(s.start, size, s.last + 1, presence, name)

    def _trainer_no_overlap(self) -> None:
        """A trainer holds one session a day and none on an unavailable day."""
        m = self.model
        for k, tid in enumerate(self.trainers):
            ivs = [
                self._session_interval(
                    s, self.assign[i][tid], f"on({s.task.group},{s.task.session},{tid})"
                )
                for i, s in enumerate(self.sessions)
            ]
            runs = self._unavailable_ranges(k)
            if runs:
                lit = self.assumptions.literal("trainer_unavailable", f"trainer {tid}")
                for a, b in runs:
                    ivs.append(
                        m.new_optional_fixed_size_interval_var(
                            a, b - a + 1, lit, f"away({tid},{a})"
                        )
                    )
            m.add_no_overlap(ivs)

    def _trainer_month_cap(self) -> None:
        """At most `max_days_per_month` training days per trainer and calendar month."""
        m = self.model
        capped = [
            (tid, t.max_days_per_month)
            for tid, t in zip(self.trainers, self.training.trainers)
            if t.max_days_per_month is not None
        ]
        total_days = sum(s.task.days for s in self.sessions)
        capped = [(tid, cap) for tid, cap in capped if cap < min(total_days, 31)]
        if not capped:
            return
        months = sorted(set(self.cal.month_keys))
        month_no = {k: i for i, k in enumerate(months)}
        bounds: dict[int, tuple[int, int]] = {}
        for w, key in enumerate(self.cal.month_keys):
            i = month_no[key]
            lo, hi = bounds.get(i, (self.cal.offsets[w], self.cal.offsets[w]))
            bounds[i] = (min(lo, self.cal.offsets[w]), max(hi, self.cal.offsets[w]))
        # day_in[month] = (session, literal "this day of the session falls in the month")
        day_in: dict[int, list[tuple[int, cp_model.IntVar | int]]] = defaultdict(list)
        for i, s in enumerate(self.sessions):
            for k, day in enumerate(s.day_offsets):
                span = sorted(
                    {
                        month_no[self.cal.month_keys[w + k]]
                        for w in range(s.lo, s.hi + 1)
                        if w + k < len(self.cal)
                    }
                )
                if len(span) == 1:
                    day_in[span[0]].append((i, 1))
                    continue
                lits = []
                for mi in span:
                    lit = m.new_bool_var(f"in_month({s.task.group},{s.task.session},{k},{mi})")
                    first, last = bounds[mi]
                    m.add_linear_constraint(day, first, last).only_enforce_if(lit)
                    lits.append(lit)
                    day_in[mi].append((i, lit))
                m.add_exactly_one(lits)
        for tid, cap in capped:
            lit = self.assumptions.literal("trainer_month_cap", f"trainer {tid}")
            for entries in day_in.values():
                if len(entries) <= cap:
                    continue
                counted = []
                for i, in_month in entries:
                    if isinstance(in_month, int):
                        counted.append(self.assign[i][tid])
                        continue
                    both = m.new_bool_var("")
                    m.add_bool_or([both, in_month.Not(), self.assign[i][tid].Not()])
                    counted.append(both)
                self._rule(sum(counted) <= cap, lit)

    def _centre_coverage(self) -> None:
        """At most K groups of one centre in training on the same day."""
        k = self.training.max_groups_per_centre_per_day
        by_centre: dict[str, list[_Session]] = defaultdict(list)
        for s in self.sessions:
            by_centre[s.task.centre].append(s)
        if k >= len(self.trainers) and not self.explain:
            return  # implied: no more sessions a day than trainers
        for centre, sessions in sorted(by_centre.items()):
            if len({s.task.group for s in sessions}) <= k:
                continue
            lit = self.assumptions.literal("centre_coverage", f"centre {centre}")
            if self.explain:
                ivs = [self._session_interval(s, lit, "") for s in sessions]
            else:
                ivs = [s.interval for s in sessions]
            if k == 1:
                self.model.add_no_overlap(ivs)
            else:
                self.model.add_cumulative(ivs, [1] * len(ivs), k)

    def _redundant_trainer_capacity(self) -> None:
        """Redundant: on any day at most as many sessions as trainers (a strong bound)."""
        if len(self.trainers) == 1:
            return  # the trainer's own no-overlap says the same
        ivs = [s.interval for s in self.sessions]
        self.model.add_cumulative(ivs, [1] * len(ivs), len(self.trainers))

    def _trainer_symmetry(self) -> None:
        """Interchangeable trainers: trainer j's first session comes after trainer j-1's.

        Sound only when trainers are identical (same unavailability and cap) and nothing
        ties a session to a named trainer (previous plan, snapshot trainers).
        """
        ts = self.training.trainers
        if self.previous is not None or len(ts) < 2:
            return
        if any(
            (t.unavailable, t.max_days_per_month) != (ts[0].unavailable, ts[0].max_days_per_month)
            for t in ts
        ):
            return
        m = self.model
        order = sorted(
            range(len(self.sessions)),
            key=lambda i: (
                self.sessions[i].lo,
                self.sessions[i].task.group,
                self.sessions[i].task.position,
            ),
        )
        used_prev: list[cp_model.IntVar] | None = None
        for i in order:
            row = [self.assign[i][tid] for tid in self.trainers]
            if used_prev is None:
                for lit in row[1:]:
                    m.add(lit == 0)
                used_prev = row
                continue
            for j in range(1, len(row)):
                m.add_implication(row[j], used_prev[j - 1])
            used = []
            for j, lit in enumerate(row):
                u = m.new_bool_var("")
                m.add_max_equality(u, [used_prev[j], lit])
                used.append(u)
            used_prev = used

    # ----------------------------------------------------------------- objective
    def _completion(self) -> cp_model.LinearExprT:
        """Sum over groups of the calendar offset of their last session's last day."""
        return sum(seq[-1].last for seq in self.by_group.values())

    def _trainer_balance(self) -> cp_model.LinearExprT:
        """Training days of the busiest minus the least busy trainer."""
        m = self.model
        if len(self.trainers) < 2:
            return 0
        total = sum(s.task.days for s in self.sessions)
        loads = []
        for tid in self.trainers:
            load = m.new_int_var(0, total, f"load({tid})")
            m.add(
                load == sum(s.task.days * self.assign[i][tid] for i, s in enumerate(self.sessions))
            )
            loads.append(load)
        hi = m.new_int_var(0, total, "max_load")
        lo = m.new_int_var(0, total, "min_load")
        m.add_max_equality(hi, loads)
        m.add_min_equality(lo, loads)
        # redundant bounds: the busiest carries at least the average, the least at most
        k = len(self.trainers)
        m.add(hi * k >= total)
        m.add(lo * k <= total)
        return hi - lo

    def _weekday(self) -> cp_model.LinearExprT:
        """Sessions starting on a weekday that is not preferred."""
        preferred = set(self.training.preferred_weekdays)
        good = [  # exact both ways, so the reported term is right even at weight 0
            self.cal.offsets[w]
            for w, d in enumerate(self.cal.days)
            if WEEKDAYS[d.weekday()] in preferred
        ]
        penalties = []
        for s in self.sessions:
            bad = [
                w
                for w in range(s.lo, s.hi + 1)
                if WEEKDAYS[self.cal.days[w].weekday()] not in preferred
            ]
            if not bad:
                continue
            p = self.model.new_bool_var(f"off_weekday({s.task.group},{s.task.session})")
            self.model.add_linear_expression_in_domain(
                s.start, cp_model.Domain.from_values(good)
            ).only_enforce_if(p.Not())
            bad_offsets = [self.cal.offsets[w] for w in bad]
            self.model.add_linear_expression_in_domain(
                s.start, cp_model.Domain.from_values(bad_offsets)
            ).only_enforce_if(p)
            penalties.append(p)
        return sum(penalties)

    def _change(self) -> tuple[cp_model.LinearExprT, cp_model.LinearExprT]:
        """Calendar days moved and trainers changed against the previous plan."""
        if self.previous is None:
            return 0, 0
        prev = {
            (p.group, p.session): p
            for p in self.previous.sessions
            if p.status == "planned" and p.start is not None
        }
        moves, swaps = [], []
        horizon = self.cal.offset(self.cal.spec.end)
        for i, s in enumerate(self.sessions):
            p = prev.get(s.task.key)
            if p is None:
                continue
            target = self.cal.offset(p.start)
            d = self.model.new_int_var(
                0, horizon + abs(target), f"moved({s.task.group},{s.task.session})"
            )
            self.model.add_abs_equality(d, s.start - target)
            moves.append(d)
            if p.trainer in self.assign[i]:
                swaps.append(1 - self.assign[i][p.trainer])
        return sum(moves), sum(swaps)

    def _objective(self) -> None:
        change, trainer_change = self._change()
        self.terms = {
            "completion": self._completion(),
            "trainer_balance": self._trainer_balance(),
            "weekday": self._weekday(),
            "change": change,
            "trainer_change": trainer_change,
        }
        w = self.training.weights.model_dump()
        self.objective = sum(w[name] * term for name, term in self.terms.items())
        self.model.minimize(self.objective)

    def add_lower_bound(self, bound: int) -> None:
        """A proven lower bound on the objective (see solver.training_bound)."""
        self.model.add(self.objective >= bound)

    def hint_start_days(self, days: dict[int, int], plan: TrainingPlan | None) -> None:
        """Hint the sessions' start days (working-day indices, by session) instead of the
        plan's; the plan's trainers stay hinted."""
        self.model.clear_hints()
        by_key = plan.by_key() if plan is not None else {}
        for i, s in enumerate(self.sessions):
            if i in days:
                self.model.add_hint(s.start, self.cal.offsets[days[i]])
            p = by_key.get(s.task.key)
            if p is not None and p.trainer in self.assign[i]:
                for tid, lit in self.assign[i].items():
                    self.model.add_hint(lit, int(tid == p.trainer))

    def hint_plan(self, plan: TrainingPlan) -> None:
        """Hint a whole plan's starts and trainers instead of the current hints."""
        self.model.clear_hints()
        self._add_hint(plan)

    def hint_solution(self, solver: cp_model.CpSolver) -> None:
        """Hint the starts and trainers of a solution of this model (or a restriction)."""
        self.model.clear_hints()
        for i, s in enumerate(self.sessions):
            self.model.add_hint(s.start, solver.value(s.start))
            for lit in self.assign[i].values():
                self.model.add_hint(lit, solver.boolean_value(lit))

    def _add_hint(self, plan: TrainingPlan) -> None:
        by_key = plan.by_key()
        for i, s in enumerate(self.sessions):
            p = by_key.get(s.task.key)
            if p is None or p.start is None or not self.cal.is_working(p.start):
                continue
            self.model.add_hint(s.start, self.cal.offset(p.start))
            for tid, lit in self.assign[i].items():
                self.model.add_hint(lit, int(tid == p.trainer))

    # ------------------------------------------------------------------ solution
    def extract(self, solver: cp_model.CpSolver) -> TrainingPlan:
        placements = {}
        for i, s in enumerate(self.sessions):
            first = self.cal.origin + dt.timedelta(days=solver.value(s.start))
            days = self.cal.span(self.cal.index(first), s.task.days)
            trainer = next(
                (tid for tid, lit in self.assign[i].items() if solver.boolean_value(lit)), None
            )
            placements[s.task.key] = (days[0], days[-1], trainer)
        return assemble_plan(self.instance, placements)


class InfeasibleError(Exception):
    """The instance has no plan; `conflicts` names the rules (and subjects) in conflict."""

    def __init__(self, part: str, conflicts: list[str], outcome: PartOutcome):
        self.part = part
        self.conflicts = conflicts
        self.outcome = outcome
        rules = "\n".join(f"  - {c}" for c in conflicts) or "  (no explanation found in time)"
        super().__init__(f"the {part} part is infeasible; these rules conflict:\n{rules}")


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 0,
    previous: TrainingPlan | None = None,
    progress: Progress | None = None,
    hint: bool = True,
    explain: bool = True,
    relax: bool = True,
    log: bool = False,
) -> Result[TrainingPlan]:
    """Plan the remaining training sessions.

    `relax`: first solve the time-indexed LP relaxation (solver.training_bound); its bound
    goes into the model and its start days are the hint.

    Returns a Result whose plan has passed `check_training`; its status is `infeasible`
    (with `outcome.message` naming the conflicting rules when `explain`) or `unknown` when
    no plan exists or none was found in time.
    """
    from solver.baselines import greedy_training  # local: baselines import this module

    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers, log=log)
    t0 = time.perf_counter()
    w = instance.training.weights.model_dump() if instance.training else {}
    start_plan: TrainingPlan | None = None
    if calendar_conflict(instance):
        tm = None
    else:
        start_plan = greedy_training(instance) if hint else None
        tm = TrainingModel(instance, previous, hint=start_plan)
    ready = tm is not None and not tm.empty_windows  # a model CP-SAT can solve
    lower: TrainingBound | None = None
    floor: int | None = window_bound(tm) if ready else None  # proven outside CP-SAT
    fallback = _Fallback.of(instance, previous, start_plan, rounded=False)
    if ready and relax:
        # at most LP_SHARE of the time left goes to the LP; without it CP-SAT's bound is weak
        left = params.time_limit - (time.perf_counter() - t0)
        lower = training_bound(tm, left * LP_SHARE)
        if lower is not None:
            floor = lower.value
            tm.add_lower_bound(lower.value)
            if hint:
                plan = lp_rounding(instance, tm, lower)
                rounded = _Fallback.of(instance, previous, plan, rounded=True)
                if rounded is not None and (fallback is None or rounded.value < fallback.value):
                    fallback = rounded
                    tm.hint_plan(rounded.plan)  # a complete plan near the LP's solution
                else:
                    tm.hint_start_days(lower.days(), start_plan)
    solver: cp_model.CpSolver | None = None
    code = cp_model.INFEASIBLE
    history: list[tuple[float, float, float]] = []
    near: cp_model.CpSolver | None = None  # a plan found near the LP's solution
    if ready:
        if lower is not None:
            rounded = fallback.plan if fallback is not None and fallback.rounded else None
            near, _code, history = _lp_neighbourhood(tm, lower, params, t0, progress, rounded)
        if near is not None and near.objective_value <= lower.value + 1e-9:
            solver, code = near, cp_model.OPTIMAL  # at the LP bound: optimal
        else:
            if near is not None and (fallback is None or near.objective_value < fallback.value):
                tm.hint_solution(near)
            offset = time.perf_counter() - t0
            solver, code, more = _run(tm.model, params.left_after(t0), progress, lower)
            history += [(t + offset, o, b) for t, o, b in more]
            if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and near is not None:
                solver, code = near, cp_model.FEASIBLE
    status = status_name(code)
    if solver is not None and fallback is not None and status in ("unknown", "feasible"):
        if status == "unknown" or fallback.value < round(solver.objective_value):
            return baseline_result(
                "training",
                fallback.plan,
                fallback.value,
                fallback.terms,
                w,
                None if solver is near else solver,  # a restricted model's bound is no bound
                t0,
                history,
                known_bound=floor,
                message=fallback.message(cp_sat_found_a_plan=status == "feasible"),
            )
    if solver is None or status in ("infeasible", "unknown"):
        outcome = PartOutcome(status=status, seconds=time.perf_counter() - t0, weights=w)
        if status == "infeasible" and explain:
            remaining = max(1.0, time_limit - outcome.seconds)
            conflicts = explain_infeasibility(instance, time_limit=remaining, seed=seed)
            outcome.message = "conflicting rules: " + "; ".join(conflicts)
        outcome.seconds = time.perf_counter() - t0
        return Result("training", outcome, None)
    plan = tm.extract(solver)
    raise_on_violations(check_training(instance, plan), "the solver's plan")
    terms = {name: float(solver.value(expr)) for name, expr in tm.terms.items()}
    objective = float(round(solver.objective_value))  # integral; CP-SAT reports a float
    # the restricted model's bound says nothing about the full model; the LP's does
    bound = solver.best_objective_bound if solver is not near else -math.inf
    if floor is not None and floor <= objective:
        bound = max(bound, floor)
    outcome = PartOutcome(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        seconds=time.perf_counter() - t0,
        terms=terms,
        weights=w,
    )
    return Result("training", outcome, plan, history=history)


@dataclass
class _Fallback:
    """A checked plan from outside CP-SAT (the hand-planning baseline, or the LP rounded
    by list scheduling), returned when CP-SAT ends without a plan or with a worse one."""

    plan: TrainingPlan
    value: float
    terms: dict[str, float]
    rounded: bool  # the rounded LP, else the hand-planning baseline

    @classmethod
    def of(
        cls,
        instance: Instance,
        previous: TrainingPlan | None,
        plan: TrainingPlan | None,
        *,
        rounded: bool,
    ) -> _Fallback | None:
        if plan is None:
            return None
        raise_on_violations(check_training(instance, plan), "a fallback training plan")
        terms = training_terms(instance, plan, previous)
        value = float(weighted_objective(instance, terms))
        return cls(plan, value, {k: float(v) for k, v in terms.items()}, rounded)

    def message(self, cp_sat_found_a_plan: bool) -> str:
        if not self.rounded and not cp_sat_found_a_plan:
            return BASELINE_FALLBACK
        source = (
            "the LP relaxation's start days rounded into a plan by list scheduling"
            if self.rounded
            else "the hand-planning baseline's plan"
        )
        found = "a worse plan" if cp_sat_found_a_plan else "no plan"
        return (
            f"CP-SAT found {found} within the time limit; this is {source} (it passed the "
            "checker), the bound is the LP's or CP-SAT's. Raise --time-limit for a better plan."
        )


def lp_rounding(instance: Instance, tm: TrainingModel, lower: TrainingBound) -> TrainingPlan | None:
    """The LP's start days rounded into a plan: list scheduling in their order, each
    session on the first feasible day from its LP day (`baselines.greedy_training`)."""
    from solver.baselines import greedy_training

    days = {tm.sessions[i].task.key: tm.cal.days[w] for i, w in lower.days().items()}
    return greedy_training(instance, priority=days)


def _run(
    model: cp_model.CpModel,
    params: SolveParams,
    progress: Progress | None,
    lower: TrainingBound | None,
) -> tuple[cp_model.CpSolver, int, list[tuple[float, float, float]]]:
    """One CP-SAT run on `model` (tm's model or a restriction of it)."""
    solver = cp_model.CpSolver()
    params.apply(solver)
    tune(solver)
    if lower is not None and solver.parameters.num_workers == 2:
        # the bound comes from the LP; the full worker searches without CP-SAT's own LP
        # (faster nodes). generated-S at 40 s: the optimum in 2 of 5 runs against 0 of 3
        # with default_lp; generated-M at 60 s: 18752 against 18757
        solver.parameters.subsolvers.append("no_lp")
    recorder = ProgressRecorder(progress)
    try:
        code = solver.solve(model, recorder)
    except IndexError:
        # CP-SAT 9.15's symmetry detection can fail on some models with duplicated
        # no-overlap constraints ("raw_hash_map<>::at"); solving without it is sound.
        solver.parameters.symmetry_level = 0
        recorder = ProgressRecorder(progress)
        code = solver.solve(model, recorder)
    return solver, code, recorder.history


LP_SHARE = 0.65
"""The LP may take this share of the time left, and runs when predicted to need at most 90 %
of that: generated-L's LP (56-65 s) runs at a 120 s limit, not at 60 s."""

LP_FIX_SHARE = 0.9  # sessions whose LP start has at least this share on one day are fixed


def _lp_neighbourhood(
    tm: TrainingModel,
    lower: TrainingBound,
    params: SolveParams,
    t0: float,
    progress: Progress | None,
    rounded: TrainingPlan | None = None,
) -> tuple[cp_model.CpSolver | None, int, list[tuple[float, float, float]]]:
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
        return None, cp_model.UNKNOWN, []
    restricted = cp_model.CpModel()
    restricted.proto.copy_from(tm.model.proto)
    for i, w in fixed.items():
        restricted.add(tm.sessions[i].start == tm.cal.offsets[w])
    left = params.left_after(t0)
    budget = SolveParams(
        time_limit=max(1.0, left.time_limit / 3),
        seed=params.seed,
        workers=params.workers,
        log=params.log,
    )
    start = time.perf_counter() - t0
    hook = None if progress is None else (lambda s, o, _b: progress(s, o, lower.value))
    solver, code, history = _run(restricted, budget, hook, lower)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, code, []
    return solver, code, [(start + t, o, float(lower.value)) for t, o, _b in history]


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
    return tm.assumptions.minimal_conflict(time_limit=time_limit, seed=seed)
