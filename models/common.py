"""Shared pydantic base and small value types used by every part."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = Annotated[str, Field(min_length=1, max_length=80)]
"""Identifiers are strings; YAML integers are coerced (``group: 5`` -> ``"5"``)."""


class Model(BaseModel):
    """Strict base: unknown fields are an error, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, validate_assignment=True)


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
