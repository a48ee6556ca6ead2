"""A real `juwe serve` for the web tests: a uvicorn subprocess on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """`juwe serve` on WORKSPACE; `client()` talks to it; `kill()` is kill -9."""

    def __init__(self, workspace: Path, *, jobs: int = 1, token: str | None = None):
        self.workspace = workspace
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        args = [sys.executable, "-m", "cli.main", "serve", "--host", HOST, "--port",
                str(self.port), "--workspace", str(workspace), "--jobs", str(jobs)]  # fmt: skip
        if token:
            args += ["--token", token]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.log = open(workspace.parent / f"serve-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"juwe serve exited: {self.log_text()}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code in (200, 401):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"juwe serve did not answer within {timeout} s: {self.log_text()}")

    def log_text(self) -> str:
        self.log.flush()
        return (self.workspace.parent / f"serve-{self.port}.log").read_text()

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


ENDED = ("done", "stopped", "infeasible", "failed", "interrupted")


def wait_job(client: Any, job_id: int, timeout: float = 120.0, until=ENDED) -> dict[str, Any]:
    """Poll the job until its status is in `until` (bounded by `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in until:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s")


def tiny_instance(groups: int = 2) -> dict[str, Any]:
    """Two groups, two modules, one trainer: solved to optimality in well under a second."""
    from tests.builders import tiny_dict

    return tiny_dict(
        groups=groups,
        modules=[{"id": "A", "days": 1}, {"id": "B", "days": 2, "after": ["A"]}],
        trainers=[{"id": "T1"}, {"id": "T2"}],
    )


def infeasible_instance() -> dict[str, Any]:
    """One group whose two sessions must be 28 days apart but whose deadline is 10 days off."""
    from tests.builders import tiny_dict

    return tiny_dict(
        modules=[{"id": "A", "days": 1}, {"id": "B", "days": 1, "after": ["A"]}],
        spacing={"min_days": 28, "max_days": 84},
        group1={"deadline": "2026-03-13"},
    )
