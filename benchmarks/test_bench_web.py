"""`juwe serve` against the library on Bremen (issue 14's figures; run on demand):

- from "solve" (POST /api/jobs) to the plan ready (the job done, its files written) next to
  the same programme planned in-process by `plan_programme` and the same by `juwe plan`
  (a fresh process, as the CLI user has it); target: the service within 2 s of the CLI;
- a re-plan after one pin (a planned session pinned to its own day and another trainer,
  with `previous`): the training part's status and seconds; target: proven optimal < 3 s.

    python -m pytest benchmarks/test_bench_web.py -s -p no:cacheprovider
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import pytest

from instances import load
from solver.params import SolveParams
from solver.programme import plan_programme
from tests.web_server import ROOT, Server

ROUNDS = 3
PARAMS = {"time_limit": 30, "workers": 2, "seed": 0}


def _job(client, body: dict) -> tuple[float, dict]:
    t0 = time.perf_counter()
    job = client.post("/api/jobs", json=body).json()["id"]
    while True:
        state = client.get(f"/api/jobs/{job}").json()
        if state["status"] not in ("queued", "running"):
            return time.perf_counter() - t0, state
        time.sleep(0.05)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("bench-web") / "ws", jobs=1)
    yield server
    server.stop()


def test_service_against_cli(server, tmp_path):
    library, cli, service = [], [], []
    with server.client() as c:
        instance = c.post("/api/instances", json={"bundled": "bremen-2016"}).json()["id"]
        for k in range(ROUNDS):
            t0 = time.perf_counter()
            plan_programme(load("bremen-2016"), SolveParams(**PARAMS))
            library.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "cli.main", "plan", "--out", str(tmp_path / f"o{k}"),
                 "--workers", "2", "--time-limit", "30", "-q"],
                cwd=ROOT, check=True,
            )  # fmt: skip
            cli.append(time.perf_counter() - t0)
            seconds, state = _job(c, {"instance": instance, **PARAMS})
            assert state["status"] == "done", state
            service.append(seconds)
    med = {name: statistics.median(v) for name, v in
           (("library", library), ("cli", cli), ("service", service))}  # fmt: skip
    print(f"\nBremen, workers=2, {ROUNDS} rounds, median seconds: library {med['library']:.2f}, "
          f"juwe plan {med['cli']:.2f}, service (POST to done) {med['service']:.2f}; "
          f"service - CLI = {med['service'] - med['cli']:+.2f} s "
          f"(all: library {library}, cli {cli}, service {service})")  # fmt: skip


def test_replan_after_one_pin(server):
    with server.client() as c:
        instance = c.post("/api/instances", json={"bundled": "bremen-2016"}).json()["id"]
        _s, first = _job(c, {"instance": instance, **PARAMS})
        plan = c.get(f"/api/plans/{first['plan']}").json()
        session = [s for s in plan["training"]["plan"]["sessions"] if s["status"] == "planned"][5]
        other = next(t["id"] for t in plan["instance"]["training"]["trainers"]
                     if t["id"] != session["trainer"])  # fmt: skip
        pin = {"group": session["group"], "session": session["session"],
               "date": session["start"], "trainer": other}  # fmt: skip
        rows = []
        for _ in range(ROUNDS):
            seconds, state = _job(
                c, {"instance": instance, **PARAMS, "previous": first["plan"], "pins": [pin]}
            )
            assert state["status"] == "done", state
            stats = c.get(f"/api/plans/{state['plan']}/files/solve_stats.json").json()
            t = stats["training"]
            new = next(s for s in c.get(f"/api/plans/{state['plan']}").json()["training"]["plan"]
                       ["sessions"] if (s["group"], s["session"]) == (pin["group"],
                                                                      pin["session"]))  # fmt: skip
            assert (new["start"], new["trainer"]) == (pin["date"], pin["trainer"])
            rows.append((t["status"], t["objective"], t["bound"], t["seconds"], seconds))
    print(f"\nBremen re-plan after one pin ({pin}), workers=2: (training status, objective, "
          f"bound, training seconds, job seconds) per round: {rows}; median training seconds "
          f"{statistics.median(r[3] for r in rows):.2f}")  # fmt: skip
