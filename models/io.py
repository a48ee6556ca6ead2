"""Loading and saving instances and plans, with errors a planner can act on."""

from __future__ import annotations

import json
import reprlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from models.instance import Instance
from models.plan import PlanFile
from models.unit_table import resolve_units_from


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


_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 2, 58, 58
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4


def _short(value: Any) -> str:
    """A value as a message shows it: at most 60 characters, and never more of the value
    formatted than that (a huge or deeply nested input is not expanded first)."""
    text = _REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


MAX_DEPTH = 100
"""Instance files are nested a few levels deep; deeper data are refused, not recursed into."""
MAX_VALUES = 200_000
"""Values a YAML document may expand to with its aliases (`*name`); generated-XL has ~60,000.
An alias bomb (aliases of aliases) would otherwise grow to billions."""
MAX_FILE_BYTES = 20_000_000
"""Instance and plan files above this size are refused (generated-XL is 0.3 MB)."""


def _expanded_size(root: yaml.Node) -> int:
    """The number of values `root` expands to, each alias counted at every use; stops
    counting beyond MAX_VALUES. Raises ComposerError for an alias that contains itself."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise yaml.composer.ComposerError(
                None, None, "an alias (*name) refers to a value that contains it", node.start_mark
            )
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children: list[yaml.Node] = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_VALUES:
                break
        open_nodes.discard(key)
        sizes[key] = total
        return total

    return size(root)


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


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and reports bad tagged values by line.

    A repeated key would silently drop a value; an impossible date such as 2016-02-30 is
    kept as text, so that the model validation names its field path and value; any other
    value PyYAML cannot build (`!!int x`) becomes an error with its line.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"the data are nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self._depth -= 1

    def get_single_data(self) -> Any:
        node = self.get_single_node()  # type: ignore[no-untyped-call]
        if node is None:
            return None
        if _expanded_size(node) > MAX_VALUES:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"the aliases (*name) expand the data to more than {MAX_VALUES} values; "
                "write the values out or use fewer aliases of aliases",
                node.start_mark,
            )
        return self.construct_document(node)  # type: ignore[no-untyped-call]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[no-untyped-call]
        except (ValueError, TypeError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid value {_short(node.value)}: {exc}", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base`, merged by PyYAML
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key; construct_mapping reports it
                continue
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} is given twice (first at line {first.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[no-untyped-call]
        except ValueError:
            return self.construct_scalar(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_yaml_map)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """`YAML syntax error at line L, column C: problem`, with where the construct began."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    kind = (
        "YAML error"
        if isinstance(exc, (yaml.constructor.ConstructorError, yaml.composer.ComposerError))
        else "YAML syntax error"
    )
    text = f"{kind}{where}: {problem}"
    context = getattr(exc, "context", None)
    cmark = getattr(exc, "context_mark", None)
    if context and cmark is not None and (mark is None or cmark.line != mark.line):
        if "line" not in context:
            context += f" at line {cmark.line + 1}, column {cmark.column + 1}"
        text += f" ({context})"
    return text


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} is given twice")
        out[key] = value
    return out


def read_data(path: str | Path) -> Any:
    """Parse a YAML or JSON file; InputError for a missing, empty or malformed file."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, ["file not found"])
    if p.is_dir():
        raise InputError(p, ["is a directory, not a file"])
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise InputError(
                p, [f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB: not an instance"]
            )
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(p, [f"cannot be read: {exc}"]) from None
    if not text.strip():
        raise InputError(p, ["the file is empty"])
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(text, object_pairs_hook=_json_object)
        except json.JSONDecodeError as exc:
            raise InputError(
                p, [f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
            ) from None
        except ValueError as exc:  # a duplicate key
            raise InputError(p, [f"JSON error: {exc}"]) from None
        except RecursionError:
            raise InputError(p, ["JSON error: the data are nested too deeply"]) from None
    else:
        try:
            data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as exc:
            raise InputError(p, [_yaml_problem(exc)]) from None
        except RecursionError:
            raise InputError(p, ["YAML error: the data are nested too deeply"]) from None
    if _too_deep(data):
        raise InputError(p, [f"the data are nested more than {MAX_DEPTH} levels deep"])
    if data is None:
        raise InputError(p, ["the file holds no data (only comments or blank lines)"])
    return data


def _too_deep(data: Any) -> bool:
    """Nested deeper than MAX_DEPTH (JSON has no depth limit of its own below Python's)."""
    level = [data]
    for _ in range(MAX_DEPTH + 1):
        level = [
            v
            for item in level
            if isinstance(item, (dict, list))
            for v in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


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
    data = read_data(path)
    if isinstance(data, dict) and "instance" in data and "calendar" not in data:
        raise InputError(
            path, ["this is a plan file (plan.json), not an instance: give an instance file"]
        )
    problems = resolve_units_from(data, Path(path).parent)
    if problems:
        raise InputError(path, problems)
    _resolve_snapshot_from(data, Path(path).parent, path)
    return _validate(Instance, data, path)


def _resolve_snapshot_from(data: Any, base: Path, source: str | Path, bare: bool = False) -> None:
    """`snapshot_from: anlage1.xlsx`: the Anlage 1 table read as training.snapshot (its
    reader lives with `juwe import anlage1` in instances/anlage1.py); `bare`: only a file
    name in `base` (data that did not come from a file of the user's, e.g. an upload)."""
    if isinstance(data, dict) and data.get("snapshot_from") is not None:
        from instances.anlage1 import resolve_snapshot_from

        resolve_snapshot_from(data, base, source, bare=bare)


def instance_from_dict(
    data: dict[str, Any], source: str = "<instance>", base: Path | None = None
) -> Instance:
    """An instance from parsed data; a `staffing.units_from` table and a `snapshot_from`
    Anlage 1 table are read relative to `base` (default: the working directory)."""
    problems = resolve_units_from(data, base or Path.cwd())
    if problems:
        raise InputError(source, problems)
    _resolve_snapshot_from(data, base or Path.cwd(), source, bare=True)
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
    data = read_data(path)
    if isinstance(data, dict) and "calendar" in data and "instance" not in data:
        raise InputError(
            path, ["this is an instance file, not a plan: give the plan.json of an earlier run"]
        )
    return _validate(PlanFile, data, path)


def save_plan(plan: PlanFile, path: str | Path) -> None:
    Path(path).write_text(plan_json(plan), encoding="utf-8")


def plan_json(plan: PlanFile) -> str:
    """plan.json text: wall-clock seconds are left out so a re-run gives the same bytes."""
    data = plan.model_dump(mode="json")
    if not data.get("interrupted"):
        data.pop("interrupted", None)  # only an interrupted run says so (same bytes as before)
    if data.get("revision") is None:
        data.pop("revision", None)  # only a re-plan carries one
    for part in ("training", "staffing", "rollout", "joint"):
        record = data.get(part)
        if record is not None:
            record["outcome"].pop("seconds", None)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
