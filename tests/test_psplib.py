"""PSPLIB: the `.sm` reader (real and malformed files) and the RCPSP fast path on a j30
sample against the proven optima."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instances.psplib import parse_sm, read_optima, read_sm
from models.io import InputError
from models.rcpsp import (
    RcpspProblem,
    check_rcpsp,
    energetic_infeasible,
    energetic_lower_bound,
    rcpsp_makespan,
)
from solver.params import SolveParams
from solver.rcpsp import (
    _build,
    _solve,
    justified_schedule,
    justify,
    lns,
    serial_sgs,
    solve_rcpsp,
)

# the 20 sample instances and their optima are copied unchanged into tests/data/psplib
# (PSPLIB, Kolisch & Sprecher 1997), so the tests run on any machine; PSPLIB_DIR points
# at a full copy instead
PSPLIB = Path(os.environ.get("PSPLIB_DIR", Path(__file__).parent / "data" / "psplib"))

# a deterministic spread: instance 1 of parameter sets 1..20 (j301_1 .. j3020_1)
SAMPLE = [f"j30{p}_1" for p in range(1, 21)]


@pytest.fixture(scope="module")
def optima():
    return read_optima(PSPLIB)


@pytest.fixture(scope="module")
def j301_1_text() -> str:
    return (PSPLIB / "j30" / "j301_1.sm").read_text(encoding="utf-8")


def test_reader_on_a_real_file():
    p = read_sm(PSPLIB / "j30" / "j301_1.sm")
    assert p.name == "j301_1"
    assert p.n_jobs == 32 and p.horizon == 158 and p.critical_path == 38
    assert p.capacities == [12, 13, 4, 12]
    assert p.durations[0] == p.durations[-1] == 0
    assert p.successors[0] == [1, 2, 3]  # job 1 -> jobs 2 3 4 (0-based here)
    assert p.successors[-1] == []
    assert all(len(d) == 4 for d in p.demands)
    assert p.lower_bound() >= 38


def test_optima_table(optima):
    assert len(optima) == (2040 if "PSPLIB_DIR" in os.environ else 20)
    assert optima["j301_1"].makespan == 43 and optima["j301_1"].proven_optimal
    assert optima["j301_1"].set == "j30"


def _line_of(text: str, prefix: str) -> int:
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(prefix):
            return n
    raise AssertionError(prefix)


def test_truncated_file_names_the_line(j301_1_text):
    lines = j301_1_text.splitlines()
    requests = _line_of(j301_1_text, "REQUESTS/DURATIONS:")
    cut = "\n".join(lines[: requests + 12])  # header, dashes and 10 of 32 jobs
    with pytest.raises(InputError) as exc:
        parse_sm(cut, "cut.sm")
    assert exc.value.problems == [
        f"line {requests + 13}: the file ends; expected the request line of job 11 of 32"
    ]
    assert str(exc.value).startswith("cut.sm: line")


def test_non_integer_field_names_the_line(j301_1_text):
    lines = j301_1_text.splitlines()
    k = _line_of(j301_1_text, "REQUESTS/DURATIONS:") + 3 + 4  # job 5
    fields = lines[k - 1].split()
    fields[2] = "4.5"
    lines[k - 1] = "  ".join(fields)
    with pytest.raises(InputError) as exc:
        parse_sm("\n".join(lines), "bad.sm")
    (problem,) = exc.value.problems
    assert problem.startswith(f"line {k}: '4.5' is not an integer (in the request line of job 5")


def test_missing_section_names_the_line(j301_1_text):
    text = j301_1_text.replace("RESOURCEAVAILABILITIES:", "RESOURCES AVAILABLE:")
    with pytest.raises(InputError) as exc:
        parse_sm(text, "missing.sm")
    (problem,) = exc.value.problems
    requests = _line_of(j301_1_text, "REQUESTS/DURATIONS:")
    after_jobs = requests + 2 + 32  # header, dashes, 32 jobs
    assert problem == (
        f"line {after_jobs + 1}: missing section 'RESOURCEAVAILABILITIES:' "
        f"(expected after line {after_jobs})"
    )


def test_wrong_successor_count_and_unknown_successor(j301_1_text):
    lines = j301_1_text.splitlines()
    k = _line_of(j301_1_text, "PRECEDENCE RELATIONS:") + 2  # job 1: "1 1 3 2 3 4"
    lines[k - 1] = "   1        1          3           2   3  99"
    with pytest.raises(InputError) as exc:
        parse_sm("\n".join(lines), "bad.sm")
    assert exc.value.problems == [f"line {k}: job 1 has unknown successor 99 (jobs 1..32)"]
    lines[k - 1] = "   1        1          3           2   3"
    with pytest.raises(InputError, match=f"line {k}: job 1 declares 3 successors but lists 2"):
        parse_sm("\n".join(lines), "bad.sm")


def test_missing_file():
    with pytest.raises(InputError, match="file not found"):
        read_sm(PSPLIB / "j30" / "nope.sm")


def test_serial_sgs_gives_a_feasible_schedule():
    p = read_sm(PSPLIB / "j30" / "j301_1.sm")
    starts = serial_sgs(p)
    assert check_rcpsp(p, starts) == []
    assert rcpsp_makespan(p, starts) >= 43


@pytest.mark.parametrize("name", SAMPLE)
def test_justified_schedule_is_feasible_and_no_worse(name):
    p = read_sm(PSPLIB / "j30" / f"{name}.sm")
    starts = justified_schedule(p)
    assert check_rcpsp(p, starts) == []
    assert rcpsp_makespan(p, starts) <= rcpsp_makespan(p, serial_sgs(p))


@pytest.mark.parametrize("name", SAMPLE)
def test_j30_sample_reaches_the_known_optimum(name, optima):
    p = read_sm(PSPLIB / "j30" / f"{name}.sm")
    r = solve_rcpsp(p, time_limit=10, seed=0, workers=2)
    assert r.starts is not None and check_rcpsp(p, r.starts) == []
    assert r.makespan == optima[name].makespan == rcpsp_makespan(p, r.starts)
    assert r.bound <= r.makespan
    # proven optimal, except where CP-SAT needs longer than 10 s for the proof
    assert r.status == "optimal" or (r.status == "feasible" and r.seconds >= 9)


def _two_chains() -> RcpspProblem:
    """Jobs 1 (source), 2 = A, 3 = B, 4 = F, 5 = G, 6 (sink). A -> F and B -> G; A and B
    need the one unit of the only resource for 2 periods each, F and G take 3 periods and
    no resource. Critical path 2 + 3 = 5, energy 2 + 2 = 4: the simple bound is 5. But
    one of A, B ends at 4 at the earliest and its chain ends at 7, the optimum.
    Energetic reasoning at makespan 5: both A and B must start at 0 (latest start
    5 - 5 = 0), so [0, 2) needs 4 units of work in 2 periods of capacity 1: infeasible. At
    6 (latest starts 1): [0, 3) needs 2 + 2 = 4 > 3: infeasible. At 7 (latest starts 2)
    no interval is overloaded ([0, 4) needs 4 <= 4), so the bound is 7 = the optimum."""
    return RcpspProblem(
        name="two-chains",
        durations=[0, 2, 2, 3, 3, 0],
        successors=[[1, 2], [3], [4], [5], [5], []],
        capacities=[1],
        demands=[[0], [1], [1], [0], [0], [0]],
    )


def test_energetic_bound_by_hand():
    p = _two_chains()
    assert p.lower_bound() == 5
    assert energetic_infeasible(p, 5) and energetic_infeasible(p, 6)
    assert not energetic_infeasible(p, 7)
    assert energetic_lower_bound(p) == 7
    r = solve_rcpsp(p, time_limit=5, workers=1)
    assert r.status == "optimal" and r.makespan == 7 and check_rcpsp(p, r.starts) == []


def test_energetic_bound_on_j30_below_the_optimum(optima):
    for name in SAMPLE:
        p = read_sm(PSPLIB / "j30" / f"{name}.sm")
        assert p.lower_bound() <= energetic_lower_bound(p) <= optima[name].makespan


@st.composite
def small_projects(draw) -> RcpspProblem:
    """2-6 real jobs, 1-2 resources, random precedences (from lower to higher job)."""
    k = draw(st.integers(2, 6))
    n_res = draw(st.integers(1, 2))
    caps = [draw(st.integers(1, 4)) for _ in range(n_res)]
    durations = [0] + [draw(st.integers(0, 5)) for _ in range(k)] + [0]
    demands = [[0] * n_res] + [[draw(st.integers(0, c)) for c in caps] for _ in range(k)]
    demands.append([0] * n_res)
    succ: list[list[int]] = [[] for _ in range(k + 2)]
    for i in range(1, k + 1):
        succ[i] = [j for j in range(i + 1, k + 1) if draw(st.booleans())]
    has_pred = {j for s in succ for j in s}
    succ[0] = [j for j in range(1, k + 1) if j not in has_pred]
    for i in range(1, k + 1):
        if not succ[i]:
            succ[i] = [k + 1]
    return RcpspProblem("random", durations, succ, caps, demands)


def _optimum(p: RcpspProblem) -> int:
    """The optimum by CP-SAT without any bound but the makespan's 0."""
    hint = serial_sgs(p)
    built = _build(p, 0, rcpsp_makespan(p, hint), hint)
    status, starts, _ = _solve(built, SolveParams(time_limit=10, workers=1), 1, None)
    assert status == "optimal" and starts is not None and check_rcpsp(p, starts) == []
    return rcpsp_makespan(p, starts)


@settings(max_examples=60, deadline=None)
@given(small_projects())
def test_energetic_bound_never_exceeds_the_optimum(p):
    best = _optimum(p)
    assert p.lower_bound() <= energetic_lower_bound(p) <= best
    assert not energetic_infeasible(p, best)
    r = solve_rcpsp(p, time_limit=5, workers=1)
    assert r.status == "optimal" and r.makespan == best and check_rcpsp(p, r.starts) == []


def test_justify_and_lns_keep_schedules_feasible_and_no_longer():
    import time

    p = read_sm(PSPLIB / "j30" / "j3013_1.sm")
    start = serial_sgs(p)
    again = justify(p, start)
    assert check_rcpsp(p, again) == []
    better = lns(p, start, p.lower_bound(), time.perf_counter() + 1.0, workers=1)
    assert check_rcpsp(p, better) == []
    assert rcpsp_makespan(p, better) <= rcpsp_makespan(p, start)


def test_a_set_stop_token_returns_the_heuristic_schedule():
    p = read_sm(PSPLIB / "j30" / "j3013_1.sm")
    stop = threading.Event()
    stop.set()
    r = solve_rcpsp(p, time_limit=30, workers=1, stop=stop)
    assert r.starts is not None and check_rcpsp(p, r.starts) == []
    assert r.bound <= r.makespan


def _large_project(seed: int, jobs: int = 80) -> RcpspProblem:
    """A random project of more than `LNS_JOBS` jobs on two tight resources."""
    import random

    rng = random.Random(seed)
    n = jobs + 2
    succ: list[list[int]] = [[] for _ in range(n)]
    for i in range(1, n - 1):
        succ[i] = sorted({rng.randint(i + 1, min(n - 1, i + 10)) for _ in range(2)})
    has_pred = {j for s in succ for j in s}
    succ[0] = [j for j in range(1, n - 1) if j not in has_pred]
    durations = [0] + [rng.randint(1, 10) for _ in range(jobs)] + [0]
    demands = [[0, 0]] + [[rng.randint(1, 7), rng.randint(1, 7)] for _ in range(jobs)] + [[0, 0]]
    return RcpspProblem(f"large{seed}", durations, succ, [10, 10], demands)


@pytest.mark.parametrize("workers", [1, 2])
def test_large_projects_go_through_the_lns_and_stay_feasible(workers):
    p = _large_project(seed=workers)
    heuristic = rcpsp_makespan(p, justified_schedule(p))
    r = solve_rcpsp(p, time_limit=2, seed=0, workers=workers)
    assert r.starts is not None and check_rcpsp(p, r.starts) == []
    assert r.makespan == rcpsp_makespan(p, r.starts) <= heuristic
    assert energetic_lower_bound(p) <= r.bound <= r.makespan
