"""Instances as clients send them, and a job's changes to one (pins, status, weights).

Uploads are parsed and validated by the same code as `juwe validate` (the YAML/JSON reader
of models.io, then `instance_from_dict`), so the API answers with the CLI's field paths and
messages. A `staffing.units_from` table must come in the same multipart upload, named by
its bare file name: no client string names a file on the server.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

from models.instance import Instance
from models.io import InputError, instance_from_dict, read_data

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$")
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv")


class Rejected(Exception):
    """Bad input from a client: `problems` are `field: message` lines (models.io's)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def errors(problems: list[str]) -> list[dict[str, str | None]]:
    """`field.path: message` -> {"field", "message"}; lines without a path keep field None."""
    out: list[dict[str, str | None]] = []
    for p in problems:
        head, sep, rest = p.partition(": ")
        if sep and " " not in head or head == "(top level)":
            out.append({"field": head, "message": rest})
        else:
            out.append({"field": None, "message": p})
    return out


def parse_upload(
    text: bytes, kind: str, tables: dict[str, bytes] | None = None
) -> tuple[Instance, dict[str, Any]]:
    """The validated instance and its data (units tables resolved) from an upload."""
    tables = tables or {}
    for name in tables:
        if not SAFE_NAME.match(name) or not name.lower().endswith(TABLE_SUFFIXES):
            raise Rejected(
                [
                    f"files: {name!r} is not a table name we accept (letters, digits, '.', '-', "
                    f"'_'; ending in {', '.join(TABLE_SUFFIXES)})"
                ]
            )
    with tempfile.TemporaryDirectory(prefix="juwe-upload-") as tmp:
        folder = Path(tmp)
        source = folder / ("instance.json" if kind == "json" else "instance.yaml")
        source.write_bytes(text)
        try:
            data = read_data(source)
            if isinstance(data, dict) and "instance" in data and "calendar" not in data:
                raise Rejected(["this is a plan file (plan.json), not an instance"])
            _check_units_from(data, tables)
            for name, content in tables.items():
                (folder / name).write_bytes(content)
            instance = instance_from_dict(data, "instance", base=folder)
        except InputError as exc:
            raise Rejected(exc.problems) from None
    return instance, instance.model_dump(mode="json")


def _check_units_from(data: Any, tables: dict[str, bytes]) -> None:
    staffing = data.get("staffing") if isinstance(data, dict) else None
    source = staffing.get("units_from") if isinstance(staffing, dict) else None
    if not isinstance(source, dict) or "path" not in source:
        return
    path = source["path"]
    field = "staffing.units_from.path"
    if not isinstance(path, str) or not SAFE_NAME.match(path) or path in (".", ".."):
        raise Rejected(
            [f"{field}: give the bare file name of the uploaded table, not a path (got {path!r})"]
        )
    if path not in tables:
        uploaded = ", ".join(sorted(tables)) or "none"
        raise Rejected(
            [
                f"{field}: {path!r} was not uploaded with the instance (uploaded: {uploaded}); "
                "send it as a `files` part of the same multipart upload"
            ]
        )


def summary(instance: Instance) -> dict[str, Any]:
    """What a planner checks first: parts, sizes, horizon."""
    out: dict[str, Any] = {
        "parts": instance.parts(),
        "start": instance.calendar.start.isoformat(),
        "end": instance.calendar.end.isoformat(),
        "centres": len(instance.organisation.centres),
        "groups": len(instance.organisation.groups),
        "modules": 0,
        "trainers": 0,
        "sessions_to_plan": 0,
        "units": 0,
        "rollout_families": 0,
    }
    if instance.training is not None:
        from models.training_tasks import remaining_sessions

        out["modules"] = len(instance.training.modules)
        out["trainers"] = len(instance.training.trainers)
        out["sessions_to_plan"] = len(remaining_sessions(instance))
    if instance.staffing is not None:
        out["units"] = len(instance.staffing.units)
    if instance.rollout is not None:
        out["rollout_families"] = len(instance.rollout.families)
    return out


def with_changes(
    data: dict[str, Any],
    *,
    pins: list[dict[str, Any]],
    status: list[dict[str, Any]],
    weights: dict[str, Any] | None,
) -> tuple[Instance, dict[str, Any]]:
    """A copy of the instance with a job's pins and status entries in the training snapshot
    (replacing an entry of the same group and session) and its weights; validated again,
    the errors' fields named after the job's own lists (`pins[0].group`)."""
    data = copy.deepcopy(data)
    origin: dict[int, str] = {}
    entries = [("pins", i, _pin(p)) for i, p in enumerate(pins)]
    entries += [("status", i, dict(s)) for i, s in enumerate(status)]
    if entries:
        training = data.get("training")
        if training is None:
            raise Rejected([f"{entries[0][0]}: the instance has no training part"])
        if training.get("snapshot") is None:
            first = dt.date.fromisoformat(data["calendar"]["start"]) - dt.timedelta(days=1)
            training["snapshot"] = {"date": first.isoformat(), "sessions": []}
        sessions = training["snapshot"].setdefault("sessions", [])
        for where, i, entry in entries:
            key = (entry.get("group"), entry.get("session"))
            sessions[:] = [s for s in sessions if (s.get("group"), s.get("session")) != key]
            origin[id(entry)] = f"{where}[{i}]"
            sessions.append(entry)
        names = {k: origin.get(id(s)) for k, s in enumerate(sessions)}
    else:
        names = {}
    if weights:
        _apply_weights(data, weights)
    try:
        instance = instance_from_dict(data, "job")
    except InputError as exc:
        raise Rejected([_rename(p, names) for p in exc.problems]) from None
    return instance, instance.model_dump(mode="json")


def _pin(pin: dict[str, Any]) -> dict[str, Any]:
    entry = {"group": pin.get("group"), "session": pin.get("session"), "status": "pinned"}
    for key in ("date", "trainer"):
        if pin.get(key) is not None:
            entry[key] = pin[key]
    return entry


PARTS = ("training", "staffing", "rollout")


def _apply_weights(data: dict[str, Any], weights: dict[str, Any]) -> None:
    """`{"training": {...}, "staffing": {...}, "rollout": {...}}`, or a flat mapping of
    training weights."""
    per_part = weights if set(weights) <= set(PARTS) else {"training": weights}
    for part, values in per_part.items():
        if data.get(part) is None:
            raise Rejected([f"weights.{part}: the instance has no {part} part"])
        if not isinstance(values, dict):
            raise Rejected([f"weights.{part}: expected a mapping of weight names to numbers"])
        data[part]["weights"] = {**(data[part].get("weights") or {}), **values}


def _rename(problem: str, names: dict[int, str | None]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = names.get(int(m.group(1)))
        return name if name else m.group(0)

    problem = re.sub(r"training\.snapshot\.sessions\[(\d+)\]", sub, problem)
    return re.sub(r"^(training|staffing|rollout)\.weights", r"weights.\1", problem)
