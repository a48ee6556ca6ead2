"""The core-process rollout model (CP-SAT); `solver.rollout` solves it, `solver.rcpsp` holds
the fast path for PSPLIB RCPSP instances.

Time is the working-day index of the rollout calendar (`models.rollout.rollout_calendar`):
every task instance is a fixed-size interval of working days, so resource capacity is a
plain cumulative per resource copy. A start's domain holds the rollout start, the horizon,
event dates, a fixed start and blocked days; precedences and stagger rules are linear; a
lag in calendar weeks compares calendar offsets, looked up from the start by an element
constraint.

Each rule family is one method, named by the rule id of its assumption literal. In
*explain* mode the domains are left wide and every family sits behind assumption literals
(per family, task, centre or resource) so that an infeasible instance is answered with the
rules in conflict.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models.check_rollout import (
    BlockedDays,
)
from models.instance import Instance
from models.rollout import (
    RolloutPlan,
    TaskInstance,
    capacities,
    expand,
    finish_offset,
    plan_from_starts,
    rollout_calendar,
    term_weights,
    unit_ids,
)
from solver.explain import Assumptions


@dataclass
class _Task:
    inst: TaskInstance
    allowed: list[int]  # allowed start indices (normal mode)
    start: cp_model.IntVar
    interval: cp_model.IntervalVar

    @property
    def end(self) -> cp_model.LinearExprT:
        """Working-day index after the last day."""
        return self.start + self.inst.duration


def _domain(values: list[int]) -> cp_model.Domain:
    """A domain from sorted values, as runs of consecutive integers."""
    runs: list[list[int]] = []
    for v in values:
        if runs and runs[-1][1] == v - 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return cp_model.Domain.from_intervals(runs)


class RolloutModel:
    """Builds the CP-SAT model of an instance's rollout part."""

    def __init__(
        self,
        instance: Instance,
        *,
        blocked_days: BlockedDays | None = None,
        explain: bool = False,
        model: cp_model.CpModel | None = None,
        units_interchangeable: bool = True,
        redundant: bool = True,
    ):
        """`model`: build into this CP-SAT model (joint planning with the training);
        `units_interchangeable=False` when something outside this model tells the centres
        apart (their training days in the joint model), which rules out the unit symmetry
        breaking; `redundant=False` leaves out the implied constraints that strengthen the
        bound (`_group_precedences`, `_group_spans`; for comparisons and tests)."""
        if instance.rollout is None:
            raise ValueError("the instance has no rollout part")
        self.instance = instance
        self.part = instance.rollout
        self.cal = rollout_calendar(instance.calendar, self.part)
        self.units = unit_ids(self.part, instance.organisation.centre_ids())
        self.blocked = {
            c: {self.cal.index(d) for d in days if self.cal.is_working(d)}
            for c, days in (blocked_days or {}).items()
        }
        self.explain = explain
        self.units_interchangeable = units_interchangeable
        self.redundant = redundant and not explain
        self.model = model if model is not None else cp_model.CpModel()
        self.assumptions = Assumptions(self.model, active=explain)
        self.empty: list[str] = []  # task instances without any allowed start
        self._variables()
        self._add_constraints()
        self.terms: dict[str, cp_model.IntVar] = {}
        if not explain:
            self._objective()

    # ----------------------------------------------------------------- variables
    def _first_index(self) -> int:
        start = self.part.start
        return self.cal.first_index_on_or_after(start) if start is not None else 0

    def _starts_avoiding(self, inst: TaskInstance, starts: list[int]) -> list[int]:
        """The starts from which the task uses none of its centre's blocked days."""
        blocked = self.blocked.get(inst.unit, set()) if inst.avoids_training else set()
        if not blocked:
            return starts
        d = inst.duration
        return [s for s in starts if not any(s <= b < s + d for b in blocked)]

    def _allowed(self, inst: TaskInstance) -> list[int]:
        """Allowed starts in the normal mode: every date rule is part of the domain."""
        n, d = len(self.cal), inst.duration
        task = self.part.family(inst.family).task(inst.task)
        starts = range(self._first_index(), n - max(d, 1) + 1)
        if task.fixed_start is not None:
            wanted = {self.cal.index(task.fixed_start)}
            starts = [s for s in starts if s in wanted]
        elif task.event_dates:
            wanted = {self.cal.index(day) for day in task.event_dates}
            starts = [s for s in starts if s in wanted]
        return self._starts_avoiding(inst, list(starts))

    def _variables(self) -> None:
        m, n = self.model, len(self.cal)
        self.tasks: list[_Task] = []
        for inst in expand(self.part, self.units):
            d = inst.duration
            if self.explain:
                allowed = list(range(0, n - max(d, 1) + 1))
            else:
                allowed = self._allowed(inst)
            if not allowed:
                self.empty.append(inst.label)
                allowed = [0]
            start = m.new_int_var_from_domain(_domain(allowed), f"start({inst.label})")
            iv = m.new_fixed_size_interval_var(start, d, f"task({inst.label})")
            self.tasks.append(_Task(inst, allowed, start, iv))
        self.by_task: dict[tuple[str, str], list[_Task]] = defaultdict(list)
        for t in self.tasks:
            self.by_task[(t.inst.family, t.inst.task)].append(t)
        self._start_off: dict[int, cp_model.IntVar] = {}
        self._finish_off: dict[int, cp_model.IntVar] = {}
        self._first: dict[tuple[str, str, str], cp_model.IntVar] = {}
        self._last: dict[tuple[str, str], cp_model.IntVar] = {}

    def offset_of_start(self, t: _Task) -> cp_model.IntVar:
        """Calendar offset of the task's first day."""
        key = id(t)
        if key not in self._start_off:
            name = f"start_offset({t.inst.label})"
            self._start_off[key] = self._offset_of(t.start, t.inst.duration, False, name)
        return self._start_off[key]

    def offset_of_finish(self, t: _Task) -> cp_model.IntVar:
        """Calendar offset of the day after the task's last day."""
        key = id(t)
        if key not in self._finish_off:
            name = f"finish_offset({t.inst.label})"
            self._finish_off[key] = self._offset_of(t.start, t.inst.duration, True, name)
        return self._finish_off[key]

    def _first_start(self, tasks: list[_Task], calendar: bool) -> cp_model.LinearExprT:
        """The earliest start (index, or calendar offset) among the instances of a task."""
        if len(tasks) == 1:
            return self.offset_of_start(tasks[0]) if calendar else tasks[0].start
        inst = tasks[0].inst
        key = (inst.family, inst.task, "calendar" if calendar else "working")
        if key not in self._first:
            exprs = [self.offset_of_start(t) if calendar else t.start for t in tasks]
            hi = self.cal.offsets[-1] if calendar else len(self.cal)
            var = self.model.new_int_var(0, hi, f"first_start({inst.family}/{inst.task})")
            self.model.add_min_equality(var, exprs)
            self._first[key] = var
        return self._first[key]

    def _last_start(self, tasks: list[_Task]) -> cp_model.LinearExprT:
        """The latest start among the instances of a task (all of one duration)."""
        if len(tasks) == 1:
            return tasks[0].start
        inst = tasks[0].inst
        key = (inst.family, inst.task)
        if key not in self._last:
            var = self.model.new_int_var(0, len(self.cal), f"last_start({inst.family}/{inst.task})")
            self.model.add_max_equality(var, [t.start for t in tasks])
            self._last[key] = var
        return self._last[key]

    def _offset_table(self, duration: int, finish: bool) -> list[int]:
        """Calendar offset of the start (or finish) of a task of `duration` by start index."""
        n = len(self.cal)
        if not finish:
            return self.cal.offsets[: n - max(duration, 1) + 1]
        return [finish_offset(self.cal, s, duration) for s in range(n - max(duration, 1) + 1)]

    def _offset_of(self, start: cp_model.LinearExprT, duration: int, finish: bool, name: str):
        """The calendar offset of the start (or finish) of a task starting at `start`."""
        table = self._offset_table(duration, finish)
        var = self.model.new_int_var(0, max(table), name)
        self.model.add_element(start, table, var)
        return var

    # --------------------------------------------------------------- constraints
    def _rule(self, bounded: cp_model.BoundedLinearExpression, switch) -> None:
        ct = self.model.add(bounded)
        if switch is not True:
            ct.only_enforce_if(switch)

    def _add_constraints(self) -> None:
        self._rollout_start()
        self._event_date()
        self._fixed_start()
        self._blocked_days()
        self._precedence()
        self._stagger()
        self._capacity()
        if self.redundant:
            self._group_precedences()
            self._group_spans()
        if not self.explain:
            self._unit_symmetry()

    def _rollout_start(self) -> None:
        """No task before the rollout start."""
        first = self._first_index()
        if not self.explain or first == 0:
            return  # the domains start there
        lit = self.assumptions.literal("rollout_start", str(self.part.start))
        for t in self.tasks:
            self._rule(t.start >= first, lit)

    def _event_date(self) -> None:
        """A task with event dates starts on one of them (e.g. a Fachkonferenz)."""
        if not self.explain:
            return  # part of the domains
        for (fid, tid), tasks in self.by_task.items():
            dates = self.part.family(fid).task(tid).event_dates
            if not dates:
                continue
            lit = self.assumptions.literal("event_date", f"{fid}/{tid}")
            dom = _domain(sorted({self.cal.index(d) for d in dates}))
            for t in tasks:
                self.model.add_linear_expression_in_domain(t.start, dom).only_enforce_if(lit)

    def _fixed_start(self) -> None:
        """A task with a fixed start starts on that date."""
        if not self.explain:
            return  # part of the domains
        for (fid, tid), tasks in self.by_task.items():
            day = self.part.family(fid).task(tid).fixed_start
            if day is None:
                continue
            lit = self.assumptions.literal("fixed_start", f"{fid}/{tid} on {day}")
            for t in tasks:
                self._rule(t.start == self.cal.index(day), lit)

    def _blocked_days(self) -> None:
        """A centre's per-unit tasks that need its team leads avoid its blocked days."""
        if not self.explain:
            return  # part of the domains
        for t in self.tasks:
            if not (t.inst.avoids_training and self.blocked.get(t.inst.unit)):
                continue
            lit = self.assumptions.literal("blocked_days", f"centre {t.inst.unit}")
            allowed = self._starts_avoiding(t.inst, t.allowed) or [-1]
            self.model.add_linear_expression_in_domain(t.start, _domain(allowed)).only_enforce_if(
                lit
            )

    def _precedence(self) -> None:
        """FS/SS with lags; per-unit after per-unit links unit to unit, anything else waits
        for the whole preceding task (its last finish, or its first start)."""
        for f in self.part.families:
            lit = self.assumptions.literal("precedence", f"family {f.id}")
            for task in f.tasks:
                for pre in task.after:
                    pred_per_unit = f.task(pre.task).per_unit
                    preds = self.by_task[(f.id, pre.task)]
                    calendar = pre.unit == "calendar"
                    for s in self.by_task[(f.id, task.id)]:
                        group = preds
                        if pred_per_unit and s.inst.unit:
                            group = [p for p in preds if p.inst.unit == s.inst.unit]
                        succ = self.offset_of_start(s) if calendar else s.start
                        if pre.type == "FS":
                            for p in group:
                                before = self.offset_of_finish(p) if calendar else p.end
                                self._rule(succ >= before + pre.lag_days, lit)
                        else:
                            first = self._first_start(group, calendar)
                            self._rule(succ >= first + pre.lag_days, lit)

    def _stagger(self) -> None:
        """A staggered family starts after a task of an earlier family finishes (or starts)
        plus a lag in working weeks."""
        for k, f in enumerate(self.part.families):
            other = self.part.stagger_family(k)
            if other is None or f.stagger is None:
                continue
            lit = self.assumptions.literal("stagger", f"family {f.id} after {other}")
            anchors = self.by_task[(other, f.stagger.task)]
            lag = f.stagger.lag_days
            for task in f.tasks:
                for s in self.by_task[(f.id, task.id)]:
                    if f.stagger.anchor == "finish":
                        for a in anchors:
                            self._rule(s.start >= a.end + lag, lit)
                    else:
                        self._rule(s.start >= self._first_start(anchors, False) + lag, lit)

    def _capacity(self) -> None:
        """On every working day, the tasks running use at most a resource's capacity."""
        users: dict[str, list[tuple[_Task, int]]] = defaultdict(list)
        for t in self.tasks:
            if t.inst.duration == 0:
                continue
            for res, amount in t.inst.demands.items():
                users[res].append((t, amount))
        for res, cap in capacities(self.part, self.units).items():
            row = users.get(res, [])
            if not row or (not self.explain and sum(a for _, a in row) <= cap):
                continue
            lit = self.assumptions.literal("capacity", f"resource {res}")
            demands = [a if lit is True else a * lit for _, a in row]
            self.model.add_cumulative([t.interval for t, _ in row], demands, cap)

    def _group_precedences(self) -> None:
        """Redundant: the precedences between whole tasks, through the latest start of each
        task's instances. A task that waits for every instance of another waits for their
        latest finish; per unit after per unit, the latest successor starts after the latest
        predecessor finishes. Implied by `_precedence`, but with `_group_spans` it carries
        the bound of a whole group (e.g. 20 centre trainings) to the tasks that follow."""
        for f in self.part.families:
            for task in f.tasks:
                succs = self.by_task[(f.id, task.id)]
                for pre in task.after:
                    preds = self.by_task[(f.id, pre.task)]
                    if len(preds) < 2 or pre.type != "FS":
                        continue
                    d = preds[0].inst.duration
                    last = self._last_start(preds)
                    unit_to_unit = f.task(pre.task).per_unit and task.per_unit
                    targets = (
                        [self._last_start(succs)] if unit_to_unit else [t.start for t in succs]
                    )
                    for k, succ in enumerate(targets):
                        if pre.unit == "calendar":
                            name = f"{f.id}/{pre.task}->{task.id}:{k}"
                            before = self._offset_of(last, d, True, f"last_finish_offset({name})")
                            after = self._offset_of(
                                succ, succs[0].inst.duration, False, f"start_offset({name})"
                            )
                            self.model.add(after >= before + pre.lag_days)
                        else:
                            self.model.add(succ >= last + d + pre.lag_days)

    def _group_spans(self) -> None:
        """Redundant: n instances of one task that share a resource copy of capacity c, each
        needing a, run at most k = c // a at a time; as intervals of d days they then span
        at least d * ceil(n / k) days from the first start to the latest finish. CP-SAT's
        energy reasoning sees only n * d * a / c."""
        caps = capacities(self.part, self.units)
        for (_fid, _tid), tasks in self.by_task.items():
            d = tasks[0].inst.duration
            if len(tasks) < 2 or d == 0:
                continue
            shared = set.intersection(*(set(t.inst.demands) for t in tasks))
            waves = 1
            for res in shared:
                most = max(t.inst.demands[res] for t in tasks)
                per_wave = caps[res] // most if most else len(tasks)
                if per_wave > 0:
                    waves = max(waves, math.ceil(len(tasks) / per_wave))
            if waves > 1:
                first = self._first_start(tasks, False)
                self.model.add(self._last_start(tasks) + d >= first + d * waves)

    def _unit_symmetry(self) -> None:
        """Interchangeable units: the first per-unit task starts in the order of the units.

        Sound when nothing tells the units apart, i.e. no centre has blocked days.
        """
        if not self.units_interchangeable or any(self.blocked.values()) or len(self.units) < 2:
            return
        for f in self.part.families:
            for task in f.tasks:
                if task.per_unit and task.duration > 0:
                    seq = self.by_task[(f.id, task.id)]
                    for a, b in zip(seq, seq[1:]):
                        self.model.add(a.start <= b.start)
                    return

    # ----------------------------------------------------------------- objective
    def _objective(self) -> None:
        """Priority-weighted completion of every family plus the weighted makespan."""
        m, n = self.model, len(self.cal)
        completions = []
        for f in self.part.families:
            ends = [t.end for fam_task in f.tasks for t in self.by_task[(f.id, fam_task.id)]]
            c = m.new_int_var(0, n, f"completion({f.id})")
            m.add_max_equality(c, ends)
            self.terms[f"completion:{f.id}"] = c
            completions.append(c)
        makespan = m.new_int_var(0, n, "makespan")
        m.add_max_equality(makespan, completions)
        self.terms["makespan"] = makespan
        w = term_weights(self.part)
        self.objective = sum(w[name] * var for name, var in self.terms.items())
        m.minimize(self.objective)

    def cap_objective(self, value: float) -> None:
        """Redundant once a plan of objective `value` is known (the hint): search only
        plans at least as good. The objective is at most `value`, and so is each
        weighted term (all are >= 0), which bounds every task's end by `value` over the
        makespan's (or its family's) weight. Presolve then expands the calendar-week
        elements over these shorter start domains only: on Bremen the proof of 2900
        took deterministic time 0.11 instead of 0.22 (wall 0.9 s instead of 2.8 s on the
        loaded machine), on generated-L the gap after 30 s fell from 1.0 % to 0.16 %."""
        cap = math.floor(value + 1e-9)
        self.model.add(self.objective <= cap)
        weights = term_weights(self.part)
        for name, var in self.terms.items():
            if weights[name] > 0:
                self.model.add(var <= cap // weights[name])

    def add_hint(self, plan: RolloutPlan) -> None:
        """Start the search from a plan (e.g. the one planned after the training)."""
        by_key = plan.by_key()
        for t in self.tasks:
            p = by_key.get(t.inst.key)
            if p is not None and self.cal.is_working(p.start):
                self.model.add_hint(t.start, self.cal.index(p.start))

    # ------------------------------------------------------------------ solution
    def extract(self, solver: cp_model.CpSolver) -> RolloutPlan:
        return plan_from_starts(self.cal, [(t.inst, solver.value(t.start)) for t in self.tasks])
