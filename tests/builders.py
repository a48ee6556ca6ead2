"""Tiny hand-made instances for rule-by-rule tests.

The default horizon starts on Monday 2 March 2026 (calendar offset 0); March 2026 has no
public holiday in Bremen, so offsets 0-4 are Mon-Fri of the first week, 7 the next Monday.
"""

from __future__ import annotations

import copy
from typing import Any

from models.instance import Instance
from models.io import instance_from_dict


def tiny_dict(
    *,
    groups: int = 1,
    modules: list[dict[str, Any]] | None = None,
    trainers: list[dict[str, Any]] | None = None,
    same_centre: bool = False,
    start: str = "2026-03-02",
    end: str = "2026-05-29",
    **training: Any,
) -> dict[str, Any]:
    weights = {
        "completion": 1,
        "trainer_balance": 0,
        "weekday": 0,
        "change": 0,
        "trainer_change": 0,
    }
    weights.update(training.pop("weights", {}))
    centres = [{"id": "C1"}] if same_centre else [{"id": f"C{g}"} for g in range(1, groups + 1)]
    return {
        "name": "tiny",
        "calendar": {
            "country": "DE",
            "subdivision": "HB",
            "start": start,
            "end": end,
            "blackouts": training.pop("blackouts", []),
        },
        "organisation": {
            "centres": centres,
            "groups": [
                {
                    "id": f"G{g}",
                    "centre": "C1" if same_centre else f"C{g}",
                    **training.pop(f"group{g}", {}),
                }
                for g in range(1, groups + 1)
            ],
        },
        "training": {
            "modules": copy.deepcopy(modules) if modules else [{"id": "A", "days": 1}],
            "trainers": copy.deepcopy(trainers) if trainers else [{"id": "T1"}],
            "preferred_weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
            "weights": weights,
            **training,
        },
    }


def tiny(**kwargs: Any) -> Instance:
    return instance_from_dict(tiny_dict(**kwargs), "tiny")
