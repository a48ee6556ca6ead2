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
    # staffing
    "excess_caseload": "Case-months above the caseload threshold: for every casework unit "
    "and month, the cases beyond what its expected filled BV carry at the threshold "
    "(35 cases per BV by default). Lower means fewer overloaded teams for less time.",
    "worst_caseload": "Cases per expected filled BV of the most loaded unit in its worst "
    "month (from the month the first postings can be filled): lower protects the team that "
    "is worst off.",
    "training_relief": "BV-months of relief that teams in training lack: a team loses the "
    "share of its filled BV spent in module training; new positions should cover it first.",
    "centre_fairness": "BV by which each centre's share of the new casework positions "
    "misses its share of the need (caseloads), summed over centres.",
    "late_posting": "BV-months a position waits between its release and its posting: "
    "lower means released money turns into postings sooner.",
    # rollout
    "makespan": "Working day (of the rollout calendar) on which the last task of all "
    "families ends: the end of the whole rollout.",
}
FAMILY_COMPLETION = (
    "Working day (of the rollout calendar) on which the last task of this process family "
    "ends; weighted by the family's priority, so child protection comes first."
)

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
                "explanation": explain_term(term),
            }
        )
    return pd.DataFrame(rows, columns=TERM_COLUMNS)


def explain_term(term: str) -> str:
    if term.startswith("completion:"):
        return FAMILY_COMPLETION
    return TERM_EXPLANATIONS.get(term, "")


def term_order(term: str) -> tuple[int, str]:
    """A stable display order (plan.json stores terms with sorted keys): the order of
    TERM_EXPLANATIONS, families' completions before the makespan, others by name."""
    known = list(TERM_EXPLANATIONS)
    if term.startswith("completion:"):
        return (known.index("makespan"), term)
    return (known.index(term) if term in known else len(known), term)
