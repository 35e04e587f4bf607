from datetime import date, time, timedelta

from tests.roster.builders import EVERY_DAY, WEEKDAYS, local, person, rotation
from webcare.roster.engine import (
    CLOSED_DAY,
    CoverageRule,
    Flag,
    GapKind,
    Requirements,
    Roster,
    Window,
    compute_schedule,
    gaps,
    interval_at,
    next_change_after,
    on_duty_at,
    staffed_intervals,
)
from webcare.timeutil import StaffedClock

TEAM = (
    person("senior", mandate_level=3, topics={"afval", "bestuur"}, languages={"nl", "en"}),
    person("junior", mandate_level=1, topics={"afval"}),
    person("medior", mandate_level=2, topics={"parkeren"}),
)
OFFICE_TARGET = CoverageRule(
    Window(WEEKDAYS, time(9), time(17)), minimum_people=2, mandate_level=2, minimum_mandate_holders=1
)
KONINGSDAG = date(2026, 4, 27)


def schedule_of(
    rotations, rules=(OFFICE_TARGET,), start=local(2026, 3, 2), end=local(2026, 3, 7), closed_dates=frozenset()
):
    return compute_schedule(Roster(TEAM, tuple(rotations), coverage_rules=tuple(rules)), start, end, closed_dates)


def flags_at(schedule, moment):
    return interval_at(schedule, moment).flags


def test_nobody_on_duty_under_a_target_is_a_gap_and_below_target():
    schedule = schedule_of([rotation(("senior",), days={0})])
    assert flags_at(schedule, local(2026, 3, 3, 10)) == {Flag.GAP, Flag.BELOW_TARGET, Flag.NO_MANDATE_HOLDER}


def test_one_person_where_two_are_needed_is_below_target_but_not_a_gap():
    schedule = schedule_of([rotation(("senior",))])
    assert flags_at(schedule, local(2026, 3, 3, 10)) == {Flag.BELOW_TARGET}


def test_enough_people_without_the_required_mandate_is_flagged():
    schedule = schedule_of(
        [
            rotation(("junior",)),
            rotation(("junior",), rotation_id="twice"),
            rotation(("medior",), rotation_id="m", days={0}),
        ]
    )
    assert flags_at(schedule, local(2026, 3, 2, 10)) == frozenset()
    assert flags_at(schedule, local(2026, 3, 3, 10)) == {Flag.BELOW_TARGET, Flag.NO_MANDATE_HOLDER}


def test_target_met_has_no_flags():
    schedule = schedule_of([rotation(("senior",)), rotation(("junior",), rotation_id="second")])
    assert flags_at(schedule, local(2026, 3, 3, 10)) == frozenset()


def test_a_night_without_target_is_closed_not_a_gap():
    schedule = schedule_of([rotation(("senior",))])
    assert flags_at(schedule, local(2026, 3, 3, 23)) == {Flag.CLOSED}
    assert [(gap.start, gap.end) for gap in gaps(schedule)] == [
        (local(2026, 3, day, 9), local(2026, 3, day, 17)) for day in range(2, 7)
    ]


def test_a_holiday_without_target_is_closed_not_a_gap():
    schedule = schedule_of([], start=local(2026, 4, 27), end=local(2026, 4, 28), closed_dates=frozenset({KONINGSDAG}))
    assert [interval.flags for interval in schedule.intervals] == [{Flag.CLOSED}]
    assert gaps(schedule) == []


def test_a_closing_day_rule_sets_the_target_on_holidays_instead_of_the_weekday_rule():
    holiday_rule = CoverageRule(Window(frozenset({CLOSED_DAY}), time(10), time(16)), minimum_people=1)
    schedule = schedule_of(
        [],
        rules=(OFFICE_TARGET, holiday_rule),
        start=local(2026, 4, 27),
        end=local(2026, 4, 29),
        closed_dates=frozenset({KONINGSDAG}),
    )
    assert flags_at(schedule, local(2026, 4, 27, 9, 30)) == {Flag.CLOSED}
    assert flags_at(schedule, local(2026, 4, 27, 12)) == {Flag.GAP, Flag.BELOW_TARGET}
    assert interval_at(schedule, local(2026, 4, 27, 12)).target.minimum_people == 1
    assert interval_at(schedule, local(2026, 4, 28, 12)).target.minimum_people == 2


def test_gaps_are_typed_below_target_nobody_with_mandate_and_nobody():
    schedule = schedule_of([rotation(("medior",), days={0}), rotation(("junior",), days={1}, rotation_id="j")])
    assert [(gap.kind, gap.start, gap.end, gap.people) for gap in gaps(schedule)] == [
        (GapKind.BELOW_TARGET, local(2026, 3, 2, 9), local(2026, 3, 2, 17), {"medior"}),
        (GapKind.NOBODY_WITH_MANDATE, local(2026, 3, 3, 9), local(2026, 3, 3, 17), {"junior"}),
        (GapKind.NOBODY, local(2026, 3, 4, 9), local(2026, 3, 4, 17), set()),
        (GapKind.NOBODY, local(2026, 3, 5, 9), local(2026, 3, 5, 17), set()),
        (GapKind.NOBODY, local(2026, 3, 6, 9), local(2026, 3, 6, 17), set()),
    ]


def test_staffed_intervals_feed_the_sla_staffed_clock():
    schedule = schedule_of([rotation(("junior",), days=EVERY_DAY, start=time(8), end=time(20))])
    intervals = staffed_intervals(schedule)
    assert intervals[0].start == local(2026, 3, 2, 8)
    clock = StaffedClock(intervals)
    assert clock.duration(local(2026, 3, 2, 19), local(2026, 3, 3, 9)) == timedelta(hours=2)
    assert clock.add(local(2026, 3, 2, 19), timedelta(hours=4)) == local(2026, 3, 3, 11)


def test_staffed_intervals_can_ask_for_a_mandate_or_topic():
    schedule = schedule_of(
        [rotation(("junior",)), rotation(("senior",), days={2}, start=time(12), end=time(14), rotation_id="s")]
    )
    assert staffed_intervals(schedule, Requirements(mandate_level=3)) == [
        interval_at(schedule, local(2026, 3, 4, 13)).span
    ]


def test_on_duty_at_filters_by_mandate_topic_and_language():
    schedule = schedule_of(
        [rotation(("senior",)), rotation(("junior",), rotation_id="j"), rotation(("medior",), rotation_id="m")]
    )
    moment = local(2026, 3, 3, 10)
    assert on_duty_at(schedule, moment) == {"senior", "junior", "medior"}
    assert on_duty_at(schedule, moment, Requirements(mandate_level=2)) == {"senior", "medior"}
    assert on_duty_at(schedule, moment, Requirements(topics=frozenset({"afval"}))) == {"senior", "junior"}
    assert on_duty_at(schedule, moment, Requirements(languages=frozenset({"en"}))) == {"senior"}
    assert on_duty_at(schedule, local(2026, 3, 10, 10)) == set()


def test_next_change_after_skips_intervals_with_the_same_people():
    schedule = schedule_of(
        [
            rotation(("senior",), start=time(8), end=time(18)),
            rotation(("junior",), rotation_id="j", start=time(17), end=time(22)),
        ]
    )
    assert next_change_after(schedule, local(2026, 3, 3, 8, 30)) == local(2026, 3, 3, 17)
    assert next_change_after(schedule, local(2026, 3, 3, 17, 30)) == local(2026, 3, 3, 18)
    assert next_change_after(schedule, local(2026, 3, 30)) is None
