"""`juwe rollout psplib`: solve PSPLIB project-scheduling instances and compare."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import click

from cli.errors import guarded
from cli.output import table_console
from cli.signals import NAMES, Deferred, Interrupted, RunSignals
from reports.outdir import prepare_out_dir


def _known_optima(files: list[Path]) -> dict[str, object]:
    """Best known makespans from an `optima.csv` in a file's folder or the one above."""
    from instances.psplib import read_optima

    found: dict[str, object] = {}
    seen: set[Path] = set()
    for f in files:
        for folder in (f.parent, f.parent.parent):
            csv_path = (folder / "optima.csv").resolve()
            if csv_path.is_file() and csv_path not in seen:
                seen.add(csv_path)
                found.update(read_optima(csv_path))
    return found


@click.group()
def rollout() -> None:
    """The core-process rollout: PSPLIB benchmark runs."""


@rollout.command("psplib")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="also write results.csv and <instance>.csv (job,start,end) per schedule",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="seconds per instance",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--force", is_flag=True, help="write into a non-empty --out folder")
@guarded
def psplib(
    files: tuple[Path, ...],
    out: Path | None,
    time_limit: float,
    seed: int,
    workers: int,
    force: bool,
) -> None:
    """Solve PSPLIB single-mode .sm FILES and print instance, status, makespan, bound,
    known optimum (from optima.csv beside the files) and seconds.

    Ctrl-C (or SIGTERM, SIGHUP) stops the running search and keeps the results so far:
    that instance with the best schedule found (status `interrupted`), the instances
    before it, the table and --out; the exit code is then 128 + the signal number."""
    from rich.table import Table

    from instances.psplib import read_sm
    from models.rcpsp import check_rcpsp
    from solver.rcpsp import solve_rcpsp

    paths = sorted(files)
    problems = [read_sm(p) for p in paths]  # every file is read before any solve
    optima = _known_optima(paths)
    staging = prepare_out_dir(out, force=force) if out is not None else None
    rows = []
    with RunSignals() as sig:
        try:
            for path, problem in zip(paths, problems, strict=True):
                r = solve_rcpsp(
                    problem, time_limit=time_limit, seed=seed, workers=workers, stop=sig.stop
                )
                if r.starts is not None:
                    bad = check_rcpsp(problem, r.starts)
                    if bad:
                        raise RuntimeError(f"{path}: schedule fails the checker: {bad[:3]}")
                known = optima.get(path.stem)
                stopped = sig.signum is not None and r.status != "optimal"
                rows.append(
                    {
                        "instance": path.stem,
                        "status": "interrupted" if stopped else r.status,
                        "makespan": r.makespan,
                        "bound": r.bound,
                        "known_optimum": getattr(known, "makespan", None),
                        "seconds": round(r.seconds, 3),
                    }
                )
                if staging is not None and r.starts is not None:
                    with open(staging.staging / f"{path.stem}.csv", "w", newline="") as fh:
                        w = csv.writer(fh)
                        w.writerow(["job", "start", "end"])
                        for j, s in enumerate(r.starts):
                            w.writerow([j + 1, s, s + problem.durations[j]])
                if sig.signum is not None:
                    break
            if staging is not None:
                with open(staging.staging / "results.csv", "w", newline="") as fh:
                    w = csv.DictWriter(fh, fieldnames=list(rows[0]))
                    w.writeheader()
                    w.writerows(rows)
                with Deferred(sig):  # the results so far are kept even after a signal
                    staging.commit()
        except BaseException:
            if staging is not None:
                staging.discard()
            raise
    table = Table(title=f"PSPLIB, {len(rows)} instance(s)")
    for col in rows[0]:
        table.add_column(col, justify="left" if col in ("instance", "status") else "right")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    console = table_console()
    console.print(table)
    at_known = sum(
        1 for r in rows if r["known_optimum"] is not None and r["makespan"] == r["known_optimum"]
    )
    secs = [r["seconds"] for r in rows]
    console.print(
        f"at the known optimum: {at_known}/{sum(r['known_optimum'] is not None for r in rows)}; "
        f"optimal: {sum(r['status'] == 'optimal' for r in rows)}/{len(rows)}; "
        f"seconds mean {statistics.mean(secs):.3f}, median "
        f"{statistics.median(secs):.3f}, max {max(secs):.3f}"
    )
    if sig.signum is not None:
        raise Interrupted(
            sig.signum,
            f"interrupted by {NAMES.get(sig.signum, sig.signum)} after {len(rows)} of "
            f"{len(paths)} instance(s); their results are kept (the best plans found so far)",
        )
