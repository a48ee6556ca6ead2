"""Hiring scenarios: a file of variants of an instance's staffing part (lag distribution,
fluctuation, HR capacity, budgets, delayed releases), each re-optimised and simulated by
`juwe staffing scenarios`.

A variant changes a copy of the staffing part; the copy is validated again like an
instance, and every problem is reported under the variant's field
(`variants[2].budgets[0].tranches[1]: unknown tranche ...`).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator, model_validator

from models.common import MAX_BV, DelayMonths, Id, Model, duplicates
from models.instance import Instance
from models.io import InputError, read_data, validation_problems
from models.staffing import Budget, HiringModel, month_label, parse_month


class Variant(Model):
    """One scenario. Fields left out keep the instance's value."""

    name: str = Field(min_length=1, max_length=80, description="label in the table and charts")
    description: str = ""
    lag: dict[int, float] | None = Field(
        None, description="months from posting to start -> probability (sums to 1)"
    )
    fill_probability: float | None = Field(
        None, gt=0, le=1, description="chance that a posting is filled (else re-posted)"
    )
    attrition: float | None = Field(
        None,
        ge=0,
        lt=1,
        description="yearly attrition rate of every unit (replaces units' own rates too)",
    )
    monthly_capacity: float | None = Field(
        None, gt=0, le=MAX_BV, description="most BV HR can post in one month; null removes the cap"
    )
    max_posting_delay: int | None = Field(
        None, ge=0, le=120, description="months after release a tranche may still be posted"
    )
    budget_factor: float | None = Field(
        None, ge=0, le=100, description="multiplies every budget amount (0.8: a cut by 20 %)"
    )
    budgets: list[Budget] | None = Field(None, description="replaces the budgets")
    release_delay_months: DelayMonths | dict[Id, DelayMonths] | None = Field(
        None,
        description="months every tranche (a number) or the named tranches (a mapping "
        "tranche id -> months) are released later",
    )

    @field_validator("lag")
    @classmethod
    def _lag(cls, v: dict[int, float] | None) -> dict[int, float] | None:
        if v is None:
            return v
        try:
            return HiringModel(lag=v).lag
        except ValidationError as exc:
            raise ValueError("; ".join(_messages(exc))) from None

    @field_validator("release_delay_months")
    @classmethod
    def _delay(cls, v: int | dict[str, int] | None) -> int | dict[str, int] | None:
        values = v.values() if isinstance(v, dict) else [] if v is None else [v]
        for d in values:
            if not 0 <= d <= 120:
                raise ValueError(f"a delay of {d} months is outside 0..120")
        return v

    @model_validator(mode="after")
    def _one_budget_rule(self) -> Variant:
        if self.budget_factor is not None and self.budgets is not None:
            raise ValueError("give budget_factor or budgets, not both")
        return self


class HRGrid(Model):
    """A grid of hiring conditions: every combination becomes a variant (at most 400)."""

    fill_probability: list[Annotated[float, Field(gt=0, le=1)]] | None = Field(None, min_length=1)
    lag: list[dict[int, float]] | None = Field(
        None, min_length=1, description="lag distributions (months -> probability)"
    )
    budget_factor: list[Annotated[float, Field(ge=0, le=100)]] | None = Field(None, min_length=1)

    @field_validator("lag")
    @classmethod
    def _lags(cls, v: list[dict[int, float]] | None) -> list[dict[int, float]] | None:
        for i, lag in enumerate(v or []):
            try:
                HiringModel(lag=lag)
            except ValidationError as exc:
                raise ValueError(f"lag[{i}]: " + "; ".join(_messages(exc))) from None
        return v

    def points(self) -> list[dict[str, Any]]:
        axes = {k: v for k, v in self.model_dump().items() if v is not None}
        return [dict(zip(axes, combo)) for combo in itertools.product(*axes.values())]


def lag_label(lag: dict[int, float]) -> str:
    """A lag distribution by its mean, e.g. `lag 6.3 mo`."""
    return f"lag {sum(k * p for k, p in lag.items()):.1f} mo"


def grid_name(point: dict[str, Any]) -> str:
    parts = []
    if "fill_probability" in point:
        parts.append(f"fill {point['fill_probability']:g}")
    if "lag" in point:
        parts.append(lag_label(point["lag"]))
    if "budget_factor" in point:
        parts.append(f"budget x{point['budget_factor']:g}")
    return "grid: " + ", ".join(parts)


class ScenarioFile(Model):
    """The scenario file of `juwe staffing scenarios`."""

    runs: int = Field(1000, ge=1, le=100_000, description="Monte Carlo runs per variant")
    seed: int = Field(
        0, ge=0, le=2**31 - 1, description="seed of the simulation (the same for every variant)"
    )
    dates: list[str] | None = Field(
        None,
        description="months (YYYY-MM) at which P10/P50/P90 of the casework BV are reported "
        "(default: the end of each year)",
    )
    variants: list[Variant] = Field(default_factory=list)
    grid: HRGrid | None = Field(
        None, description="fill probability x lag x budget factor: a variant per combination"
    )

    def grid_variants(self) -> list[tuple[Variant, dict[str, Any]]]:
        """The grid's variants with their coordinates (for the heatmaps)."""
        if self.grid is None:
            return []
        return [(Variant(name=grid_name(p), **p), p) for p in self.grid.points()]

    def all_variants(self) -> list[Variant]:
        return [*self.variants, *(v for v, _ in self.grid_variants())]

    @field_validator("dates")
    @classmethod
    def _months(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            for m in v:
                parse_month(m)
        return v

    @model_validator(mode="after")
    def _unique(self) -> ScenarioFile:
        if not self.variants and self.grid is None:
            raise ValueError("give `variants` or a `grid`")
        if self.grid is not None and len(self.grid.points()) > 400:
            raise ValueError(f"grid: {len(self.grid.points())} combinations; at most 400")
        problems = [
            f"variants[{i}].name: name {d!r} is used twice"
            for i, d in duplicates([v.name for v in self.all_variants()])
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self


def _messages(exc: ValidationError) -> list[str]:
    return [str(e.get("ctx", {}).get("error", e["msg"])) for e in exc.errors()]


def load_scenarios(path: str | Path) -> ScenarioFile:
    """Read and validate a scenario file; InputError naming file, field and value."""
    data = read_data(path)
    if not isinstance(data, dict):
        raise InputError(
            path, [f"expected a mapping of fields at the top level, got {type(data).__name__}"]
        )
    if "variants" not in data and ("calendar" in data or "staffing" in data):
        raise InputError(
            path, ["this is an instance file, not a scenario file (it has no `variants`)"]
        )
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(path, validation_problems(exc)) from None


def _changed_staffing(instance: Instance, v: Variant) -> tuple[dict[str, Any], list[str]]:
    """The staffing part as data with the variant applied, and problems found on the way
    (field paths relative to the variant)."""
    part = instance.staffing
    assert part is not None
    data = part.model_dump(mode="python")
    hiring = data["hiring"]
    problems: list[str] = []
    for name in ("lag", "fill_probability", "max_posting_delay"):
        value = getattr(v, name)
        if value is not None:
            hiring[name] = value
    if "monthly_capacity" in v.model_fields_set:  # an explicit null removes the cap
        hiring["monthly_capacity"] = v.monthly_capacity
    if v.attrition is not None:
        hiring["attrition"] = v.attrition
        for u in data["units"]:
            u["attrition"] = None
    if v.budgets is not None:
        data["budgets"] = [b.model_dump() for b in v.budgets]
    elif v.budget_factor is not None:
        if not data["budgets"]:
            problems.append("budget_factor: the instance has no budgets to scale")
        for b in data["budgets"]:
            b["amount"] = b["amount"] * v.budget_factor
    if v.release_delay_months is not None:
        delays = v.release_delay_months
        known = {t.id for _, t in part.tranches()}
        if isinstance(delays, dict):
            for tid in delays:
                if tid not in known:
                    problems.append(
                        f"release_delay_months.{tid}: unknown tranche {tid!r} "
                        f"(tranches: {', '.join(sorted(known))})"
                    )
        end = part.month(part.months - 1)
        for c in data["categories"]:
            for t in c["tranches"]:
                d = delays if isinstance(delays, int) else delays.get(t["id"], 0)
                if not d:
                    continue
                new = month_label(t["release"], d)
                if part.offset(new) >= part.months:
                    key = "" if isinstance(delays, int) else f".{t['id']}"
                    problems.append(
                        f"release_delay_months{key}: tranche {t['id']} would be released in "
                        f"{new}, after the grid ends ({end})"
                    )
                t["release"] = new
    return data, problems


def _relative(line: str, prefix: str) -> str:
    """A problem of the changed instance, named by the variant's field where possible."""
    for old, new in (("staffing.hiring.", ""), ("staffing.budgets", "budgets")):
        if line.startswith(old):
            return f"{prefix}.{new}{line[len(old) :]}"
    return f"{prefix}: {line}"


def apply_variant(instance: Instance, v: Variant, index: int) -> tuple[Instance | None, list[str]]:
    """The instance with variant `v` (at `variants[index]`) applied to its staffing part,
    validated again; its training and rollout parts are left out. On problems: (None,
    problems), each naming `variants[index].field`."""
    prefix = f"variants[{index}]"
    staffing, problems = _changed_staffing(instance, v)
    if problems:
        return None, [f"{prefix}.{p}" for p in problems]
    data = instance.model_dump(mode="python", exclude={"training", "rollout"})
    data["staffing"] = staffing
    try:
        return Instance.model_validate(data), []
    except ValidationError as exc:
        return None, [_relative(line, prefix) for line in validation_problems(exc)]


def prepare_variants(
    instance: Instance, scenarios: ScenarioFile, source: str | Path
) -> list[Instance]:
    """Every variant applied and validated before anything is solved; InputError listing
    all problems of the file otherwise."""
    part = instance.staffing
    assert part is not None
    problems: list[str] = []
    for i, m in enumerate(scenarios.dates or []):
        if not 0 <= part.offset(m) < part.months:
            problems.append(
                f"dates[{i}]: {m} is outside the grid "
                f"{part.start_month}..{part.month(part.months - 1)}"
            )
    out: list[Instance] = []
    for i, v in enumerate(scenarios.all_variants()):
        inst, found = apply_variant(instance, v, i)
        problems.extend(found)
        if inst is not None:
            out.append(inst)
    if problems:
        raise InputError(source, problems)
    return out
