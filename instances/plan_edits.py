"""A planner's edits in plan.xlsx, read back as pins for the re-plan.

The Sessions sheet of plan.xlsx (`Termine` when written in German) holds one row per session
(group, module, repetition, session, start, end, trainer, status; in German Gruppe, Modul,
Wiederholung, Sitzung, Beginn, Ende, Trainer, Status). A planner changes a `start` day or a
`trainer`, or writes `pinned` (or `fest`) into `status`; `juwe plan --previous plan.xlsx`
compares the sheet with the plan.json beside it and makes every changed row a pin: a new
start day pins the day, a new trainer pins the trainer, `pinned` pins both as the row shows
them. The rest is re-planned with minimal change against plan.json. The pins go into the
instance the new plan.json records, so the next re-plan keeps them too.

Cells it cannot read are errors naming the sheet, the cell (`E7`) and the value.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from instances.anlage1 import GERMAN, ISO
from models.common import unknown
from models.instance import Instance
from models.io import InputError
from models.plan import PlanFile
from models.training import SessionStatus, Snapshot, SnapshotEntry
from reports.i18n import canonical_column, canonical_value, column

SHEETS = ("Sessions", "Termine")
NEEDED = ("group", "session", "start", "trainer", "status")
PIN_WORDS = ("pinned", "fest", "fix")


def _day(value: Any, ref: str, where: str) -> dt.date | None | str:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if ISO.match(text):
            return dt.date.fromisoformat(text)
        m = GERMAN.match(text)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        pass
    return f"{where}, cell {ref}: cannot read the day {text!r}; write 2026-10-19 or 19.10.2026"


def read_plan_edits(path: str | Path, previous: PlanFile) -> list[SnapshotEntry]:
    """The pins the Sessions sheet of `path` asks for, against `previous` (the plan.json
    the workbook was written from). InputError names every cell it cannot take."""
    from openpyxl import load_workbook

    path = Path(path)
    try:
        wb = load_workbook(path, data_only=False)
    except Exception as exc:  # a damaged or foreign file: say so, no traceback
        raise InputError(path, [f"cannot be read as an Excel workbook (.xlsx): {exc}"]) from None
    found = [name for name in SHEETS if name in wb.sheetnames]
    if not found:
        raise InputError(
            path, ["has no sheet 'Sessions' or 'Termine' (the one `juwe plan` writes)"]
        )
    ws = wb[found[0]]
    where = f"sheet {ws.title!r}"
    rows = list(ws.iter_rows())
    if not rows or all(c.value is None for c in rows[0]):
        raise InputError(path, [f"{where}, cell A1: the sheet is empty"])
    header = {canonical_column(str(c.value)): i for i, c in enumerate(rows[0]) if c.value}
    missing = [n for n in NEEDED if n not in header]
    if missing:
        names = ", ".join(f"{n} ({column(n, 'de')})" for n in missing)
        raise InputError(path, [f"{where}, row 1: no column {names}"])
    problems = [
        f"{where}, cells {rng.coord}: merged cells; unmerge them" for rng in ws.merged_cells.ranges
    ]
    inst = previous.instance
    tr = inst.training
    old = previous.training.plan.by_key() if previous.training and previous.training.plan else {}
    trainers = [t.id for t in tr.trainers] if tr else []
    status = tr.status_of() if tr else {}
    pins: list[SnapshotEntry] = []
    for row in rows[1:]:
        if all(c.value is None for c in row):
            continue
        cell = {name: row[i] for name, i in header.items() if i < len(row)}
        formulas = [c for c in row if c.data_type == "f"]
        if formulas:
            problems += [
                f"{where}, cell {c.coordinate}: a formula; write the value" for c in formulas
            ]
            continue
        key = (str(cell["group"].value or "").strip(), str(cell["session"].value or "").strip())
        before = old.get(key)
        if before is None:
            problems.append(
                f"{where}, cell {cell['group'].coordinate}: no session {key[1]!r} of group "
                f"{key[0]!r} in the plan; rows can be edited, not added"
            )
            continue
        start = _day(cell["start"].value, cell["start"].coordinate, where)
        if isinstance(start, str):
            problems.append(start)
            continue
        trainer = str(cell["trainer"].value).strip() if cell["trainer"].value else None
        if trainer is not None and trainer not in trainers:
            problems.append(
                f"{where}, cell {cell['trainer'].coordinate}: "
                + unknown("trainer", trainer, trainers)
            )
            continue
        word = canonical_value(str(cell["status"].value or ""), "status").lower()
        pin_all = word in PIN_WORDS
        if word and not pin_all and word not in ("done", "planned"):
            problems.append(
                f"{where}, cell {cell['status'].coordinate}: cannot read {word!r}; write "
                "pinned (fest) to keep the row as it is, or leave done/planned "
                "(erledigt/geplant)"
            )
            continue
        new_day = start is not None and start != before.start
        new_trainer = trainer != before.trainer
        if not (pin_all or new_day or new_trainer):
            continue
        if before.status == "done":
            problems.append(
                f"{where}, row {row[0].row}: session {key[1]} of group {key[0]} is done; "
                "done sessions are facts and cannot be moved (change the snapshot instead)"
            )
            continue
        if start is None and pin_all is False and new_day is False and trainer is None:
            continue  # a trainer removed: nothing to pin
        pin_day = start if (pin_all or new_day) else None
        pin_trainer = trainer if (pin_all or new_trainer) else None
        entry = status.get(key)
        if entry is not None and entry.status == SessionStatus.pinned:  # keep an older pin
            pin_day = pin_day or entry.date
            pin_trainer = pin_trainer or entry.trainer
        if pin_day is None and pin_trainer is None:
            continue
        pins.append(
            SnapshotEntry(
                group=key[0],
                session=key[1],
                status=SessionStatus.pinned,
                date=pin_day,
                trainer=pin_trainer,
            )
        )
    if problems:
        raise InputError(path, problems)
    return pins


def with_pins(instance: Instance, pins: list[SnapshotEntry]) -> Instance:
    """`instance` with the pins in its snapshot (replacing what it said of those sessions;
    a snapshot is made the day before the horizon when there is none)."""
    tr = instance.training
    if tr is None or not pins:
        return instance
    snap = tr.snapshot or Snapshot(date=instance.calendar.start - dt.timedelta(days=1))
    keys = {(p.group, p.session) for p in pins}
    kept = [e for e in snap.sessions if (e.group, e.session) not in keys]
    snap = snap.model_copy(update={"sessions": [*kept, *pins]})
    data = instance.model_dump(mode="json")
    data["training"]["snapshot"] = snap.model_dump(mode="json")
    return Instance.model_validate(data)
