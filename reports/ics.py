"""training.ics: the planned sessions as all-day events for Outlook, Thunderbird, Google.

The UID depends only on (instance, group, session), so importing a re-plan moves the
existing event instead of adding a second one. A re-plan (`juwe plan --previous`) raises
the SEQUENCE of every event it moved (the plan's `revision` counts them), and DTSTAMP is the
plan's snapshot date, never the wall clock: a client replaces an event when its SEQUENCE is
higher (RFC 5545 3.8.7.4, RFC 5546 2.1.4). Sessions a re-plan no longer holds go into a
calendar of METHOD:CANCEL (STATUS:CANCELLED, the raised SEQUENCE), which drops them.
A session that took place since is never cancelled: it stays in the calendars as it was
planned, or, when it was held on another day, is sent again on that day (`done_updates`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText

from models.instance import Instance
from models.plan import PlannedSession, TrainingPlan
from reports.cells import plan_stamp
from reports.labels import centre_label, day_after, group_label, module_title, trainer_label

PRODID = "-//juwe-planner//Fortbildungskalender//DE"
WEEKDAY_DE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def slug(text: str) -> str:
    """A file-name and UID-safe form of an id, one to one: an id made only of safe
    characters is kept as it is; any other gets a short hash of the exact id after a `~`
    (which a kept id cannot hold), so `a b` and `a_b`, `T 1` and `T/1` stay apart."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")
    if safe == text:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{safe[:40]}~{digest}"


def ics_uid(instance_name: str, group: str, session: str) -> str:
    """Stable event id, e.g. juwe-bremen-2016-g8-s9c@juwe-planner."""
    return f"juwe-{slug(instance_name)}-g{slug(group)}-s{slug(session)}@juwe-planner"


def _description(instance: Instance, s: PlannedSession) -> str:
    lines = [f"Modul {s.session}: {module_title(instance, s.module)}".rstrip(": ")]
    lines.append(f"Trainer: {trainer_label(instance, s.trainer)}")
    centre = centre_label(instance, s.group)
    if centre:
        lines.append(f"Zentrum: {centre}")
    if s.start and s.end and s.end > s.start:
        # the event spans start..end, but only the working days in between are training days
        cal = instance.working_calendar
        days = [
            s.start + dt.timedelta(days=i)
            for i in range((s.end - s.start).days + 1)
            if cal.is_working(s.start + dt.timedelta(days=i))
        ]
        shown = ", ".join(f"{WEEKDAY_DE[d.weekday()]} {d.isoformat()}" for d in days)
        lines.append(f"Schulungstage: {shown}")
    if s.was_missed:
        lines.append("Nachholtermin: am Stichtag offen")
    if s.status == "done":
        lines.append("erledigt: fand an diesem Tag statt")
    return "\n".join(lines)


ORGANIZER = "mailto:projektbuero@juwe-planner.invalid"
"""RFC 5546 asks for an ORGANIZER in PUBLISH and CANCEL; instances name no mail address,
so a reserved, never-delivered one (RFC 2606 `.invalid`) stands in, with the office as name."""


def location(instance: Instance, group: str) -> str:
    """'Gruppe 8, Zentrum SZ1 (Nord)': who attends and where, for the LOCATION field (a
    trainer's calendar shows the group at a glance)."""
    centre = centre_label(instance, group)
    return f"{group_label(group)}, Zentrum {centre}" if centre else group_label(group)


def _organizer(instance: Instance) -> vCalAddress:
    who = vCalAddress(ORGANIZER)
    who.params["cn"] = vText(f"Projektbüro {instance.name}")
    return who


def session_event(
    instance: Instance, s: PlannedSession, stamp: dt.datetime, sequence: int = 0
) -> Event:
    assert s.start is not None
    ev = Event()
    ev.add("uid", ics_uid(instance.name, s.group, s.session))
    ev.add("dtstamp", stamp)
    ev.add("sequence", sequence)
    ev.add("dtstart", s.start)
    ev.add("dtend", day_after(s.end or s.start))
    ev.add("summary", f"Modul {s.session} – {group_label(s.group)}")
    ev.add("location", location(instance, s.group))
    ev.add("description", _description(instance, s))
    ev.add("organizer", _organizer(instance))
    ev.add("categories", ["Fortbildung"])
    ev.add("transp", "TRANSPARENT")
    return ev


def _calendar(instance: Instance, method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", f"Fortbildungen {instance.name}")
    return cal


def build_calendar(
    instance: Instance,
    sessions: Iterable[PlannedSession],
    stamp: dt.datetime | None = None,
    sequences: dict[tuple[str, str], int] | None = None,
) -> Calendar:
    """One VEVENT per given session that has a date (METHOD:PUBLISH); `sequences`: the
    SEQUENCE of the events a re-plan moved (`Revision.sequence_of`)."""
    stamp = stamp or plan_stamp(instance)
    seq = sequences or {}
    cal = _calendar(instance, "PUBLISH")
    for s in sessions:
        if s.start is not None:
            cal.add_component(session_event(instance, s, stamp, seq.get((s.group, s.session), 0)))
    return cal


def cancel_calendar(
    instance: Instance,
    removed: Iterable[dict[str, Any]],
    stamp: dt.datetime,
    sequences: dict[tuple[str, str], int],
) -> Calendar:
    """METHOD:CANCEL for sessions no longer in the plan (`diff_plans` session rows with
    their old dates): the same UID, STATUS:CANCELLED and the raised SEQUENCE."""
    cal = _calendar(instance, "CANCEL")
    for r in removed:
        ev = Event()
        ev.add("uid", ics_uid(instance.name, r["group"], r["session"]))
        ev.add("dtstamp", stamp)
        ev.add("sequence", sequences.get((r["group"], r["session"]), 1))
        ev.add("status", "CANCELLED")
        ev.add("organizer", _organizer(instance))
        if r["old_start"]:
            start = dt.date.fromisoformat(r["old_start"])
            ev.add("dtstart", start)
            ev.add("dtend", day_after(dt.date.fromisoformat(r["old_end"] or r["old_start"])))
        ev.add("summary", f"Abgesagt: Modul {r['session']} – {group_label(r['group'])}")
        ev.add("location", location(instance, r["group"]))
        cal.add_component(ev)
    return cal


def removed_sessions(plan: TrainingPlan, changes: dict[str, Any]) -> list[dict[str, Any]]:
    """The session rows of a diff that a calendar held and the plan no longer does: not
    planned with a date any more, and not done either (a held session stays in the
    calendar as it took place)."""
    now = plan.by_key()
    out = []
    for r in changes.get("sessions", []):
        if r["old_start"] is None:
            continue
        s = now.get((r["group"], r["session"]))
        if s is None or (s.status == "planned" and s.start is None):
            out.append(r)
    return out


def done_updates(plan: TrainingPlan, changes: dict[str, Any]) -> list[PlannedSession]:
    """Sessions a previous calendar held as planned that took place on another day (done
    now, with that day): sent again with the raised SEQUENCE, so the calendars show the
    day they were held. One done on its planned day is not sent: the event is right."""
    now = plan.by_key()
    out = []
    for r in changes.get("sessions", []):
        s = now.get((r["group"], r["session"]))
        if r["old_start"] is None or r.get("old_status") == "done" or s is None:
            continue
        if s.status == "done" and s.start is not None and s.start.isoformat() != r["old_start"]:
            out.append(s)
    return out


def write_ics(
    instance: Instance,
    plan: TrainingPlan,
    path: Path,
    sessions: Iterable[PlannedSession] | None = None,
    stamp: dt.datetime | None = None,
    sequences: dict[tuple[str, str], int] | None = None,
) -> Path:
    """Write the planned sessions (or the given subset, e.g. one trainer's) as .ics.

    `stamp` is the DTSTAMP of every event (default: the plan's snapshot date,
    `reports.cells.plan_stamp`, so the same plan gives the same bytes and a re-plan with a
    later snapshot is newer).
    """
    chosen = plan.planned() if sessions is None else sessions
    path.write_bytes(build_calendar(instance, chosen, stamp, sequences).to_ical())
    return path


def write_cancel_ics(
    instance: Instance,
    removed: list[dict[str, Any]],
    path: Path,
    sequences: dict[tuple[str, str], int],
    stamp: dt.datetime | None = None,
) -> Path:
    """The METHOD:CANCEL calendar of `removed` (import it to drop those events)."""
    cal = cancel_calendar(instance, removed, stamp or plan_stamp(instance), sequences)
    path.write_bytes(cal.to_ical())
    return path
