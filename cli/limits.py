"""The size limits of `models.limits` as the CLI's input errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

from models.instance import Instance
from models.io import InputError
from models.limits import size_problems


def check_size(source: str | Path, instance: Instance) -> None:
    problems = size_problems(instance)
    if problems:
        raise InputError(source, problems)
