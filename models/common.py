"""Shared pydantic base and small value types used by every part."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Id = Annotated[str, Field(min_length=1, max_length=80)]
"""Identifiers are strings; YAML integers are coerced (``group: 5`` -> ``"5"``)."""

# Upper bounds of the numbers in instance files (`juwe schema` shows them): far above any
# real programme, low enough that no figure overflows a date, a float or CP-SAT's integers.
MAX_WEIGHT = 1_000_000  # objective weights, priorities, resource amounts
MAX_DAYS = 3660  # durations and spacings in days (ten years)
MAX_WEEKS = 520  # durations and lags in weeks (ten years)
MAX_BV = 100_000  # full-time positions
MAX_CASES = 10_000_000  # caseloads, cases per BV
MAX_MONEY = 1e12  # TEUR
MIN_YEAR, MAX_YEAR = 1900, 2200  # every date and year
MAX_NUMBER = 1e12  # any other number
DelayMonths = Annotated[int, Field(ge=0, le=240)]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _sane(value: Any) -> Any:
    """Raise ValueError for a value no planning figure can be: a control character in a
    text (Excel cannot store it), a date outside MIN_YEAR..MAX_YEAR, a number beyond
    MAX_NUMBER. Looks into lists and mappings."""
    if isinstance(value, str):
        found = _CONTROL.search(value)
        if found:
            raise ValueError(
                f"the text holds the control character U+{ord(found.group()):04X} at "
                f"position {found.start() + 1}; remove it"
            )
    elif isinstance(value, bool):
        pass
    elif isinstance(value, (int, float)):
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise ValueError(f"the number {value:.6g} is out of range (at most {MAX_NUMBER:g})")
    elif isinstance(value, dt.date):
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValueError(f"the date {value} is outside the years {MIN_YEAR}..{MAX_YEAR}")
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _sane(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            _sane(k)
            _sane(v)
    return value


class Model(BaseModel):
    """Strict base: unknown fields are an error, so a typo never passes silently; no
    infinite or NaN numbers (plan.json stays JSON); no control characters, out-of-range
    dates or absurd numbers in any field (`_sane`)."""

    model_config = ConfigDict(
        extra="forbid",
        coerce_numbers_to_str=True,
        validate_assignment=True,
        allow_inf_nan=False,
    )

    @field_validator("*", mode="after")
    @classmethod
    def _sane_values(cls, value: Any) -> Any:
        return _sane(value)


class Weights(Model):
    """Weights of a part's objective terms; `as_dict` is the one way the solver, the
    checkers and the reports read them (term name -> weight)."""

    def as_dict(self) -> dict[str, int]:
        return self.model_dump()


class DateRange(Model):
    """An inclusive range of dates, e.g. a school holiday."""

    start: dt.date
    end: dt.date
    name: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def days(self) -> list[dt.date]:
        n = (self.end - self.start).days + 1
        return [self.start + dt.timedelta(days=i) for i in range(n)]

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def unknown(kind: str, value: str, known: Iterable[str], plural: str | None = None) -> str:
    """'unknown centre 'wandsbeck'; did you mean 'wandsbek'? (centres: ...)': the
    message for a reference to an id that does not exist, with the nearest valid one."""
    names = sorted(set(known))
    msg = f"unknown {kind} {value!r}"
    by_lower = {n.lower(): n for n in names}
    close = [by_lower[value.lower()]] if value.lower() in by_lower else []
    close = close or difflib.get_close_matches(value, names, n=1, cutoff=0.6)
    if close:
        msg += f"; did you mean {close[0]!r}?"
    if names:
        listed = ", ".join(names[:15]) + (f", ... ({len(names)} in all)" if len(names) > 15 else "")
        msg += f" ({plural or kind + 's'}: {listed})"
    return msg


def duplicates(values: list[str]) -> list[tuple[int, str]]:
    """(position, value) of every value that repeats an earlier one."""
    seen: set[str] = set()
    dup: list[tuple[int, str]] = []
    for i, v in enumerate(values):
        if v in seen:
            dup.append((i, v))
        seen.add(v)
    return dup


def find_cycle(after: dict[str, list[str]]) -> list[str] | None:
    """A cycle in a 'comes after' relation (node -> its predecessors) as a list of nodes
    ending where it started, or None. References to unknown nodes are ignored (validation
    reports them on their own)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for p in after.get(node, []):
            if state.get(p) == 1:
                return stack[stack.index(p) :] + [p]
            if p not in state and p in after:
                found = visit(p)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in after:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None
