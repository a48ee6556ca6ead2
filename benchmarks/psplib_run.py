"""Run PSPLIB instances with `solver.rcpsp.solve_rcpsp` and, optionally, with PyJobShop.

    python -m benchmarks.psplib_run j30 --workers 2 --time-limit 10
    python -m benchmarks.psplib_run j60-sample --compare --json /tmp/j60.json
    python -m benchmarks.psplib_run j301_1 j3013_4 --compare        # single instances
    python -m benchmarks.psplib_run j120-sample --against ../old --compare  # old vs new

Sets: `j30` (all 480), `j60-sample` (instance 1 of each of the 48 parameter sets, i.e.
every 10th instance in PSPLIB order), `j120-sample` (instance 1 of every third parameter
set: 1, 4, ..., 58, 20 instances), `proven-sample` (16 j30/j60 instances with proven
optima, see `PROVEN_SAMPLE`), `j60`, `j90`, `j120`; any other argument is an instance
name. `--compare` also solves each instance with PyJobShop (`pip install
juwe-planner[bench]`) on its OR-Tools CP-SAT backend with the same time limit and
num_workers. `--against DIR` also solves each instance with the code of another checkout
(e.g. a `git worktree` of the previous main) in a worker process, interleaved with ours.
Every schedule of every solver is checked (`models.rcpsp.check_rcpsp`) and its makespan
recomputed; a solver that claims optimality below the proven PSPLIB optimum, or a
schedule that fails the checker, raises.

Seconds are wall time per instance including model building (ours: also the
heuristics); `work` is CP-SAT's deterministic time summed over the solves of the
instance, which depends far less on the machine's load. The machine is shared and has 2
cores: repeat a run before reading much into a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from instances.psplib import KnownMakespan, read_optima, read_sm
from models.rcpsp import RcpspProblem, check_rcpsp, rcpsp_makespan
from solver.rcpsp import solve_rcpsp

# the PSPLIB sets in ../shared/benchmarks/psplib relative to the repository root
PSPLIB = Path(
    os.environ.get("PSPLIB_DIR", Path(__file__).resolve().parents[2] / "shared/benchmarks/psplib")
)
SETS = ("j30", "j60", "j90", "j120")
# 16 instances with proven optima above the critical path, drawn at random (seed 19) from
# j30 and j60, 8 each: a stand-in for the sample of proven instances in issue 19
PROVEN_SAMPLE = (
    "j3011_1 j3014_1 j3019_1 j3029_1 j3033_8 j3037_10 j3047_6 j305_4 "
    "j6018_1 j601_7 j6021_10 j6022_4 j6026_2 j6026_9 j6035_8 j605_9"
).split()


@dataclass
class Row:
    name: str
    solver: str
    status: str  # optimal / feasible / unknown
    makespan: int | None
    bound: int
    best_known: int
    known_optimal: bool
    seconds: float
    work: float = 0.0  # CP-SAT's deterministic time, summed over the instance's solves


def sorted_stems(folder: str, root: Path = PSPLIB) -> list[str]:
    """Instance names of a set in PSPLIB order (parameter, then instance)."""
    stems = [f.stem for f in (root / folder).glob("*.sm")]
    return sorted(stems, key=lambda s: tuple(int(x) for x in s[len(folder) :].split("_")))


def instance_names(selection: str, root: Path = PSPLIB) -> list[str]:
    if selection in SETS:
        return sorted_stems(selection, root)
    if selection == "j60-sample":
        return [f"j60{p}_1" for p in range(1, 49)]
    if selection == "j120-sample":
        return [f"j120{p}_1" for p in range(1, 61, 3)]
    if selection == "proven-sample":
        return list(PROVEN_SAMPLE)
    return [selection]


def _set_of(name: str) -> str:
    return next(s for s in sorted(SETS, key=len, reverse=True) if name.startswith(s))


def load(name: str, root: Path = PSPLIB) -> RcpspProblem:
    return read_sm(root / _set_of(name) / f"{name}.sm")


def _verify(problem: RcpspProblem, starts: list[int], solver: str) -> int:
    violations = check_rcpsp(problem, starts)
    if violations:
        raise RuntimeError(f"{problem.name}: {solver} schedule fails the checker: {violations[:3]}")
    return rcpsp_makespan(problem, starts)


class _WorkMeter:
    """CP-SAT's deterministic time of every solve in this process, summed (a wrapper
    around `CpSolver.solve`, so that it also counts the solves of the previous code and of
    PyJobShop, which use the same OR-Tools)."""

    total = 0.0
    _installed = False

    @classmethod
    def install(cls) -> None:
        from ortools.sat.python import cp_model

        if cls._installed:
            return
        original = cp_model.CpSolver.solve

        def solve(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            try:
                return original(self, *args, **kwargs)
            finally:
                cls.total += self.response_proto.deterministic_time

        cp_model.CpSolver.solve = solve  # type: ignore[method-assign]
        cls._installed = True


def _metered(fn):  # type: ignore[no-untyped-def]
    def run(problem: RcpspProblem, time_limit: float, workers: int, seed: int = 0) -> dict:
        _WorkMeter.install()
        before = _WorkMeter.total
        out = fn(problem, time_limit, workers, seed)
        out["work"] = round(_WorkMeter.total - before, 3)
        return out

    return run


@_metered
def solve_ours(problem: RcpspProblem, time_limit: float, workers: int, seed: int = 0) -> dict:
    r = solve_rcpsp(problem, time_limit=time_limit, seed=seed, workers=workers)
    makespan = _verify(problem, r.starts, "ours") if r.starts is not None else None
    return {"status": r.status, "makespan": makespan, "bound": r.bound, "seconds": r.seconds}


# the worker of `OtherCheckout`, run with `python -c` in the other checkout (so that its
# `solver.rcpsp` is imported, not this one's); it sums CP-SAT's deterministic time as
# `_WorkMeter` does
_SERVE = """
import json, sys
from ortools.sat.python import cp_model
from models.rcpsp import RcpspProblem
from solver.rcpsp import solve_rcpsp
work = [0.0]
original = cp_model.CpSolver.solve
def solve(self, *a, **k):
    try:
        return original(self, *a, **k)
    finally:
        work[0] += self.response_proto.deterministic_time
cp_model.CpSolver.solve = solve
for line in sys.stdin:
    q = json.loads(line)
    before = work[0]
    r = solve_rcpsp(RcpspProblem(**q['problem']), time_limit=q['time_limit'],
                    seed=q['seed'], workers=q['workers'])
    out = {'status': r.status, 'bound': r.bound, 'seconds': r.seconds, 'starts': r.starts}
    print(json.dumps(out | {'work': round(work[0] - before, 3)}), flush=True)
"""


class OtherCheckout:
    """`solve_rcpsp` of another checkout (`--against DIR`) in a worker process started
    once in that checkout: one JSON line per instance in and out."""

    def __init__(self, checkout: Path):
        checkout = checkout.resolve()
        if not (checkout / "solver" / "rcpsp.py").is_file():
            raise SystemExit(f"{checkout}: no solver/rcpsp.py (is it a juwe-planner checkout?)")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVE],
            cwd=checkout,
            env=dict(os.environ, PYTHONPATH=str(checkout)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(
        self, problem: RcpspProblem, time_limit: float, workers: int, seed: int = 0
    ) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {"problem": asdict(problem), "time_limit": time_limit}
        self.proc.stdin.write(json.dumps(request | {"workers": workers, "seed": seed}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{problem.name}: the worker of the other checkout ended")
        answer = json.loads(line)
        starts = answer.pop("starts")
        answer["makespan"] = _verify(problem, starts, "old") if starts is not None else None
        return answer

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


@_metered
def solve_pyjobshop(problem: RcpspProblem, time_limit: float, workers: int, seed: int = 0) -> dict:
    """The same instance in PyJobShop (one job per PSPLIB job, renewable resources,
    end-before-start precedences, makespan objective), solved by its OR-Tools backend."""
    from pyjobshop import Model  # optional: the `bench` extra

    t0 = time.perf_counter()
    model = Model()
    resources = [
        model.add_renewable(cap, name=f"R{r + 1}") for r, cap in enumerate(problem.capacities)
    ]
    tasks = []
    for j in range(problem.n_jobs):
        task = model.add_task(name=f"job{j + 1}")
        used = [r for r, amount in enumerate(problem.demands[j]) if amount > 0]
        model.add_mode(
            task,
            [resources[r] for r in used],
            problem.durations[j],
            [problem.demands[j][r] for r in used],
        )
        tasks.append(task)
    for j, succ in enumerate(problem.successors):
        for k in succ:
            model.add_end_before_start(tasks[j], tasks[k])
    model.set_objective(weight_makespan=1)
    result = model.solve(
        "ortools", time_limit=time_limit, display=False, num_workers=workers, random_seed=seed
    )
    seconds = time.perf_counter() - t0
    status = result.status.value.lower()
    if status not in ("optimal", "feasible"):
        return {"status": "unknown", "makespan": None, "bound": 0, "seconds": seconds}
    starts = [t.start for t in result.best.tasks]
    makespan = _verify(problem, starts, "pyjobshop")
    if makespan != round(result.objective):
        raise RuntimeError(f"{problem.name}: pyjobshop objective {result.objective} != {makespan}")
    return {
        "status": status,
        "makespan": makespan,
        "bound": int(round(result.lower_bound)),
        "seconds": seconds,
    }


SOLVERS = {"ours": solve_ours, "pyjobshop": solve_pyjobshop}


def run(
    names: list[str],
    solvers: list[str],
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    root: Path = PSPLIB,
    progress: bool = False,
    against: Path | None = None,
) -> list[Row]:
    """Solve each instance with each solver in turn (interleaved, so that load on the
    shared machine falls on both alike). Solver "old" is `solve_rcpsp` of the checkout
    `against`."""
    optima = read_optima(root)
    rows: list[Row] = []
    table = dict(SOLVERS)
    if "old" in solvers:
        if against is None:
            raise ValueError("solver 'old' needs the checkout (against=)")
        table["old"] = OtherCheckout(against)
    try:
        for name in names:
            rows += _run_one(
                name, solvers, table, optima, time_limit, workers, seed, root, progress
            )
    finally:
        if "old" in table:
            table["old"].close()
    return rows


def _run_one(  # type: ignore[no-untyped-def]
    name: str, solvers: list[str], table, optima, time_limit, workers, seed, root, progress
) -> list[Row]:
    rows = []
    problem = load(name, root)
    known: KnownMakespan = optima[name]
    for solver in solvers:
        out = table[solver](problem, time_limit, workers, seed)
        row = Row(
            name, solver, best_known=known.makespan, known_optimal=known.proven_optimal, **out
        )
        if known.proven_optimal and row.status == "optimal" and row.makespan != known.makespan:
            raise RuntimeError(
                f"{name}: {solver} claims optimum {row.makespan}, "
                f"proven optimum is {known.makespan}"
            )
        rows.append(row)
        if progress:
            print(
                f"{name:10} {solver:9} {row.status:8} {row.makespan} "
                f"[{row.bound}] best={row.best_known} {row.seconds:7.3f}s work={row.work:.2f}",
                flush=True,
            )
    return rows


def summarize(rows: list[Row]) -> dict:
    """Per solver: instances, at best known makespan, proven optimal, better than the best
    known, total / mean / median / max seconds, and the instances that missed."""
    out: dict = {}
    for solver in dict.fromkeys(r.solver for r in rows):
        mine = [r for r in rows if r.solver == solver]
        secs = [r.seconds for r in mine]
        out[solver] = {
            "instances": len(mine),
            "at_best_known": sum(r.makespan == r.best_known for r in mine),
            "proven_optimal": sum(r.status == "optimal" for r in mine),
            "better_than_best_known": sum(
                r.makespan is not None and r.makespan < r.best_known for r in mine
            ),
            "total_seconds": round(sum(secs), 2),
            "mean_seconds": round(statistics.mean(secs), 3),
            "median_seconds": round(statistics.median(secs), 3),
            "max_seconds": round(max(secs), 3),
            "total_work": round(sum(r.work for r in mine), 2),
            "mean_pct_above_best_known": round(
                statistics.mean(
                    100 * (r.makespan - r.best_known) / r.best_known
                    if r.makespan is not None
                    else 100.0
                    for r in mine
                ),
                3,
            ),
            "not_at_best_known": [
                f"{r.name}:{r.makespan}>{r.best_known}" for r in mine if r.makespan != r.best_known
            ],
            "not_proven": [
                f"{r.name}:[{r.bound},{r.makespan}]" for r in mine if r.status != "optimal"
            ],
        }
    for other in ("pyjobshop", "old"):
        if "ours" in out and other in out:
            for what in ("seconds", "work"):
                denominator = out[other][f"total_{what}"]
                if denominator:
                    out[f"{what}_ratio_ours_over_{other}"] = round(
                        out["ours"][f"total_{what}"] / denominator, 3
                    )
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "selection",
        nargs="+",
        help="j30, j60-sample, j120-sample, proven-sample, j60, j90, j120 or names",
    )
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--compare", action="store_true", help="also solve with PyJobShop")
    ap.add_argument("--only-pyjobshop", action="store_true")
    ap.add_argument(
        "--against",
        type=Path,
        help="also solve with the solve_rcpsp of this checkout (e.g. the previous main)",
    )
    ap.add_argument("--sample", type=int, help="only this many instances, drawn at random")
    ap.add_argument("--json", type=Path, help="write rows and summary here")
    ap.add_argument("--quiet", action="store_true", help="no line per instance")
    args = ap.parse_args(argv)
    names = [n for sel in args.selection for n in instance_names(sel)]
    if args.sample is not None and args.sample < len(names):
        import random

        names = sorted(random.Random(args.seed).sample(names, args.sample), key=names.index)
    solvers = ["pyjobshop"] if args.only_pyjobshop else ["ours"] + (["pyjobshop"] * args.compare)
    if args.against is not None:
        solvers.insert(1, "old")
    t0 = time.perf_counter()
    rows = run(
        names,
        solvers,
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        progress=not args.quiet,
        against=args.against,
    )
    summary = summarize(rows)
    summary["wall_seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(
            json.dumps(
                {"args": sys_args(args), "summary": summary, "rows": [asdict(r) for r in rows]},
                indent=1,
            )
        )


def sys_args(args: argparse.Namespace) -> dict:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}


if __name__ == "__main__":
    main()
