"""The office: district centres, district teams and the training groups they form."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from models.common import Id, Model


class Centre(Model):
    """A district centre (Sozialzentrum)."""

    id: Id
    name: str = ""


class Team(Model):
    """A district case-management team (Stadtteilteam)."""

    id: Id
    name: str = ""
    centre: Id = Field(description="id of the centre the team belongs to")


class Group(Model):
    """A training group (Fortbildungsgruppe): one or more teams trained together."""

    id: Id
    name: str = ""
    centre: Id = Field(description="id of the centre whose case coverage the group affects")
    teams: list[Id] = Field(default_factory=list, description="ids of the teams in the group")
    wave: int = Field(1, ge=1, le=1000, description="training wave (1 = first)")
    earliest_start: dt.date | None = Field(None, description="no session before this date")
    deadline: dt.date | None = Field(None, description="every session ends by this date")


class Organisation(Model):
    centres: list[Centre] = Field(default_factory=list)
    teams: list[Team] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)

    def centre_ids(self) -> list[str]:
        return [c.id for c in self.centres]

    def group(self, group_id: str) -> Group:
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(group_id)
