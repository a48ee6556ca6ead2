"""The API's request and response shapes (they make the OpenAPI schema the fuzz test
checks responses against)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from web.security import MAX_ID

JobStatus = Literal["queued", "running", "done", "stopped", "infeasible", "failed", "interrupted"]
DbId = Field(ge=1, le=MAX_ID)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pin(Strict):
    group: str = Field(min_length=1, max_length=100)
    session: str = Field(min_length=1, max_length=100)
    date: dt.date | None = Field(None, description="first day of the session")
    trainer: str | None = Field(None, min_length=1, max_length=100)


class StatusEntry(Strict):
    group: str = Field(min_length=1, max_length=100)
    session: str = Field(min_length=1, max_length=100)
    status: Literal["done", "missed"]
    date: dt.date | None = Field(None, description="when a done session took place")


class JobRequest(Strict):
    instance: int = DbId
    time_limit: float = Field(30.0, gt=0, le=3600, description="seconds per part")
    workers: int = Field(2, ge=0, le=64, description="CP-SAT workers (0: all cores)")
    seed: int = Field(0, ge=0, le=2**31 - 1)
    previous: int | None = Field(None, ge=1, le=MAX_ID, description="plan id to re-plan from")
    joint: bool = False
    pins: list[Pin] = Field(default_factory=list, max_length=10_000)
    status: list[StatusEntry] = Field(default_factory=list, max_length=10_000)
    weights: dict[str, Any] | None = Field(
        None,
        description='per part {"training": {...}, "staffing": {...}, "rollout": {...}}, '
        "or a flat mapping of training weights",
    )


class ErrorItem(BaseModel):
    field: str | None
    message: str


class ErrorOut(BaseModel):
    message: str
    errors: list[ErrorItem] | None = None


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class InstanceOut(BaseModel):
    id: int
    name: str
    created: str
    summary: dict[str, Any]


class InstanceDetail(InstanceOut):
    instance: dict[str, Any]


class PlanOut(BaseModel):
    id: int
    instance: int
    job: int | None
    parent: int | None
    version: int
    created: str
    params: dict[str, Any]
    stats: dict[str, Any]
    files: list[str]


class Progress(BaseModel):
    part: str | None
    phase: str | None
    index: int | None
    total: int | None
    seconds: float | None
    objective: float | None
    bound: float | None
    gap: float | None
    seq: int


class JobOut(BaseModel):
    id: int
    instance: int
    status: JobStatus
    created: str
    started: str | None
    finished: str | None
    params: dict[str, Any]
    plan: int | None
    message: str
    conflicts: list[str]
    progress: list[Progress]


class Created(BaseModel):
    id: int


class TableName(BaseModel):
    name: str
    title: str
    file: str


class Table(BaseModel):
    title: str
    columns: list[str]
    rows: list[list[Any]]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "a malformed request"},
    401: {"model": ErrorOut, "description": "no or a wrong token"},
    413: {"model": ErrorOut, "description": "the request body is too large"},
    422: {"model": ErrorOut, "description": "bad input: the fields and what is wrong"},
    500: {"model": ErrorOut, "description": "a bug (the server log has the details)"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no such id"},
}
