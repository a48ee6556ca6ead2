"""The staffing part: additional positions (BV), the units that receive them, the hiring
model, budgets and weights; and the expected-headcount arithmetic that the solver, the
checker and the reports share.

Time runs on a monthly grid from `start_month`. A position "posted" in month p is filled
after a lag drawn from the hiring model (a failed posting is re-posted at once); a filled
position is left with the monthly attrition probability and then re-posted, again subject
to the lag. The expected share of a posting that is filled k months later is `fill_curve`;
the solver works with those expectations scaled to integers (`SCALE` per BV).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator, model_validator

from models.common import (
    MAX_BV,
    MAX_CASES,
    MAX_MONEY,
    MAX_WEIGHT,
    MAX_YEAR,
    MIN_YEAR,
    Id,
    Model,
    Weights,
)

SCALE = 100
"""Effective BV are handled in hundredths (centi-BV) so that every sum is an integer."""

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month; write YYYY-MM, e.g. 2016-04")
    return int(m.group(1)), int(m.group(2))


def month_label(start: str, index: int) -> str:
    """The YYYY-MM label of month `index` counted from `start` (index 0)."""
    y, m = parse_month(start)
    k = y * 12 + (m - 1) + index
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def month_offset(start: str, month: str) -> int:
    """Months from `start` to `month` (negative when before)."""
    y0, m0 = parse_month(start)
    y, m = parse_month(month)
    return (y - y0) * 12 + (m - m0)


def short_month(month: str) -> str:
    """'2015-04' -> '4/15', the way the Senate paper writes release months."""
    y, m = parse_month(month)
    return f"{m}/{y % 100:02d}"


class Tranche(Model):
    """A block of additional positions released for posting from a given month."""

    id: Id
    bv: float = Field(gt=0, le=MAX_BV, description="full-time positions in this tranche")
    release: str = Field(description="first month in which it may be posted (YYYY-MM)")
    year: int | None = Field(
        None,
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description="budget year the source books it under (default: the release year)",
    )
    release_stated: bool = Field(
        True, description="false when the source gives no month and `release` is assumed"
    )

    @field_validator("release")
    @classmethod
    def _month(cls, v: str) -> str:
        parse_month(v)
        return v

    def booked_year(self) -> int:
        return self.year if self.year is not None else parse_month(self.release)[0]


class Category(Model):
    """A kind of position (case management, district coordination, ...) with its tranches."""

    id: Id
    name: str = ""
    need: float = Field(
        0.0, ge=0, le=MAX_BV, description="total need in BV (first column of the table)"
    )
    existing: float = Field(
        0.0, ge=0, le=MAX_BV, description="BV already there before the programme"
    )
    tranches: list[Tranche] = Field(default_factory=list)

    def additional(self) -> float:
        return sum(t.bv for t in self.tranches)


class Unit(Model):
    """A receiving unit: a district team, a centre-level role, a counselling centre."""

    id: Id
    name: str = ""
    category: Id = Field(description="the position category this unit receives")
    centre: Id | None = Field(None, description="district centre, for fairness and reports")
    team: Id | None = Field(
        None, description="organisation team id; links the unit to its training group"
    )
    bv: float = Field(
        0.0, ge=0, le=MAX_BV, description="current BV of the unit (filled and vacant)"
    )
    vacancies: float = Field(
        0.0, ge=0, le=MAX_BV, description="of `bv`, the part vacant at the start"
    )
    cases: int = Field(
        0, ge=0, le=MAX_CASES, description="open cases (caseload); 0 for non-casework units"
    )
    min_bv: float = Field(0.0, ge=0, le=MAX_BV, description="least additional BV the unit receives")
    max_bv: float | None = Field(
        None, ge=0, le=MAX_BV, description="most additional BV it may receive"
    )
    attrition: float | None = Field(
        None, ge=0, lt=1, description="yearly attrition rate; default: the hiring model's"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Unit:
        if self.vacancies > self.bv:
            raise ValueError(f"vacancies {self.vacancies} exceed bv {self.bv}")
        if self.max_bv is not None and self.max_bv < self.min_bv:
            raise ValueError(f"max_bv {self.max_bv} is less than min_bv {self.min_bv}")
        return self


class UnitsSource(Model):
    """Where the staffing units come from when they live in a spreadsheet."""

    path: str = Field(
        min_length=1, description="an .xlsx or .csv file, relative to the instance file"
    )
    sheet: str | None = Field(None, description="sheet of an .xlsx file (default: the first)")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="unit field -> column header in the table, for headers that differ from "
        "the field names (e.g. cases: Fallzahl)",
    )
    defaults: dict[str, Any] = Field(
        default_factory=dict,
        description="unit field -> value for rows whose cell is empty or whose table has no "
        "such column (e.g. category: cm)",
    )


class HiringModel(Model):
    """How postings turn into staff, and how staff leave."""

    lag: dict[int, float] = Field(
        default_factory=lambda: {3: 0.4, 4: 0.3, 6: 0.2, 9: 0.1},
        description="months from posting to start -> probability (sums to 1)",
    )
    fill_probability: float = Field(
        0.85, gt=0, le=1, description="chance that a posting is filled (else re-posted)"
    )
    attrition: float = Field(0.10, ge=0, lt=1, description="yearly attrition rate")
    monthly_capacity: float | None = Field(
        None, gt=0, le=MAX_BV, description="most additional BV HR can post in one month"
    )
    max_posting_delay: int = Field(
        12, ge=0, le=120, description="months after its release a tranche may still be posted"
    )

    @field_validator("lag")
    @classmethod
    def _distribution(cls, v: dict[int, float]) -> dict[int, float]:
        if not v:
            raise ValueError("the lag distribution is empty")
        for months, p in v.items():
            if months < 1 or months > 60:
                raise ValueError(f"lag of {months} months is outside 1..60")
            if p < 0:
                raise ValueError(f"probability {p} of a {months}-month lag is negative")
        total = sum(v.values())
        if abs(total - 1) > 1e-6:
            raise ValueError(f"lag probabilities sum to {total:g}, not 1")
        return dict(sorted(v.items()))

    def mean_lag(self) -> float:
        return sum(k * p for k, p in self.lag.items())


class Budget(Model):
    """A yearly budget for the expected cost of the additional positions."""

    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    amount: float = Field(ge=0, le=MAX_MONEY, description="thousand euros (TEUR)")
    tranches: list[Id] = Field(
        default_factory=list, description="tranches it pays for (empty: every tranche)"
    )


class StaffingWeights(Weights):
    """Weights of the soft rules; 0 switches a rule off. Terms are in the units below."""

    excess_caseload: int = Field(
        1, ge=0, le=MAX_WEIGHT, description="per case-month above the caseload threshold"
    )
    worst_caseload: int = Field(
        20,
        ge=0,
        le=MAX_WEIGHT,
        description="per case per BV of the worst unit (from `assess_from`)",
    )
    training_relief: int = Field(
        50,
        ge=0,
        le=MAX_WEIGHT,
        description="per BV-month of training relief a team in training lacks",
    )
    centre_fairness: int = Field(
        10,
        ge=0,
        le=MAX_WEIGHT,
        description="per BV a centre's CM share deviates from its need share",
    )
    late_posting: int = Field(
        1, ge=0, le=MAX_WEIGHT, description="per BV-month a posting waits after release"
    )


class ReliefNeed(Model):
    """BV a unit needs in a month to cover its staff's training days (when no training
    plan is given to derive it from)."""

    unit: Id
    month: str
    bv: float = Field(ge=0, le=MAX_BV)

    @field_validator("month")
    @classmethod
    def _month(cls, v: str) -> str:
        parse_month(v)
        return v


class StaffingPart(Model):
    start_month: str = Field(description="first month of the planning grid (YYYY-MM)")
    months: int = Field(ge=1, le=240, description="length of the grid in months")
    granularity: float = Field(
        0.5, gt=0, le=100, description="BV are allocated in multiples of this"
    )
    casework_category: Id = Field(
        "cm", description="category whose units carry caseloads and training relief"
    )
    caseload_threshold: float = Field(
        35.0, gt=0, le=MAX_CASES, description="cases per effective BV"
    )
    assess_from: str | None = Field(
        None,
        description="first month of the worst-caseload term (default: the first month a "
        "posting of the first tranche can have been filled)",
    )
    cost_per_bv_year: float = Field(
        58.0, gt=0, le=MAX_MONEY, description="TEUR per full-time post and year"
    )
    cost_growth: float = Field(0.0, ge=0, le=1, description="yearly rise of that cost")
    categories: list[Category]
    units: list[Unit]
    units_from: UnitsSource | None = Field(
        None,
        description="an Excel/CSV table of further units; read when the instance file is "
        "loaded and added to `units`",
    )
    hiring: HiringModel = Field(default_factory=HiringModel)
    budgets: list[Budget] = Field(default_factory=list)
    relief: list[ReliefNeed] = Field(
        default_factory=list,
        description="explicit relief needs; derived from the training plan when there is one",
    )
    weights: StaffingWeights = Field(default_factory=StaffingWeights)

    @field_validator("start_month", "assess_from")
    @classmethod
    def _month(cls, v: str | None) -> str | None:
        if v is not None:
            parse_month(v)
        return v

    # grid helpers ---------------------------------------------------------------------
    def month(self, index: int) -> str:
        return month_label(self.start_month, index)

    def offset(self, month: str) -> int:
        return month_offset(self.start_month, month)

    def month_labels(self) -> list[str]:
        return [self.month(i) for i in range(self.months)]

    def year_of(self, index: int) -> int:
        return parse_month(self.month(index))[0]

    def tranches(self) -> list[tuple[Category, Tranche]]:
        return [(c, t) for c in self.categories for t in c.tranches]

    def units_of(self, category: str) -> list[Unit]:
        return [u for u in self.units if u.category == category]

    def steps(self, bv: float) -> int:
        """`bv` in multiples of the granularity (validated to be whole)."""
        return round(bv / self.granularity)

    def posting_months(self, tranche: Tranche) -> range:
        """Grid months in which the tranche may be posted."""
        first = max(0, self.offset(tranche.release))
        last = min(self.months - 1, first + self.hiring.max_posting_delay)
        return range(first, last + 1)

    def assess_start(self) -> int:
        if self.assess_from is not None:
            return max(0, self.offset(self.assess_from))
        releases = [self.offset(t.release) for _, t in self.tranches()]
        first = min(releases, default=0)
        return max(0, min(self.months - 1, first + max(self.hiring.lag)))

    def unit_attrition(self, unit: Unit) -> float:
        return self.hiring.attrition if unit.attrition is None else unit.attrition

    def monthly_cost(self, index: int) -> float:
        """TEUR one BV costs in grid month `index`."""
        years = self.year_of(index) - parse_month(self.start_month)[0]
        return self.cost_per_bv_year * (1 + self.cost_growth) ** years / 12

    # expectations -----------------------------------------------------------------------
    def new_curve(self, unit: Unit) -> tuple[int, ...]:
        """Expected filled centi-BV, k months after posting one granularity step."""
        return _scaled(
            _curves(
                tuple(self.hiring.lag.items()),
                self.hiring.fill_probability,
                self.unit_attrition(unit),
                self.months,
            )[0],
            self.granularity * SCALE,
        )

    def base_bv(self, unit: Unit) -> list[int]:
        """Expected filled centi-BV of the unit's current staff, month by month (its
        vacancies posted in month 0, leavers replaced)."""
        new, kept = _curves(
            tuple(self.hiring.lag.items()),
            self.hiring.fill_probability,
            self.unit_attrition(unit),
            self.months,
        )
        filled = unit.bv - unit.vacancies
        return [
            round(SCALE * (filled * kept[k] + unit.vacancies * new[k])) for k in range(self.months)
        ]


def _scaled(curve: tuple[float, ...], factor: float) -> tuple[int, ...]:
    return tuple(round(factor * v) for v in curve)


def time_to_fill(lag: tuple[tuple[int, float], ...], q: float, horizon: int) -> list[float]:
    """P(a vacancy posted in month 0 is filled in month k), k < horizon: each posting
    takes a lag from the distribution and succeeds with probability q, else is re-posted."""
    pmf = [0.0] * horizon
    cycle = [0.0] * horizon  # P(the n-th posting ends in month k, all before failed)
    for k, p in lag:
        if k < horizon:
            cycle[k] += p
    while sum(cycle) > 1e-12:
        for k in range(horizon):
            pmf[k] += q * cycle[k]
        nxt = [0.0] * horizon
        for k, c in enumerate(cycle):
            if c:
                for lag_k, p in lag:  # lags are >= 1 month, so this ends
                    if k + lag_k < horizon:
                        nxt[k + lag_k] += (1 - q) * c * p
        cycle = nxt
    return pmf


@lru_cache(maxsize=64)
def _curves(
    lag: tuple[tuple[int, float], ...], q: float, attrition: float, horizon: int
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(new, kept): P(filled in month k) for a position posted vacant in month 0, and for
    one filled in month 0. Leavers go at the end of a month and are re-posted the next."""
    r = 1 - (1 - attrition) ** (1 / 12)
    fill = time_to_fill(lag, q, horizon + 1)
    survive = [1.0]
    for k in range(horizon + 1):
        survive.append(survive[-1] - fill[k])
    hazard = [fill[d] / survive[d] if survive[d] > 1e-15 else 0.0 for d in range(horizon + 1)]

    def run(filled: float, vacant_new: float) -> tuple[float, ...]:
        out = []
        vacant = [0.0] * (horizon + 1)  # by months since posting
        vacant[0] = vacant_new
        for _k in range(horizon):
            filled += sum(v * hazard[d] for d, v in enumerate(vacant) if v)
            out.append(filled)
            leaving = filled * r
            aged = [0.0] * (horizon + 1)
            for d, v in enumerate(vacant):
                if v and d + 1 <= horizon:
                    aged[d + 1] = v * (1 - hazard[d])
            aged[0] = leaving
            vacant = aged
            filled -= leaving
        return tuple(out)

    return run(0.0, 1.0), run(1.0, 0.0)


def staffing_problems(
    part: StaffingPart, centres: list[str], teams: list[str]
) -> list[tuple[str, str]]:
    """(field path, message) for every inconsistent value of the staffing part."""
    from models.common import duplicates

    p: list[tuple[str, str]] = []
    root = "staffing"
    if part.units_from is not None:
        p.append(
            (
                f"{root}.units_from",
                "the table is read when an instance file is loaded (models.io.load_instance "
                "or instance_from_dict); this instance was built without reading it",
            )
        )
    if not part.units:
        p.append((f"{root}.units", "no units: list them or name a table in `units_from`"))
    for i, d in duplicates([c.id for c in part.categories]):
        p.append((f"{root}.categories[{i}].id", f"id {d!r} is used twice"))
    paths = [
        f"{root}.categories[{i}].tranches[{j}].id"
        for i, c in enumerate(part.categories)
        for j in range(len(c.tranches))
    ]
    for i, d in duplicates([t.id for _, t in part.tranches()]):
        p.append((paths[i], f"tranche id {d!r} is used twice"))
    for i, d in duplicates([u.id for u in part.units]):
        p.append((f"{root}.units[{i}].id", f"id {d!r} is used twice"))
    cats = {c.id for c in part.categories}
    if part.casework_category not in cats:
        p.append((f"{root}.casework_category", f"unknown category {part.casework_category!r}"))
    g = part.granularity
    end = part.month(part.months - 1)

    def whole(v: float) -> bool:
        return abs(v / g - round(v / g)) < 1e-9

    for i, c in enumerate(part.categories):
        for j, t in enumerate(c.tranches):
            path = f"{root}.categories[{i}].tranches[{j}]"
            if not whole(t.bv):
                p.append((f"{path}.bv", f"{t.bv:g} BV is not a multiple of {g:g}"))
            off = part.offset(t.release)
            if not 0 <= off < part.months:
                p.append(
                    (
                        f"{path}.release",
                        f"{t.release} is outside the grid {part.start_month}..{end}",
                    )
                )
        if c.tranches and not part.units_of(c.id):
            p.append((f"{root}.categories[{i}]", f"no unit receives category {c.id!r}"))
    for i, u in enumerate(part.units):
        path = f"{root}.units[{i}]"
        if u.category not in cats:
            p.append((f"{path}.category", f"unknown category {u.category!r}"))
        if u.centre is not None and u.centre not in centres:
            p.append((f"{path}.centre", f"unknown centre {u.centre!r}"))
        if u.team is not None and u.team not in teams:
            p.append((f"{path}.team", f"unknown team {u.team!r}"))
        for fld in ("min_bv", "max_bv"):
            v = getattr(u, fld)
            if v is not None and not whole(v):
                p.append((f"{path}.{fld}", f"{v:g} BV is not a multiple of {g:g}"))
    units = {u.id for u in part.units}
    for i, r in enumerate(part.relief):
        if r.unit not in units:
            p.append((f"{root}.relief[{i}].unit", f"unknown unit {r.unit!r}"))
        if not 0 <= part.offset(r.month) < part.months:
            p.append((f"{root}.relief[{i}].month", f"{r.month} is outside the grid"))
    tranche_ids = {t.id for _, t in part.tranches()}
    for i, b in enumerate(part.budgets):
        for j, t in enumerate(b.tranches):
            if t not in tranche_ids:
                p.append((f"{root}.budgets[{i}].tranches[{j}]", f"unknown tranche {t!r}"))
    if part.assess_from is not None and not 0 <= part.offset(part.assess_from) < part.months:
        p.append((f"{root}.assess_from", f"{part.assess_from} is outside the grid"))
    return p


class Allocation(Model):
    """`bv` of tranche `tranche` go to `unit` and are posted in `post_month`."""

    category: Id
    tranche: Id
    unit: Id
    bv: float = Field(gt=0)
    release_month: str
    post_month: str = Field(description="month the positions are posted (YYYY-MM)")


class StaffingPlan(Model):
    allocations: list[Allocation] = Field(default_factory=list)

    def to_frame(self):  # -> pandas.DataFrame
        """The allocations as a DataFrame, months as dates (`models.frames`)."""
        from models.frames import staffing_frame

        return staffing_frame(self)

    def by_unit(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for a in self.allocations:
            out[a.unit] = out.get(a.unit, 0.0) + a.bv
        return out
