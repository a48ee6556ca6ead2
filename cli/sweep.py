"""`juwe sweep INSTANCE --grid FILE`: the training (and rollout) planned for every point of
a grid or list of changes, as tasks (`--jobs`, `--scheduler`), and the direct question of
the smallest number of trainers or monthly cap with which every group finishes by a date."""

from __future__ import annotations

from pathlib import Path

import click

from cli.errors import guarded
from cli.output import table_console
from cli.signals import RunSignals
from cli.tasks import run_with_progress, task_options, validate_scheduler
from models.io import InputError, load_instance
from reports.outdir import prepare_out_dir


@click.command()
@click.argument("instance")
@click.option("--grid", "grid_file", required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path))
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="seconds per part and point",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="CP-SAT workers per solve",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--force", is_flag=True, help="write into a non-empty --out folder")
@task_options
@guarded
def sweep(
    instance: str,
    grid_file: Path,
    out: Path,
    time_limit: float,
    workers: int,
    seed: int,
    force: bool,
    jobs: int,
    scheduler: str | None,
    work_limit: float | None,
) -> None:
    """Plan INSTANCE's training for every point of the sweep file and write sweep.csv and
    sweep.html (a chart per answer against the swept values)."""
    from instances import resolve_instance
    from models.sweep import MAX_POINTS, load_sweep
    from reports.sweep import write_sweep_files
    from solver.params import SolveParams
    from solver.sweep import SweepTask, run_sweep_point, smallest
    from solver.tasks import split_cores

    validate_scheduler(scheduler)
    if jobs == 0:
        jobs, _ = split_cores(0, workers)
    source = resolve_instance(instance)
    inst = load_instance(source)
    if inst.training is None:
        raise InputError(source, ["training: the instance has no training part to vary"])
    spec = load_sweep(grid_file)
    points = spec.expand(inst)
    if len(points) > MAX_POINTS:
        raise InputError(grid_file, [f"{len(points)} points; at most {MAX_POINTS}"])
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit)
    tasks = [SweepTask(p, inst, params) for p in points]
    with RunSignals() as sig:
        target = prepare_out_dir(out, force=force)
        try:
            results = run_with_progress(
                run_sweep_point,
                tasks,
                [p.label() for p in points],
                title="juwe sweep",
                jobs=jobs,
                scheduler=scheduler,
                stop=sig.stop,
                serial_fn=run_sweep_point,
            )
            sig.check()
            rows = [
                r.value if r.ok else {"point": r.label, "status": "error", "message": r.error}
                for r in results
            ]
            answer = None
            if spec.question is not None:
                q = spec.question
                asked = [r for r in rows if str(r.get("finish_by")) == str(q.finish_by)]
                answer = smallest(asked, q.smallest)["text"] + f" (finish by {q.finish_by})"
            write_sweep_files(rows, answer, target.staging)
            sig.commit(target)
        except BaseException:
            target.discard()
            raise
    sig.check()
    console = table_console()
    for r in rows:
        line = f"{r['point']}: {r['status']}"
        if r.get("last_finish"):
            line += f", last group finishes {r['last_finish']}"
        if r.get("message") and r["status"] not in ("optimal", "feasible"):
            line += f" ({r['message']})"
        console.print(line, markup=False)
    if answer:
        console.print(answer, markup=False)
    console.print(f"sweep.csv and sweep.html written to {out}/", markup=False)
