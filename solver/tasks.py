"""Independent solves of a sweep (bench instances, scenario variants) as tasks: in this
process one after the other, or on `dask.distributed` (a local cluster of processes, or an
existing scheduler) side by side.

The task function is the same in both cases, so a run with reproducible limits (CP-SAT
`workers=1` and a `work_limit`) gives the same results serially and on Dask. A task that
raises is reported with its error (`TaskOutcome.error`) and the other tasks are kept. Dask is
an optional extra (`pip install 'juwe-planner[scale]'`); without it only the serial run is
available.

Sizing: `jobs` tasks run at once, each with `cpsat_workers` CP-SAT threads, so that
jobs x threads fit the cores (`split_cores`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

SCALE_HINT = "pip install 'juwe-planner[scale]' (dask and distributed)"


class ClusterError(Exception):
    """Dask is missing, or the scheduler cannot be reached: a usage problem (exit 2)."""


@dataclass
class TaskOutcome(Generic[R]):
    """One task's value, or the error it raised (`Type: message`)."""

    label: str
    value: R | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


Done = Callable[[TaskOutcome[Any], int, int], None]
"""Called once per finished task with (outcome, finished so far, total)."""


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def split_cores(jobs: int, cpsat_workers: int) -> tuple[int, int]:
    """(tasks at once, CP-SAT threads per task). `jobs` 0: as many tasks as the cores
    hold at `cpsat_workers` threads each (one thread when 0); `cpsat_workers` 0: the cores
    shared out among the jobs."""
    n = cores()
    if jobs <= 0:
        jobs = max(1, n // max(1, cpsat_workers))
    if cpsat_workers <= 0:
        cpsat_workers = max(1, n // jobs)
    return jobs, cpsat_workers


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def run_tasks(
    fn: Callable[[T], R],
    items: Sequence[T],
    labels: Sequence[str],
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    stop: threading.Event | None = None,
    done: Done | None = None,
    serial_fn: Callable[[T, threading.Event | None], R] | None = None,
) -> list[TaskOutcome[R]]:
    """Run `fn(item)` for every item; outcomes in the order of `items`.

    `jobs` 1 and no `scheduler`: in this process (`serial_fn(item, stop)` when given, so a
    signal stops the running search too). Otherwise on Dask: `scheduler` (tcp://HOST:PORT)
    or a local cluster of `jobs` processes of one thread each. `stop` set: the tasks not
    yet finished are cancelled and left out (the local cluster is shut down, which ends its
    running searches; tasks running on a remote cluster end at their time limit)."""
    if jobs <= 1 and scheduler is None:
        return _serial(fn, items, labels, stop, done, serial_fn)
    if not dask_available():
        raise ClusterError(f"--jobs above 1 and --scheduler need Dask: {SCALE_HINT}")
    return _on_dask(fn, items, labels, jobs, scheduler, stop, done)


def _serial(
    fn: Callable[[T], R],
    items: Sequence[T],
    labels: Sequence[str],
    stop: threading.Event | None,
    done: Done | None,
    serial_fn: Callable[[T, threading.Event | None], R] | None,
) -> list[TaskOutcome[R]]:
    out: list[TaskOutcome[R]] = []
    for item, label in zip(items, labels, strict=True):
        if stop is not None and stop.is_set():
            break
        try:
            value = serial_fn(item, stop) if serial_fn is not None else fn(item)
            outcome: TaskOutcome[R] = TaskOutcome(label, value=value)
        except Exception as exc:  # a failed task is reported, the others kept
            outcome = TaskOutcome(label, error=_describe(exc))
        out.append(outcome)
        if done is not None:
            done(outcome, len(out), len(items))
    return out


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _connect(jobs: int, scheduler: str | None) -> tuple[Any, Any]:
    """(client, local cluster or None)."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    with _workers_ignore_sigint():
        cluster = LocalCluster(
            n_workers=jobs,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    return Client(cluster), cluster


@contextlib.contextmanager
def _workers_ignore_sigint() -> Iterator[None]:
    """Start the local worker processes with Ctrl-C ignored (an ignored signal stays ignored
    in a child, and Python then installs no KeyboardInterrupt handler): a Ctrl-C at the
    terminal reaches the whole process group, and the workers would print tracebacks. This
    process stops them itself (it closes the cluster). A Ctrl-C during the start of the
    cluster (a second or two) is lost."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _on_dask(
    fn: Callable[[T], R],
    items: Sequence[T],
    labels: Sequence[str],
    jobs: int,
    scheduler: str | None,
    stop: threading.Event | None,
    done: Done | None,
) -> list[TaskOutcome[R]]:
    from distributed import wait

    client, cluster = _connect(jobs, scheduler)
    results: dict[int, TaskOutcome[R]] = {}
    try:
        run = uuid.uuid4().hex[:8]
        futures = [
            client.submit(fn, item, key=f"juwe-{run}-{i}", pure=False, retries=0)
            for i, item in enumerate(items)
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        pending = set(futures)
        while pending:
            if stop is not None and stop.is_set():
                client.cancel(list(pending), force=True)
                break
            try:
                finished, pending = wait(pending, timeout=0.2, return_when="FIRST_COMPLETED")
            except TimeoutError:
                continue
            for f in finished:
                i = index[f.key]
                if f.status == "finished":
                    outcome: TaskOutcome[R] = TaskOutcome(labels[i], value=f.result())
                else:
                    exc = f.exception() if f.status == "error" else None
                    reason = _describe(exc) if exc is not None else f"task {f.status}"
                    outcome = TaskOutcome(labels[i], error=reason)
                results[i] = outcome
                if done is not None:
                    done(outcome, len(results), len(items))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [results[i] for i in sorted(results)]
