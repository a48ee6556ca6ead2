"""Checks a whole plan file: every part's plan against its rules, with the coupling the
pipeline used (the staffing relief and the rollout's blocked days follow from the
training plan). Imports no solver."""

from __future__ import annotations

from models.check_rollout import check_rollout
from models.check_staffing import check_staffing
from models.check_training import check_training
from models.coupling import training_days_by_centre, training_relief
from models.plan import PlanFile


def check_plan(plan: PlanFile) -> dict[str, list]:
    """Part -> the violations of its plan (an empty list: every hard rule holds). Parts
    without a plan are left out."""
    inst = plan.instance
    training = plan.training.plan if plan.training is not None else None
    out: dict[str, list] = {}
    if training is not None:
        out["training"] = check_training(inst, training)
    if plan.staffing is not None and plan.staffing.plan is not None:
        out["staffing"] = check_staffing(inst, plan.staffing.plan, training_relief(inst, training))
    if plan.rollout is not None and plan.rollout.plan is not None:
        coupled = training is not None and bool(plan.rollout.coupling)
        blocked = training_days_by_centre(inst, training) if coupled else None
        out["rollout"] = check_rollout(inst, plan.rollout.plan, blocked)
    return out
