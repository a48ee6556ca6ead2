"""/api/plans: a plan as plan.json holds it, its files, figures, tables and diffs.

File names come from the plan's own file list (recorded when it was written); a client's
name is looked up there and never joined to a path unchecked."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path as FsPath
from typing import Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import FileResponse, Response

from models.plan import PlanFile
from web.schemas import ERRORS, NOT_FOUND, Table, TableName
from web.security import MAX_ID
from web.store import Store

router = APIRouter(tags=["plans"])
PlanId = Path(ge=1, le=MAX_ID, description="plan id")
OtherId = Path(ge=1, le=MAX_ID, description="the plan to compare with")
MISSING = {**ERRORS, **NOT_FOUND}

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
JSON_ANY = {200: {"content": {"application/json": {"schema": {"type": "object"}}}}}


def _store(request: Request) -> Store:
    return request.app.state.store


def _record(request: Request, plan_id: int) -> dict[str, Any]:
    found = _store(request).plan(plan_id)
    if found is None:
        raise HTTPException(404, f"no plan {plan_id}")
    return found


@lru_cache(maxsize=8)
def _load(path: str) -> PlanFile:  # plans never change once written
    from models.io import load_plan

    return load_plan(path)


def plan_file(request: Request, plan_id: int) -> PlanFile:
    _record(request, plan_id)
    return _load(str(_store(request).plan_dir(plan_id) / "plan.json"))


@router.get("/plans/{plan_id}", responses={**MISSING, **JSON_ANY})
def get_plan(request: Request, plan_id: int = PlanId) -> Response:
    """The plan as its plan.json holds it (the effective instance and every part)."""
    _record(request, plan_id)
    path = _store(request).plan_dir(plan_id) / "plan.json"
    return Response(path.read_bytes(), media_type="application/json")


@router.get("/plans/{plan_id}/files", response_model=list[str], responses=MISSING)
def list_files(request: Request, plan_id: int = PlanId) -> list[str]:
    return _record(request, plan_id)["files"]


@router.get(
    "/plans/{plan_id}/files/{name:path}",
    responses={
        **MISSING,
        200: {"content": {t: {} for t in TYPES.values()}, "description": "the file"},
    },
)
def get_file(request: Request, plan_id: int = PlanId, name: str = Path(max_length=200)) -> Any:
    record = _record(request, plan_id)
    if name not in record["files"]:
        raise HTTPException(
            404, f"plan {plan_id} has no file {name!r}; GET /api/plans/{plan_id}/files lists them"
        )
    folder = _store(request).plan_dir(plan_id).resolve()
    path = (folder / name).resolve()
    if folder not in path.parents or not path.is_file():
        raise HTTPException(404, f"plan {plan_id} has no file {name!r}")
    suffix = path.suffix.lower()
    inline = suffix in (".html", ".json")
    return FileResponse(
        path,
        media_type=TYPES.get(suffix, "application/octet-stream"),
        filename=FsPath(name).name,
        content_disposition_type="inline" if inline else "attachment",
    )


FIGURES = (
    "training-by-group",
    "training-by-trainer",
    "staffing-timeline",
    "rollout",
    "rollout-resources",
)


@router.get("/plans/{plan_id}/figures/{name}", responses={**MISSING, **JSON_ANY})
def figure(request: Request, plan_id: int = PlanId, name: str = Path(max_length=50)) -> Response:
    """A plotly figure (its JSON) as report.html draws it."""
    if name not in FIGURES:
        raise HTTPException(404, f"no figure {name!r}; figures: {', '.join(FIGURES)}")
    plan = plan_file(request, plan_id)
    inst = plan.instance
    part = {"training": plan.training, "staffing": plan.staffing, "rollout": plan.rollout}[
        name.split("-")[0]
    ]
    if part is None or part.plan is None:
        raise HTTPException(404, f"plan {plan_id} has no {name.split('-')[0]} part")
    if name.startswith("training"):
        from reports.gantt import training_gantt

        fig = training_gantt(inst, part.plan, by=name.rsplit("-", 1)[1])
    elif name == "staffing-timeline":
        from reports.staffing import staffing_timeline_chart

        fig = staffing_timeline_chart(inst, part.plan)
    elif name == "rollout":
        from reports.rollout import rollout_gantt

        fig = rollout_gantt(inst, part.plan)
    else:
        from reports.rollout import resource_chart

        fig = resource_chart(inst, part.plan)
    return Response(fig.to_json(), media_type="application/json")


def _tables(plan: PlanFile) -> dict[str, tuple[str, str, Any]]:
    from reports.workbook import plan_tables

    return {
        title.lower().replace(" ", "-"): (title, file, frame)
        for title, (file, frame) in plan_tables(plan).items()
    }


@router.get("/plans/{plan_id}/tables", response_model=list[TableName], responses=MISSING)
def list_tables(request: Request, plan_id: int = PlanId) -> list[dict[str, str]]:
    tables = _tables(plan_file(request, plan_id))
    return [{"name": k, "title": t, "file": f} for k, (t, f, _) in tables.items()]


@router.get("/plans/{plan_id}/tables/{name}", response_model=Table, responses=MISSING)
def table(request: Request, plan_id: int = PlanId, name: str = Path(max_length=50)) -> Any:
    """The rows of one table of plan.xlsx (the CSV file's rows)."""
    tables = _tables(plan_file(request, plan_id))
    if name not in tables:
        raise HTTPException(
            404, f"plan {plan_id} has no table {name!r}; tables: " + ", ".join(tables)
        )
    title, _, frame = tables[name]
    split = json.loads(frame.to_json(orient="split", date_format="iso", default_handler=str))
    rows = [[_clean(v) for v in row] for row in split["data"]]
    return {"title": title, "columns": [str(c) for c in split["columns"]], "rows": rows}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str) and value.endswith("T00:00:00.000"):
        return value[:10]
    return value


@router.get("/plans/{plan_id}/diff/{other}", responses={**MISSING, **JSON_ANY})
def diff(request: Request, plan_id: int = PlanId, other: int = OtherId) -> Any:
    """What plan `other` changes against plan `plan_id` (old = plan_id, new = other)."""
    from models.diff import diff_plans

    old, new = plan_file(request, plan_id), plan_file(request, other)
    return {"old": plan_id, "new": other} | diff_plans(old, new)
