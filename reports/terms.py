"""The objective terms in plain words, so a planner can judge what the plan trades off.

The words and the display order come from the registry `models.rules`.
"""

from __future__ import annotations

import pandas as pd

from models.plan import PartOutcome
from models.rules import term_explanation, term_order

TERM_COLUMNS = ["term", "value", "weight", "weighted", "explanation"]


def terms_table(outcome: PartOutcome, weights: dict[str, int] | None = None) -> pd.DataFrame:
    """One row per objective term: its value, weight, contribution and meaning.

    `weights` fills in for weights the outcome does not record (e.g. the instance's).
    """
    merged = {**(weights or {}), **outcome.weights}
    rows = []
    for term in sorted(outcome.terms, key=term_order):
        value = outcome.terms[term]
        weight = merged.get(term)
        rows.append(
            {
                "term": term,
                "value": value,
                "weight": weight,
                "weighted": value * weight if weight is not None else None,
                "explanation": term_explanation(term),
            }
        )
    return pd.DataFrame(rows, columns=TERM_COLUMNS)
