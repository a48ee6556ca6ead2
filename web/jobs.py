"""The solve runner: every job in its own worker process, at most `max_jobs` at once.

A worker (forked from a clean forkserver, or spawned, so it shares no state with the
server) loads the job's instance, runs `plan_programme`, writes the plan files into a
staging folder and reports back over one multiprocessing queue: progress events while it
solves, then one result. A single runner thread in the server drains the queue, stores
what arrives and starts queued jobs, so the SQLite writes of all jobs come from one place.
Each job has a stop Event: set, the running search ends and every part keeps its best
plan so far.
"""

from __future__ import annotations

import inspect
import logging
import multiprocessing as mp
import os
import queue as queue_mod
import re
import shutil
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web.store import Store

log = logging.getLogger("juwe.web")
WORKER_MODULES = [
    "models.io",
    "reports.outputs",
    "solver.params",
    "solver.programme",
    "solver.rollout",
    "solver.staffing",
    "solver.training",
]


def _context():  # type: ignore[no-untyped-def]
    """Where the platform has it (Linux, macOS), workers fork from a forkserver: a clean
    process, started once, that has imported the library (WORKER_MODULES), so a job does
    not spend its first 1.2-1.4 s on imports (measured on the 2-core machine) and still
    shares no state with the server. Elsewhere (Windows) each worker is spawned afresh."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(WORKER_MODULES)
        return ctx
    return mp.get_context("spawn")


CTX = _context()
EVENT_INTERVAL = 0.25  # seconds between stored search events of one job (phase changes always)
EXIT_GRACE = 5.0  # seconds to wait for the result of a worker that has exited


def conflicts_of(message: str) -> list[str]:
    """The rule names of an infeasible part's message ('conflicting rules: a; b' or a list
    of '  - rule' lines)."""
    listed = re.findall(r"^\s*-\s+(.+)$", message, flags=re.M)
    if listed:
        return [r.strip() for r in listed]
    _, sep, rest = message.partition("conflicting rules:")
    if sep:
        return [r.strip() for r in rest.split(";") if r.strip()]
    return []


def stop_supported() -> bool:
    """The solvers take a stop token (the solver restructure); without it a stop ends the
    worker process and the job keeps no plan."""
    try:
        from solver import rollout, staffing, training

        solvers = (training, staffing, rollout)
        return all("stop" in inspect.signature(m.solve).parameters for m in solvers)
    except Exception:  # noqa: BLE001 - an import problem shows up in the worker instead
        return False


# ------------------------------------------------------------------------- the worker
def run_job(job_id: int, payload: dict[str, Any], out: str, results: Any, stop: Any) -> None:
    """Worker process entry: solve, write the files into `out`, put the result."""
    _exit_with_parent()
    try:
        results.put(("result", job_id, _solve(job_id, payload, Path(out), results, stop)))
    except BaseException as exc:  # noqa: BLE001 - reported to the job, never lost
        results.put(
            (
                "result",
                job_id,
                {
                    "status": "failed",
                    "message": f"the solve failed: {type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(),
                },
            )
        )


def _exit_with_parent() -> None:
    """A server killed hard (kill -9) takes its workers with it: nobody reads their result."""
    parent = mp.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(3)

    threading.Thread(target=watch, name="juwe-parent-watch", daemon=True).start()


def _solve(job_id: int, payload: dict[str, Any], out: Path, results: Any, stop: Any) -> dict:
    from models.io import instance_from_dict, load_plan
    from reports.outputs import write_ics_per, write_outputs
    from solver.params import SolveParams
    from solver.programme import plan_programme

    instance = instance_from_dict(payload["instance"], f"job {job_id}")
    p = payload["params"]
    params = SolveParams(time_limit=p["time_limit"], seed=p["seed"], workers=p["workers"])
    previous = load_plan(payload["previous"]) if payload.get("previous") else None
    last = {"phase": None, "t": 0.0}

    def progress(event: Any) -> None:
        now = time.monotonic()
        key = (event.part, event.phase)
        if key == last["phase"] and event.phase == "search" and now - last["t"] < EVENT_INTERVAL:
            return
        last["phase"], last["t"] = key, now
        results.put(("event", job_id, event.as_dict()))

    programme = plan_programme(
        instance,
        params,
        previous=previous,
        joint=p["joint"],
        progress=progress,
        stop=stop if payload.get("stop_supported") else None,
    )
    stopped = bool(programme.stopped)
    if programme.failure is not None:
        f = programme.failure
        if f.status == "infeasible":
            return {
                "status": "infeasible",
                "message": f"the {f.part} part has no plan: {f.message}",
                "conflicts": conflicts_of(f.message),
            }
        if stopped:
            message = f"stopped before a {f.part} plan was found"
        else:
            message = f"no {f.part} plan found within {p['time_limit']:g} s; raise the time limit"
        return {"status": "stopped" if stopped else "failed", "message": message}
    write_outputs(programme, out, ics_per="group")
    write_ics_per(programme.plan, "trainer", out)
    files = sorted(q.relative_to(out).as_posix() for q in out.rglob("*") if q.is_file())
    return {
        "status": "stopped" if stopped else "done",
        "message": "stopped: the best plan found so far" if stopped else "",
        "stats": programme.stats(),
        "files": files,
    }


# ------------------------------------------------------------------------- the runner
@dataclass
class _Running:
    process: Any
    stop: Any
    staging: Path
    exited: float | None = None
    stop_requested: bool = False


@dataclass
class Runner:
    """Starts queued jobs, stores their events and results. `start()` runs its thread."""

    store: Store
    max_jobs: int = 1
    _running: dict[int, _Running] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _wake: threading.Event = field(default_factory=threading.Event)
    _halt: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.results = CTX.Queue()
        self.stop_supported = stop_supported()
        self.staging_dir = self.store.workspace / "staging"
        shutil.rmtree(self.staging_dir, ignore_errors=True)  # a killed server's half-written files
        self.staging_dir.mkdir()

    def start(self) -> None:
        """Start the runner's thread (again after `shutdown`: an app's lifespan may run more
        than once, e.g. under test clients)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._halt.clear()
        self._thread = threading.Thread(target=self._loop, name="juwe-runner", daemon=True)
        self._thread.start()

    def submit(self) -> None:
        self._wake.set()

    def stop(self, job_id: int) -> bool:
        """Stop a running job (True), or cancel a queued one; False: it had ended."""
        if self.store.cancel_queued(job_id):
            return True
        with self._lock:
            run = self._running.get(job_id)
            if run is None:
                return False
            run.stop_requested = True
            run.stop.set()
            if not self.stop_supported:
                run.process.terminate()
        return True

    def shutdown(self) -> None:
        self._halt.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            for run in self._running.values():
                run.stop.set()
                run.process.terminate()
            for run in self._running.values():
                run.process.join(timeout=5)
            self._running.clear()  # their jobs are marked 'interrupted' at the next start

    # ---------------------------------------------------------------- the loop
    def _loop(self) -> None:
        while not self._halt.is_set():
            try:
                self._drain(timeout=0.1)
                self._reap()
                self._launch()
            except Exception:  # noqa: BLE001 - the runner must survive a bad job
                log.exception("runner step failed")
                time.sleep(0.5)

    def _drain(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                kind, job_id, data = self.results.get(timeout=max(left, 0.001))
            except queue_mod.Empty:
                return
            if kind == "event":
                self.store.add_event(job_id, data)
            else:
                self._finish(job_id, data)

    def _finish(self, job_id: int, result: dict[str, Any]) -> None:
        with self._lock:
            run = self._running.pop(job_id, None)
        if "traceback" in result:
            log.error("job %s failed:\n%s", job_id, result["traceback"])
        plan_id = None
        if "files" in result and run is not None:
            job = self.store.job(job_id, progress=False)
            assert job is not None
            plan_id = self.store.add_plan(
                instance_id=job["instance"],
                job_id=job_id,
                parent_id=job["params"].get("previous"),
                params=job["params"],
                stats=result["stats"],
                folder=run.staging,
                files=result["files"],
            )
        self.store.finish_job(
            job_id,
            result["status"],
            message=result.get("message", ""),
            conflicts=result.get("conflicts"),
            plan_id=plan_id,
        )
        if run is not None:
            run.process.join(timeout=5)
            shutil.rmtree(run.staging, ignore_errors=True)

    def _reap(self) -> None:
        """Workers that ended without a result (killed, crashed, or stopped by force)."""
        now = time.monotonic()
        with self._lock:
            items = list(self._running.items())
        for job_id, run in items:
            if run.process.is_alive():
                continue
            if run.exited is None:
                run.exited = now
            if run.stop_requested and not self.stop_supported:
                self._finish(job_id, {"status": "stopped", "message": "stopped; no plan kept"})
            elif now - run.exited > EXIT_GRACE:
                self._finish(
                    job_id,
                    {
                        "status": "failed",
                        "message": f"the solver process ended unexpectedly "
                        f"(exit code {run.process.exitcode}); try again or lower the size",
                    },
                )

    def _launch(self) -> None:
        if self._wake.is_set():
            self._wake.clear()
        while len(self._running) < self.max_jobs:
            queued = self.store.queued()
            if not queued:
                return
            job_id = queued[0]
            if not self.store.start_job(job_id):
                continue
            payload = self.store.job_data(job_id) | {"stop_supported": self.stop_supported}
            staging = self.staging_dir / f"job-{job_id}"
            stop = CTX.Event()
            process = CTX.Process(
                target=run_job,
                args=(job_id, payload, str(staging), self.results, stop),
                name=f"juwe-job-{job_id}",
                daemon=True,
            )
            try:
                process.start()
            except Exception as exc:  # noqa: BLE001 - the job says why, the server goes on
                log.exception("cannot start the worker of job %s", job_id)
                self.store.finish_job(
                    job_id, "failed", message=f"the solver process could not start: {exc}"
                )
                continue
            with self._lock:
                self._running[job_id] = _Running(process, stop, staging)
