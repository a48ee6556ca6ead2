"""juwe-planner's Python API: load an instance, plan it, check the plan, write the files.

    import juwe

    instance = juwe.load_instance("bremen-2016")       # or a path to a YAML/JSON file
    result = juwe.plan(instance, juwe.SolveParams(time_limit=30, workers=2))
    assert not any(juwe.check(result.plan).values())   # every part keeps every hard rule
    sessions = result.plan.training.plan.to_frame()    # pandas, real dates
    juwe.write_outputs(result, "plan-out")             # what `juwe plan` writes

Re-exports only: the logic lives in models/, solver/, instances/ and reports/.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from instances import bundled
from instances import load as load_instance
from models.check_plan import check_plan as check
from models.io import InputError, load_plan, save_plan
from models.plan import PartOutcome, PlanFile, PlannedSession, TrainingPlan
from models.rollout import RolloutPlan
from models.staffing import StaffingPlan
from reports.outputs import write_outputs
from solver.params import Result, SolveParams
from solver.programme import (
    PartFailure,
    Programme,
    plan_joint,
    plan_rollout,
    plan_staffing,
    plan_training,
)
from solver.programme import plan_programme as plan
from solver.progress import ProgressEvent, SolveHistory
from solver.staffing_robust import RobustComparison, compare_robust, solve_robust

try:
    __version__ = version("juwe-planner")
except PackageNotFoundError:  # a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "InputError",
    "PartFailure",
    "PartOutcome",
    "PlanFile",
    "PlannedSession",
    "Programme",
    "ProgressEvent",
    "Result",
    "RobustComparison",
    "RolloutPlan",
    "SolveHistory",
    "SolveParams",
    "StaffingPlan",
    "TrainingPlan",
    "bundled",
    "check",
    "compare_robust",
    "load_instance",
    "load_plan",
    "plan",
    "plan_joint",
    "plan_rollout",
    "plan_staffing",
    "plan_training",
    "save_plan",
    "solve_robust",
    "write_outputs",
]
