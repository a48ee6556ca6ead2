"""Pydantic models of instances and plans, loading/saving, and the independent checkers.

Imports no solver.
"""

from models.check_training import check_training, training_terms
from models.instance import Instance
from models.io import InputError, load_instance, load_plan, save_plan
from models.plan import PlanFile, TrainingPlan
from models.violations import Violation

__all__ = [
    "Instance",
    "InputError",
    "PlanFile",
    "TrainingPlan",
    "Violation",
    "check_training",
    "load_instance",
    "load_plan",
    "save_plan",
    "training_terms",
]
