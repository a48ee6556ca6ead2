"""The working calendar: Monday-Friday minus public holidays minus blackout ranges.

Every part plans on the same calendar. Solvers work in *working-day indices* (0 = the first
working day of the horizon), so that a multi-day session on consecutive working days is a
contiguous integer interval; calendar-day offsets are kept alongside for rules measured in
calendar days (spacing between sessions, minimal change).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from functools import cached_property

import holidays as holidays_lib
from pydantic import Field, field_validator, model_validator

from models.common import DateRange, Model

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def known_weekdays(days: list[str]) -> list[str]:
    """The days unchanged, or a ValueError naming the first unknown weekday."""
    bad = [d for d in days if d not in WEEKDAYS]
    if bad:
        raise ValueError(f"unknown weekday {bad[0]!r}; use one of {', '.join(WEEKDAYS)}")
    return days


MAX_HORIZON_DAYS = 3660
"""A horizon of at most ten years: the working calendar, the charts and the models grow with
it (a 100-year horizon kept `juwe plan` drawing holidays for minutes)."""


class CalendarSpec(Model):
    """Where and when the programme runs."""

    country: str = Field("DE", description="ISO country code for public holidays")
    subdivision: str | None = Field(
        None,
        description="state code for its public holidays, e.g. HB for Bremen (the ISO form "
        "DE-HB is accepted); unset: only the nation-wide holidays",
    )
    start: dt.date = Field(description="first day of the planning horizon")
    end: dt.date = Field(description="last day of the planning horizon")
    blackouts: list[DateRange] = Field(
        default_factory=list, description="date ranges without training, e.g. school holidays"
    )
    workdays: list[str] = Field(
        default_factory=lambda: ["Mon", "Tue", "Wed", "Thu", "Fri"],
        description="weekdays on which the office works",
    )

    @field_validator("workdays")
    @classmethod
    def _known_weekdays(cls, v: list[str]) -> list[str]:
        known_weekdays(v)
        if not v:
            raise ValueError("at least one working weekday is needed")
        return v

    @model_validator(mode="before")
    @classmethod
    def _iso_subdivision(cls, data: object) -> object:
        """`DE-HH` (ISO 3166-2) means `HH`."""
        if isinstance(data, dict):
            sub, country = data.get("subdivision"), str(data.get("country", "DE"))
            if isinstance(sub, str) and sub.upper().startswith(country.upper() + "-"):
                data = {**data, "subdivision": sub[len(country) + 1 :]}
        return data

    @field_validator("country")
    @classmethod
    def _known_country(cls, v: str) -> str:
        if v not in holidays_lib.list_supported_countries():
            raise ValueError(f"country {v!r} is not known to the holidays package")
        return v

    @model_validator(mode="after")
    def _check(self) -> CalendarSpec:
        if self.end < self.start:
            raise ValueError(f"horizon end {self.end} is before its start {self.start}")
        if (self.end - self.start).days >= MAX_HORIZON_DAYS:
            raise ValueError(
                f"the horizon {self.start}..{self.end} is longer than {MAX_HORIZON_DAYS // 366} "
                "years; plan at most ten years at once"
            )
        subdivs = holidays_lib.list_supported_countries().get(self.country, [])
        if self.subdivision is not None and self.subdivision not in subdivs:
            raise ValueError(
                f"subdivision {self.subdivision!r} is not known for country {self.country}; "
                f"use one of {', '.join(subdivs)}"
            )
        return self

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class WorkingCalendar:
    """The working days of a horizon, with index look-ups in both directions."""

    def __init__(self, spec: CalendarSpec):
        self.spec = spec
        years = list(range(spec.start.year, spec.end.year + 1))
        self.public_holidays: dict[dt.date, str] = dict(
            holidays_lib.country_holidays(spec.country, subdiv=spec.subdivision, years=years)
        )
        workdays = {WEEKDAYS.index(d) for d in spec.workdays}
        days: list[dt.date] = []
        day = spec.start
        while day <= spec.end:
            if (
                day.weekday() in workdays
                and day not in self.public_holidays
                and not any(day in b for b in spec.blackouts)
            ):
                days.append(day)
            day += dt.timedelta(days=1)
        self.days: list[dt.date] = days
        self._index = {d: i for i, d in enumerate(days)}

    def __len__(self) -> int:
        return len(self.days)

    @property
    def origin(self) -> dt.date:
        return self.spec.start

    def is_working(self, day: dt.date) -> bool:
        return day in self._index

    def index(self, day: dt.date) -> int:
        """Index of a working day; KeyError for any other date."""
        return self._index[day]

    def first_index_on_or_after(self, day: dt.date) -> int:
        """Index of the first working day >= day (len(self) if none)."""
        return bisect_left(self.days, day)

    def last_index_on_or_before(self, day: dt.date) -> int:
        """Index of the last working day <= day (-1 if none)."""
        return bisect_right(self.days, day) - 1

    def offset(self, day: dt.date) -> int:
        """Calendar days from the horizon start."""
        return (day - self.spec.start).days

    @cached_property
    def offsets(self) -> list[int]:
        """Calendar-day offset of every working day, by index."""
        return [self.offset(d) for d in self.days]

    @cached_property
    def month_keys(self) -> list[tuple[int, int]]:
        """(year, month) of every working day, by index."""
        return [(d.year, d.month) for d in self.days]

    def is_working_anywhere(self, day: dt.date) -> bool:
        """Whether a date is a working day by the calendar's rules, also outside the horizon
        (done sessions may lie before it)."""
        if self.spec.contains(day):
            return self.is_working(day)
        workdays = {WEEKDAYS.index(d) for d in self.spec.workdays}
        off = self._holidays_of(day.year)
        return (
            day.weekday() in workdays
            and day not in off
            and not any(day in b for b in self.spec.blackouts)
        )

    def _holidays_of(self, year: int) -> dict[dt.date, str]:
        cache = self.__dict__.setdefault("_other_years", {})
        if year not in cache:
            cache[year] = dict(
                holidays_lib.country_holidays(
                    self.spec.country, subdiv=self.spec.subdivision, years=year
                )
            )
        return cache[year]

    def run_from(self, day: dt.date, length: int) -> list[dt.date]:
        """`length` days from `day` on: `day` itself, then the next working days (a done
        session's days, counted as a planned session's are)."""
        out = [day]
        while len(out) < length:
            day += dt.timedelta(days=1)
            if self.is_working_anywhere(day):
                out.append(day)
        return out

    def span(self, start_index: int, length: int) -> list[dt.date]:
        return self.days[start_index : start_index + length]

    def non_working_reason(self, day: dt.date) -> str:
        """Why a date is not a working day ('' if it is one)."""
        if day in self._index:
            return ""
        if not self.spec.contains(day):
            return "outside the planning horizon"
        if day in self.public_holidays:
            return f"public holiday ({self.public_holidays[day]})"
        for b in self.spec.blackouts:
            if day in b:
                return f"blackout ({b.name or f'{b.start}..{b.end}'})"
        return f"not a working weekday ({WEEKDAYS[day.weekday()]})"
