"""Every kind of bad input ends with exit 2 and a message naming the file and the field.

Most cases change one field of the bundled Bremen instance; `juwe plan` cases must fail
before solving and leave neither the output folder nor its staging folder behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instances import bundled_path
from tests.conftest import DELETE

PLAN_OPTIONS = ("--time-limit", 5, "--workers", 1, "-q")

# (id, field changes, fragments the message must contain besides the file name)
FIELD_CASES = [
    ("missing-required-field", {"calendar.start": DELETE}, ["calendar.start", "Field required"]),
    ("wrong-type", {"training.modules[1].days": "two"}, ["training.modules[1].days", "'two'"]),
    (
        "negative-duration",
        {"training.modules[1].days": -1},
        ["training.modules[1].days", "greater than or equal to 1", "-1"],
    ),
    (
        "unknown-field",
        {"calendar.ende": "2017-12-31"},
        ["calendar.ende", "Extra inputs are not permitted"],
    ),
    (
        "unknown-centre-of-group",
        {"organisation.groups[0].centre": "SZ9"},
        ["organisation.groups[0].centre", "unknown centre 'SZ9'"],
    ),
    (
        "unknown-module-in-after",
        {"training.modules[1].after": ["1", "99"]},
        ["training.modules[1].after[1]", "unknown module '99'"],
    ),
    (
        "unknown-group-in-snapshot",
        {"training.snapshot.sessions[0].group": "77"},
        ["training.snapshot.sessions[0].group", "unknown group '77'"],
    ),
    (
        "unknown-session-in-snapshot",
        {"training.snapshot.sessions[0].session": "9z"},
        ["training.snapshot.sessions[0].session", "unknown session '9z'"],
    ),
    (
        "cyclic-module-order",
        {"training.modules[0].after": ["2"]},
        ["training.modules", "cyclic module order", "1 -> 2 -> 1"],
    ),
    (
        "spacing-min-above-max",
        {"training.spacing": {"min_days": 90, "max_days": 84}},
        ["training.spacing", "min_days 90 is greater than max_days 84"],
    ),
    (
        "deadline-outside-horizon",
        {"organisation.groups[0].deadline": "2018-03-01"},
        ["organisation.groups[0].deadline", "2018-03-01", "outside the horizon"],
    ),
    (
        "horizon-end-before-start",
        {"calendar.end": "2015-12-31"},
        ["calendar", "horizon end 2015-12-31 is before its start 2016-01-18"],
    ),
    (
        "done-session-after-snapshot",
        {"training.snapshot.sessions[0].date": "2016-02-01"},
        ["training.snapshot.sessions[0].date", "2016-02-01", "after the snapshot date"],
    ),
    (
        "duplicate-group-ids",
        {"organisation.groups[1].id": "1"},
        ["organisation.groups[1].id", "id '1' is used twice"],
    ),
    (
        "unknown-preferred-weekday",
        {"training.preferred_weekdays": ["Tue", "Funday"]},
        ["training.preferred_weekdays", "unknown weekday 'Funday'"],
    ),
    (
        "lag-not-a-distribution",
        {"staffing.hiring.lag": {3: 0.5, 4: 0.3}},
        ["staffing.hiring.lag", "sum to 0.8, not 1"],
    ),
    (
        "unit-of-unknown-category",
        {"staffing.units[0].category": "xx"},
        ["staffing.units[0].category", "unknown category 'xx'"],
    ),
    (
        "tranche-off-granularity",
        {"staffing.categories[0].tranches[1].bv": 3.3},
        ["staffing.categories[0].tranches[1].bv", "3.3 BV is not a multiple of 0.5"],
    ),
    (
        "release-not-a-month",
        {"staffing.categories[0].tranches[0].release": "2015-13"},
        ["staffing.categories[0].tranches[0].release", "'2015-13' is not a month"],
    ),
    (
        "release-outside-grid",
        {"staffing.categories[0].tranches[0].release": "2020-01"},
        ["staffing.categories[0].tranches[0].release", "2020-01 is outside the grid"],
    ),
    (
        "more-vacancies-than-bv",
        {"staffing.units[0].vacancies": 20},
        ["staffing.units[0]", "vacancies 20.0 exceed bv 8.0"],
    ),
    (
        "budget-of-unknown-tranche",
        {"staffing.budgets[0].tranches[0]": "cm-2099"},
        ["staffing.budgets[0].tranches[0]", "unknown tranche 'cm-2099'"],
    ),
    (
        "duplicate-tranche-id",
        {"staffing.categories[0].tranches[1].id": "cm-2015a"},
        ["staffing.categories[0].tranches[1].id", "tranche id 'cm-2015a' is used twice"],
    ),
    (
        "unknown-workday",
        {"calendar.workdays": ["Mon", "Mondy"]},
        ["calendar.workdays", "unknown weekday 'Mondy'"],
    ),
]

# the same instance problems through `juwe plan`: rejected before any solving
PLAN_CASES = [
    "wrong-type",
    "cyclic-module-order",
    "done-session-after-snapshot",
    "lag-not-a-distribution",
]


def _params(ids: list[str] | None = None) -> list:
    return [pytest.param(c, f, id=i) for i, c, f in FIELD_CASES if ids is None or i in ids]


@pytest.mark.parametrize("changes, fragments", _params())
def test_validate_rejects_bad_field(
    changes, fragments, bremen_data, write_instance, juwe, assert_input_error
):
    path = write_instance(bremen_data, changes)
    assert_input_error(juwe("validate", path), str(path), *fragments)


@pytest.mark.parametrize("changes, fragments", _params(PLAN_CASES))
def test_plan_rejects_bad_field_before_solving(
    changes, fragments, bremen_data, write_instance, juwe, assert_input_error, leftovers, tmp_path
):
    path = write_instance(bremen_data, changes)
    out = tmp_path / "out"
    result = juwe("plan", path, "--out", out, *PLAN_OPTIONS)
    assert_input_error(result, str(path), *fragments)
    assert leftovers(out) == []


# ---- broken files: built from the bundled file's text ----------------------------------

BREMEN_TEXT = bundled_path().read_text(encoding="utf-8")
END_LINE = BREMEN_TEXT.splitlines().index("  end: 2017-12-31") + 1  # calendar.end


def _with_line(text: str, line: int, new: str | None = None, insert: str | None = None) -> str:
    """The text with line `line` (1-based) replaced by `new` or followed by `insert`."""
    lines = text.splitlines()
    if new is not None:
        lines[line - 1] = new
    if insert is not None:
        lines.insert(line, insert)
    return "\n".join(lines) + "\n"


def yaml_syntax_error(tmp: Path) -> Path:
    path = tmp / "indent.yaml"  # calendar.end indented one space too deep
    path.write_text(_with_line(BREMEN_TEXT, END_LINE, new="   end: 2017-12-31"), "utf-8")
    return path


def yaml_tab(tmp: Path) -> Path:
    path = tmp / "tab.yaml"
    path.write_text(_with_line(BREMEN_TEXT, END_LINE, new="\tend: 2017-12-31"), "utf-8")
    return path


def duplicate_key(tmp: Path) -> Path:
    path = tmp / "duplicate.yaml"  # a second calendar.end, right after the first
    path.write_text(_with_line(BREMEN_TEXT, END_LINE, insert="  end: 2018-06-30"), "utf-8")
    return path


def impossible_date(tmp: Path) -> Path:
    path = tmp / "date.yaml"
    path.write_text(_with_line(BREMEN_TEXT, END_LINE, new="  end: 2017-02-30"), "utf-8")
    return path


def json_syntax_error(tmp: Path) -> Path:
    path = tmp / "instance.json"
    path.write_text('{"name": "x",\n "calendar": {"start": "2016-01-18",}\n}\n', "utf-8")
    return path


def empty_file(tmp: Path) -> Path:
    path = tmp / "empty.yaml"
    path.write_text("", "utf-8")
    return path


def only_comments(tmp: Path) -> Path:
    path = tmp / "comments.yaml"
    path.write_text("# an instance\n# to be written\n", "utf-8")
    return path


def top_level_list(tmp: Path) -> Path:
    path = tmp / "list.yaml"
    path.write_text("- name: bremen\n", "utf-8")
    return path


def not_utf8(tmp: Path) -> Path:
    path = tmp / "latin1.yaml"
    path.write_bytes("name: Gröpelingen\n".encode("latin-1"))
    return path


def a_directory(tmp: Path) -> Path:
    path = tmp / "instances.yaml"
    path.mkdir()
    return path


def no_such_file(tmp: Path) -> Path:
    return tmp / "no-such-instance.yaml"


FILE_CASES = [
    (yaml_syntax_error, ["YAML syntax error", f"line {END_LINE}"]),
    (yaml_tab, ["YAML syntax error", f"line {END_LINE}", "'\\t'"]),
    (duplicate_key, [f"line {END_LINE + 1}", "'end' is given twice", f"first at line {END_LINE}"]),
    (impossible_date, ["calendar.end", "'2017-02-30'"]),
    (json_syntax_error, ["JSON syntax error", "line 2"]),
    (empty_file, ["the file is empty"]),
    (only_comments, ["holds no data"]),
    (top_level_list, ["expected a mapping", "list"]),
    (not_utf8, ["cannot be read", "utf-8"]),
    (a_directory, ["is a directory, not a file"]),
    (no_such_file, ["file not found"]),
]


@pytest.mark.parametrize(
    "make, fragments", [pytest.param(m, f, id=m.__name__.replace("_", "-")) for m, f in FILE_CASES]
)
def test_validate_rejects_broken_file(make, fragments, tmp_path, juwe, assert_input_error):
    path = make(tmp_path)
    assert_input_error(juwe("validate", path), str(path), *fragments)


def test_anchors_and_merge_keys_are_not_duplicates(tmp_path, juwe):
    # the duplicate-key check must leave YAML's own reuse alone
    text = BREMEN_TEXT.replace('    - {id: "1", centre: SZ1', '    - &first {id: "1", centre: SZ1')
    group2 = '    - {id: "2", centre: SZ5, teams: [vahr], wave: 1, deadline: 2017-12-31}'
    assert group2 in text
    text = text.replace(group2, '    - {<<: *first, id: "2", centre: SZ5, teams: [vahr]}')
    path = tmp_path / "anchors.yaml"
    path.write_text(text, "utf-8")
    result = juwe("validate", path)
    assert result.exit_code == 0, result.output
    assert "62 sessions to plan" in result.stdout


@pytest.mark.parametrize("make", [yaml_syntax_error, empty_file, a_directory, no_such_file])
def test_plan_rejects_broken_file(make, tmp_path, juwe, assert_input_error, leftovers):
    path = make(tmp_path)
    out = tmp_path / "out"
    assert_input_error(juwe("plan", path, "--out", out, *PLAN_OPTIONS), str(path))
    assert leftovers(out) == []


# ---- the output folder ------------------------------------------------------------------


def test_out_below_a_regular_file(tmp_path, juwe, assert_input_error, leftovers):
    # root ignores permissions, but nobody can create a folder inside a regular file
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder\n", "utf-8")
    out = blocker / "nested" / "out"
    result = juwe("plan", "--out", out, *PLAN_OPTIONS)
    assert_input_error(result, str(out), "cannot create the output folder", "is a file")
    assert blocker.read_text("utf-8") == "not a folder\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]
    assert leftovers(out) == []


def test_out_is_a_regular_file(tmp_path, juwe, assert_input_error):
    out = tmp_path / "plan-out"
    out.write_text("keep me\n", "utf-8")
    result = juwe("plan", "--out", out, *PLAN_OPTIONS)
    assert_input_error(result, str(out), "--out must name a folder")
    assert out.read_text("utf-8") == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan-out"]


@pytest.mark.parametrize("target", ["blocker/schema.json", "."], ids=["below-a-file", "a-folder"])
def test_schema_output_unwritable(target, tmp_path, juwe, assert_input_error):
    (tmp_path / "blocker").write_text("not a folder\n", "utf-8")
    output = tmp_path / target
    assert_input_error(juwe("schema", "-o", output), str(output), "cannot be written")
    assert (tmp_path / "blocker").read_text("utf-8") == "not a folder\n"


def test_non_empty_out_without_force(tmp_path, juwe, assert_input_error, leftovers):
    out = tmp_path / "plan-out"
    out.mkdir()
    (out / "plan.json").write_text('{"old": true}\n', "utf-8")
    result = juwe("plan", "--out", out, *PLAN_OPTIONS)
    assert_input_error(result, str(out), "not empty", "--force")
    assert [p.name for p in out.iterdir()] == ["plan.json"]
    assert (out / "plan.json").read_text("utf-8") == '{"old": true}\n'
    assert leftovers(out) == [out]


# ---- other arguments --------------------------------------------------------------------


def test_previous_plan_missing(tmp_path, juwe, assert_input_error, leftovers):
    previous = tmp_path / "old" / "plan.json"
    out = tmp_path / "out"
    result = juwe("plan", "--previous", previous, "--out", out, *PLAN_OPTIONS)
    assert_input_error(result, str(previous), "file not found")
    assert leftovers(out) == []


def test_previous_plan_is_an_instance(tmp_path, juwe, assert_input_error, leftovers):
    # a common slip: the instance file given where the plan.json of a run belongs
    out = tmp_path / "out"
    result = juwe("plan", "--previous", bundled_path(), "--out", out, *PLAN_OPTIONS)
    assert_input_error(result, str(bundled_path()), "an instance file, not a plan")
    assert leftovers(out) == []


def test_previous_plan_without_training(tmp_path, bremen_data, juwe, assert_input_error):
    previous = tmp_path / "plan.json"
    previous.write_text(json.dumps({"instance": bremen_data}, default=str), "utf-8")
    result = juwe("plan", "--previous", previous, "--out", tmp_path / "out", *PLAN_OPTIONS)
    assert_input_error(result, str(previous), "no training plan")


def test_plan_file_given_as_instance(tmp_path, bremen_data, juwe, assert_input_error):
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps({"instance": bremen_data}, default=str), "utf-8")
    assert_input_error(juwe("validate", plan_file), str(plan_file), "a plan file")


def test_instance_without_parts(bremen_data, write_instance, tmp_path, juwe, assert_input_error):
    path = write_instance(bremen_data, {"training": DELETE, "staffing": DELETE, "rollout": DELETE})
    result = juwe("plan", path, "--out", tmp_path / "out", *PLAN_OPTIONS)
    assert_input_error(result, str(path), "no part to plan")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args, fragment",
    [
        pytest.param(["plan", "--time-limit", "0"], "--time-limit", id="time-limit-zero"),
        pytest.param(["plan", "--workers", "-1"], "--workers", id="negative-workers"),
        pytest.param(["plan", "--seed", "x"], "--seed", id="seed-not-a-number"),
        pytest.param(["plan", "--colour"], "--colour", id="unknown-option"),
        pytest.param(["validate"], "INSTANCE", id="missing-argument"),
        pytest.param(["solve"], "solve", id="unknown-command"),
    ],
)
def test_bad_usage(args, fragment, tmp_path, juwe, assert_input_error, leftovers):
    out = tmp_path / "out"
    if args[0] == "plan":
        args = [*args, "--out", out]
    assert_input_error(juwe(*args), fragment)
    assert leftovers(out) == []
