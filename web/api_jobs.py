"""/api/jobs: start a solve, follow it (JSON or server-sent events), stop it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse, StreamingResponse

from web.api_instances import rejected
from web.intake import Rejected, with_changes
from web.schemas import ERRORS, NOT_FOUND, Created, ErrorOut, JobOut, JobRequest
from web.security import MAX_ID
from web.store import ACTIVE, Store

router = APIRouter(tags=["jobs"])
JobId = Path(ge=1, le=MAX_ID, description="job id")
SSE_POLL = 0.25  # seconds between looks for new events
SSE_MAX = 6 * 3600.0  # a stream ends after this long even if the job has not
SSE_HEARTBEAT = 15.0
SSE_EVENT = {  # one server-sent event: `data` is JSON text (a progress event, or the job)
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["message", "end"]},
        "data": {"type": "string"},
        "id": {"type": "string"},
    },
}


def _store(request: Request) -> Store:
    return request.app.state.store


@router.post("/jobs", status_code=202, response_model=Created, responses={**ERRORS, **NOT_FOUND})
def start_job(request: Request, body: JobRequest) -> Any:
    """Queue a solve of an instance (with pins, status and weights applied to a copy)."""
    store = _store(request)
    found = store.instance(body.instance, data=True)
    if found is None:
        raise HTTPException(404, f"no instance {body.instance}: upload it first")
    previous = None
    if body.previous is not None:
        if store.plan(body.previous) is None:
            raise HTTPException(404, f"no plan {body.previous} to re-plan from")
        previous = str(store.plan_dir(body.previous) / "plan.json")
    try:
        instance, data = with_changes(
            found["instance"],
            pins=[p.model_dump(mode="json") for p in body.pins],
            status=[s.model_dump(mode="json") for s in body.status],
            weights=body.weights,
        )
    except Rejected as exc:
        return rejected(exc.problems)
    if not instance.parts():
        return rejected(["instance: the instance has no part to plan"])
    if body.joint and (instance.training is None or instance.rollout is None):
        return rejected(
            [
                "joint: joint planning needs a training and a rollout part; the instance has: "
                + (", ".join(instance.parts()))
            ]
        )
    params = body.model_dump(
        mode="json",
        include={"time_limit", "workers", "seed", "previous", "joint", "pins", "status", "weights"},
    )
    job_id = store.add_job(
        body.instance, params, {"instance": data, "params": params, "previous": previous}
    )
    request.app.state.runner.submit()
    return JSONResponse({"id": job_id}, status_code=202)


@router.get("/jobs", response_model=list[JobOut], responses=ERRORS)
def list_jobs(request: Request) -> Any:
    """Every job, newest first (without its progress events: GET the job for those)."""
    return _store(request).jobs()


@router.get("/jobs/{job_id}", response_model=JobOut, responses={**ERRORS, **NOT_FOUND})
def get_job(request: Request, job_id: int = JobId) -> Any:
    return _job(request, job_id)


def _job(request: Request, job_id: int) -> dict[str, Any]:
    job = _store(request).job(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job


@router.delete(
    "/jobs/{job_id}",
    status_code=202,
    response_model=JobOut,
    responses={**ERRORS, **NOT_FOUND, 409: {"model": ErrorOut}},
)
def stop_job(request: Request, job_id: int = JobId) -> Any:
    """Stop a running job (it keeps the best plan found so far) or cancel a queued one."""
    job = _job(request, job_id)
    if job["status"] not in ACTIVE or not request.app.state.runner.stop(job_id):
        job = _job(request, job_id)
        if job["status"] not in ACTIVE:
            raise HTTPException(409, f"job {job_id} has already ended ({job['status']})")
    return JSONResponse(_job(request, job_id), status_code=202)


@router.get(
    "/jobs/{job_id}/events",
    responses={
        **ERRORS,
        **NOT_FOUND,
        200: {
            "content": {"text/event-stream": {"schema": SSE_EVENT}},
            "description": "each progress event as `data: {json}`, then `event: end`",
        },
    },
)
async def job_events(request: Request, job_id: int = JobId) -> StreamingResponse:
    """Server-sent events: the stored progress, then new events as they come, then `end`
    with the job."""
    store = _store(request)
    if store.job(job_id, progress=False) is None:
        raise HTTPException(404, f"no job {job_id}")
    return StreamingResponse(
        _stream(store, job_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(store: Store, job_id: int) -> AsyncIterator[str]:
    seq, t0, beat = 0, time.monotonic(), time.monotonic()
    while time.monotonic() - t0 < SSE_MAX:
        job = store.job(job_id, progress=False)
        events = store.events(job_id, after=seq)
        for e in events:
            seq = e["seq"]
            yield f"id: {seq}\ndata: {json.dumps(e)}\n\n"
        if job is None or job["status"] not in ACTIVE:
            if not events:  # the last events are out before the end
                job = store.job(job_id)
                yield f"event: end\ndata: {json.dumps(job)}\n\n"
                return
            continue
        if time.monotonic() - beat > SSE_HEARTBEAT:
            beat = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(SSE_POLL)
    yield f"event: end\ndata: {json.dumps(store.job(job_id))}\n\n"
