"""/api/instances and /api/bundled: upload, list and read instances."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse

from web.intake import Rejected, errors, parse_upload, summary
from web.schemas import ERRORS, NOT_FOUND, InstanceDetail, InstanceOut, PlanOut
from web.security import MAX_ID
from web.store import Store

router = APIRouter(tags=["instances"])
InstanceId = Path(ge=1, le=MAX_ID, description="instance id")
MAX_TABLES = 10

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": 'an instance, or {"bundled": NAME}',
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["instance"],
                    "properties": {
                        "instance": {"type": "string", "format": "binary"},
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
        },
    }
}


def _store(request: Request) -> Store:
    return request.app.state.store


def rejected(problems: list[str]) -> JSONResponse:
    first = problems[0] if problems else "invalid instance"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return JSONResponse({"message": first + more, "errors": errors(problems)}, status_code=422)


@router.get("/health", tags=["service"])
def health() -> dict[str, str]:
    from web.app import version

    return {"status": "ok", "version": version()}


@router.get("/bundled", response_model=list[str])
def bundled_names() -> list[str]:
    from instances import bundled

    return sorted(bundled())


@router.post(
    "/instances",
    status_code=201,
    response_model=InstanceOut,
    responses={**ERRORS, 415: {"description": "a content type the service does not read"}},
    openapi_extra=UPLOAD_BODY,
)
async def upload(request: Request) -> Any:
    """Upload an instance (YAML, JSON, a bundled name, or multipart with its units tables)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == "multipart/form-data":
            instance, data = await _multipart(request)
        elif kind in ("application/json", "text/json"):
            instance, data = _json(await request.body())
        elif kind in ("application/yaml", "text/yaml", "application/x-yaml", "text/plain", ""):
            instance, data = parse_upload(await request.body(), "yaml")
        else:
            raise HTTPException(
                415,
                f"content type {kind!r}: send YAML (application/yaml), JSON "
                "(application/json) or a multipart/form-data upload",
            )
    except Rejected as exc:
        return rejected(exc.problems)
    store = _store(request)
    info = summary(instance)
    new_id = store.add_instance(instance.name, info, data)
    return JSONResponse(store.instance(new_id), status_code=201)


def _json(body: bytes) -> tuple[Any, dict[str, Any]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None  # parse_upload reports the syntax error with line and column
    if isinstance(data, dict) and set(data) == {"bundled"}:
        return _bundled(data["bundled"])
    return parse_upload(body, "json")


def _bundled(name: Any) -> tuple[Any, dict[str, Any]]:
    from instances import bundled, load

    names = sorted(bundled())
    if not isinstance(name, str) or name not in names:
        raise Rejected([f"bundled: no bundled instance {name!r}; bundled: {', '.join(names)}"])
    instance = load(name)
    return instance, instance.model_dump(mode="json")


async def _multipart(request: Request) -> tuple[Any, dict[str, Any]]:
    form = await request.form(max_files=MAX_TABLES + 1, max_fields=MAX_TABLES + 1)
    main = form.get("instance")
    if main is None:
        raise Rejected(["instance: the multipart upload has no `instance` part (the file)"])
    if isinstance(main, str):
        text, name = main.encode(), "instance.yaml"
    else:
        text, name = await main.read(), main.filename or "instance.yaml"
    tables: dict[str, bytes] = {}
    for part in form.getlist("files"):
        if isinstance(part, str) or not part.filename:
            raise Rejected(["files: each `files` part must be a file with a file name"])
        tables[part.filename] = await part.read()
    kind = "json" if name.lower().endswith(".json") else "yaml"
    return parse_upload(text, kind, tables)


@router.get("/instances", response_model=list[InstanceOut], responses=ERRORS)
def list_instances(request: Request) -> Any:
    return _store(request).instances()


@router.get(
    "/instances/{instance_id}", response_model=InstanceDetail, responses={**ERRORS, **NOT_FOUND}
)
def get_instance(request: Request, instance_id: int = InstanceId) -> Any:
    found = _store(request).instance(instance_id, data=True)
    if found is None:
        raise HTTPException(
            404, f"no instance {instance_id}: upload it first (POST /api/instances)"
        )
    return found


@router.get(
    "/instances/{instance_id}/plans",
    response_model=list[PlanOut],
    responses={**ERRORS, **NOT_FOUND},
)
def instance_plans(request: Request, instance_id: int = InstanceId) -> Any:
    """The instance's plan versions, newest first."""
    store = _store(request)
    if store.instance(instance_id) is None:
        raise HTTPException(404, f"no instance {instance_id}")
    return store.plans_of(instance_id)
