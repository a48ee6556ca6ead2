"""Exit codes of DESIGN.md and the guard that maps errors to them."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from models.io import InputError

EXIT_OK, EXIT_BUG, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_PLAN = 0, 1, 2, 3, 4


class PlanningFailed(Exception):
    def __init__(self, code: int, message: str):
        self.code = code
        super().__init__(message)


def planning_failed(source: object, failure: Any, time_limit: float) -> PlanningFailed:
    """The error (exit 3 or 4) for a part without a plan (`solver.programme.PartFailure`)."""
    if failure.status == "infeasible":
        why = failure.message or "the rules contradict each other"
        return PlanningFailed(
            EXIT_INFEASIBLE, f"{source}: the {failure.part} part has no plan: {why}"
        )
    return PlanningFailed(
        EXIT_NO_PLAN,
        f"{source}: no {failure.part} plan found within {time_limit:g} s; raise --time-limit",
    )


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Map errors to the exit codes of DESIGN.md; a traceback only for real bugs."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_INPUT)
        except PlanningFailed as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.code)
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except Exception:  # noqa: BLE001 - the last line of defence
            click.echo("internal error (a bug in juwe-planner; please report it):", err=True)
            traceback.print_exc(file=sys.stderr)
            sys.exit(EXIT_BUG)

    return wrapper
