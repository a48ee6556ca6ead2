"""training.ics: the planned sessions as all-day events for Outlook, Thunderbird, Google.

The UID depends only on (instance, group, session), so importing a re-plan moves the
existing event instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from icalendar import Calendar, Event

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
    return "\n".join(lines)


def session_event(instance: Instance, s: PlannedSession, stamp: dt.datetime) -> Event:
    assert s.start is not None
    ev = Event()
    ev.add("uid", ics_uid(instance.name, s.group, s.session))
    ev.add("dtstamp", stamp)
    ev.add("dtstart", s.start)
    ev.add("dtend", day_after(s.end or s.start))
    ev.add("summary", f"Modul {s.session} – {group_label(s.group)}")
    ev.add("description", _description(instance, s))
    ev.add("categories", ["Fortbildung"])
    ev.add("transp", "TRANSPARENT")
    return ev


def build_calendar(
    instance: Instance, sessions: Iterable[PlannedSession], stamp: dt.datetime | None = None
) -> Calendar:
    """One VEVENT per given session that has a date."""
    stamp = stamp or plan_stamp(instance)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Fortbildungen {instance.name}")
    for s in sessions:
        if s.start is not None:
            cal.add_component(session_event(instance, s, stamp))
    return cal


def write_ics(
    instance: Instance,
    plan: TrainingPlan,
    path: Path,
    sessions: Iterable[PlannedSession] | None = None,
    stamp: dt.datetime | None = None,
) -> Path:
    """Write the planned sessions (or the given subset, e.g. one trainer's) as .ics.

    `stamp` is the DTSTAMP of every event (default: the plan's snapshot date,
    `reports.cells.plan_stamp`, so the same plan gives the same bytes and a re-plan with a
    later snapshot is newer).
    """
    chosen = plan.planned() if sessions is None else sessions
    path.write_bytes(build_calendar(instance, chosen, stamp).to_ical())
    return path
