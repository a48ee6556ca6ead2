"""What a checker reports: one `Violation` per broken rule and subject, shared by the
checkers of all three parts so that callers (solver bug checks, CLI, tests) handle them
alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar


@dataclass(frozen=True)
class Violation:
    rule: str  # a rule id of `models.rules`
    subject: str  # "group 5", "trainer T1", "centre SZ4"
    message: str
    dates: tuple[dt.date, ...] = field(default=())

    def __str__(self) -> str:
        when = f" [{', '.join(d.isoformat() for d in self.dates)}]" if self.dates else ""
        return f"{self.rule} ({self.subject}): {self.message}{when}"


Context = TypeVar("Context")
Check = Callable[[Context], list[Violation]]


def missing_part(part: str) -> list[Violation]:
    """The one violation of a plan checked against an instance without that part."""
    return [Violation("part", part, f"the instance has no {part} part")]


def run_checks(checks: Iterable[Check[Context]], ctx: Context) -> list[Violation]:
    """The violations of every check in order: grouped by rule, so a reader sees them in
    the order the part's rules are listed."""
    return [v for check in checks for v in check(ctx)]
