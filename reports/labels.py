"""Display names shared by every output, so a group or trainer reads the same everywhere."""

from __future__ import annotations

import datetime as dt

from models.instance import Instance
from reports.i18n import Lang, column

NO_TRAINER = "ohne Trainer"
GROUP_WORD = {"de": "Gruppe", "en": "Group"}


def group_label(group_id: str, lang: Lang = "de") -> str:
    """'Gruppe 5' ('Group 5') for the numbered groups of the seed document, else the id."""
    return f"{GROUP_WORD[lang]} {group_id}" if group_id.isdigit() else group_id


def group_labels(instance: Instance, lang: Lang = "de") -> dict[str, str]:
    """Group id -> column header of Anlage 1, in instance order; made unique if two labels
    collide (with each other or with the Modul and Titel columns)."""
    out: dict[str, str] = {}
    taken = {column("Modul", lang), column("Titel", lang)}
    for g in instance.organisation.groups:
        label = group_label(g.id, lang)
        if label in taken:
            label = f"{GROUP_WORD[lang]} {g.id}"
        while label in taken:
            label += "'"
        taken.add(label)
        out[g.id] = label
    return out


def trainer_label(instance: Instance, trainer_id: str | None) -> str:
    if trainer_id is None:
        return NO_TRAINER
    if instance.training is not None:
        for t in instance.training.trainers:
            if t.id == trainer_id:
                return t.name or t.id
    return trainer_id


def centre_label(instance: Instance, group_id: str) -> str:
    """'SZ1 (Nord)': the centre of a group, with its name when the instance gives one."""
    try:
        centre_id = instance.organisation.group(group_id).centre
    except KeyError:
        return ""
    for c in instance.organisation.centres:
        if c.id == centre_id:
            return f"{c.id} ({c.name})" if c.name else c.id
    return centre_id


def module_title(instance: Instance, module_id: str) -> str:
    if instance.training is None:
        return ""
    try:
        return instance.training.module(module_id).title
    except KeyError:
        return ""


def day_after(day: dt.date) -> dt.date:
    """Exclusive end of an all-day span (calendars and Gantt bars end the day after)."""
    return day + dt.timedelta(days=1)
