"""Messages a new user met (issue 15, item 8): the ISO form of a subdivision, a calendar
without one, unknown ids with the nearest valid one, warnings for what is legal but
likely a mistake, and how many working days an infeasible deadline misses."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from models.calendar import CalendarSpec, WorkingCalendar
from models.io import InputError, instance_from_dict
from tests.builders import tiny, tiny_dict
from tests.solving import solve_checked


def test_iso_subdivision_is_accepted():
    spec = CalendarSpec(country="DE", subdivision="DE-HH", start="2026-01-01", end="2026-12-31")
    assert spec.subdivision == "HH"


def test_unknown_subdivision_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"'XX' is not known for country DE; use one of .*HB"):
        CalendarSpec(country="DE", subdivision="XX", start="2026-01-01", end="2026-12-31")


def test_without_subdivision_only_nationwide_holidays():
    # Reformation Day, Fri 31 Oct 2025: a holiday in Bremen, not nation-wide
    kw = {"country": "DE", "start": "2025-10-01", "end": "2025-11-30"}
    assert WorkingCalendar(CalendarSpec(**kw)).is_working(dt.date(2025, 10, 31))
    assert not WorkingCalendar(CalendarSpec(subdivision="HB", **kw)).is_working(
        dt.date(2025, 10, 31)
    )


def test_unknown_ids_suggest_the_nearest():
    data = tiny_dict(groups=2)
    data["organisation"]["centres"].append({"id": "wandsbek"})
    data["organisation"]["groups"][0]["centre"] = "c1"
    data["organisation"]["groups"][1]["centre"] = "wandsbeck"
    data["training"]["snapshot"] = {
        "date": "2026-03-02",
        "sessions": [{"group": "G-2", "session": "A", "status": "done", "trainer": "T11"}],
    }
    with pytest.raises(InputError) as err:
        instance_from_dict(data)
    msg = str(err.value)
    assert "unknown centre 'c1'; did you mean 'C1'? (centres: C1, C2, wandsbek)" in msg
    assert "unknown centre 'wandsbeck'; did you mean 'wandsbek'?" in msg
    assert "unknown group 'G-2'; did you mean 'G2'? (groups: G1, G2)" in msg
    assert "unknown trainer 'T11'; did you mean 'T1'? (trainers: T1)" in msg


def test_warnings_for_likely_mistakes():
    data = tiny_dict(
        groups=2,
        modules=[{"id": "A"}, {"id": "B", "after": ["A"]}],
        snapshot={
            "date": "2026-03-02",
            "sessions": [{"group": "G1", "session": "B", "status": "done"}],
        },
    )
    data["organisation"]["teams"] = [{"id": "team1", "centre": "C2"}]
    data["organisation"]["groups"][0]["teams"] = ["team1"]
    warnings = instance_from_dict(data).warnings()
    assert any("group G1 is in centre C1, its team team1 in centre C2" in w for w in warnings)
    assert any("group G1: session B is done, but A before it is not" in w for w in warnings)


def test_validate_names_holidays_and_warnings(tmp_path, juwe):
    data = tiny_dict(
        modules=[{"id": "A"}, {"id": "B", "after": ["A"]}],
        snapshot={
            "date": "2026-03-02",
            "sessions": [{"group": "G1", "session": "B", "status": "done"}],
        },
    )
    del data["calendar"]["subdivision"]
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = juwe("validate", str(path))
    assert result.exit_code == 0, result.output
    assert "holidays: the nation-wide ones of DE only (no subdivision)" in result.output
    assert "warning: group G1: session B is done, but A before it is not" in result.output


def test_infeasible_deadline_says_how_many_working_days_are_missing():
    # A on Mon 2 Mar at the earliest, B 14 days later on Mon 16 Mar; the deadline Fri 6 Mar
    # is 6 working days short (9-13 and 16 Mar)
    mods = [{"id": "A"}, {"id": "B", "after": ["A"]}]
    inst = tiny(modules=mods, spacing={"min_days": 14}, group1={"deadline": "2026-03-06"})
    r = solve_checked(inst)
    assert r.status == "infeasible"
    assert "session B ends on 2026-03-16 at the earliest, 6 working day(s) after" in (
        r.outcome.message
    )
