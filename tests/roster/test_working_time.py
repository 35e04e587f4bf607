"""Working-time warnings from the schedule: a 24-hour stretch, too little rest, a too full week."""

from __future__ import annotations

from datetime import datetime, timedelta

from webcare.roster.engine.model import ShiftKind
from webcare.roster.engine.schedule import Duty, Schedule, ScheduleInterval
from webcare.roster.engine.working_time import WorkingTimeLimits, working_time_warnings
from webcare.timeutil import UTC

MONDAY = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)  # 08:30 in Amsterdam


def _schedule(*stretches: tuple[str, datetime, datetime, ShiftKind]) -> Schedule:
    edges = sorted({moment for _person, start, end, _kind in stretches for moment in (start, end)})
    intervals = []
    for start, end in zip(edges, edges[1:]):
        duties = frozenset(Duty(person, kind) for person, s, e, kind in stretches if s <= start and e >= end)
        intervals.append(ScheduleInterval(start, end, duties, frozenset(), None))
    return Schedule(tuple(intervals), {}, frozenset(), "Europe/Amsterdam")


def _kinds(schedule, **limits):
    return [
        (warning.person_id, warning.kind, warning.hours)
        for warning in working_time_warnings(schedule, WorkingTimeLimits(**limits))
    ]


def test_day_evening_and_on_call_back_to_back_is_one_24_hour_stretch():
    h = lambda hours: MONDAY + timedelta(hours=hours)  # noqa: E731
    schedule = _schedule(
        ("sanne", h(0), h(8.5), ShiftKind.OFFICE),
        ("sanne", h(8.5), h(13.5), ShiftKind.OFFICE),
        ("sanne", h(13.5), h(24), ShiftKind.ON_CALL),
        ("mehmet", h(0), h(8.5), ShiftKind.OFFICE),
    )

    assert _kinds(schedule) == [("sanne", "long_shift", 24.0)]


def test_too_little_rest_and_too_many_hours_in_a_week():
    h = lambda hours: MONDAY + timedelta(hours=hours)  # noqa: E731
    late_then_early = _schedule(("kees", h(6), h(14), ShiftKind.OFFICE), ("kees", h(22), h(30), ShiftKind.OFFICE))
    assert _kinds(late_then_early) == [("kees", "short_rest", 8.0)]

    five_long_days = _schedule(*(("els", h(24 * day), h(24 * day + 11), ShiftKind.OFFICE) for day in range(6)))
    assert _kinds(five_long_days) == [("els", "long_week", 66.0)]
    assert _kinds(five_long_days, max_week=timedelta(hours=70)) == []
