"""Load on a real `juwe serve` (uvicorn on 127.0.0.1, --jobs 2): 20 concurrent clients
upload a tiny instance, start a solve, and poll it to the end. Every job ends with a
plan that passes the checker, no request fails, the server's memory stays bounded; the
figures (requests/s, latency of GET /api/jobs/{id} while solves run) are printed."""

from __future__ import annotations

import statistics
import threading
import time

import psutil
import pytest

import juwe
from models.plan import PlanFile
from tests.web_server import ENDED, Server, tiny_instance

CLIENTS = 20
BUDGET = 90.0  # seconds for the whole run
RSS_LIMIT = 800 * 1024 * 1024  # bytes: the server process alone (solves run in workers)


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.failures: list[str] = []
        self.poll_latency: list[float] = []
        self.plans: list[int] = []

    def call(self, client, method: str, url: str, *, poll: bool = False, **kwargs):
        t0 = time.perf_counter()
        try:
            r = client.request(method, url, **kwargs)
        except Exception as exc:  # noqa: BLE001 - counted, the test fails on any
            with self.lock:
                self.requests += 1
                self.failures.append(f"{method} {url}: {exc!r}")
            return None
        dt = time.perf_counter() - t0
        with self.lock:
            self.requests += 1
            if poll:
                self.poll_latency.append(dt)
            if r.status_code >= 400:
                self.failures.append(f"{method} {url}: {r.status_code} {r.text[:200]}")
        return r


def _client_run(server: Server, tally: Tally, deadline: float, k: int) -> None:
    with server.client() as c:
        data = tiny_instance(groups=1 + k % 3)
        r = tally.call(c, "POST", "/api/instances", json=data)
        if r is None or r.status_code != 201:
            return
        body = {"instance": r.json()["id"], "time_limit": 3, "workers": 1, "seed": k}
        r = tally.call(c, "POST", "/api/jobs", json=body)
        if r is None or r.status_code != 202:
            return
        job_id = r.json()["id"]
        while time.monotonic() < deadline:
            r = tally.call(c, "GET", f"/api/jobs/{job_id}", poll=True)
            if r is not None and r.status_code == 200 and r.json()["status"] in ENDED:
                job = r.json()
                if job["status"] != "done":
                    with tally.lock:
                        tally.failures.append(f"job {job_id}: {job['status']} {job['message']}")
                else:
                    with tally.lock:
                        tally.plans.append(job["plan"])
                return
            time.sleep(0.1)
        with tally.lock:
            tally.failures.append(f"job {job_id} did not end in time")


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "workspace", jobs=2)
    yield srv
    srv.stop()


def test_twenty_clients(server, capsys):
    tally = Tally()
    proc = psutil.Process(server.process.pid)
    rss = [proc.memory_info().rss]
    t0 = time.monotonic()
    deadline = t0 + BUDGET
    threads = [
        threading.Thread(target=_client_run, args=(server, tally, deadline, k), daemon=True)
        for k in range(CLIENTS)
    ]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline + 5:
        rss.append(proc.memory_info().rss)
        time.sleep(0.5)
    for t in threads:
        t.join(timeout=5)
    elapsed = time.monotonic() - t0
    assert tally.failures == []
    assert len(tally.plans) == CLIENTS
    with server.client() as c:
        for plan_id in tally.plans:
            plan = PlanFile.model_validate(c.get(f"/api/plans/{plan_id}").json())
            assert not any(juwe.check(plan).values()), plan_id
        statuses = [j["status"] for j in c.get("/api/jobs").json()]
    assert statuses.count("done") == CLIENTS
    assert max(rss) < RSS_LIMIT, f"server RSS {max(rss) / 2**20:.0f} MB"
    lat = sorted(tally.poll_latency)
    p50 = statistics.median(lat)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    with capsys.disabled():
        print(
            f"\nload: {CLIENTS} clients, {tally.requests} requests in {elapsed:.1f} s "
            f"({tally.requests / elapsed:.1f} requests/s); GET /api/jobs/{{id}} while solving: "
            f"p50 {1000 * p50:.1f} ms, p95 {1000 * p95:.1f} ms over {len(lat)} polls; "
            f"server RSS {rss[0] / 2**20:.0f} -> max {max(rss) / 2**20:.0f} MB"
        )
