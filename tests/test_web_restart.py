"""A `juwe serve` killed with -9 in the middle of a solve and started again on the same
workspace: the finished plan and its files are still there, the killed job says
'interrupted', and the killed server's workers are gone."""

from __future__ import annotations

import psutil
import yaml

import juwe
from instances import bundled_path
from models.plan import PlanFile
from tests.web_server import Server, tiny_instance, wait_job


def test_kill_mid_solve_and_restart(tmp_path):
    workspace = tmp_path / "workspace"
    server = Server(workspace)
    try:
        with server.client() as c:
            tiny = c.post("/api/instances", json=tiny_instance()).json()["id"]
            r = c.post("/api/jobs", json={"instance": tiny, "time_limit": 2, "workers": 1})
            done = wait_job(c, r.json()["id"], timeout=60)
            assert done["status"] == "done", done
            files = c.get(f"/api/plans/{done['plan']}/files").json()
            big = yaml.safe_load(bundled_path("generated-S").read_text("utf-8"))
            big_id = c.post("/api/instances", json=big).json()["id"]
            r = c.post("/api/jobs", json={"instance": big_id, "time_limit": 300, "workers": 1})
            long_id = r.json()["id"]
            wait_job(c, long_id, timeout=60, until=("running",))
            queued = c.post("/api/jobs", json={"instance": tiny, "time_limit": 2}).json()["id"]
        workers = psutil.Process(server.process.pid).children(recursive=True)
        assert workers, "no worker process for the running job"
    finally:
        server.kill()
    _, alive = psutil.wait_procs(workers, timeout=30)
    assert alive == [], "workers of the killed server still run"

    again = Server(workspace)
    try:
        with again.client() as c:
            assert c.get(f"/api/jobs/{done['id']}").json()["status"] == "done"
            for job_id in (long_id, queued):
                job = c.get(f"/api/jobs/{job_id}").json()
                assert job["status"] == "interrupted" and job["plan"] is None
                assert "start it again" in job["message"]
            assert c.get(f"/api/plans/{done['plan']}/files").json() == files
            for name in files:
                assert c.get(f"/api/plans/{done['plan']}/files/{name}").status_code == 200
            plan = PlanFile.model_validate(c.get(f"/api/plans/{done['plan']}").json())
            assert not any(juwe.check(plan).values())
            # the restarted server plans again
            r = c.post("/api/jobs", json={"instance": tiny, "time_limit": 2, "workers": 1})
            assert wait_job(c, r.json()["id"], timeout=60)["status"] == "done"
        assert not list((workspace / "staging").iterdir())
    finally:
        again.stop()
