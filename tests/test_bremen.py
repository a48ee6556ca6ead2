"""The bundled Bremen instance: solves, passes the checker, regenerates Anlage 1, and is
deterministic with workers=1."""

from __future__ import annotations

import pytest

from instances import bundled_path
from models.io import load_instance, plan_json
from models.plan import PlanFile, TrainingResultRecord
from models.training import SessionStatus
from tests.solving import solve_checked


@pytest.fixture(scope="module")
def bremen():
    return load_instance(bundled_path("bremen-2016"))


@pytest.fixture(scope="module")
def solved(bremen):
    return solve_checked(bremen, time_limit=60, workers=2)


def test_bremen_instance_matches_the_seed(bremen):
    org, tr = bremen.organisation, bremen.training
    assert len(org.centres) == 6 and len(org.teams) == 17 and len(org.groups) == 13
    assert [int(g.centre[2:]) for g in org.groups] == [1, 5, 2, 6, 3, 4, 4, 4, 1, 6, 4, 5, 1]
    assert [m.id for m in tr.modules] == [str(i) for i in range(1, 10)]
    assert tr.module("9").repetitions == 4
    status = [e.status for e in tr.snapshot.sessions]
    # 13 groups x 12 sessions; 94 erl., 1 offen (group 5, module 6), 61 planned
    assert (status.count(SessionStatus.done), status.count(SessionStatus.missed)) == (94, 1)
    assert len(status) == 156


def test_bremen_solves_and_passes_checker(solved):
    # solve_checked has already run the independent checker and compared the terms
    assert solved.status in ("optimal", "feasible")
    assert solved.objective >= solved.bound
    assert len(solved.plan.planned()) == 62


def test_planned_years_of_the_seed_are_kept(bremen, solved):
    years = {(e.group, e.session): e.year for e in bremen.training.snapshot.sessions if e.year}
    for s in solved.plan.planned():
        if (s.group, s.session) in years:
            assert s.start.year == years[(s.group, s.session)]


def test_anlage1_keeps_done_cells_and_dates_the_rest(bremen, solved):
    reports = pytest.importorskip("reports")
    table = reports.anlage1_table(bremen, solved.plan)
    cells = table.astype(str).to_numpy().ravel().tolist()
    assert cells.count("erl.") == 94
    planned = {(s.group, s.session): s.start.isoformat() for s in solved.plan.planned()}
    text = "\n".join(cells)
    for date in planned.values():
        assert date in text
    assert "offen" not in text.replace("offen →", "")


def test_same_seed_and_one_worker_give_identical_plan_json(bremen):
    def run() -> str:
        r = solve_checked(bremen, time_limit=60, workers=1, seed=7)
        return plan_json(
            PlanFile(instance=bremen, training=TrainingResultRecord(outcome=r.outcome, plan=r.plan))
        )

    assert run() == run()
