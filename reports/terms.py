"""The objective terms in plain words, so a planner can judge what the plan trades off."""

from __future__ import annotations

import pandas as pd

from models.plan import PartOutcome

TERM_EXPLANATIONS: dict[str, str] = {
    "completion": "Sum over all groups of the calendar day (counted from the start of the "
    "horizon) on which the group finishes its last session: lower means groups finish earlier.",
    "trainer_balance": "Training days of the busiest trainer minus those of the least busy "
    "trainer: lower means the work is shared more evenly.",
    "weekday": "Number of sessions held on a weekday that is not a preferred training day.",
    "change": "Calendar days by which sessions moved compared with the previous plan "
    "(only when re-planning against an earlier plan).",
    "trainer_change": "Number of sessions whose trainer differs from the previous plan "
    "(only when re-planning against an earlier plan).",
}

TERM_COLUMNS = ["term", "value", "weight", "weighted", "explanation"]


def terms_table(outcome: PartOutcome, weights: dict[str, int] | None = None) -> pd.DataFrame:
    """One row per objective term: its value, weight, contribution and meaning.

    `weights` fills in for weights the outcome does not record (e.g. the instance's).
    """
    merged = {**(weights or {}), **outcome.weights}
    rows = []
    for term, value in outcome.terms.items():
        weight = merged.get(term)
        rows.append(
            {
                "term": term,
                "value": value,
                "weight": weight,
                "weighted": value * weight if weight is not None else None,
                "explanation": TERM_EXPLANATIONS.get(term, ""),
            }
        )
    return pd.DataFrame(rows, columns=TERM_COLUMNS)
