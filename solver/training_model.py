"""The training-calendar model (CP-SAT).

Time is counted in calendar days from the horizon start. A session's start variable has
as its domain exactly the working days from which the module's days run on consecutive
working days inside its window (`models.training_tasks.SessionWindows`), so holidays and
blackouts never need a constraint, and the spacing, completion and minimal-change rules stay
linear. Multi-day sessions link their last day to their start by a small table.

Each hard rule family is one method, named by the rule id of its assumption literal. In
*explain* mode the families sit behind assumption literals (per group, trainer or centre) so
that an infeasible instance can be answered with the rules in conflict; the normal mode uses
tight domains and redundant constraints instead. The search strategy lives in
`solver.training`, the LP bound in `solver.training_bound`.

(Over 500 lines: one class, one method per rule family and objective term; splitting it
would split the model.)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models.calendar import WEEKDAYS
from models.instance import Instance
from models.plan import TrainingPlan
from models.training_tasks import (
    SessionTask,
    SessionWindows,
    assemble_plan,
    done_sessions,
    last_done_sessions,
    startable,
)
from solver.explain import Assumptions


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
        windows: SessionWindows | None = None,
        free_groups: set[str] | None = None,
        frozen: TrainingPlan | None = None,
    ):
        """`model`: build into this CP-SAT model (joint planning with the rollout);
        `windows`: the instance's session windows, when the caller has them already.

        `free_groups` with `frozen` (a plan of every group): the model of a neighbourhood
        (`solver.training_lns`). Only the free groups' sessions are variables; the other
        groups' planned sessions stay as `frozen` has them, their days taken from their
        trainers, their centres and the trainers' monthly caps. The objective is the whole
        plan's less a constant (the fixed groups' terms), so a better neighbourhood plan is
        a better whole plan, and `extract` returns the whole plan."""
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
        self.windows = windows if windows is not None else SessionWindows.of(instance)
        self.tasks = [
            t for t in self.windows.tasks if free_groups is None or t.group in free_groups
        ]
        self.free_groups = free_groups
        self._freeze(free_groups, frozen)
        self.empty_windows: list[SessionTask] = []
        self._variables()
        self._add_constraints()
        self.terms: dict[str, cp_model.LinearExprT] = {}
        if not explain:
            self._objective()
            if hint is not None:
                self._add_hint(hint)

    def _freeze(self, free_groups: set[str] | None, frozen: TrainingPlan | None) -> None:
        """The fixed groups' planned sessions: their placements (for `extract`) and their
        days as (trainer, centre, group, working-day index)."""
        self.frozen_placements: dict[tuple[str, str], tuple] = {}
        self.frozen_days: list[tuple[str | None, str, str, int]] = []
        if free_groups is None:
            return
        if frozen is None or self.explain:
            raise ValueError("a neighbourhood model needs the frozen plan and no explain mode")
        centre_of = {g.id: g.centre for g in self.instance.organisation.groups}
        for p in frozen.sessions:
            if p.status != "planned" or p.group in free_groups or p.start is None:
                continue
            end = p.end or p.start
            self.frozen_placements[(p.group, p.session)] = (p.start, end, p.trainer)
            for w in range(self.cal.index(p.start), self.cal.index(end) + 1):
                self.frozen_days.append((p.trainer, centre_of[p.group], p.group, w))

    def _frozen_intervals(self, keep) -> list[cp_model.IntervalVar]:
        """One-day fixed intervals on the frozen days that `keep(trainer, centre)` selects,
        within the working days the free sessions can use (on generated-XL most of the
        3,750 frozen days lie outside a neighbourhood's windows)."""
        if not self.frozen_days or not self.sessions:
            return []
        first = min(s.lo for s in self.sessions)
        last = max(s.hi + s.task.days - 1 for s in self.sessions)
        offsets = self.cal.offsets
        return [
            self.model.new_fixed_size_interval_var(offsets[w], 1, "")
            for tid, centre, _g, w in self.frozen_days
            if first <= w <= last and keep(tid, centre)
        ]

    # ----------------------------------------------------------------- variables
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
            lo, hi = self.windows.indices[t.key]
            if lo > hi:
                self.empty_windows.append(t)
            if self.explain or lo > hi:
                lo, hi = 0, n - t.days
            hi = max(lo, hi)
            name = f"g{t.group}_s{t.session}"
            # the working days the session may start on (same_week: in the normal mode only;
            # the explain mode adds it as a rule, see `_same_week`)
            ok = [w for w in range(lo, hi + 1) if self.explain or startable(self.cal, t, w)] or [
                w for w in range(lo, hi + 1)
            ]
            starts = [offsets[w] for w in ok if w < n] or [0]
            start = m.new_int_var_from_domain(cp_model.Domain.from_values(starts), f"start({name})")
            if t.days == 1:
                last = start
                iv = m.new_fixed_size_interval_var(start, 1, f"session({name})")
                day_offsets = [start]
            else:
                day_offsets = [start]
                for k in range(1, t.days):
                    pairs = [(offsets[w], offsets[w + k]) for w in ok if w <= n - t.days]
                    day_offsets.append(self._later_day(start, pairs or [(0, k)], f"{k}({name})"))
                last = day_offsets[-1]
                size = m.new_int_var(
                    t.days, offsets[-1] + 1 if offsets else t.days, f"span({name})"
                )
                iv = m.new_interval_var(start, size, last + 1, f"session({name})")
            self.sessions.append(_Session(t, lo, hi, start, last, iv, day_offsets))
        self.key_index = {s.task.key: i for i, s in enumerate(self.sessions)}
        self.by_key = {s.task.key: s for s in self.sessions}
        self.by_group: dict[str, list[_Session]] = defaultdict(list)
        for s in self.sessions:
            self.by_group[s.task.group].append(s)
        for seq in self.by_group.values():
            seq.sort(key=lambda s: s.task.position)
        self._successors()
        # assignment of trainers; in explain mode a session may go to no trainer at all
        # when the trainer-capacity assumption is dropped
        self.assign: list[dict[str, cp_model.IntVar]] = []
        cap_lit = self.assumptions.literal("trainer_capacity", "all trainers")
        for s in self.sessions:
            # only qualified trainers get a literal (in explain mode all do, see
            # `_trainer_skill`)
            row = {
                tid: m.new_bool_var(f"assign({s.task.group},{s.task.session},{tid})")
                for tid in self.trainers
                if self.explain or tid in s.task.trainers
            }
            if self.explain:
                none = m.new_bool_var(f"no_trainer({s.task.group},{s.task.session})")
                m.add_exactly_one([*row.values(), none])
                m.add_implication(cap_lit, none.Not())
            else:
                m.add_exactly_one(row.values())
            self.assign.append(row)

    def _later_day(
        self, start: cp_model.IntVar, pairs: list[tuple[int, int]], name: str
    ) -> cp_model.IntVar:
        """The calendar offset of a later day of a multi-day session, from the (start,
        day) pairs its start allows. The starts fall into a few classes by the calendar
        days d between them (the next day, over a weekend, over a holiday): one literal
        per class, exactly one true, each allowing only its class's starts, and
        day = start + sum(d x literal), a row the LP sees. A table over the pairs said
        the same but made CP-SAT encode every start value (office-unlike: 18,232
        literals, most of its 5.8 s presolve)."""
        m = self.model
        by_delta: dict[int, list[int]] = defaultdict(list)
        for a, b in pairs:
            by_delta[b - a].append(a)
        day = m.new_int_var_from_domain(
            cp_model.Domain.from_values(sorted({b for _, b in pairs})), f"day{name}"
        )
        if len(by_delta) == 1:
            m.add(day == start + next(iter(by_delta)))
            return day
        lits = []
        for delta, starts in sorted(by_delta.items()):
            lit = m.new_bool_var(f"gap{delta}_day{name}")
            m.add_linear_expression_in_domain(
                start, cp_model.Domain.from_values(starts)
            ).only_enforce_if(lit)
            lits.append((delta, lit))
        m.add_exactly_one(lit for _, lit in lits)
        m.add(day == start + sum(delta * lit for delta, lit in lits))
        return day

    def _successors(self) -> None:
        """Where `after` leaves a group's sessions partly unordered, the solver chooses
        their order: a circuit through the group's sessions and a depot, whose arc literal
        next(a, b) says b comes right after a (depot -> a: a is first; a -> depot: last).
        An arc that would break the partial order (b before a required, or a session
        required between them) is left out. The order rules and the spacing then hold on
        the chosen arcs (`_module_order`, `_spacing`). A chain needs no circuit: its
        consecutive sessions are known."""
        m = self.model
        # group -> [(a, b, literal)], a or b None for the depot
        self.arcs: dict[str, list[tuple[_Session | None, _Session | None, cp_model.IntVar]]] = {}
        for group, seq in self.by_group.items():
            order = self.windows.orders[group]
            if order.total or len(seq) < 2:
                continue
            req = order.required
            arcs = []
            for a in seq:
                if not any(req(b.task, a.task) for b in seq):
                    arcs.append((None, a, m.new_bool_var(f"first({group},{a.task.session})")))
                if not any(req(a.task, b.task) for b in seq):
                    arcs.append((a, None, m.new_bool_var(f"final({group},{a.task.session})")))
                for b in seq:
                    if b is a or req(b.task, a.task):
                        continue
                    if any(req(a.task, c.task) and req(c.task, b.task) for c in seq):
                        continue
                    lit = m.new_bool_var(f"next({group},{a.task.session},{b.task.session})")
                    arcs.append((a, b, lit))
            node = {id(s): k + 1 for k, s in enumerate(seq)}
            m.add_circuit(
                [(node[id(a)] if a else 0, node[id(b)] if b else 0, lit) for a, b, lit in arcs]
            )
            self.arcs[group] = arcs

    def _consecutive_pairs(self, group: str) -> list[tuple[_Session, _Session, object]]:
        """(a, b, condition) for the sessions of a group that may follow each other: the
        chain's consecutive pairs (condition True) or the circuit's arcs (their literal)."""
        if group in self.arcs:
            return [(a, b, lit) for a, b, lit in self.arcs[group] if a and b]
        seq = self.by_group[group]
        return [(a, b, True) for a, b in zip(seq, seq[1:])]

    def _on(self, ct: cp_model.Constraint, *conditions) -> None:
        """Enforce a constraint if all conditions hold (True ones are dropped)."""
        lits = [c for c in conditions if c is not True]
        if lits:
            ct.only_enforce_if(lits)

    # --------------------------------------------------------------- constraints
    def _rule(
        self, bounded: cp_model.BoundedLinearExpression, switch: cp_model.IntVar | bool
    ) -> None:
        """Add a rule; in explain mode behind its assumption literal."""
        ct = self.model.add(bounded)
        if switch is not True:
            ct.only_enforce_if(switch)

    def _add_constraints(self) -> None:
        self._earliest_start()
        self._deadline()
        self._planned_year()
        self._module_order()
        self._spacing()
        self._trainer_capacity()
        self._trainer_month_cap()
        self._centre_coverage()
        self._pinned()
        self._same_week()
        self._trainer_skill()
        if not self.explain:
            self._redundant_trainer_capacity()
            self._trainer_symmetry()

    def _earliest_start(self) -> None:
        """No session before its group's earliest start (snapshot date, group start)."""
        if not self.explain:
            return  # in the normal mode the windows are the variables' domains
        off = self.cal.offset
        for group, seq in self.by_group.items():
            lit = self.assumptions.literal("earliest_start", f"group {group}")
            for s in seq:
                self._rule(s.start >= off(s.task.earliest), lit)

    def _deadline(self) -> None:
        """Every session of a group ends by its deadline."""
        if not self.explain:
            return  # part of the domains
        off = self.cal.offset
        for group, seq in self.by_group.items():
            lit = self.assumptions.literal("deadline", f"group {group}")
            for s in seq:
                self._rule(s.last <= off(s.task.latest_end), lit)

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
        """A group's sessions follow `after`, one after the other: each starts after the
        sessions it must follow have ended, and after the one the plan puts before it."""
        for group in self.by_group:
            lit = self.assumptions.literal("module_order", f"group {group}")
            if group in self.arcs:
                for a, b in self.windows.orders[group].pairs:
                    sa, sb = self.by_key[a.key], self.by_key[b.key]
                    self._rule(sb.start > sa.last, lit)
            for a, b, arc in self._consecutive_pairs(group):
                self._on(self.model.add(b.start > a.last), arc, lit)

    def _spacing(self) -> None:
        """Calendar days from one session's start to the next one's within [min, max]
        (the next one in the chain, or on the chosen arc)."""
        sp = self.training.spacing
        for group, seq in self.by_group.items():
            lit = self.assumptions.literal("spacing", f"group {group}")
            for s in seq:  # after the group's latest done session (its window in normal mode)
                if self.explain and s.task.spacing_floor is not None:
                    self._rule(s.start >= self.cal.offset(s.task.spacing_floor), lit)
            for a, b, arc in self._consecutive_pairs(group):
                gap = b.start - a.start
                if sp.min_days > 0:
                    self._on(self.model.add(gap >= sp.min_days), arc, lit)
                if sp.max_days is not None:
                    self._on(self.model.add(gap <= sp.max_days), arc, lit)

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

    def _trainer_capacity(self) -> None:
        """A trainer holds one session a day (and none on an unavailable day, see
        `_trainer_unavailable`: one no-overlap per trainer holds both rules)."""
        m = self.model
        for k, tid in enumerate(self.trainers):
            ivs = [
                self._session_interval(
                    s, self.assign[i][tid], f"on({s.task.group},{s.task.session},{tid})"
                )
                for i, s in enumerate(self.sessions)
                if tid in self.assign[i]
            ]
            ivs += self._trainer_unavailable(k, tid)
            ivs += self._frozen_intervals(lambda t, _c, tid=tid: t == tid)
            m.add_no_overlap(ivs)

    def _trainer_unavailable(self, k: int, tid: str) -> list[cp_model.IntervalVar]:
        """A trainer's unavailable days as intervals for the trainer's no-overlap."""
        runs = self._unavailable_ranges(k)
        if not runs:
            return []
        lit = self.assumptions.literal("trainer_unavailable", f"trainer {tid}")
        return [
            self.model.new_optional_fixed_size_interval_var(a, b - a + 1, lit, f"away({tid},{a})")
            for a, b in runs
        ]

    def _trainer_month_cap(self) -> None:
        """At most `max_days_per_month` training days per trainer and calendar month; the
        days of dated done sessions in a month of the horizon count against it."""
        m = self.model
        months = sorted(set(self.cal.month_keys))
        month_no = {k: i for i, k in enumerate(months)}
        used: dict[str, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
        for d in done_sessions(self.instance):
            for day in d.run if d.trainer is not None else ():
                if (day.year, day.month) in month_no:
                    used[d.trainer][month_no[day.year, day.month]] += 1
        for tid, _c, _g, w in self.frozen_days:
            if tid is not None:
                used[tid][month_no[self.cal.month_keys[w]]] += 1
        total_days = sum(s.task.days for s in self.sessions)
        capped = [
            (tid, t.max_days_per_month)
            for tid, t in zip(self.trainers, self.training.trainers)
            if t.max_days_per_month is not None
            and (t.max_days_per_month < min(total_days, 31) or tid in used)
        ]
        if not capped:
            return
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
            for mi, all_entries in day_in.items():
                entries = [(i, e) for i, e in all_entries if tid in self.assign[i]]
                left = max(0, cap - used[tid][mi])
                if len(entries) <= left:
                    continue
                counted = []
                for i, in_month in entries:
                    if isinstance(in_month, int):
                        counted.append(self.assign[i][tid])
                        continue
                    both = m.new_bool_var("")
                    m.add_bool_or([both, in_month.Not(), self.assign[i][tid].Not()])
                    counted.append(both)
                self._rule(sum(counted) <= left, lit)

    def _centre_coverage(self) -> None:
        """At most K groups of one centre in training on the same day (K per centre:
        `centre_coverage`, else `max_groups_per_centre_per_day`)."""
        by_centre: dict[str, list[_Session]] = defaultdict(list)
        for s in self.sessions:
            by_centre[s.task.centre].append(s)
        for centre, sessions in sorted(by_centre.items()):
            k = self.training.coverage(centre)
            if k >= len(self.trainers) and not self.explain:
                continue  # implied: no more sessions a day than trainers
            fixed_groups = {g for _t, c, g, _w in self.frozen_days if c == centre}
            if len({s.task.group for s in sessions} | fixed_groups) <= k:
                continue
            lit = self.assumptions.literal("centre_coverage", f"centre {centre}")
            if self.explain:
                ivs = [self._session_interval(s, lit, "") for s in sessions]
            else:
                ivs = [s.interval for s in sessions]
            ivs += self._frozen_intervals(lambda _t, c, centre=centre: c == centre)
            if k == 1:
                self.model.add_no_overlap(ivs)
            else:
                self.model.add_cumulative(ivs, [1] * len(ivs), k)

    def _pinned(self) -> None:
        """A planner's pin holds: the session starts on its pinned day and/or goes to its
        pinned trainer. (In the normal mode a pinned day is the start's whole domain.)"""
        off = self.cal.offset
        for i, s in enumerate(self.sessions):
            t = s.task
            if t.pinned_date is None and t.pinned_trainer is None:
                continue
            lit = self.assumptions.literal("pinned", f"group {t.group} session {t.session}")
            if t.pinned_date is not None and self.explain:
                self._rule(s.start == off(t.pinned_date), lit)
            if t.pinned_trainer is not None:
                self._rule(self.assign[i][t.pinned_trainer] == 1, lit)

    def _same_week(self) -> None:
        """A `same_week` multi-day session starts on a day from which its days stay in one
        calendar week. (In the normal mode the start's domain holds only such days.)"""
        if not self.explain:
            return
        for s in self.sessions:
            if not s.task.same_week:
                continue
            ok = [
                self.cal.offsets[w] for w in range(len(self.cal)) if startable(self.cal, s.task, w)
            ]
            lit = self.assumptions.literal("same_week", f"module {s.task.module}")
            ct = self.model.add_linear_expression_in_domain(
                s.start, cp_model.Domain.from_values(ok or [-1])
            )
            ct.only_enforce_if(lit)

    def _trainer_skill(self) -> None:
        """A session goes only to a trainer who teaches its module. (In the normal mode
        an unqualified trainer has no assignment literal at all.)"""
        if not self.explain:
            return
        for i, s in enumerate(self.sessions):
            for tid, a in self.assign[i].items():
                if tid not in s.task.trainers:
                    lit = self.assumptions.literal("trainer_skill", f"trainer {tid}")
                    self.model.add_implication(lit, a.Not())

    def _redundant_trainer_capacity(self) -> None:
        """Redundant: on any day at most as many sessions as trainers (a strong bound)."""
        if len(self.trainers) == 1:
            return  # the trainer's own no-overlap says the same
        ivs = [s.interval for s in self.sessions] + self._frozen_intervals(lambda _t, _c: True)
        self.model.add_cumulative(ivs, [1] * len(ivs), len(self.trainers))

    def _trainer_symmetry(self) -> None:
        """Interchangeable trainers: within a class of identical trainers (same
        unavailability, cap and modules), trainer j's first session comes after trainer
        j-1's.

        Sound only for trainers that no rule or term tells apart: identical in the data,
        and nothing ties a session to a named trainer (previous plan, pinned trainers; the
        trainers of dated done sessions are left out of the classes). Trainer continuity and
        balance are unchanged when identical trainers swap all their sessions.
        """
        ts = self.training.trainers
        if self.previous is not None or len(ts) < 2 or self.free_groups is not None:
            return  # (a neighbourhood: the fixed groups tell the trainers apart)
        if any(task.pinned_trainer is not None for task in self.tasks):
            return  # a pinned trainer is no longer interchangeable
        # trainers of dated done sessions: their monthly cap or continuity may tell them apart
        named = {d.trainer for d in done_sessions(self.instance) if d.date is not None}
        classes: dict[tuple, list[str]] = defaultdict(list)
        for t in ts:
            if t.id in named:
                continue
            mods = None if t.modules is None else tuple(sorted(set(t.modules)))
            key = (repr(t.unavailable), t.max_days_per_month, mods)
            classes[key].append(t.id)
        m = self.model
        order = sorted(
            range(len(self.sessions)),
            key=lambda i: (
                self.sessions[i].lo,
                self.sessions[i].task.group,
                self.sessions[i].task.position,
            ),
        )
        for members in classes.values():
            if len(members) < 2:
                continue
            used_prev: list | None = None
            for i in order:
                if members[0] not in self.assign[i]:
                    continue  # the class does not teach this module
                row = [self.assign[i][tid] for tid in members]
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
        """Sum over groups of the calendar offset of their last session's last day (in a
        partial order the latest of the sessions that may come last)."""
        ends = []
        for group, seq in self.by_group.items():
            if group not in self.arcs:
                ends.append(seq[-1].last)
                continue
            finals = [a.last for a, b, _ in self.arcs[group] if b is None]
            end = self.model.new_int_var(0, self.cal.offsets[-1], f"completion({group})")
            self.model.add_max_equality(end, finals)
            if not self.explain:
                self._redundant_completion(group, end)
            ends.append(end)
        return sum(ends)

    def _redundant_completion(self, group: str, end: cp_model.IntVar) -> None:
        """Redundant, where the solver orders a group's sessions: any two start at least
        gap = max(min spacing, shortest module, 1) calendar days apart, so the latest of k
        starts lies at least gap (k - 1) / 2 after their mean, and the group ends at least
        the shortest module's days - 1 after that (the LP's row in solver.training_bound);
        a session with n sessions required after it ends the group no earlier than
        n x gap + shortest days - 1 after its start. The circuit hides both from CP-SAT's
        LP: office-unlike at 60 s (workers=2, loaded machine), CP-SAT's bound 6056 without,
        6532 with (the time-indexed LP's is 6530), the plan 7180 -> 6987."""
        seq = self.by_group[group]
        order = self.windows.orders[group]
        k = len(seq)
        shortest = min(s.task.days for s in seq)
        gap = max(self.training.spacing.min_days, shortest, 1)
        # 2k end >= 2 sum(start) + gap k (k - 1) + 2k (shortest - 1), in integers
        starts = sum(s.start for s in seq)
        self.model.add(2 * k * end >= 2 * starts + gap * k * (k - 1) + 2 * k * (shortest - 1))
        for a in seq:
            n = sum(order.required(a.task, b.task) for b in seq)
            if n:
                self.model.add(end >= a.start + n * gap + shortest - 1)

    def _trainer_balance(self) -> cp_model.LinearExprT:
        """Training days of the busiest minus the least busy trainer."""
        m = self.model
        if len(self.trainers) < 2:
            return 0
        fixed = Counter(tid for tid, _c, _g, _w in self.frozen_days)  # a neighbourhood's
        total = sum(s.task.days for s in self.sessions) + sum(fixed.values())
        loads = []
        for tid in self.trainers:
            load = m.new_int_var(fixed[tid], total, f"load({tid})")
            m.add(
                load
                == fixed[tid]
                + sum(
                    s.task.days * self.assign[i][tid]
                    for i, s in enumerate(self.sessions)
                    if tid in self.assign[i]
                )
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

    def _trainer_continuity(self) -> cp_model.LinearExprT:
        """Changes of trainer between a group's consecutive sessions, from its latest dated
        done session with a trainer on. Exact both ways (built only at a positive weight;
        otherwise the term is the checker's count of the plan)."""
        m = self.model
        prior = last_done_sessions(self.instance)
        changes = []
        for group, seq in self.by_group.items():
            done = prior.get(group)
            if done is not None and done.trainer is not None:
                firsts = (
                    [(b, lit) for a, b, lit in self.arcs[group] if a is None]
                    if group in self.arcs
                    else [(seq[0], True)]
                )
                for b, first in firsts:
                    kept = self.assign[self.key_index[b.task.key]].get(done.trainer)
                    changes.append(self._changed(first, [1 if kept is None else 1 - kept]))
            for a, b, arc in self._consecutive_pairs(group):
                ia, ib = self.key_index[a.task.key], self.key_index[b.task.key]
                same = []
                for tid, x in self.assign[ia].items():
                    y = self.assign[ib].get(tid)
                    if y is None:
                        continue
                    both = m.new_bool_var(f"kept({group},{a.task.session},{tid})")
                    m.add_bool_and([x, y]).only_enforce_if(both)
                    m.add_bool_or([x.Not(), y.Not(), both])
                    same.append(both)
                changes.append(self._changed(arc, [1 - sum(same)]))
        return sum(changes)

    def _changed(self, arc, differs: list) -> cp_model.LinearExprT:
        """1 when the arc is taken (True: always) and the trainers differ, exactly."""
        diff = differs[0]
        if arc is True:
            return diff
        c = self.model.new_bool_var("")
        self.model.add(c <= arc)
        self.model.add(c <= diff)
        self.model.add(c >= arc + diff - 1)
        return c

    def _objective(self) -> None:
        change, trainer_change = self._change()
        w = self.training.weights.as_dict()
        self.terms = {
            "completion": self._completion(),
            "trainer_balance": self._trainer_balance(),
            "weekday": self._weekday(),
            "change": change,
            "trainer_change": trainer_change,
        }
        if w["trainer_continuity"]:
            self.terms["trainer_continuity"] = self._trainer_continuity()
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
        for arcs in self.arcs.values():
            for _a, _b, lit in arcs:
                self.model.add_hint(lit, solver.boolean_value(lit))

    def _add_hint(self, plan: TrainingPlan) -> None:
        by_key = plan.by_key()
        starts: dict[tuple[str, str], int] = {}
        for i, s in enumerate(self.sessions):
            p = by_key.get(s.task.key)
            if p is None or p.start is None or not self.cal.is_working(p.start):
                continue
            starts[s.task.key] = self.cal.offset(p.start)
            self.model.add_hint(s.start, starts[s.task.key])
            for tid, lit in self.assign[i].items():
                self.model.add_hint(lit, int(tid == p.trainer))
        self._hint_arcs(starts)

    def _hint_arcs(self, starts: dict[tuple[str, str], int]) -> None:
        """Hint the successor arcs of a partly ordered group by its hinted start days."""
        for group, arcs in self.arcs.items():
            seq = self.by_group[group]
            if any(s.task.key not in starts for s in seq):
                continue
            order = [None, *sorted(seq, key=lambda s: starts[s.task.key]), None]
            taken = {(id(a), id(b)) for a, b in zip(order, order[1:])}
            for a, b, lit in arcs:
                self.model.add_hint(lit, int((id(a), id(b)) in taken))

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
        placements.update(self.frozen_placements)  # a neighbourhood's fixed groups
        return assemble_plan(self.instance, placements)
