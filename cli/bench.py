"""`juwe bench`: solve every part of realistic instances beside the hand-planning
baselines and print objective, bound, gap, seconds, CP-SAT's deterministic time and the
ratio to the baseline."""

from __future__ import annotations

from pathlib import Path

import click

from cli.errors import guarded
from cli.output import table_console
from cli.signals import RunSignals
from cli.tasks import run_with_progress, task_options, validate_scheduler
from models.io import InputError
from reports.outdir import prepare_out_dir


@click.command()
@click.argument("instances", nargs=-1)
@click.option(
    "--sizes",
    help="comma-separated sizes of the bundled generated instances, e.g. S,M (generated-S...)",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="seconds per part",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="CP-SAT workers per solve (0: the cores shared out among the --jobs)  "
    "[default: 2, at most the cores per job]",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="write bench.csv and bench.html there")
@click.option(
    "--joint",
    is_flag=True,
    help="also solve training and rollout in one model; its baseline is their sequential sum",
)
@click.option(
    "--features",
    is_flag=True,
    help="with --sizes: the bundled generated instances with the extra training rules "
    "(generated-S-features: partial order, skills, pins, per-centre coverage)",
)
@click.option("--force", is_flag=True, help="write into a non-empty --out folder")
@task_options
@guarded
def bench(
    instances: tuple[str, ...],
    sizes: str | None,
    time_limit: float,
    workers: int,
    seed: int,
    out: Path | None,
    joint: bool,
    force: bool,
    features: bool,
    jobs: int,
    scheduler: str | None,
    work_limit: float | None,
) -> None:
    """Benchmark INSTANCES (files or bundled names; default: bremen-2016) and/or the
    bundled generated instances of --sizes. Every plan passes its checker."""
    from rich.table import Table

    from instances import bundled, resolve_instance
    from models.io import load_instance

    names = list(instances)
    for size in (sizes or "").split(","):
        size = size.strip().upper()
        if not size:
            continue
        if size not in ("S", "M", "L", "XL"):
            raise click.BadParameter(
                f"unknown size {size!r}; use S, M, L, XL", param_hint="--sizes"
            )
        name = f"generated-{size}" + ("-features" if features else "")
        if name not in bundled():
            raise InputError(Path(name), ["no bundled generated instance"])
        names.append(name)
    if not names:
        names = ["bremen-2016"]
    loaded = [(Path(n).stem, load_instance(resolve_instance(n))) for n in names]
    target = prepare_out_dir(out, force=force) if out is not None else None
    from reports.bench import write_bench_files
    from solver.bench import BenchTask, error_row, run_bench_task
    from solver.tasks import cores, split_cores

    validate_scheduler(scheduler)
    jobs, cpu = split_cores(jobs, workers if workers is not None else 0)
    if workers is None:
        workers = min(2, cpu) if scheduler is None else 2
    tasks = [
        BenchTask(name, inst, time_limit, workers, seed, joint, work_limit) for name, inst in loaded
    ]
    if scheduler is None and jobs > 1 and jobs * workers > cores():
        warn(f"{jobs} jobs x {workers} CP-SAT workers exceed the {cores()} cores")
    rows = []
    sig = RunSignals().__enter__()  # left in the finally below
    try:
        outcomes = run_with_progress(
            run_bench_task,
            tasks,
            [t.name for t in tasks],
            title="juwe bench",
            jobs=jobs,
            scheduler=scheduler,
            stop=sig.stop,
            serial_fn=run_bench_task,
        )
        for o in outcomes:
            rows += o.value if o.ok else [error_row(o.label, o.error)]
        sig.check()
        if target is not None:
            write_bench_files(
                [r.as_dict() for r in rows],
                [(f"{r.instance} {r.part}", r.history, r.baseline) for r in rows],
                target.staging,
            )
        sig.check()
        if target is not None:
            sig.commit(target)
    except BaseException:
        if target is not None:
            target.discard()
        raise
    finally:
        sig.__exit__(None, None, None)
    sig.check()
    where = f", {jobs} jobs" if scheduler is None else f", on {scheduler}"
    table = Table(
        title=f"juwe bench (workers={workers}{where}, time limit {time_limit:g} s per part)"
    )
    cols = [
        "instance",
        "part",
        "status",
        "objective",
        "bound",
        "gap %",
        "seconds",
        "det. time",
        "baseline",
        "ratio",
    ]
    for col in cols:
        table.add_column(col, justify="left" if col in ("instance", "part", "status") else "right")
    from rich.markup import escape

    for r in rows:
        d = r.as_dict()
        table.add_row(
            escape(r.instance),
            r.part,
            r.status,
            _num(r.objective),
            _num(r.bound),
            _num(d["gap_pct"]),
            f"{r.seconds:.2f}",
            f"{r.work:.2f}",
            _num(r.baseline),
            _num(d["ratio_to_baseline"]),
        )
    table_console().print(table)
    for r in rows:
        if r.status == "error":
            warn(f"{r.instance}: the task failed ({r.note}); the other rows are kept")
    if out is not None:
        table_console().print(f"bench.csv and bench.html written to {out}/", markup=False)


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def _num(v: object) -> str:
    return "" if v is None else f"{v:g}"
