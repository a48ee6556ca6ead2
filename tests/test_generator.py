"""The instance generator: each size validates, is feasible (the hand-planning baselines
find plans the checkers accept) and is reproducible by seed; the bundled generated
instances are what the generator makes."""

from __future__ import annotations

import pytest

from instances import bundled_path
from instances.generator import SIZES, generate, to_yaml
from models.check_rollout import check_rollout
from models.check_staffing import check_staffing
from models.check_training import check_training
from models.coupling import training_days_by_centre
from models.io import instance_from_dict, load_instance
from solver.baselines import greedy_training, proportional_staffing, sgs_rollout


@pytest.mark.parametrize("size", SIZES)
def test_each_size_is_valid_and_reproducible(size):
    data = generate(size, 7)
    inst = instance_from_dict(data)
    assert inst.parts() == ["training", "staffing", "rollout"]
    assert to_yaml(generate(size, 7)) == to_yaml(data)
    assert to_yaml(generate(size, 8)) != to_yaml(data)


@pytest.mark.parametrize("size", ["S", "M", "L"])
def test_baselines_find_checked_plans(size):
    inst = instance_from_dict(generate(size, 3))
    training = greedy_training(inst)
    assert training is not None and check_training(inst, training) == []
    staffing = proportional_staffing(inst)
    assert staffing is not None and check_staffing(inst, staffing) == []
    # the rollout around the baseline's training days, as `juwe bench` plans it
    blocked = training_days_by_centre(inst, training)
    rollout = sgs_rollout(inst, blocked)
    assert rollout is not None and check_rollout(inst, rollout, blocked) == []


@pytest.mark.parametrize(
    "size, groups, trainers, teams, bv",
    [("S", 13, 2, 17, 28), ("M", 30, 4, 40, 60), ("L", 80, 8, 120, 150), ("XL", 250, 20, 500, 500)],
)
def test_sizes_follow_the_guide(size, groups, trainers, teams, bv):
    inst = instance_from_dict(generate(size, 0))
    assert len(inst.organisation.groups) == groups
    assert len(inst.training.trainers) >= trainers
    assert len(inst.organisation.teams) == teams
    assert sum(t.bv for _, t in inst.staffing.tranches()) == bv


@pytest.mark.parametrize("size", SIZES)
def test_bundled_generated_instances_are_current(size):
    path = bundled_path(f"generated-{size}")
    assert path.read_text("utf-8") == to_yaml(generate(size, 0))
    load_instance(path)


def test_bundled_features_instance_is_current():
    path = bundled_path("generated-S-features")
    assert path.read_text("utf-8") == to_yaml(generate("S", 0, features=True))
    inst = load_instance(path)
    tr = inst.training
    assert tr.module("5").after == ["3"] and tr.trainers[-1].modules is not None
    assert tr.centre_coverage and tr.same_week and tr.weights.trainer_continuity == 1
    assert {e.status for e in tr.snapshot.sessions} == {"pinned"}


@pytest.mark.parametrize("size", ["S", "M", "L"])
def test_features_keep_the_baseline_feasible(size):
    inst = instance_from_dict(generate(size, 3, features=True))
    plan = greedy_training(inst)
    assert plan is not None and check_training(inst, plan) == []


def test_cli_generate_and_list(tmp_path, juwe):
    out = tmp_path / "m.yaml"
    result = juwe("instances", "generate", "--size", "m", "--seed", "5", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8") == to_yaml(generate("M", 5))
    featured = tmp_path / "f.yaml"
    result = juwe("instances", "generate", "--size", "S", "--features", "-o", featured)
    assert result.exit_code == 0, result.output
    assert featured.read_text("utf-8") == to_yaml(generate("S", 0, features=True))
    again = juwe("instances", "generate", "--size", "M", "-o", out)
    assert again.exit_code == 2 and "--force" in again.output
    listed = juwe("instances", "list")
    assert listed.exit_code == 0
    for name in ("bremen-2016", "generated-S", "generated-XL"):
        assert name in listed.output


def test_unknown_size_is_a_usage_error(tmp_path, juwe):
    result = juwe("instances", "generate", "--size", "XXL", "-o", tmp_path / "x.yaml")
    assert result.exit_code == 2 and "XXL" in result.output


@pytest.mark.parametrize("size, seed", [("S", 0), ("S", 3), ("M", 1)])
def test_office_profile_is_unlike_the_plain_generator_and_feasible(size, seed):
    from collections import Counter

    plain = instance_from_dict(generate(size, seed))
    inst = instance_from_dict(generate(size, seed, profile="office"))
    tr = inst.training
    sizes = Counter(g.centre for g in inst.organisation.groups).values()
    assert max(sizes) >= 2 * min(sizes) + 2  # uneven centres
    caps = [t.max_days_per_month for t in tr.trainers]
    assert len(caps) >= 3 and caps[-1] == 6 and len(set(caps)) >= 2
    away = [t for t in tr.trainers if t.unavailable]
    assert len(away) == 1 and len(away[0].unavailable[0].days()) == 42
    assert (tr.spacing.min_days, tr.spacing.max_days) == (21, 84)
    assert tr.module("4").after == ["2", "3"] and tr.module("3").after == ["1"]
    assert len(inst.organisation.groups) == len(plain.organisation.groups)
    training = greedy_training(inst)
    assert training is not None and check_training(inst, training) == []
    # the other parts stay consistent with the moved teams
    assert proportional_staffing(inst) is not None
    assert to_yaml(generate(size, seed)) == to_yaml(generate(size, seed, profile="generated"))


def test_bundled_office_instance_is_current():
    path = bundled_path("generated-S-office")
    assert path.read_text("utf-8") == to_yaml(generate("S", 0, profile="office"))
    load_instance(path)
