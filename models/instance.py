"""The instance: one file holds the calendar, the organisation and each (optional) part.

Every cross-reference is checked once, here, so that solvers and reports can trust ids.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from models.calendar import CalendarSpec, WorkingCalendar
from models.common import Model, duplicates, unknown
from models.organisation import Organisation
from models.rollout import RolloutPart, rollout_problems
from models.staffing import StaffingPart, staffing_problems
from models.training import SessionStatus, TrainingPart

SCHEMA_VERSION = 1


class SnapshotFile(Model):
    """`snapshot_from: {path: anlage1.xlsx, date: 2016-10-01}`: the table and its status
    date (default: the date of `training.snapshot`, else the calendar's first day)."""

    path: str = Field(min_length=1, description="the Anlage 1 table, relative to the instance")
    date: dt.date | None = Field(None, description="the day the table's status holds")


SnapshotSource = str | SnapshotFile


class Instance(Model):
    schema_version: int = Field(SCHEMA_VERSION, description="version of the instance format")
    name: str = Field(min_length=1)
    description: str = ""
    assumptions: list[str] = Field(
        default_factory=list, description="figures no source gives, stated for the reader"
    )
    calendar: CalendarSpec
    organisation: Organisation = Field(default_factory=Organisation)
    training: TrainingPart | None = None
    staffing: StaffingPart | None = None
    rollout: RolloutPart | None = None
    language: Literal["en", "de"] = Field(
        "en",
        description="language of the files (CSV headers, plan.xlsx, Anlage 1/2, report.html, "
        "report.pdf); `juwe plan --lang` overrides",
    )
    snapshot_from: SnapshotSource | None = Field(
        None,
        description="an Anlage 1 table (.xlsx or .csv, relative to the instance file) read as "
        "training.snapshot when the instance is loaded, instead of `juwe import anlage1`; "
        "a file name, or {path, date} with the status date",
    )

    @cached_property
    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.calendar)

    def parts(self) -> list[str]:
        return [p for p in ("training", "staffing", "rollout") if getattr(self, p) is not None]

    @model_validator(mode="after")
    def _cross_references(self) -> Instance:
        problems = self.reference_problems()
        if problems:
            raise ValueError("\n".join(f"{path}: {msg}" for path, msg in problems))
        return self

    def warnings(self) -> list[str]:
        """What is legal but likely a mistake, in words (`juwe validate`, `juwe plan`)."""
        out: list[str] = []
        org = self.organisation
        team_centre = {t.id: t.centre for t in org.teams}
        for g in org.groups:
            for t in g.teams:
                if t in team_centre and team_centre[t] != g.centre:
                    out.append(
                        f"group {g.id} is in centre {g.centre}, its team {t} in centre "
                        f"{team_centre[t]}: case coverage counts the group for {g.centre}"
                    )
        tr = self.training
        if tr is not None and tr.snapshot is not None:
            done = {(e.group, e.session) for e in tr.snapshot.sessions if e.status == "done"}
            before = tr.precedence()
            for group, label in sorted(done):
                missing = sorted(lb for lb in before[label] if (group, lb) not in done)
                if missing:
                    out.append(
                        f"group {group}: session {label} is done, but {', '.join(missing)} "
                        f"before it {'is' if len(missing) == 1 else 'are'} not; "
                        "they will be planned after it"
                    )
        return out

    def reference_problems(self) -> list[tuple[str, str]]:
        """(field path, message) for every broken reference or inconsistent value."""
        p: list[tuple[str, str]] = []
        org = self.organisation
        cal = self.calendar
        for name, items in (("centres", org.centres), ("teams", org.teams), ("groups", org.groups)):
            for i, d in duplicates([i.id for i in items]):
                p.append((f"organisation.{name}[{i}].id", f"id {d!r} is used twice"))
        centres = set(org.centre_ids())
        teams = {t.id for t in org.teams}
        for i, t in enumerate(org.teams):
            if t.centre not in centres:
                p.append((f"organisation.teams[{i}].centre", unknown("centre", t.centre, centres)))
        for i, g in enumerate(org.groups):
            path = f"organisation.groups[{i}]"
            if g.centre not in centres:
                p.append((f"{path}.centre", unknown("centre", g.centre, centres)))
            for j, t in enumerate(g.teams):
                if t not in teams:
                    p.append((f"{path}.teams[{j}]", unknown("team", t, teams)))
            for fld in ("earliest_start", "deadline"):
                day = getattr(g, fld)
                if day is not None and not cal.contains(day):
                    p.append(
                        (
                            f"{path}.{fld}",
                            f"date {day} is outside the horizon {cal.start}..{cal.end}",
                        )
                    )
            if g.earliest_start and g.deadline and g.deadline < g.earliest_start:
                p.append((f"{path}.deadline", f"{g.deadline} is before earliest_start"))
        if self.training is not None:
            p.extend(self._training_problems())
        if self.staffing is not None:
            p.extend(staffing_problems(self.staffing, org.centre_ids(), sorted(teams)))
        if self.rollout is not None:
            p.extend(rollout_problems(self.rollout, cal, org.centre_ids()))
        return p

    def _training_problems(self) -> list[tuple[str, str]]:
        tr = self.training
        assert tr is not None
        p: list[tuple[str, str]] = []
        if not self.organisation.groups:
            p.append(("organisation.groups", "the training part needs at least one group"))
        for name, items in (("modules", tr.modules), ("trainers", tr.trainers)):
            for i, d in duplicates([i.id for i in items]):
                p.append((f"training.{name}[{i}].id", f"id {d!r} is used twice"))
        modules = {m.id for m in tr.modules}
        for i, m in enumerate(tr.modules):
            for j, a in enumerate(m.after):
                if a not in modules:
                    p.append((f"training.modules[{i}].after[{j}]", unknown("module", a, modules)))
        centres = set(self.organisation.centre_ids())
        for c in tr.centre_coverage:
            if c not in centres:
                p.append((f"training.centre_coverage.{c}", unknown("centre", c, centres)))
        for i, t in enumerate(tr.trainers):
            for j, mid in enumerate(t.modules or []):
                if mid not in modules:
                    p.append(
                        (f"training.trainers[{i}].modules[{j}]", unknown("module", mid, modules))
                    )
        for i, m in enumerate(tr.modules):
            if not tr.qualified(m.id):
                p.append((f"training.modules[{i}]", f"no trainer teaches module {m.id!r}"))
        cycle = tr.module_cycle()
        if cycle:
            p.append(("training.modules", "cyclic module order: " + " -> ".join(cycle)))
        snap = tr.snapshot
        if snap is None:
            return p
        cal = self.calendar
        if not cal.contains(snap.date):
            p.append(
                (
                    "training.snapshot.date",
                    f"date {snap.date} is outside the horizon {cal.start}..{cal.end}",
                )
            )
        groups = {g.id for g in self.organisation.groups}
        labels = {label for _, _, label in tr.session_sequence()}
        trainers = {t.id for t in tr.trainers}
        seen: set[tuple[str, str]] = set()
        for i, e in enumerate(snap.sessions):
            path = f"training.snapshot.sessions[{i}]"
            if e.group not in groups:
                p.append((f"{path}.group", unknown("group", e.group, groups)))
            if e.session not in labels:
                p.append(
                    (
                        f"{path}.session",
                        unknown("session", e.session, labels),
                    )
                )
            if (e.group, e.session) in seen:
                p.append((path, f"group {e.group} session {e.session} is listed twice"))
            seen.add((e.group, e.session))
            if e.status == SessionStatus.done and e.date is not None and e.date > snap.date:
                p.append(
                    (
                        f"{path}.date",
                        f"done session dated {e.date}, after the snapshot date {snap.date}",
                    )
                )
            held = e.status == SessionStatus.done and e.date and e.date <= snap.date
            if held and e.session in labels:
                module = next(m for m, _, lb in tr.session_sequence() if lb == e.session)
                run = self.working_calendar.run_from(e.date, module.days)
                if run[-1] > snap.date:
                    p.append(
                        (
                            f"{path}.date",
                            f"group {e.group} session {e.session}: a {module.days}-day module "
                            f"done from {e.date} runs until {run[-1]}, after the snapshot "
                            f"date {snap.date}; give the day it started, or mark it planned",
                        )
                    )
            if (
                e.status == SessionStatus.pinned
                and e.trainer is not None
                and e.session in labels
                and e.trainer in trainers
            ):
                module = next(m for m, _, lb in tr.session_sequence() if lb == e.session)
                if e.trainer not in tr.qualified(module.id):
                    p.append(
                        (
                            f"{path}.trainer",
                            f"pinned to trainer {e.trainer!r}, who does not teach module "
                            f"{module.id}",
                        )
                    )
            if e.status == SessionStatus.pinned and e.date is not None:
                if e.date <= snap.date or e.date > cal.end:
                    p.append(
                        (
                            f"{path}.date",
                            f"pinned to {e.date}, outside the planning window "
                            f"(after the snapshot date {snap.date}, until {cal.end})",
                        )
                    )
                elif not self.working_calendar.is_working(e.date):
                    p.append((f"{path}.date", f"pinned to {e.date}, which is no working day"))
            if e.trainer is not None and e.trainer not in trainers:
                p.append((f"{path}.trainer", unknown("trainer", e.trainer, trainers)))
            if e.year is not None and not (cal.start.year <= e.year <= cal.end.year):
                p.append(
                    (f"{path}.year", f"year {e.year} is outside the horizon {cal.start}..{cal.end}")
                )
        return p
