"""Exit codes of DESIGN.md and the guard that maps errors to them."""

from __future__ import annotations

import errno
import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from cli.signals import Interrupted
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
            _say(f"error: {exc}")
            sys.exit(EXIT_INPUT)
        except PlanningFailed as exc:
            _say(f"error: {exc}")
            sys.exit(exc.code)
        except Interrupted as exc:
            hint = ""
            if "best plans" not in str(exc):
                hint = "; nothing was written"
                if exc.signum == 2:
                    hint += " (add --keep-on-interrupt to keep the best plans found so far)"
            _say(f"stopped: {exc}{hint}")
            sys.exit(exc.code)
        except KeyboardInterrupt:
            _say("stopped: interrupted by Ctrl-C; nothing was written")
            sys.exit(130)
        except BrokenPipeError:
            _quiet_broken_pipe()
            sys.exit(EXIT_OK)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM):
                where = f" ({exc.filename})" if exc.filename else ""
                _say(
                    f"error: cannot write{where}: {exc.strerror or exc}; nothing was written "
                    "(free some space or choose a folder you can write to, then run again)"
                )
                sys.exit(EXIT_INPUT)
            _bug()
        except Exception:  # noqa: BLE001 - the last line of defence
            _bug()

    return wrapper


def _say(message: str) -> None:
    try:
        click.echo(message, err=True)
    except OSError:
        pass


def _bug() -> None:
    _say("internal error (a bug in juwe-planner; please report it):")
    try:
        traceback.print_exc(file=sys.stderr)
    except OSError:
        pass
    sys.exit(EXIT_BUG)


def _quiet_broken_pipe() -> None:
    """The reader of our output went away (`juwe validate x | head -1`): not an error.
    Point stdout at /dev/null so that Python's flush at exit does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
