"""`juwe serve`'s REST API: every endpoint, bad input, tokens, limits, solves, stops.

The solves run against a real server (uvicorn subprocess on 127.0.0.1, SQLite in tmp_path);
input checks and the token rule also run in-process through FastAPI's TestClient.
"""

from __future__ import annotations

import copy
import io
import json
import time

import httpx
import icalendar
import openpyxl
import pytest
import yaml
from fastapi.testclient import TestClient

import juwe
from instances import bundled_path
from models.diff import diff_plans
from models.plan import PlanFile
from tests.conftest import set_field
from tests.test_bad_input import FIELD_CASES, FILE_CASES
from tests.web_server import Server, infeasible_instance, tiny_instance, wait_job
from web.app import Settings, create_app
from web.jobs import stop_supported

BREMEN_TEXT = bundled_path().read_text(encoding="utf-8")
YAML = {"content-type": "application/yaml"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("web") / "workspace", jobs=2)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server):
    with server.client() as c:
        yield c


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The app in-process (TestClient), for the input checks."""
    app = create_app(Settings(workspace=tmp_path_factory.mktemp("local") / "ws"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _texts(response) -> str:
    body = response.json()
    return "\n".join(f"{e['field']}: {e['message']}" for e in body["errors"])


def _upload(client, data: dict) -> int:
    r = client.post("/api/instances", json=data)
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture(scope="module")
def bremen_id(client) -> int:
    r = client.post("/api/instances", json={"bundled": "bremen-2016"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture(scope="module")
def bremen_job(client, bremen_id) -> dict:
    r = client.post("/api/jobs", json={"instance": bremen_id, "time_limit": 20, "workers": 2})
    assert r.status_code == 202, r.text
    return wait_job(client, r.json()["id"], timeout=150)


# ------------------------------------------------------------------ service and instances
def test_health_and_bundled(client):
    assert client.get("/api/health").json() == {"status": "ok", "version": juwe.__version__}
    names = client.get("/api/bundled").json()
    assert "bremen-2016" in names and names == sorted(names)


def test_upload_yaml_json_and_bundled(local):
    r = local.post("/api/instances", content=BREMEN_TEXT.encode(), headers=YAML)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == "bremen-2016"
    s = body["summary"]
    assert s["parts"] == ["training", "staffing", "rollout"]
    assert (s["groups"], s["modules"], s["sessions_to_plan"]) == (13, 9, 62)
    r = local.post("/api/instances", json=tiny_instance())
    assert r.status_code == 201 and r.json()["summary"]["parts"] == ["training"]
    r = local.post("/api/instances", json={"bundled": "no-such"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "bundled"
    detail = local.get(f"/api/instances/{body['id']}").json()
    assert detail["instance"]["name"] == "bremen-2016" and detail["summary"] == s
    ids = [i["id"] for i in local.get("/api/instances").json()]
    assert ids == sorted(ids, reverse=True) and body["id"] in ids
    assert local.get(f"/api/instances/{body['id']}/plans").json() == []


@pytest.mark.parametrize(
    "changes, fragments", [pytest.param(c, f, id=i) for i, c, f in FIELD_CASES]
)
def test_bad_field_is_rejected_and_nothing_stored(local, bremen_data, changes, fragments):
    before = local.get("/api/instances").json()
    data = copy.deepcopy(bremen_data)
    for path, value in changes.items():
        set_field(data, path, value)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()
    r = local.post("/api/instances", content=text, headers=YAML)
    assert r.status_code == 422, r.text
    assert "Traceback" not in r.text
    texts = _texts(r)
    for fragment in fragments:
        assert fragment in texts, f"{fragment!r} not in {texts}"
    assert local.get("/api/instances").json() == before


UPLOADABLE = [(m, f) for m, f in FILE_CASES if m.__name__ not in ("a_directory", "no_such_file")]


@pytest.mark.parametrize(
    "make, fragments", [pytest.param(m, f, id=m.__name__.replace("_", "-")) for m, f in UPLOADABLE]
)
def test_broken_file_is_rejected(local, tmp_path, make, fragments):
    before = local.get("/api/instances").json()
    path = make(tmp_path)
    kind = "application/json" if path.suffix == ".json" else "application/yaml"
    r = local.post("/api/instances", content=path.read_bytes(), headers={"content-type": kind})
    assert r.status_code == 422, r.text
    text = json.dumps(r.json())
    for fragment in fragments:
        assert fragment.replace("\\", "\\\\") in text, f"{fragment!r} not in {text}"
    assert local.get("/api/instances").json() == before


def _units_split(bremen_data) -> tuple[dict, bytes]:
    """Bremen with its casework units moved into a CSV table named teams.csv."""
    data = copy.deepcopy(bremen_data)
    units = data["staffing"]["units"]
    cm = [u for u in units if u["category"] == "cm"]
    data["staffing"]["units"] = [u for u in units if u["category"] != "cm"]
    data["staffing"]["units_from"] = {"path": "teams.csv", "defaults": {"category": "cm"}}
    fields = sorted({k for u in cm for k in u if k != "category"})
    lines = [";".join(fields)] + [";".join(str(u.get(k, "")) for k in fields) for u in cm]
    return data, ("\n".join(lines) + "\n").encode()


def test_multipart_with_a_units_table(local, bremen_data):
    data, table = _units_split(bremen_data)
    files = [
        ("instance", ("bremen.yaml", yaml.safe_dump(data, allow_unicode=True), "application/yaml")),
        ("files", ("teams.csv", table, "text/csv")),
    ]
    r = local.post("/api/instances", files=files)
    assert r.status_code == 201, r.text
    assert r.json()["summary"]["units"] == len(bremen_data["staffing"]["units"])


@pytest.mark.parametrize(
    "path, uploaded",
    [
        ("/etc/passwd", "teams.csv"),
        ("../teams.csv", "teams.csv"),
        ("sub/teams.csv", "teams.csv"),
        ("other.csv", "teams.csv"),
        ("teams.csv", None),
    ],
    ids=["absolute", "dotdot", "subfolder", "not-uploaded", "no-files"],
)
def test_units_from_must_name_an_uploaded_table(local, bremen_data, path, uploaded):
    before = local.get("/api/instances").json()
    data, table = _units_split(bremen_data)
    data["staffing"]["units_from"]["path"] = path
    text = yaml.safe_dump(data, allow_unicode=True)
    if uploaded is None:
        r = local.post("/api/instances", content=text.encode(), headers=YAML)
    else:
        files = [("instance", ("i.yaml", text, "application/yaml")),
                 ("files", (uploaded, table, "text/csv"))]  # fmt: skip
        r = local.post("/api/instances", files=files)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "staffing.units_from.path"
    assert local.get("/api/instances").json() == before


def test_oversize_body_is_413(local):
    r = local.post("/api/instances", content=b"x" * (5 * 1024 * 1024 + 1), headers=YAML)
    assert r.status_code == 413 and "MB" in r.json()["message"]


def test_unsupported_content_type_is_415(local):
    r = local.post("/api/instances", content=b"x", headers={"content-type": "image/png"})
    assert r.status_code == 415 and "YAML" in r.json()["message"]


def test_token_required(tmp_path):
    app = create_app(Settings(workspace=tmp_path / "ws", token="s3cret"))
    with TestClient(app) as c:
        assert c.get("/api/health").status_code == 401
        r = c.get("/api/bundled", headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401 and "Authorization" in r.json()["message"]
        assert c.get("/api/health", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.get("/").status_code == 200  # the page loads, then asks for the token
        assert c.get("/static/plotly.min.js").status_code == 200


def test_page_and_plotly_are_local(local):
    assert local.get("/").headers["content-type"].startswith("text/html")
    js = local.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000


@pytest.mark.parametrize(
    "url",
    ["/api/instances/999", "/api/instances/999/plans", "/api/jobs/999", "/api/jobs/999/events",
     "/api/plans/999", "/api/plans/999/files", "/api/plans/999/files/plan.json",
     "/api/plans/999/figures/rollout", "/api/plans/999/tables", "/api/plans/999/tables/sessions",
     "/api/plans/999/diff/998", "/api/nothing"],
)  # fmt: skip
def test_unknown_ids_are_404(local, url):
    r = local.get(url)
    assert r.status_code == 404 and r.json()["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/jobs/abc",
        "/api/plans/0",
        "/api/instances/-1",
        "/api/plans/1/diff/99999999999999999999999",
    ],
)
def test_bad_ids_are_422(local, url):
    r = local.get(url)
    assert r.status_code == 422 and r.json()["errors"]


def test_job_requests_are_checked(local):
    iid = _upload(local, tiny_instance())
    r = local.post("/api/jobs", json={"instance": 99999})
    assert r.status_code == 404
    r = local.post("/api/jobs", json={"instance": iid, "previous": 99999})
    assert r.status_code == 404 and "plan 99999" in r.json()["message"]
    r = local.post("/api/jobs", json={"instance": iid, "time_limit": 0})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "time_limit"
    r = local.post("/api/jobs", json={"instance": iid, "joint": True})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "joint"
    r = local.post("/api/jobs", json={"instance": iid, "weights": {"staffing": {"x": 1}}})
    assert r.status_code == 422 and "no staffing part" in r.text
    r = local.post("/api/jobs", json={"instance": iid, "weights": {"completion": -3}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "weights.training.completion"


def test_bad_pins_name_the_pin(local):
    iid = _upload(local, {"bundled": "bremen-2016"})
    pins = [{"group": "77", "session": "7", "date": "2016-03-01"}]
    r = local.post("/api/jobs", json={"instance": iid, "pins": pins})
    assert r.status_code == 422, r.text
    assert "pins[0].group: unknown group '77'" in _texts(r)
    pins = [{"group": "5", "session": "7", "trainer": "T9"}]
    r = local.post("/api/jobs", json={"instance": iid, "pins": pins})
    assert r.status_code == 422 and "T9" in _texts(r) and "pins[0]" in _texts(r)
    status = [{"group": "5", "session": "9z", "status": "done"}]
    r = local.post("/api/jobs", json={"instance": iid, "status": status})
    assert r.status_code == 422 and "status[0].session: unknown session '9z'" in _texts(r)
    assert (
        local.post("/api/jobs", json={"instance": iid, "pins": [{"group": "5"}]}).status_code == 422
    )


# ------------------------------------------------------------------ solves (real server)
def test_bremen_solve_is_done_and_checked(client, bremen_job):
    job = bremen_job
    assert job["status"] == "done", job
    assert job["progress"] and {p["part"] for p in job["progress"]} == {
        "training", "staffing", "rollout"
    }  # fmt: skip
    plan = PlanFile.model_validate(client.get(f"/api/plans/{job['plan']}").json())
    assert not any(juwe.check(plan).values())
    files = client.get(f"/api/plans/{job['plan']}/files").json()
    for name in (
        "report.html",
        "plan.xlsx",
        "training.ics",
        "anlage1.xlsx",
        "anlage1.html",
        "anlage2.html",
        "solve_stats.json",
        "plan.json",
        "training_sessions.csv",
    ):
        assert name in files  # fmt: skip
    assert any(f.startswith("ics/group-") for f in files)
    assert any(f.startswith("ics/trainer-") for f in files)


def test_plan_files_download(client, bremen_job):
    pid = bremen_job["plan"]
    r = client.get(f"/api/plans/{pid}/files/plan.xlsx")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'attachment; filename="plan.xlsx"' == r.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert "Termine" in book.sheetnames  # Bremen is German: the Sessions sheet in German
    r = client.get(f"/api/plans/{pid}/files/training.ics")
    assert r.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    assert len(cal.walk("VEVENT")) > 0
    ics = [f for f in client.get(f"/api/plans/{pid}/files").json() if f.startswith("ics/")][0]
    r = client.get(f"/api/plans/{pid}/files/{ics}")
    assert r.status_code == 200 and icalendar.Calendar.from_ical(r.content).walk("VEVENT")
    r = client.get(f"/api/plans/{pid}/files/report.html")
    assert r.headers["content-type"].startswith("text/html")
    for bad in (
        "../../juwe.sqlite",
        "%2e%2e/%2e%2e/juwe.sqlite",
        "/etc/passwd",
        "ics%2F..%2Fplan.json",
        "nothing.csv",
    ):
        r = client.get(f"/api/plans/{pid}/files/{bad}")  # clients may normalise the dots
        assert r.status_code in (404, 422) and r.json()["message"]


def test_figures_and_tables(client, bremen_job):
    pid = bremen_job["plan"]
    for name in (
        "training-by-group",
        "training-by-trainer",
        "staffing-timeline",
        "rollout",
        "rollout-resources",
    ):
        fig = client.get(f"/api/plans/{pid}/figures/{name}")
        assert fig.status_code == 200 and fig.json()["data"], name  # fmt: skip
    assert client.get(f"/api/plans/{pid}/figures/pie").status_code == 404
    names = client.get(f"/api/plans/{pid}/tables").json()
    assert [t["name"] for t in names] == [
        "sessions", "anlage-1", "staffing-table", "allocation", "timeline", "rollout-tasks",
        "anlage-2",
    ]  # fmt: skip
    for t in names:
        table = client.get(f"/api/plans/{pid}/tables/{t['name']}").json()
        assert table["title"] == t["title"] and table["columns"] and table["rows"]
        assert all(len(row) == len(table["columns"]) for row in table["rows"])
    sessions = client.get(f"/api/plans/{pid}/tables/sessions").json()
    assert sessions["columns"][:2] == ["group", "module"]


def test_sse_of_a_finished_job(client, bremen_job):
    with client.stream("GET", f"/api/jobs/{bremen_job['id']}/events") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line]
    data = [json.loads(line[6:]) for line in lines if line.startswith("data: ")]
    assert lines[-2] == "event: end" and data[-1]["status"] == "done"
    assert len(data) - 1 == len(bremen_job["progress"])


def test_replan_with_previous_and_diff(client, bremen_id, bremen_job):
    old = bremen_job["plan"]
    pins = [{"group": "5", "session": "9d", "trainer": "T1", "date": "2016-06-14"}]
    body = {"instance": bremen_id, "time_limit": 5, "workers": 2, "previous": old, "pins": pins}
    r = client.post("/api/jobs", json=body)
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["id"], timeout=90)
    assert job["status"] == "done", job
    assert job["params"]["previous"] == old and job["params"]["pins"][0]["trainer"] == "T1"
    versions = client.get(f"/api/instances/{bremen_id}/plans").json()
    assert [v["id"] for v in versions][:2] == [job["plan"], old]
    assert versions[0]["parent"] == old and versions[0]["version"] == versions[1]["version"] + 1
    new_plan = PlanFile.model_validate(client.get(f"/api/plans/{job['plan']}").json())
    snapshot = new_plan.instance.training.snapshot.sessions
    assert any(e.group == "5" and e.session == "9d" and e.status == "pinned" for e in snapshot)
    assert not any(juwe.check(new_plan).values())
    diff = client.get(f"/api/plans/{old}/diff/{job['plan']}").json()
    old_plan = PlanFile.model_validate(client.get(f"/api/plans/{old}").json())
    assert diff == {"old": old, "new": job["plan"]} | diff_plans(old_plan, new_plan)
    moved = {(r["group"], r["session"]): r for r in diff["sessions"]}
    pinned = next(s for s in new_plan.training.plan.sessions if (s.group, s.session) == ("5", "9d"))
    assert (pinned.trainer, pinned.start.isoformat()) == ("T1", "2016-06-14")  # the pin holds
    before = next(s for s in old_plan.training.plan.sessions if (s.group, s.session) == ("5", "9d"))
    if (before.trainer, before.start) != (pinned.trainer, pinned.start):
        assert moved[("5", "9d")]["new_start"] == "2016-06-14"
    assert client.get(f"/api/plans/{old}/diff/{old}").json()["changed"] == {
        "sessions": 0, "groups": 0, "tasks": 0, "staffing": 0
    }  # fmt: skip


def test_infeasible_job_names_its_rules(client):
    iid = _upload(client, infeasible_instance())
    r = client.post("/api/jobs", json={"instance": iid, "time_limit": 10, "workers": 1})
    job = wait_job(client, r.json()["id"], timeout=60)
    assert job["status"] == "infeasible", job
    assert job["plan"] is None
    assert "deadline (group G1)" in job["conflicts"]
    assert "deadline (group G1)" in job["message"]


def test_stop_a_running_job_and_cancel_a_queued_one(client, server):
    iid = _upload(client, yaml.safe_load(bundled_path("generated-S").read_text("utf-8")))
    body = {"instance": iid, "time_limit": 120, "workers": 1}
    first = client.post("/api/jobs", json=body).json()["id"]
    second = client.post("/api/jobs", json=body).json()["id"]
    third = client.post("/api/jobs", json=body).json()["id"]  # queued: the server runs 2
    wait_job(client, first, timeout=60, until=("running",))
    assert client.get(f"/api/jobs/{third}").json()["status"] == "queued"
    r = client.delete(f"/api/jobs/{third}")
    assert r.status_code == 202 and r.json()["status"] == "stopped"
    assert client.get(f"/api/jobs/{third}").json()["plan"] is None
    assert client.delete(f"/api/jobs/{third}").status_code == 409
    deadline = time.monotonic() + 60  # with the solvers' stop token: until the search runs
    while stop_supported() and not client.get(f"/api/jobs/{first}").json()["progress"]:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    t0 = time.monotonic()
    for job_id in (first, second):
        assert client.delete(f"/api/jobs/{job_id}").status_code == 202
    for job_id in (first, second):
        job = wait_job(client, job_id, timeout=60)
        assert job["status"] == "stopped", job
    assert time.monotonic() - t0 < 60
    stopped = client.get(f"/api/jobs/{first}").json()
    if stop_supported():  # the solvers honour the stop token: the best plan so far is kept
        assert stopped["plan"] is not None, stopped
        plan = PlanFile.model_validate(client.get(f"/api/plans/{stopped['plan']}").json())
        assert not any(juwe.check(plan).values())
        assert "best plan" in stopped["message"]
    else:  # the worker was ended: no plan
        assert stopped["plan"] is None


def test_live_sse_events_arrive(client, bremen_id):
    r = client.post("/api/jobs", json={"instance": bremen_id, "time_limit": 3, "workers": 1})
    job_id = r.json()["id"]
    events, end = [], None
    with httpx.Client(base_url=str(client.base_url), timeout=90) as c:
        with c.stream("GET", f"/api/jobs/{job_id}/events") as stream:
            kind = "message"
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    if kind == "end":
                        end = json.loads(line[6:])
                        break
                    events.append(json.loads(line[6:]))
    assert events and end is not None and end["status"] == "done"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert {"part", "phase", "objective", "bound", "gap"} <= set(events[0])


def test_jobs_list(client, bremen_job):
    jobs = client.get("/api/jobs").json()
    assert bremen_job["id"] in [j["id"] for j in jobs]
    assert [j["id"] for j in jobs] == sorted((j["id"] for j in jobs), reverse=True)


def test_token_on_a_real_server(tmp_path):
    server = Server(tmp_path / "ws", token="t0ken")
    try:
        assert httpx.get(server.url + "/api/instances").status_code == 401
        ok = httpx.get(server.url + "/api/instances", headers={"Authorization": "Bearer t0ken"})
        assert ok.status_code == 200 and ok.json() == []
        assert httpx.get(server.url + "/").status_code == 200
    finally:
        server.stop()


def test_a_bug_is_a_short_500(tmp_path, monkeypatch, caplog):
    app = create_app(Settings(workspace=tmp_path / "ws"))

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(app.state.store, "instances", broken)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/instances")
    assert r.status_code == 500
    assert r.json() == {
        "message": "internal error (a bug in juwe-planner; the server log has the details)"
    }
    assert "boom" not in r.text and "Traceback" not in r.text
    assert "boom" in caplog.text  # the traceback goes to the log


def test_serve_off_localhost_generates_a_token(tmp_path, monkeypatch, juwe):
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    result = juwe("serve", "--host", "0.0.0.0", "--port", "9", "--workspace", tmp_path / "ws")
    assert result.exit_code == 0, result.output
    token = started["app"].state.settings.token
    assert token and len(token) >= 24 and token in result.output
    assert (started["host"], started["port"]) == ("0.0.0.0", 9)  # not bound: run is replaced
    result = juwe("serve", "--workspace", tmp_path / "ws2")
    assert started["app"].state.settings.token is None and started["host"] == "127.0.0.1"


def test_workers_fork_from_a_forkserver_with_the_library_imported():
    # a name the forkserver cannot import is skipped silently there: every one must import
    import importlib
    import multiprocessing as mp

    from web import jobs

    for name in jobs.WORKER_MODULES:
        importlib.import_module(name)
    if "forkserver" in mp.get_all_start_methods():
        assert jobs.CTX.get_start_method() == "forkserver"
    else:
        assert jobs.CTX.get_start_method() == "spawn"
