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


def tiny_staffing_dict(
    *,
    units: list[dict[str, Any]] | None = None,
    tranches: list[dict[str, Any]] | None = None,
    months: int = 6,
    **staffing: Any,
) -> dict[str, Any]:
    """Two casework units A (400 cases, 10 BV) and B (200 cases, 10 BV) in centres C1 and
    C2, one tranche of 1 BV released in month 0 (2026-01), a certain 1-month lag, no
    attrition, cost 12 TEUR per BV and year (1 TEUR a month), only the excess term on."""
    weights = {
        "excess_caseload": 1,
        "worst_caseload": 0,
        "training_relief": 0,
        "centre_fairness": 0,
        "late_posting": 0,
    }
    weights.update(staffing.pop("weights", {}))
    hiring = {"lag": {1: 1.0}, "fill_probability": 1.0, "attrition": 0.0}
    hiring.update(staffing.pop("hiring", {}))
    part = {
        "start_month": "2026-01",
        "months": months,
        "cost_per_bv_year": 12.0,
        "categories": [
            {
                "id": "cm",
                "tranches": tranches or [{"id": "t1", "bv": 1.0, "release": "2026-01"}],
            }
        ],
        "units": units
        or [
            {"id": "A", "category": "cm", "centre": "C1", "bv": 10, "cases": 400},
            {"id": "B", "category": "cm", "centre": "C2", "bv": 10, "cases": 200},
        ],
        "hiring": hiring,
        "weights": weights,
    }
    part.update(staffing)
    return {
        "name": "tiny-staffing",
        "calendar": {
            "country": "DE",
            "subdivision": "HB",
            "start": "2026-01-05",
            "end": "2026-06-30",
        },
        "organisation": {"centres": [{"id": "C1"}, {"id": "C2"}]},
        "staffing": part,
    }


def tiny_staffing(**kwargs: Any) -> Instance:
    return instance_from_dict(tiny_staffing_dict(**kwargs))
