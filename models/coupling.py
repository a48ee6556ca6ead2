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
