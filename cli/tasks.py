"""The options of the commands that run independent solves as tasks (`--jobs`,
`--scheduler`, `--work-limit`) and the progress bar over those tasks (`solver.tasks`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

T = TypeVar("T")
R = TypeVar("R")


def task_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--jobs, --scheduler and --work-limit."""
    fn = click.option(
        "--work-limit",
        type=click.FloatRange(min=0, min_open=True),
        help="CP-SAT deterministic time per part (work units); with --workers 1 every run, "
        "serial or on Dask, gives the same results",
    )(fn)
    fn = click.option(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run the tasks on this existing Dask scheduler (needs the `scale` extra)",
    )(fn)
    fn = click.option(
        "--jobs",
        type=click.IntRange(min=0, max=1024),
        default=1,
        show_default=True,
        help="tasks solved at once, on a local Dask cluster of processes (needs the `scale` "
        "extra); 1: one after the other in this process; 0: as many as the cores hold",
    )(fn)
    return fn


def validate_scheduler(scheduler: str | None) -> None:
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://")):
        raise click.BadParameter(
            f"{scheduler!r} is not an address like tcp://HOST:PORT", param_hint="--scheduler"
        )


def run_with_progress(
    fn: Callable[[T], R],
    items: Sequence[T],
    labels: Sequence[str],
    *,
    title: str,
    jobs: int,
    scheduler: str | None,
    stop: threading.Event | None,
    serial_fn: Callable[[T, threading.Event | None], R] | None = None,
    quiet: bool = False,
) -> list[Any]:
    """`solver.tasks.run_tasks` under a rich progress bar over the tasks (on stderr); a
    missing Dask or an unreachable scheduler is a usage error (exit 2)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from solver.tasks import ClusterError, run_tasks

    validate_scheduler(scheduler)
    where = (
        f"on {scheduler}"
        if scheduler
        else (f"{jobs} at once" if jobs > 1 else "one after the other")
    )
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=quiet,
    )
    with progress:
        bar = progress.add_task(f"{title} ({where})", total=len(items))

        def done(outcome: Any, finished: int, total: int) -> None:
            state = "done" if outcome.ok else "FAILED"
            progress.update(
                bar, completed=finished, description=f"{title} ({where}): {outcome.label} {state}"
            )

        try:
            return run_tasks(
                fn,
                items,
                labels,
                jobs=jobs,
                scheduler=scheduler,
                stop=stop,
                done=done,
                serial_fn=serial_fn,
            )
        except ClusterError as exc:
            raise click.UsageError(str(exc)) from None
