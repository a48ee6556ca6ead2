"""The registry of rule and term ids (`models.rules`) against the code that uses the ids:
every rule a checker can report and every term a part reports is registered in plain
words; rule id = checker function `check_<id>` = model method `_<id>` = a broken-plan test.
"""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from models.check_rollout import ROLLOUT_CHECKS, check_rollout, rollout_terms
from models.check_staffing import STAFFING_CHECKS, check_staffing, staffing_figures
from models.check_training import TRAINING_CHECKS, check_training, training_terms
from models.plan import TrainingPlan
from models.rollout import RolloutPlan
from models.rules import PARTS, RULES, TERMS, rule_title, rules_of, term, term_order
from models.staffing import StaffingPlan, StaffingWeights
from models.training import TrainingWeights
from models.violations import Violation
from tests.builders import tiny, tiny_staffing
from tests.test_rollout import BROKEN_ROLLOUT, rollout_instance
from tests.test_staffing import BROKEN_STAFFING
from tests.test_training_rules import BROKEN_TRAINING

CHECKS = {"training": TRAINING_CHECKS, "staffing": STAFFING_CHECKS, "rollout": ROLLOUT_CHECKS}
BROKEN = {"training": BROKEN_TRAINING, "staffing": BROKEN_STAFFING, "rollout": BROKEN_ROLLOUT}
MODELS = {
    "training": ("solver.training", "TrainingModel"),
    "staffing": ("solver.staffing", "StaffingModel"),
    "rollout": ("solver.rollout", "RolloutModel"),
}
PRECONDITION = "part"  # reported before any rule can be checked, by every checker


def _checked_rules(part: str) -> set[str]:
    return {r.id for r in rules_of(part)} - {PRECONDITION}


def test_every_entry_is_explained():
    for r in RULES.values():
        assert r.title.strip() and r.explanation.strip() and r.parts, r.id
    for t in TERMS.values():
        assert t.title.strip() and t.explanation.strip() and t.unit.strip(), t.id


@pytest.mark.parametrize("part", PARTS)
def test_one_check_function_per_rule_of_the_part(part):
    """The part's checker runs exactly one `check_<id>` per registered rule of the part,
    and its module holds no check function the checker forgets to run."""
    module = importlib.import_module(f"models.check_{part}")
    names = [f.__name__ for f in CHECKS[part]]
    assert len(names) == len(set(names))
    assert set(names) == {f"check_{rid}" for rid in _checked_rules(part)}
    in_module = {
        name
        for name, f in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("check_") and f.__module__ == module.__name__
    }
    assert in_module - {f"check_{part}", "check_rcpsp"} == set(names)


@pytest.mark.parametrize("part", PARTS)
def test_every_rule_id_in_the_checker_source_is_registered(part):
    """Also the ids no broken-plan case reaches: every quoted id a violation is made with."""
    source = inspect.getsource(importlib.import_module(f"models.check_{part}"))
    ids = set(re.findall(r'Violation\(\s*"(\w+)"', source))
    assert ids and ids <= _checked_rules(part)


@pytest.mark.parametrize("part", PARTS)
def test_every_rule_has_a_broken_plan_test(part):
    assert {case[0] for case in BROKEN[part]} == _checked_rules(part)


def test_a_checker_without_its_part_reports_the_precondition():
    training_only, staffing_only = tiny(), tiny_staffing()
    found = [
        *check_training(staffing_only, TrainingPlan()),
        *check_staffing(training_only, StaffingPlan()),
        *check_rollout(training_only, RolloutPlan()),
    ]
    assert [v.rule for v in found] == [PRECONDITION] * 3
    assert all(isinstance(v, Violation) for v in found)
    assert set(RULES[PRECONDITION].parts) == set(PARTS)


def test_every_reported_term_is_registered():
    reported = {
        "training": set(training_terms(tiny(), TrainingPlan())) | set(TrainingWeights.model_fields),
        "staffing": set(staffing_figures(tiny_staffing(), StaffingPlan(), {}).terms)
        | set(StaffingWeights.model_fields),
        "rollout": set(rollout_terms(rollout_instance(), RolloutPlan())),
    }
    assert reported["rollout"] == {"completion:F", "makespan"}
    for part, ids in reported.items():
        for tid in ids:
            found = term(tid)
            assert found is not None and found.part == part, tid


def test_term_order_follows_the_registry():
    ids = ["makespan", "zzz", "completion:B", "trainer_balance", "completion", "completion:A"]
    assert sorted(ids, key=term_order) == [
        "completion",
        "trainer_balance",
        "completion:A",
        "completion:B",
        "makespan",
        "zzz",
    ]


def test_explanations_name_rules_by_their_registered_title():
    from solver.explain import Assumptions

    describe = Assumptions.describe
    assert describe(None, ("deadline", "group 5")) == "deadline (group 5)"
    assert describe(None, ("capacity", "resource R")) == "resource capacity (resource R)"
    assert rule_title("no_such_rule") == "no_such_rule"


@pytest.mark.parametrize(
    ("part", "rule"),
    [(part, r.id) for part in PARTS for r in rules_of(part) if r.literal],
    ids=lambda x: x,
)
def test_model_has_a_method_per_rule(part, rule):
    """Every rule the CP-SAT model switches by an assumption literal is built by the
    model's method `_<rule id>`."""
    module, cls = MODELS[part]
    assert callable(getattr(getattr(importlib.import_module(module), cls), f"_{rule}", None))
