"""Explaining infeasibility: rule families behind assumption literals.

A model built in explain mode asks `Assumptions.literal(rule, subject)` for the literal that
switches a rule on for one group, trainer or centre. `minimal_conflict` asks CP-SAT for an
infeasible subset of assumptions and shrinks it by deletion, so the message names only
rules that really conflict.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from models.rules import rule_title


class Assumptions:
    def __init__(self, model: cp_model.CpModel, *, active: bool):
        self.model = model
        self.active = active
        self._lits: dict[tuple[str, str], cp_model.IntVar] = {}

    def literal(self, rule: str, subject: str) -> cp_model.IntVar | bool:
        """The switch of `rule` for `subject`; plain True when not explaining."""
        if not self.active:
            return True
        key = (rule, subject)
        if key not in self._lits:
            self._lits[key] = self.model.new_bool_var(f"rule({rule}|{subject})")
        return self._lits[key]

    def describe(self, key: tuple[str, str]) -> str:
        rule, subject = key
        return f"{rule_title(rule)} ({subject})"

    def _infeasible_with(
        self, keys: list[tuple[str, str]], time_limit: float, seed: int
    ) -> bool | None:
        """True if infeasible with exactly these rules on; None when undecided in time.

        First without presolve, for at most a quarter of the time: the explain models span
        the whole horizon, and presolving them costs far more than it saves (Bremen with
        every trainer's monthly cap at 0: five solves 12.97 s -> 2.71 s, the same three
        rules named). Undecided there, it tries again with presolve for the rest."""
        self.model.clear_assumptions()
        self.model.add_assumptions([self._lits[k] for k in keys])
        t0 = time.perf_counter()
        for presolve, share in ((False, 0.25), (True, 1.0)):
            left = time_limit - (time.perf_counter() - t0)
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = max(0.1, left * share)
            solver.parameters.num_workers = 1
            solver.parameters.random_seed = seed
            solver.parameters.cp_model_presolve = presolve
            solver.parameters.catch_sigint_signal = False  # Ctrl-C is the CLI's
            code = solver.solve(self.model)
            self._last = solver
            if code != cp_model.UNKNOWN:
                break
        if code == cp_model.INFEASIBLE:
            return True
        if code in (cp_model.FEASIBLE, cp_model.OPTIMAL):
            return False
        return None

    def minimal_conflict(self, *, time_limit: float = 20.0, seed: int = 0) -> list[str]:
        deadline = time.perf_counter() + time_limit
        keys = list(self._lits)
        if not keys:
            return ["the working calendar and session durations"]
        verdict = self._infeasible_with(keys, deadline - time.perf_counter(), seed)
        if verdict is not True:
            return ["(the rules could not be narrowed down within the time limit)"]
        core_idx = set(self._last.sufficient_assumptions_for_infeasibility())
        core = [k for k in keys if self._lits[k].index in core_idx] or keys
        # deletion filter: drop every rule the conflict does not need
        for key in list(core):
            left = deadline - time.perf_counter()
            if left <= 0.2:
                break
            trial = [k for k in core if k != key]
            if not trial:
                continue
            if self._infeasible_with(trial, min(left, 5.0), seed) is True:
                core = trial
        self.model.clear_assumptions()
        if not core:
            return ["the working calendar and session durations"]
        return [self.describe(k) for k in core]
