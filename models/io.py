"""Loading and saving instances and plans, with errors a planner can act on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from models.instance import Instance
from models.plan import PlanFile


class InputError(Exception):
    """Bad input: the message names the file, the field path and the offending value."""

    def __init__(self, source: str | Path, problems: list[str]):
        self.source = str(source)
        self.problems = problems
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return f"{self.source}: {self.problems[0]}"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{self.source}: {len(self.problems)} problems\n{lines}"


def _loc_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validation_problems(err: ValidationError) -> list[str]:
    """One readable line per pydantic error: `field.path: message (got value)`."""
    problems = []
    for e in err.errors():
        path = _loc_path(e["loc"])
        if e["type"] == "value_error":
            msg = str(e.get("ctx", {}).get("error", e["msg"]))
            for line in msg.splitlines():
                # cross-reference messages already start with their own path
                if ": " in line and not path and line.split(": ", 1)[0].count(" ") == 0:
                    problems.append(line)
                else:
                    problems.append(f"{path or '(top level)'}: {line}")
            continue
        value = "" if e["type"] == "missing" else f" (got {_short(e.get('input'))})"
        problems.append(f"{path or '(top level)'}: {e['msg']}{value}")
    return problems


def read_data(path: str | Path) -> Any:
    """Parse a YAML or JSON file; InputError for a missing, empty or malformed file."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, ["file not found"])
    if p.is_dir():
        raise InputError(p, ["is a directory, not a file"])
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(p, [f"cannot be read: {exc}"]) from None
    if not text.strip():
        raise InputError(p, ["the file is empty"])
    try:
        if p.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            p, [f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(p, [f"YAML syntax error{where}: {problem}"]) from None


def _validate(model: type[BaseModel], data: Any, source: str | Path) -> Any:
    if not isinstance(data, dict):
        raise InputError(
            source, [f"expected a mapping of fields at the top level, got {type(data).__name__}"]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, validation_problems(exc)) from None


def load_instance(path: str | Path) -> Instance:
    return _validate(Instance, read_data(path), path)


def instance_from_dict(data: dict[str, Any], source: str = "<instance>") -> Instance:
    return _validate(Instance, data, source)


def dump_json(model: BaseModel) -> str:
    """Stable JSON text (sorted keys, fixed indent) so equal plans give equal bytes."""
    return (
        json.dumps(model.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False)
        + "\n"
    )


def save_instance(instance: Instance, path: str | Path) -> None:
    p = Path(path)
    data = instance.model_dump(mode="json", exclude_defaults=True)
    if p.suffix.lower() == ".json":
        p.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        p.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def load_plan(path: str | Path) -> PlanFile:
    return _validate(PlanFile, read_data(path), path)


def save_plan(plan: PlanFile, path: str | Path) -> None:
    Path(path).write_text(plan_json(plan), encoding="utf-8")


def plan_json(plan: PlanFile) -> str:
    """plan.json text: wall-clock seconds are left out so a re-run gives the same bytes."""
    data = plan.model_dump(mode="json")
    for part in ("training",):
        record = data.get(part)
        if record is not None:
            record["outcome"].pop("seconds", None)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
