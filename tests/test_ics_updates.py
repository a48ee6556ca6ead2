"""Calendars that update: a re-plan keeps the UID of a moved event and raises its
SEQUENCE; dropped sessions come as METHOD:CANCEL; DTSTAMP is the plan's, not the clock's;
per-trainer calendars show the group in LOCATION. Parsed with icalendar, as a client would."""

from __future__ import annotations

import datetime as dt

import icalendar

from models.diff import revise
from reports.outputs import write_plan_folder
from tests.test_changes import NEW, OLD, _plan, _session

D = dt.date


def _events(path) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def _uid(group: str, session: str) -> str:
    return f"juwe-tiny-g{group}-s{session}@juwe-planner"


def test_moved_event_keeps_uid_and_raises_sequence(tmp_path):
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    write_plan_folder(OLD, old_dir, ics_per="trainer")
    new = NEW.model_copy(update={"revision": revise(OLD, NEW, "old/plan.json")})
    write_plan_folder(new, new_dir, ics_per="trainer")
    before, after = _events(old_dir / "training.ics"), _events(new_dir / "training.ics")
    moved = _uid("G1", "B")
    assert moved in before and moved in after
    assert int(before[moved]["sequence"]) == 0
    assert int(after[moved]["sequence"]) == 1
    assert after[moved].decoded("dtstart") == D(2026, 3, 16)
    unchanged = _uid("G1", "A")
    assert int(after[unchanged]["sequence"]) == int(before[unchanged]["sequence"]) == 0
    # DTSTAMP from the plan (its snapshot date or horizon start), the same in both files
    assert after[moved].decoded("dtstamp") == dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    assert icalendar.Calendar.from_ical((new_dir / "training.ics").read_bytes())["method"] == (
        "PUBLISH"
    )
    # G2/B is dropped: a CANCEL with the same UID and a higher SEQUENCE
    cancel = icalendar.Calendar.from_ical((new_dir / "training-cancelled.ics").read_bytes())
    assert cancel["method"] == "CANCEL"
    (ev,) = cancel.walk("VEVENT")
    assert str(ev["uid"]) == _uid("G2", "B")
    assert str(ev["status"]) == "CANCELLED"
    assert int(ev["sequence"]) == 1
    assert "organizer" in ev
    assert _uid("G2", "B") in _events(old_dir / "training.ics")
    assert not (old_dir / "training-cancelled.ics").exists()


def test_trainer_calendars_carry_the_group_and_cancel_what_left_them(tmp_path):
    new = NEW.model_copy(update={"revision": revise(OLD, NEW, "old/plan.json")})
    write_plan_folder(new, tmp_path, ics_per="trainer")
    t2 = _events(tmp_path / "ics" / "trainer-T2.ics")
    assert str(t2[_uid("G2", "A")]["location"]) == "G2, Zentrum C2"
    # G2/A went from T1 to T2; G2/B (T2) was dropped: each old calendar gets a cancel
    t1_gone = _events(tmp_path / "ics" / "cancelled-trainer-T1.ics")
    t2_gone = _events(tmp_path / "ics" / "cancelled-trainer-T2.ics")
    assert set(t1_gone) == {_uid("G2", "A")}
    assert set(t2_gone) == {_uid("G2", "B")}


def test_a_second_replan_raises_sequence_again(tmp_path):
    first = NEW.model_copy(update={"revision": revise(OLD, NEW, "old/plan.json")})
    again = _plan(
        [
            _session("G1", "A", D(2026, 3, 2), "T1"),
            _session("G1", "B", D(2026, 3, 23), "T1"),
            _session("G2", "A", D(2026, 3, 3), "T2"),
        ]
    )
    second = again.model_copy(update={"revision": revise(first, again, "plan.json")})
    write_plan_folder(second, tmp_path)
    events = _events(tmp_path / "training.ics")
    assert int(events[_uid("G1", "B")]["sequence"]) == 2
    assert int(events[_uid("G2", "A")]["sequence"]) == 1
    assert not (tmp_path / "training-cancelled.ics").exists()  # nothing dropped this time


def test_a_session_done_since_is_not_cancelled(tmp_path):
    """G1/A was planned for 2 March and took place (done, trainer unknown): the calendars
    keep the event (no CANCEL, not even in T1's), changes.csv says done, not dropped."""
    done = _plan(
        [
            _session("G1", "A", None, None, status="done"),
            _session("G1", "B", D(2026, 3, 9), "T1"),
            _session("G2", "A", D(2026, 3, 3), "T1"),
            _session("G2", "B", D(2026, 3, 4), "T2"),
        ]
    )
    new = done.model_copy(update={"revision": revise(OLD, done, "old/plan.json")})
    write_plan_folder(new, tmp_path, ics_per="trainer")
    assert not (tmp_path / "training-cancelled.ics").exists()
    assert not list((tmp_path / "ics").glob("cancelled-*.ics"))
    assert _uid("G1", "A") not in _events(tmp_path / "training.ics")  # not re-sent either
    rows = (tmp_path / "changes.csv").read_text(encoding="utf-8").splitlines()
    assert rows[1] == "session,done,G1,A,,,,,2026-03-02,2026-03-02,,,T1,,planned,done,,,"


def test_a_session_held_on_another_day_moves_to_that_day(tmp_path):
    """G1/B was planned for 9 March and took place on 10 March: training.ics and T1's
    calendar send it again on the 10th with a higher SEQUENCE (a client moves it); G1/A,
    held on its planned day, is not sent again."""
    from tests.test_changes import DONE_NEW, DONE_OLD

    new = DONE_NEW.model_copy(update={"revision": revise(DONE_OLD, DONE_NEW, "old/plan.json")})
    write_plan_folder(new, tmp_path, ics_per="trainer")
    events = _events(tmp_path / "training.ics")
    held = events[_uid("G1", "B")]
    assert held.decoded("dtstart") == D(2026, 3, 10) and int(held["sequence"]) == 1
    assert "erledigt" in str(held["description"])
    assert _uid("G1", "A") not in events
    assert _uid("G1", "B") in _events(tmp_path / "ics" / "trainer-T1.ics")
    (gone,) = _events(tmp_path / "training-cancelled.ics")  # only the dropped G2/B
    assert gone == _uid("G2", "B")
