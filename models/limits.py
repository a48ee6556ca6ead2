"""Size limits of what one run plans: beyond them the solves and charts would outlast any
time limit (the greedy baseline and the window tightening grow with groups x sessions,
not with --time-limit), so such an instance is refused up front with the figure named.

The limits are far above a real programme: generated-XL (a training provider serving
many offices) has 250 groups and 3,000 sessions to plan over five years.
"""

from __future__ import annotations

from models.instance import Instance

MAX_GROUPS = 2000
MAX_SESSIONS = 20_000
MAX_TRAINERS = 500
MAX_UNITS = 2000
# the horizon: at most ten years (models.calendar.MAX_HORIZON_DAYS, checked on loading)


def size_problems(instance: Instance) -> list[str]:
    """One line per limit the instance exceeds (empty when it fits)."""
    problems = []
    groups = len(instance.organisation.groups)
    if groups > MAX_GROUPS:
        problems.append(
            f"organisation.groups: {groups} training groups; at most {MAX_GROUPS} can be "
            "planned in one run: split the instance"
        )
    if instance.training is not None and not problems:
        from models.training_tasks import remaining_sessions

        trainers = len(instance.training.trainers)
        if trainers > MAX_TRAINERS:
            problems.append(
                f"training.trainers: {trainers} trainers; at most {MAX_TRAINERS} in one run"
            )
        sessions = len(remaining_sessions(instance))
        if sessions > MAX_SESSIONS:
            problems.append(
                f"training: {sessions} sessions to plan; at most {MAX_SESSIONS} in one run: "
                "split the instance (e.g. by centre) or record done sessions in the snapshot"
            )
    if instance.staffing is not None and len(instance.staffing.units) > MAX_UNITS:
        problems.append(
            f"staffing.units: {len(instance.staffing.units)} units; at most {MAX_UNITS} in one run"
        )
    return problems
