"""Sweeps as tasks (`solver.tasks`, `--jobs`, `--scheduler`): the serial run, a real Dask
scheduler with two worker processes on 127.0.0.1 (subprocesses `dask scheduler` and
`dask worker`), the same table as the serial run with reproducible limits, a failed task
reported and the rest kept, a stop cancelling what is left.

Every network address here is 127.0.0.1; every test is bounded (tiny instances, short
limits, timeouts on the cluster's start)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from solver import tasks as tasks_mod
from solver.tasks import run_tasks, split_cores
from tests.test_scenarios_cli import _write, files, run_args  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[1]


def square_or_fail(x: int) -> int:
    """A task that fails for 3 (importable by the Dask workers: tests is on PYTHONPATH)."""
    if x == 3:
        raise ValueError("three is not allowed")
    return x * x


def slow(x: int) -> int:
    time.sleep(0.5)
    return x


# ---------------------------------------------------------------------- serial, no Dask
def test_serial_run_keeps_the_rest_when_a_task_fails():
    seen: list[tuple[str, int]] = []
    out = run_tasks(
        square_or_fail,
        [1, 2, 3, 4],
        ["a", "b", "c", "d"],
        done=lambda o, k, n: seen.append((o.label, k)),
    )
    assert [o.value for o in out] == [1, 4, None, 16]
    assert out[2].error == "ValueError: three is not allowed"
    assert seen == [("a", 1), ("b", 2), ("c", 3), ("d", 4)]


def test_serial_run_stops_when_asked():
    stop = threading.Event()
    out = run_tasks(square_or_fail, [1, 2], ["a", "b"], stop=stop, done=lambda *_: stop.set())
    assert len(out) == 1


def test_split_cores_fits_jobs_times_threads_in_the_cores(monkeypatch):
    monkeypatch.setattr(tasks_mod, "cores", lambda: 8)
    assert split_cores(2, 0) == (2, 4)
    assert split_cores(0, 2) == (4, 2)
    assert split_cores(0, 0) == (8, 1)
    assert split_cores(3, 1) == (3, 1)


def test_without_dask_jobs_above_1_is_a_usage_error(juwe, files, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(tasks_mod, "dask_available", lambda: False)
    inst, scen = files
    result = juwe(*run_args(inst, scen, tmp_path / "out", "--jobs", "2"))
    assert result.exit_code == 2, result.output
    assert "juwe-planner[scale]" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_bad_scheduler_address_exits_2(juwe, files, tmp_path):  # noqa: F811
    inst, scen = files
    result = juwe(*run_args(inst, scen, tmp_path / "out", "--scheduler", "127.0.0.1:1"))
    assert result.exit_code == 2, result.output
    assert "tcp://HOST:PORT" in result.output


# ---------------------------------------------------------------------- a real cluster
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask(*args: str) -> list[str]:
    exe = shutil.which("dask", path=os.path.dirname(sys.executable)) or shutil.which("dask")
    if exe is None:
        pytest.skip("the `dask` command is not installed")
    return [exe, *args]


@pytest.fixture(scope="module")
def scheduler():
    """tcp://127.0.0.1:P with two single-threaded worker processes, stopped afterwards."""
    distributed = pytest.importorskip("distributed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    procs = [
        subprocess.Popen(
            _dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"),
            **quiet,
        )
    ]
    try:
        worker = ("worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard")
        worker += ("--host", "127.0.0.1")
        procs += [subprocess.Popen(_dask(*worker), **quiet) for _ in range(2)]
        client = None
        deadline = time.monotonic() + 60
        while client is None:
            try:
                client = distributed.Client(address, timeout="2s")
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        client.wait_for_workers(2, timeout=60)
        client.close()
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def test_a_failed_task_on_dask_is_reported_and_the_rest_kept(scheduler):
    out = run_tasks(square_or_fail, [1, 2, 3, 4], ["a", "b", "c", "d"], scheduler=scheduler)
    assert [o.value for o in out] == [1, 4, None, 16]
    assert out[2].error == "ValueError: three is not allowed"


def test_a_stop_cancels_the_tasks_left(scheduler):
    stop = threading.Event()
    t0 = time.monotonic()
    out = run_tasks(
        slow,
        list(range(8)),
        [str(i) for i in range(8)],
        scheduler=scheduler,
        stop=stop,
        done=lambda *_: stop.set(),
    )
    assert 1 <= len(out) < 8
    assert time.monotonic() - t0 < 3.5  # eight tasks two at a time would take 2 s more


def test_scenarios_through_scheduler_give_the_serial_table(juwe, files, tmp_path, scheduler):  # noqa: F811
    inst, scen = files
    serial, remote = tmp_path / "serial", tmp_path / "remote"
    limits = ("--work-limit", "2")
    assert juwe(*run_args(inst, scen, serial, *limits)).exit_code == 0
    result = juwe(*run_args(inst, scen, remote, *limits, "--scheduler", scheduler))
    assert result.exit_code == 0, result.output
    assert (remote / "scenarios.csv").read_bytes() == (serial / "scenarios.csv").read_bytes()


def test_scenarios_on_a_local_cluster_give_the_serial_table(juwe, files, tmp_path):  # noqa: F811
    pytest.importorskip("distributed")
    inst, scen = files
    serial, local = tmp_path / "serial", tmp_path / "local"
    limits = ("--work-limit", "2")
    assert juwe(*run_args(inst, scen, serial, *limits)).exit_code == 0
    result = juwe(*run_args(inst, scen, local, *limits, "--jobs", "2"))
    assert result.exit_code == 0, result.output
    assert (local / "scenarios.csv").read_bytes() == (serial / "scenarios.csv").read_bytes()


def test_bench_through_scheduler_gives_the_serial_rows(juwe, files, tmp_path, scheduler):  # noqa: F811
    inst, _ = files
    serial, remote = tmp_path / "serial", tmp_path / "remote"
    common = ("bench", inst, inst, "--workers", "1", "--work-limit", "2", "--time-limit", "20")
    assert juwe(*common, "--out", serial).exit_code == 0
    result = juwe(*common, "--out", remote, "--scheduler", scheduler)
    assert result.exit_code == 0, result.output
    cols = ["instance", "part", "status", "objective", "bound", "baseline_objective"]
    a, b = pd.read_csv(serial / "bench.csv"), pd.read_csv(remote / "bench.csv")
    assert len(a) == 2 and a[cols].equals(b[cols])
