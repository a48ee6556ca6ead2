"""How one part's plan constrains another's (no solver)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from models.check_training import session_days
from models.instance import Instance
from models.plan import TrainingPlan


def training_days_by_centre(instance: Instance, plan: TrainingPlan) -> dict[str, set[dt.date]]:
    """Centre -> the days on which a training group of that centre is in module training.

    The rollout keeps a centre's own tasks (those that need its team leads) off these days.
    """
    centre_of = {g.id: g.centre for g in instance.organisation.groups}
    days: dict[str, set[dt.date]] = defaultdict(set)
    for s in plan.planned():
        days[centre_of[s.group]].update(session_days(instance, s))
    return dict(days)


def training_relief(instance: Instance, plan: TrainingPlan | None) -> dict[tuple[str, int], float]:
    """(staffing unit, grid month) -> BV the unit needs to cover its staff's training days.

    A team that spends d of a month's w working days in module training loses d/w of its
    filled BV that month. Units are linked to teams by `Unit.team`. Without a training
    plan the staffing part's explicit `relief` list is used.
    """
    st = instance.staffing
    assert st is not None
    need: dict[tuple[str, int], float] = defaultdict(float)
    if plan is None or instance.training is None:
        for r in st.relief:
            need[(r.unit, st.offset(r.month))] += r.bv
        return dict(need)
    cal = instance.working_calendar
    working: dict[tuple[int, int], int] = defaultdict(int)
    for day in cal.days:
        working[(day.year, day.month)] += 1
    unit_of_team = {u.team: u for u in st.units if u.team is not None}
    group_units = {
        g.id: [unit_of_team[t] for t in g.teams if t in unit_of_team]
        for g in instance.organisation.groups
    }
    for s in plan.planned():
        for day in session_days(instance, s):
            month = st.offset(f"{day.year:04d}-{day.month:02d}")
            w = working.get((day.year, day.month), 0)
            if not 0 <= month < st.months or w == 0:
                continue
            for u in group_units[s.group]:
                need[(u.id, month)] += (u.bv - u.vacancies) / w
    return dict(need)
