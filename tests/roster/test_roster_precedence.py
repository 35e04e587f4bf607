from datetime import time

from tests.roster.builders import local, person, rotation
from webcare.roster.engine import (
    Absence,
    FixedShift,
    Override,
    OverrideAction,
    Roster,
    ShiftKind,
    compute_schedule,
    on_duty_at,
)
from webcare.timeutil import Interval

TEAM = tuple(person(person_id) for person_id in ("a", "b", "c", "d", "f", "x"))
TUESDAY_MORNING = Interval(local(2026, 3, 3, 9), local(2026, 3, 3, 13))


def schedule_of(*, rotations=(), overrides=(), fixed_shifts=(), absences=()):
    roster = Roster(TEAM, tuple(rotations), tuple(overrides), tuple(fixed_shifts), tuple(absences))
    return compute_schedule(roster, local(2026, 3, 2), local(2026, 3, 7))


def test_fixed_shift_decides_alone_over_overrides_and_rotations():
    schedule = schedule_of(
        rotations=[rotation(("a",))],
        overrides=[Override(OverrideAction.ADD, "x", TUESDAY_MORNING, kind=ShiftKind.OFFICE)],
        fixed_shifts=[FixedShift("f", Interval(local(2026, 3, 3, 10), local(2026, 3, 3, 12)), ShiftKind.EVENING)],
    )
    assert on_duty_at(schedule, local(2026, 3, 3, 9, 30)) == {"a", "x"}
    assert on_duty_at(schedule, local(2026, 3, 3, 11)) == {"f"}
    assert on_duty_at(schedule, local(2026, 3, 3, 12, 30)) == {"a", "x"}
    assert on_duty_at(schedule, local(2026, 3, 3, 15)) == {"a"}


def test_higher_priority_rotation_masks_lower_and_equal_priorities_are_all_on_duty():
    schedule = schedule_of(
        rotations=[
            rotation(("a",), rotation_id="base"),
            rotation(("b",), rotation_id="also-base"),
            rotation(("c",), rotation_id="special", days={2}, start=time(12), end=time(14), priority=5),
        ]
    )
    assert on_duty_at(schedule, local(2026, 3, 4, 10)) == {"a", "b"}
    assert on_duty_at(schedule, local(2026, 3, 4, 13)) == {"c"}


def test_add_override_puts_an_extra_person_on_duty_for_its_span():
    schedule = schedule_of(
        rotations=[rotation(("a",))],
        overrides=[Override(OverrideAction.ADD, "x", TUESDAY_MORNING, kind=ShiftKind.ON_CALL)],
    )
    interval = next(interval for interval in schedule.intervals if "x" in interval.people)
    assert (interval.start, interval.end) == (TUESDAY_MORNING.start, TUESDAY_MORNING.end)
    assert interval.kinds_of("x") == {ShiftKind.ON_CALL}
    assert interval.kinds == {ShiftKind.OFFICE, ShiftKind.ON_CALL}


def test_remove_override_takes_a_person_off_for_its_span_only():
    schedule = schedule_of(
        rotations=[rotation(("a",)), rotation(("b",), rotation_id="second")],
        overrides=[Override(OverrideAction.REMOVE, "a", TUESDAY_MORNING)],
    )
    assert on_duty_at(schedule, local(2026, 3, 3, 10)) == {"b"}
    assert on_duty_at(schedule, local(2026, 3, 3, 14)) == {"a", "b"}


def test_replace_override_swaps_the_person_and_keeps_the_shift_kind():
    schedule = schedule_of(
        rotations=[rotation(("a",), kind=ShiftKind.EVENING)],
        overrides=[Override(OverrideAction.REPLACE, "a", TUESDAY_MORNING, replacement_id="d")],
    )
    assert on_duty_at(schedule, local(2026, 3, 3, 10)) == {"d"}
    assert schedule.intervals[[i.start for i in schedule.intervals].index(TUESDAY_MORNING.start)].kinds_of("d") == {
        ShiftKind.EVENING
    }
    assert on_duty_at(schedule, local(2026, 3, 3, 14)) == {"a"}


def test_replace_override_for_someone_not_on_duty_changes_nothing():
    schedule = schedule_of(
        rotations=[rotation(("a",))],
        overrides=[Override(OverrideAction.REPLACE, "b", TUESDAY_MORNING, replacement_id="d")],
    )
    assert on_duty_at(schedule, local(2026, 3, 3, 10)) == {"a"}


def test_leave_removes_a_person_from_rotations_overrides_and_fixed_shifts():
    leave = Absence("a", Interval(local(2026, 3, 3), local(2026, 3, 5)), "vakantie")
    schedule = schedule_of(
        rotations=[rotation(("a",)), rotation(("b",), rotation_id="second")],
        overrides=[
            Override(
                OverrideAction.ADD, "a", Interval(local(2026, 3, 4, 18), local(2026, 3, 4, 20)), kind=ShiftKind.EVENING
            )
        ],
        fixed_shifts=[FixedShift("a", Interval(local(2026, 3, 4, 6), local(2026, 3, 4, 8)), ShiftKind.ON_CALL)],
        absences=[leave],
    )
    assert on_duty_at(schedule, local(2026, 3, 2, 10)) == {"a", "b"}
    assert on_duty_at(schedule, local(2026, 3, 3, 10)) == {"b"}
    assert on_duty_at(schedule, local(2026, 3, 4, 7)) == set()
    assert on_duty_at(schedule, local(2026, 3, 4, 19)) == set()
    assert on_duty_at(schedule, local(2026, 3, 5, 10)) == {"a", "b"}


def test_schedule_is_sorted_contiguous_and_merges_identical_neighbours():
    schedule = schedule_of(
        rotations=[
            rotation(("a",), start=time(9), end=time(13)),
            rotation(("a",), rotation_id="afternoon", start=time(13), end=time(17)),
        ]
    )
    spans = [(interval.start, interval.end) for interval in schedule.intervals]
    assert all(earlier[1] == later[0] for earlier, later in zip(spans, spans[1:]))
    assert (local(2026, 3, 3, 9), local(2026, 3, 3, 17)) in spans
    assert spans[0][0] == local(2026, 3, 2) and spans[-1][1] == local(2026, 3, 7)
