"""A lower bound on the training objective from a time-indexed LP relaxation (HiGHS).

CP-SAT's own bound on the calendar model is weak: its LP sees each start as one integer and
the trainer and centre rules as disjunctions, so it stays near the sum of the groups'
earliest finishes while the plans have to shift groups around the days after the summer
break. The time-indexed relaxation has a variable x[s, w] for "session s starts on working
day w" (between 0 and 1) and keeps, in linear form, every rule that acts across groups:

- at most as many sessions on a day as trainers are available that day;
- at most the trainers' summed monthly cap of training days in a month;
- at most K sessions of one centre's groups on a day;
- module order and spacing between a group's consecutive sessions, as the strong
  "started by day t" form F[b, t] <= F[a, t - min] (and the max spacing the other way);
- the completion term (last day of each group's last session) and the weekday term.

Its optimum is a valid lower bound on the completion + weekday part of the objective; the
trainer-balance term adds at least 1 when the days cannot be split evenly, the change terms
at least 0. On generated-S the relaxation gives 5829 + 2, which is the optimum CP-SAT finds,
where CP-SAT's own bound stays at 5690 for minutes.

The bound is handed to CP-SAT as `objective >= bound`, so a plan that reaches it is proven
optimal. It is not HiGHS's objective value but the Lagrangian bound of HiGHS's row duals
(`lagrangian_bound`): every column lies in [0, 1], so any non-negative multipliers give a
valid bound, whatever the solver's tolerances; it is rounded up only past a safety margin.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import highspy
import numpy as np

from models.calendar import WEEKDAYS
from models.training_tasks import done_sessions, startable
from solver.progress import StopToken

MARGIN = 1e-6  # relative: below an integer by less than this, the LP's value is not rounded up
MAX_COLUMNS = 400_000  # larger relaxations take longer than they are worth
SIMPLEX_MAX_COLUMNS = 8_000
"""Up to this many columns HiGHS's dual simplex solves the LP, beyond it the interior point:
Bremen (4,738 columns) 0.38 s against 0.98-1.01 s, generated-S (17,256) 135 s against 7.8 s
(benchmarks/README.md, 2026-12-03)."""
TIE_BREAK = 1e-5
"""Cost rewarding each day a session has started by (an earlier start), added for HiGHS only.
The bound stays valid: the Lagrangian bound is computed with the true costs, and it loses at
most TIE_BREAK x (started-by days): 0.013 on generated-S, 0.010 on M, 0.033 on L, which the
rounding up absorbs.
generated-S: proven optimal in 4.3 s (13.3 s with the interior point's tied starts, 7.1 s
with crossover); 1e-3 already costs a unit of the bound."""


def predicted_seconds(columns: int, partial_order: bool = False) -> float:
    """What the LP takes on the 2-core reference machine (interior point, no crossover):
    4 s for generated-S (17,256 columns), 14 s for M (40,843), 56-65 s for L (110,936);
    about columns^1.5. With partial orders (`partial_order`: some group's order is the
    solver's) the group rows double the non-zeros per column and the LP takes four to five
    times as long: generated-S-features 40 s against S's 8 s, office-unlike 60-87 s, in
    runs on the loaded machine (S 8 s there). At a 60 s limit office-unlike's LP (38,096
    columns) is skipped rather than stopped after 38 s with nothing, S-features' still runs."""
    return (4.0 if partial_order else 1.0) * 4.0 * (columns / 17_256) ** 1.5


@dataclass
class TrainingBound:
    value: int  # lower bound on the CP-SAT objective of the training model
    lp_value: float  # the LP's Lagrangian bound (its optimum up to tolerances), weighted
    balance: int  # the trainer-balance term's lower bound, weighted
    seconds: float
    columns: int
    start_days: dict[int, tuple[int, float]]  # session -> (LP's start day, its share)

    def days(self, min_share: float = 0.0) -> dict[int, int]:
        """Session -> working-day index of its LP start, where that day has at least
        `min_share` of the start."""
        return {i: w for i, (w, share) in self.start_days.items() if share >= min_share}


class TimeIndexedRelaxation:
    """The LP; one method per rule family, as in the CP-SAT model it relaxes.

    Its columns are F[s, w] = "session s has started by working day w" for the days of the
    session's window (1 on the window's last day); x[s, w] = F[s, w] - F[s, w - 1] is the
    share of the start on day w. Rows are kept as sparse triplets for HiGHS.
    """

    def __init__(self, tm):  # tm: solver.training_model.TrainingModel
        self.tm = tm
        self.cal = tm.cal
        self.training = tm.training
        self.col: dict[tuple[int, int], int] = {}  # (session, working day) -> column
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.rhs: list[float] = []  # every row is "<= rhs"
        self.cost = np.zeros(0)
        self.solution: np.ndarray | None = None
        self._starts()
        self._trainer_days()
        self._trainer_months()
        self._centre_coverage()
        self._spacing()
        self._group_days()
        self._group_starts()
        self.extra_bounds: list[tuple[float, float]] = []  # columns past the F columns
        self._completion()
        self._weekday()

    @staticmethod
    def columns(tm) -> int:
        return sum(s.hi - s.lo + 1 for s in tm.sessions)

    # building blocks ----------------------------------------------------------------
    def _add_start(self, coefficients: dict[int, float], i: int, w: int, c: float) -> None:
        """Add c * x[i, w] to a row's (or the objective's) coefficients."""
        coefficients[self.col[i, w]] = coefficients.get(self.col[i, w], 0.0) + c
        if w > self.tm.sessions[i].lo:
            prev = self.col[i, w - 1]
            coefficients[prev] = coefficients.get(prev, 0.0) - c

    def _add_row(self, coefficients: dict[int, float], rhs: float) -> None:
        r = len(self.rhs)
        for j, c in coefficients.items():
            if c:
                self.rows.append(r)
                self.cols.append(j)
                self.vals.append(c)
        self.rhs.append(rhs)

    def _row(self, ub: float, keys) -> None:
        """sum of x[key] <= ub (a key may repeat)."""
        coefficients: dict[int, float] = {}
        for i, w in keys:
            self._add_start(coefficients, i, w, 1.0)
        self._add_row(coefficients, ub)

    @cached_property
    def _index(self) -> dict[int, int]:
        """id of a TrainingModel session -> its index (the groups' sequences hold them)."""
        return {id(s): i for i, s in enumerate(self.tm.sessions)}

    def _days(self, i: int, w: int) -> range:
        return range(w, w + self.tm.sessions[i].task.days)

    @cached_property
    def _covering(self) -> dict[int, list[tuple[int, int]]]:
        """Working day -> the (session, start day) pairs that hold a session on it."""
        out: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for i, w in self.col:
            for d in self._days(i, w):
                out[d].append((i, w))
        return out

    # rule families --------------------------------------------------------------------
    def _starts(self) -> None:
        """Every session starts once: F[s, w] rises from 0 before its window to 1 on the
        window's last day, so x[s, w] = F[s, w] - F[s, w - 1] is never negative."""
        for i, s in enumerate(self.tm.sessions):
            for w in range(s.lo, s.hi + 1):
                self.col[i, w] = len(self.col)
                if w > s.lo:  # F[w - 1] - F[w] <= 0
                    self._add_row({self.col[i, w - 1]: 1.0, self.col[i, w]: -1.0}, 0.0)
                    if not startable(self.cal, s.task, w):  # same_week: no start on w
                        self._add_row({self.col[i, w - 1]: -1.0, self.col[i, w]: 1.0}, 0.0)
        self.cost = np.zeros(len(self.col))

    def _skill_sets(self) -> list[tuple[frozenset[str], set[int]]]:
        """(trainer set Q, the sessions only trainers of Q can hold): all trainers with all
        sessions, and each module's qualified trainers with the sessions of modules taught
        only within that set. Capacity rows on each keep the relaxation valid with skills."""
        everyone = frozenset(self.tm.trainers)
        quals = {s.task.module: frozenset(s.task.trainers) for s in self.tm.sessions}
        sets = {everyone} | set(quals.values())
        return [
            (q, {i for i, s in enumerate(self.tm.sessions) if quals[s.task.module] <= q})
            for q in sorted(sets, key=lambda q: (len(q), sorted(q)), reverse=True)
        ]

    def _trainer_days(self) -> None:
        """On a day, no more sessions than trainers available that day (per skill set:
        the sessions only some trainers teach, at most as many as those available)."""
        away = {
            t.id: {d for r in t.unavailable for d in r.days() if self.cal.is_working(d)}
            for t in self.training.trainers
        }
        for q, sessions in self._skill_sets():
            for d, all_keys in self._covering.items():
                keys = [(i, w) for i, w in all_keys if i in sessions]
                day = self.cal.days[d]
                free = sum(day not in away[t] for t in q)
                if len(keys) > free:
                    self._row(free, keys)

    def _trainer_months(self) -> None:
        """Training days in a month at most the trainers' summed monthly cap, less the
        days of dated done sessions there (per skill set, as for the days)."""
        caps = {t.id: t.max_days_per_month for t in self.training.trainers}
        used: dict[str, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
        for d in done_sessions(self.tm.instance):
            for day in d.run if d.trainer is not None else ():
                used[d.trainer][day.year, day.month] += 1
        for q, sessions in self._skill_sets():
            if any(caps[t] is None for t in q):
                continue
            by_month: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
            for d, keys in self._covering.items():
                by_month[self.cal.month_keys[d]].extend(k for k in keys if k[0] in sessions)
            for month, keys in by_month.items():
                cap = sum(max(0, caps[t] - used[t][month]) for t in q)
                if len(keys) > cap:
                    self._row(cap, keys)

    def _centre_coverage(self) -> None:
        """At most K sessions of one centre's groups on a day (K per centre)."""
        by_centre_day: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        for i, w in self.col:
            for d in self._days(i, w):
                by_centre_day[self.tm.sessions[i].task.centre, d].append((i, w))
        for (centre, _d), keys in by_centre_day.items():
            k = self.training.coverage(centre)
            if len(keys) > k:
                self._row(k, keys)

    def _spacing(self) -> None:
        """b starts at least `min` calendar days after a and after a's last day, in
        started-by form: F[b, t] <= F[a, latest start of a for t] (0 before a's window).
        For a chain on its consecutive pairs; for a partial order on its required pairs
        (valid: the sessions between only add days), where the days a group's sessions
        occupy are also kept apart (`_group_days`). The max spacing is left out: on
        generated-S it did not move the bound and cost 40 % more LP time."""
        sp = self.training.spacing
        off = self.cal.offsets
        for group in self.tm.by_group:
            pairs = [
                (self.tm.by_key[a.key], self.tm.by_key[b.key])
                for a, b in self.tm.windows.orders[group].pairs
            ]
            for a, b in pairs:
                ia, ib = self._index[id(a)], self._index[id(b)]
                span = a.task.days - 1
                wa = a.lo - 1  # latest start of a compatible with b starting on day wb
                for wb in range(b.lo, b.hi + 1):
                    t = off[wb]
                    while (
                        wa + 1 <= a.hi and off[wa + 1] <= t - sp.min_days and off[wa + 1 + span] < t
                    ):
                        wa += 1
                    if wa >= a.hi:
                        break  # a has surely started; so have all later days of b
                    row = {self.col[ib, wb]: 1.0}
                    if wa >= a.lo:
                        row[self.col[ia, wa]] = -1.0
                    self._add_row(row, 0.0)

    def _group_days(self) -> None:
        """A group is in at most one session a day (implied by the spacing rows of a
        chain; needed where the solver chooses the order)."""
        for group, seq in self.tm.by_group.items():
            if group not in self.tm.arcs:
                continue
            mine = {self._index[id(s)] for s in seq}
            for keys in self._covering.values():
                own = [(i, w) for i, w in keys if i in mine]
                if len(own) > 1:
                    self._row(1.0, own)

    def _group_starts(self) -> None:
        """Where the solver orders a group's sessions, any two of them start at least
        `gap` = max(min_days, 1) calendar days apart (consecutive gaps add up), so in any
        `gap` consecutive calendar days at most one of them starts."""
        gap = max(1, self.training.spacing.min_days)
        off = self.cal.offsets
        for group, seq in self.tm.by_group.items():
            if group not in self.tm.arcs:
                continue
            idx = [self._index[id(s)] for s in seq]
            first = min(s.lo for s in seq)
            last = max(s.hi for s in seq)
            end = first
            for d in range(first, last + 1):
                while end + 1 <= last and off[end + 1] < off[d] + gap:
                    end += 1
                row: dict[int, float] = {}
                for i, s in zip(idx, seq):
                    # x[s, d..end] = F[s, min(end, hi)] - F[s, d - 1], inside its window
                    a, b = max(d, s.lo), min(end, s.hi)
                    if a > b:
                        continue
                    row[self.col[i, b]] = row.get(self.col[i, b], 0.0) + 1.0
                    if a > s.lo:
                        row[self.col[i, a - 1]] = row.get(self.col[i, a - 1], 0.0) - 1.0
                if sum(1 for v in row.values() if v > 0) > 1:
                    self._add_row(row, 1.0)

    def _completion(self) -> None:
        """Calendar offset of each group's last day: of its last session in a chain; in a
        partial order a column C_g >= the last day of each session that may come last."""
        weight = self.training.weights.completion
        off = self.cal.offsets
        for group, seq in self.tm.by_group.items():
            if group not in self.tm.arcs:
                last = seq[-1]
                i = self._index[id(last)]
                for w in range(last.lo, last.hi + 1):
                    self._cost(i, w, weight * off[w + last.task.days - 1])
                continue
            c = len(self.cost)
            self.cost = np.append(self.cost, float(weight))
            self.extra_bounds.append((0.0, float(off[-1])))
            for a, b, _lit in self.tm.arcs[group]:
                if b is not None:
                    continue
                i = self._index[id(a)]
                row: dict[int, float] = {}
                for w in range(a.lo, a.hi + 1):
                    self._add_start(row, i, w, float(off[w + a.task.days - 1]))
                row[c] = -1.0
                self._add_row(row, 0.0)
            # the k starts lie pairwise `gap` apart, so the latest is at least their mean
            # plus gap (k - 1) / 2, and the group ends at least min(days) - 1 after it
            k = len(seq)
            gap = max(self.training.spacing.min_days, min(s.task.days for s in seq), 1)
            # through one column E_s >= the start's calendar offset per session: a row over
            # all the group's columns is dense, and HiGHS's interior point slows on it
            # (office-unlike: 87 s with it, 37 s through E_s, the same bound)
            row = {c: -1.0}
            for s in seq:
                i = self._index[id(s)]
                e = len(self.cost)
                self.cost = np.append(self.cost, 0.0)
                self.extra_bounds.append((0.0, float(off[-1])))
                start: dict[int, float] = {e: -1.0}
                for w in range(s.lo, s.hi + 1):
                    self._add_start(start, i, w, float(off[w]))
                self._add_row(start, 0.0)
                row[e] = 1.0 / k
            tail = gap * (k - 1) / 2 + min(s.task.days for s in seq) - 1
            self._add_row(row, -tail)

    def _weekday(self) -> None:
        """Sessions starting on a weekday that is not preferred."""
        weight = self.training.weights.weekday
        preferred = set(self.training.preferred_weekdays)
        for i, w in self.col:
            if WEEKDAYS[self.cal.days[w].weekday()] not in preferred:
                self._cost(i, w, weight)

    def _cost(self, i: int, w: int, c: float) -> None:
        coefficients: dict[int, float] = {}
        self._add_start(coefficients, i, w, c)
        for j, v in coefficients.items():
            self.cost[j] += v

    # solving ---------------------------------------------------------------------------
    def solve(self, seconds: float, stop: StopToken | None = None) -> float | None:
        """A lower bound from the LP (the Lagrangian bound of its optimal duals), or None
        when HiGHS does not solve it to optimality within `seconds` or `stop` is set while
        it runs (HiGHS polls it through its interrupt callbacks). HiGHS's interior-point
        method without crossover: the duals are all the bound needs, and the start days
        need no vertex (with crossover only when HiGHS ends imprecise without; seen on tiny
        models). generated-L: 53 s, against 112 s with crossover; GLOP's dual
        simplex takes 8 and 46 s on generated-S and M (3 and 14 s here), the primal
        simplexes far longer. LPs of at most SIMPLEX_MAX_COLUMNS columns (Bremen's) go to
        HiGHS's dual simplex, which is faster there."""
        n = len(self.cost)
        upper = np.ones(n)
        lower = np.zeros(n)
        for k, (lo, hi) in enumerate(self.extra_bounds):
            lower[len(self.col) + k], upper[len(self.col) + k] = lo, hi
        for i, s in enumerate(self.tm.sessions):
            lower[self.col[i, s.hi]] = 1.0  # started by the window's last day
        matrix = SparseRows(self.rows, self.cols, self.vals, len(self.rhs), n)
        rhs = np.asarray(self.rhs, dtype=float)
        # TIE_BREAK per day of delay breaks the LP's ties: without crossover to a vertex,
        # the interior point would split starts evenly between equally good days
        perturbed = self.cost - TIE_BREAK * (1.0 - lower) * (upper <= 1.0)
        t0 = time.perf_counter()
        solved = None
        # the dual simplex ends at a vertex; without crossover the interior point may end
        # "imprecise" (status Unknown): then again with
        runs = ["simplex"] if n <= SIMPLEX_MAX_COLUMNS else ["ipm", "ipm+crossover"]
        for method in runs:
            left = seconds - (time.perf_counter() - t0)
            if left <= 0:
                return None
            solved = highs_lp(perturbed, matrix, rhs, lower, upper, left, method=method, stop=stop)
            if solved != "unknown":
                break
        if not isinstance(solved, tuple):
            return None
        self.solution, duals = solved
        return lagrangian_bound(self.cost, matrix, rhs, lower, upper, duals)

    def start_days(self) -> dict[int, tuple[int, float]]:
        """Per session, the working day with the largest share of its start in the LP's
        solution, and that share (most sessions sit on one day)."""
        assert self.solution is not None
        best: dict[int, tuple[float, int]] = {}
        for (i, w), j in self.col.items():
            share = self.solution[j] - (
                self.solution[self.col[i, w - 1]] if (i, w - 1) in self.col else 0.0
            )
            if share > best.get(i, (-1.0, 0))[0]:
                best[i] = (share, w)
        return {i: (w, share) for i, (share, w) in best.items()}


@dataclass
class SparseRows:
    """A sparse matrix as (row, column, value) triplets; duplicates add up."""

    rows: list[int]
    cols: list[int]
    vals: list[float]
    n_rows: int
    n_cols: int

    @classmethod
    def dense(cls, table: list[list[float]]) -> SparseRows:
        cells = [(r, c, v) for r, row in enumerate(table) for c, v in enumerate(row) if v]
        rows, cols, vals = (list(t) for t in zip(*cells)) if cells else ([], [], [])
        return cls(rows, cols, vals, len(table), len(table[0]) if table else 0)

    def transpose_times(self, y: np.ndarray) -> np.ndarray:
        """A^T y."""
        rows = np.asarray(self.rows, dtype=np.int64)
        vals = np.asarray(self.vals, dtype=float) * np.asarray(y, dtype=float)[rows]
        return np.bincount(np.asarray(self.cols, dtype=np.int64), vals, minlength=self.n_cols)

    def csc(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(column starts, row indices, values), the columns' entries in row order."""
        rows = np.asarray(self.rows, dtype=np.int32)
        cols = np.asarray(self.cols, dtype=np.int32)
        order = np.lexsort((rows, cols))
        starts = np.zeros(self.n_cols + 1, dtype=np.int32)
        np.cumsum(np.bincount(cols, minlength=self.n_cols), out=starts[1:])
        return starts, rows[order], np.asarray(self.vals, dtype=float)[order]


def highs_lp(
    cost,
    matrix: SparseRows,
    rhs,
    lower,
    upper,
    seconds: float,
    *,
    method: str = "ipm",
    stop: StopToken | None = None,
):
    """min cost x s.t. matrix x <= rhs, lower <= x <= upper with HiGHS (`method`: "ipm",
    the interior point without crossover, "ipm+crossover", or "simplex", the dual simplex):
    (x, row multipliers >= 0) when optimal, "unknown" when HiGHS ends without a clear status
    (imprecise without crossover), None otherwise (time limit, infeasible, `stop` set: the
    interior point and the simplex poll it through HiGHS's interrupt callbacks, so a
    planner's stop ends the LP within a few of its iterations)."""
    if method not in ("ipm", "ipm+crossover", "simplex"):
        raise ValueError(f"unknown LP method {method!r}")
    # the plain binding (in highspy's __all__): highspy.Highs enables its Python callbacks
    # on construction, which prints the HiGHS banner before output_flag can be unset
    h = highspy._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex" if method == "simplex" else "ipm")
    h.setOptionValue("run_crossover", "on" if method == "ipm+crossover" else "off")
    h.setOptionValue("presolve", "on")
    h.setOptionValue("time_limit", max(0.1, float(seconds)))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.n_cols, matrix.n_rows
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_, lp.col_upper_ = np.asarray(lower, float), np.asarray(upper, float)
    lp.row_lower_ = np.full(matrix.n_rows, -highspy.kHighsInf)
    lp.row_upper_ = np.asarray(rhs, dtype=float)
    starts, index, values = matrix.csc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = starts, index, values
    h.passModel(lp)
    if stop is not None:

        def interrupt(_type, _message, _out, data_in, _user) -> None:
            if data_in is not None and stop.is_set():
                data_in.user_interrupt = True

        h.setCallback(interrupt, None)
        h.startCallback(highspy.cb.HighsCallbackType.kCallbackIpmInterrupt)
        h.startCallback(highspy.cb.HighsCallbackType.kCallbackSimplexInterrupt)
    h.run()
    if stop is not None and stop.is_set():
        return None
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kUnknown:
        return "unknown"
    if status != highspy.HighsModelStatus.kOptimal:
        return None
    solution = h.getSolution()
    if not solution.dual_valid:
        return None
    # HiGHS's duals of "<=" rows at their upper end are <= 0: the multipliers negate them
    return np.asarray(solution.col_value), -np.asarray(solution.row_dual)


def lagrangian_bound(cost, matrix, rhs, lower, upper, duals) -> float:
    """min { c x + y (A x - b) : lower <= x <= upper } for y = max(duals, 0): a lower bound
    on min { c x : A x <= b, lower <= x <= upper } for any duals, equal to the LP's optimum
    for optimal ones. With bounded columns each reduced cost is taken at its cheaper end."""
    y = np.maximum(np.asarray(duals, dtype=float), 0.0)
    reduced = cost + matrix.transpose_times(y)
    return float(-rhs @ y + np.where(reduced >= 0, reduced * lower, reduced * upper).sum())


def balance_bound(tm) -> int:
    """Weighted lower bound of the trainer-balance term (busiest minus least busy trainer's
    days): 1 when the days cannot be split evenly; and from the skills, where the least
    busy trainer can carry at most `cap` days (those of the sessions it may teach), the
    others share the rest, so the busiest carries ceil((total - cap) / (k - 1))."""
    trainers = list(tm.trainers)
    k = len(trainers)
    if k < 2:
        return 0
    total = sum(s.task.days for s in tm.sessions)
    uneven = int(total % k != 0)
    cap = min(
        sum(s.task.days for i, s in enumerate(tm.sessions) if t in tm.assign[i]) for t in trainers
    )
    skewed = -(-(total - cap) // (k - 1)) - cap
    return tm.training.weights.trainer_balance * max(uneven, skewed)


def window_bound(tm) -> int:
    """The weak bound that needs no LP: every group finishing on its earliest possible day
    (its windows), plus the balance bound."""
    weight = tm.training.weights.completion
    off = tm.cal.offsets
    finishes = [max(off[s.lo + s.task.days - 1] for s in seq) for seq in tm.by_group.values()]
    return weight * sum(finishes) + balance_bound(tm)


def training_bound(tm, seconds: float, stop: StopToken | None = None) -> TrainingBound | None:
    """The relaxation's bound on tm's objective, or None: too large, predicted to need more
    than 90 % of `seconds`, not solved within `seconds`, or stopped by `stop`."""
    t0 = time.perf_counter()
    columns = TimeIndexedRelaxation.columns(tm)
    if not tm.sessions or tm.empty_windows or columns > MAX_COLUMNS:
        return None
    if predicted_seconds(columns, bool(tm.arcs)) > 0.9 * seconds:
        return None
    relaxation = TimeIndexedRelaxation(tm)
    left = seconds - (time.perf_counter() - t0)
    if left <= 0:
        return None
    value = relaxation.solve(left, stop)
    if value is None:
        return None
    balance = balance_bound(tm)
    return TrainingBound(
        value=math.ceil(value - MARGIN * max(1.0, abs(value))) + balance,
        lp_value=value,
        balance=balance,
        seconds=time.perf_counter() - t0,
        columns=columns,
        start_days=relaxation.start_days(),
    )
