"""Property-based fuzzing of juwe serve's OpenAPI schema (schemathesis over ASGI): no
request gives a 500, every response matches the schema it declares.

The solve-starting operation is left out (each case would spawn a solve); everything else,
uploads included, takes up to 30 generated cases. One tiny plan exists beforehand, so ids
1 reach real rows too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tests.web_server import tiny_instance, wait_job
from web.app import Settings, create_app

WORKSPACE = tempfile.TemporaryDirectory(prefix="juwe-fuzz-")
APP = create_app(Settings(workspace=Path(WORKSPACE.name) / "ws"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(
    method="POST", path="/api/jobs"
)


@pytest.fixture(scope="module", autouse=True)
def one_plan():
    """Instance 1 with plan 1 (a tiny solve, run with the app's job runner)."""
    with TestClient(APP) as c:
        iid = c.post("/api/instances", json=tiny_instance()).json()["id"]
        job = c.post("/api/jobs", json={"instance": iid, "time_limit": 2, "workers": 1}).json()
        assert wait_job(c, job["id"], timeout=60)["status"] == "done"
    yield
    WORKSPACE.cleanup()


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case):
    # a schema-valid request may still be refused: an unknown id (404), an instance that
    # breaks a rule the JSON Schema cannot express (422)
    case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])
