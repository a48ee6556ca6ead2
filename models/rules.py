"""The one registry of rule ids and objective-term ids, with their titles and plain-words
explanations.

A rule id names the same rule everywhere: the CP-SAT model's constraint method
`_<rule_id>`, its assumption literal in the infeasibility explanation, the checker function
`check_<rule_id>` of the part's checker module and the test `test_check_<rule_id>`.
The solver's explanations, the reports and the docs take their words from here, so a
planner reads one wording for one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Part = Literal["training", "staffing", "rollout"]
PARTS: tuple[Part, ...] = ("training", "staffing", "rollout")


@dataclass(frozen=True)
class Rule:
    id: str
    parts: tuple[Part, ...]  # completeness and working_days mean the same in two parts
    title: str  # short, as an infeasibility message names it
    explanation: str  # what the rule demands, in a planner's words
    literal: bool = True  # the CP-SAT model switches it with an assumption literal


@dataclass(frozen=True)
class Term:
    id: str  # ends with ":" for a prefix entry ("completion:" covers "completion:<family>")
    part: Part
    title: str
    explanation: str
    unit: str  # the unit the reported value is in


_T: tuple[Part, ...] = ("training",)
_S: tuple[Part, ...] = ("staffing",)
_R: tuple[Part, ...] = ("rollout",)

_RULES = (
    Rule(
        "part",
        PARTS,
        "part of the instance",
        "A plan can only be checked against an instance that has that part.",
        False,
    ),
    # training
    Rule(
        "completeness",
        ("training", "rollout"),
        "every session or task exactly once",
        "The plan lists every session (task) of the instance exactly once, and nothing else.",
        False,
    ),
    Rule(
        "snapshot",
        _T,
        "done sessions stay done",
        "A session the status snapshot records as done is not planned again.",
        False,
    ),
    Rule(
        "working_days",
        ("training", "rollout"),
        "working days",
        "Sessions and tasks start on a working day and run on consecutive working days "
        "(weekends, public holidays and blackouts excluded).",
        False,
    ),
    Rule(
        "earliest_start",
        _T,
        "earliest start (snapshot date / group start)",
        "No session starts before the day after the snapshot date or before the group's "
        "own start date.",
    ),
    Rule(
        "deadline",
        _T,
        "deadline",
        "Every session ends by the group's deadline (or the end of the horizon).",
    ),
    Rule(
        "planned_year",
        _T,
        "planned year from the status snapshot",
        "A session the snapshot plans for a year is held within that year.",
    ),
    Rule(
        "trainer_assignment",
        _T,
        "known trainer",
        "Every session is given to a trainer of the instance.",
        False,
    ),
    Rule(
        "module_order",
        _T,
        "module order",
        "A group's sessions follow the module order (`after`, and repetitions in turn): "
        "each starts after the sessions it must follow have ended; a group is in one "
        "session at a time, and modules `after` leaves unordered come in the order the "
        "plan gives them.",
    ),
    Rule(
        "spacing",
        _T,
        "spacing between sessions",
        "From the start of a group's session to the start of its next one lie at least "
        "min_days (and at most max_days) calendar days; from a done session's date to the "
        "group's first planned session at least min_days.",
    ),
    Rule(
        "trainer_capacity",
        _T,
        "trainer capacity (one session per trainer and day)",
        "A trainer holds at most one session on any day.",
    ),
    Rule(
        "trainer_unavailable",
        _T,
        "trainer unavailability",
        "No trainer teaches on a day the trainer is unavailable.",
    ),
    Rule(
        "trainer_month_cap",
        _T,
        "trainer days per month",
        "No trainer teaches more training days in a month than max_days_per_month.",
    ),
    Rule(
        "pinned",
        _T,
        "pinned by the planner",
        "A session a planner pinned (snapshot status `pinned`) starts on its pinned day "
        "and/or goes to its pinned trainer.",
    ),
    Rule(
        "centre_coverage",
        _T,
        "case coverage of the centre",
        "On any day at most max_groups_per_centre_per_day groups of a centre are in "
        "training (or the centre's own number in centre_coverage), so its cases stay "
        "covered.",
    ),
    Rule(
        "same_week",
        _T,
        "multi-day module within one week",
        "A multi-day module marked same_week (or all of them, with the training part's "
        "same_week) runs within one calendar week, never over a weekend.",
    ),
    Rule(
        "trainer_skill",
        _T,
        "trainer teaches the module",
        "A session goes only to a trainer whose `modules` list its module (a trainer "
        "without the list teaches all).",
    ),
    # staffing
    Rule(
        "tranche", _S, "known tranche", "Every allocation names a tranche of the instance.", False
    ),
    Rule("unit", _S, "known unit", "Every allocation names a unit of the instance.", False),
    Rule(
        "category",
        _S,
        "position category",
        "An allocation's category is its tranche's, and the unit receives that category.",
        False,
    ),
    Rule(
        "granularity",
        _S,
        "granularity of BV",
        "Allocated BV are multiples of the granularity (0.5 BV by default).",
        False,
    ),
    Rule(
        "tranche_total",
        _S,
        "tranche total (every released BV is allocated)",
        "Every BV of a tranche is allocated, no more and no less.",
    ),
    Rule(
        "release",
        _S,
        "release month",
        "A position is posted no earlier than its tranche's release month, and the "
        "allocation records that month.",
    ),
    Rule(
        "posting_delay",
        _S,
        "latest posting month",
        "A position is posted at most max_posting_delay months after its release, "
        "within the planning grid.",
    ),
    Rule(
        "unit_bounds",
        _S,
        "unit bounds (min_bv/max_bv)",
        "A unit receives at least min_bv and at most max_bv additional BV.",
    ),
    Rule(
        "hiring_capacity",
        _S,
        "monthly hiring capacity",
        "HR posts at most monthly_capacity BV in any month.",
    ),
    Rule(
        "budget",
        _S,
        "yearly budget",
        "The expected cost of the filled positions in a year stays within its budget.",
    ),
    # rollout
    Rule(
        "horizon",
        _R,
        "planning horizon",
        "Every task ends within the rollout's working calendar.",
        False,
    ),
    Rule(
        "resources", _R, "task resources", "A task lists the resources its template demands.", False
    ),
    Rule("rollout_start", _R, "rollout start", "No task starts before the rollout start."),
    Rule(
        "precedence",
        _R,
        "task order (precedences with lags)",
        "A task starts only the stated lag after its predecessors finish (FS) or start (SS).",
    ),
    Rule(
        "event_date",
        _R,
        "event dates",
        "A task tied to event dates (e.g. a Fachkonferenz) starts on one of them.",
    ),
    Rule("fixed_start", _R, "fixed start date", "A task with a fixed start starts that day."),
    Rule(
        "stagger",
        _R,
        "stagger after the previous family",
        "A family starts only the stated weeks after the previous family's anchor task.",
    ),
    Rule(
        "blocked_days",
        _R,
        "days blocked by the training of the centre",
        "A task that needs a centre's team leads avoids the days its training groups are "
        "in module training.",
    ),
    Rule(
        "capacity",
        _R,
        "resource capacity",
        "On no day do tasks use more of a resource than its capacity.",
    ),
)

_TERMS = (
    Term(
        "completion",
        "training",
        "finishing dates",
        "Sum over all groups of the calendar day (counted from the start of the horizon) "
        "on which the group finishes its last session: lower means groups finish earlier.",
        "calendar days",
    ),
    Term(
        "trainer_balance",
        "training",
        "trainer balance",
        "Training days of the busiest trainer minus those of the least busy trainer: "
        "lower means the work is shared more evenly.",
        "training days",
    ),
    Term(
        "weekday",
        "training",
        "non-preferred weekdays",
        "Number of sessions held on a weekday that is not a preferred training day.",
        "sessions",
    ),
    Term(
        "change",
        "training",
        "moved sessions",
        "Calendar days by which sessions moved compared with the previous plan "
        "(only when re-planning against an earlier plan).",
        "calendar days",
    ),
    Term(
        "trainer_change",
        "training",
        "changed trainers",
        "Number of sessions whose trainer differs from the previous plan "
        "(only when re-planning against an earlier plan).",
        "sessions",
    ),
    Term(
        "trainer_continuity",
        "training",
        "changes of trainer within a group",
        "Number of times a group's trainer changes from one of its sessions to the next "
        "(counting from its latest done session with a known trainer): lower means groups "
        "keep their trainer.",
        "changes",
    ),
    Term(
        "excess_caseload",
        "staffing",
        "excess caseload",
        "Case-months above the caseload threshold: for every casework unit and month, the "
        "cases beyond what its expected filled BV carry at the threshold (35 cases per BV "
        "by default). Lower means fewer overloaded teams for less time.",
        "case-months",
    ),
    Term(
        "worst_caseload",
        "staffing",
        "worst caseload",
        "Cases per expected filled BV of the most loaded unit in its worst month (from the "
        "month the first postings can be filled): lower protects the team that is worst "
        "off.",
        "cases per BV",
    ),
    Term(
        "training_relief",
        "staffing",
        "training relief",
        "BV-months of relief that teams in training lack: a team loses the share of its "
        "filled BV spent in module training; new positions should cover it first.",
        "BV-months",
    ),
    Term(
        "centre_fairness",
        "staffing",
        "fairness between centres",
        "BV by which each centre's share of the new casework positions misses its share of "
        "the need (caseloads), summed over centres.",
        "BV",
    ),
    Term(
        "late_posting",
        "staffing",
        "late postings",
        "BV-months a position waits between its release and its posting: lower means "
        "released money turns into postings sooner.",
        "BV-months",
    ),
    Term(
        "completion:",
        "rollout",
        "completion of a family",
        "Working day (of the rollout calendar) on which the last task of this process "
        "family ends; weighted by the family's priority, so child protection comes first.",
        "working days",
    ),
    Term(
        "makespan",
        "rollout",
        "end of the rollout",
        "Working day (of the rollout calendar) on which the last task of all families "
        "ends: the end of the whole rollout.",
        "working days",
    ),
)

RULES: dict[str, Rule] = {r.id: r for r in _RULES}
TERMS: dict[str, Term] = {t.id: t for t in _TERMS}


def rules_of(part: Part) -> list[Rule]:
    return [r for r in _RULES if part in r.parts]


def rule_title(rule_id: str) -> str:
    """The title an explanation names a rule by; the id itself for an unknown one."""
    rule = RULES.get(rule_id)
    return rule.title if rule else rule_id


def rule_explanation(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    return rule.explanation if rule else ""


def term(term_id: str) -> Term | None:
    """The entry of a term id; `completion:<family>` finds the prefix entry."""
    if term_id in TERMS:
        return TERMS[term_id]
    head, sep, _tail = term_id.partition(":")
    return TERMS.get(head + sep) if sep else None


def term_explanation(term_id: str) -> str:
    found = term(term_id)
    return found.explanation if found else ""


def term_order(term_id: str) -> tuple[int, str]:
    """A stable display order (plan.json stores terms with sorted keys): the registry's
    order (families' completions before the makespan), unknown terms last, ties by id."""
    found = term(term_id)
    known = list(TERMS)
    return (known.index(found.id) if found else len(known), term_id)
