from datetime import date, datetime, time, timedelta

from tests.roster.builders import EVERY_DAY, local, rotation
from webcare.roster.engine import Frequency, Person, Roster, compute_schedule, on_duty_at

PEOPLE = tuple(Person(person_id, person_id.title()) for person_id in ("a", "b", "c", "d", "e"))


def schedule_of(*rotations, start, end, closed_dates=frozenset()):
    return compute_schedule(Roster(PEOPLE, rotations), start, end, closed_dates)


def turns(schedule, days, hour=12):
    return [sorted(on_duty_at(schedule, local(2026, 3, day, hour))) for day in days]


def test_weekday_rotation_of_five_gives_each_person_one_day_and_weekends_use_no_turn():
    schedule = schedule_of(rotation(("a", "b", "c", "d", "e")), start=local(2026, 3, 2), end=local(2026, 3, 17))
    assert turns(schedule, range(2, 17)) == [
        ["a"],
        ["b"],
        ["c"],
        ["d"],
        ["e"],
        [],
        [],
        ["a"],
        ["b"],
        ["c"],
        ["d"],
        ["e"],
        [],
        [],
        ["a"],
    ]


def test_weekly_handoff_keeps_local_clock_time_so_the_spring_week_lasts_167_hours():
    weekly = rotation(
        ("a", "b"),
        days=EVERY_DAY,
        start=time(9),
        end=time(9),
        anchor=datetime(2026, 3, 23, 9),
        frequency=Frequency.WEEKLY,
    )
    schedule = schedule_of(weekly, start=local(2026, 3, 23), end=local(2026, 4, 7))
    week_of_a = next(interval for interval in schedule.intervals if interval.people == {"a"})
    assert week_of_a.start == local(2026, 3, 23, 9)
    assert week_of_a.end == local(2026, 3, 30, 9)
    assert week_of_a.end - week_of_a.start == timedelta(hours=167)


def test_weekly_handoff_keeps_local_clock_time_so_the_autumn_week_lasts_169_hours():
    weekly = rotation(
        ("a", "b"),
        days=EVERY_DAY,
        start=time(9),
        end=time(9),
        anchor=datetime(2026, 10, 19, 9),
        frequency=Frequency.WEEKLY,
    )
    schedule = schedule_of(weekly, start=local(2026, 10, 19), end=local(2026, 11, 3))
    week_of_a = next(interval for interval in schedule.intervals if interval.people == {"a"})
    assert (week_of_a.start, week_of_a.end) == (local(2026, 10, 19, 9), local(2026, 10, 26, 9))
    assert week_of_a.end - week_of_a.start == timedelta(hours=169)


def test_handoff_at_0230_on_the_spring_change_moves_to_0300_local():
    weekly = rotation(
        ("a", "b"),
        days=EVERY_DAY,
        start=time(2, 30),
        end=time(2, 30),
        anchor=datetime(2026, 3, 22, 2, 30),
        frequency=Frequency.WEEKLY,
    )
    schedule = schedule_of(weekly, start=local(2026, 3, 22), end=local(2026, 4, 1))
    week_of_a = next(interval for interval in schedule.intervals if interval.people == {"a"})
    assert week_of_a.start == local(2026, 3, 22, 2, 30)
    assert week_of_a.end == datetime.fromisoformat("2026-03-29T01:00:00+00:00") == local(2026, 3, 29, 3)
    assert week_of_a.end - week_of_a.start == timedelta(hours=167, minutes=30)
    assert on_duty_at(schedule, week_of_a.end) == {"b"}


def test_overnight_window_runs_into_the_next_morning_and_belongs_to_the_day_it_starts():
    nights = rotation(("a", "b"), start=time(22), end=time(7), anchor=datetime(2026, 3, 2, 22))
    schedule = schedule_of(nights, start=local(2026, 3, 6), end=local(2026, 3, 11))
    assert on_duty_at(schedule, local(2026, 3, 6, 23)) == {"a"}
    assert on_duty_at(schedule, local(2026, 3, 7, 6, 59)) == {"a"}
    assert on_duty_at(schedule, local(2026, 3, 7, 7)) == set()
    assert on_duty_at(schedule, local(2026, 3, 7, 23)) == set()
    assert on_duty_at(schedule, local(2026, 3, 10, 3)) == {"b"}


def test_window_with_equal_start_and_end_lasts_24_hours():
    daily = rotation(("a", "b", "c"), days=EVERY_DAY, start=time(8), end=time(8), anchor=datetime(2026, 3, 2, 8))
    schedule = schedule_of(daily, start=local(2026, 3, 2, 8), end=local(2026, 3, 5, 8))
    assert [(sorted(interval.people), interval.end - interval.start) for interval in schedule.intervals] == [
        (["a"], timedelta(hours=24)),
        (["b"], timedelta(hours=24)),
        (["c"], timedelta(hours=24)),
    ]


def test_interval_of_two_weeks_keeps_each_person_on_for_two_weeks():
    fortnightly = rotation(("a", "b", "c"), anchor=datetime(2026, 3, 2, 9), frequency=Frequency.WEEKLY, interval=2)
    schedule = schedule_of(fortnightly, start=local(2026, 3, 2), end=local(2026, 4, 15))
    mondays = [local(2026, 3, 2, 12) + timedelta(weeks=week) for week in range(7)]
    assert [sorted(on_duty_at(schedule, monday)) for monday in mondays] == [
        ["a"],
        ["a"],
        ["b"],
        ["b"],
        ["c"],
        ["c"],
        ["a"],
    ]


def test_phase_anchor_before_effective_from_keeps_counting_from_the_anchor():
    late_start = rotation(("a", "b", "c", "d", "e"), anchor=datetime(2026, 3, 2, 9), effective_from=date(2026, 3, 11))
    schedule = schedule_of(late_start, start=local(2026, 3, 2), end=local(2026, 3, 14))
    assert turns(schedule, range(9, 14)) == [[], [], ["c"], ["d"], ["e"]]


def test_rotation_runs_through_its_end_date_and_not_after():
    ending = rotation(("a", "b", "c"), ends_on=date(2026, 3, 4))
    schedule = schedule_of(ending, start=local(2026, 3, 2), end=local(2026, 3, 7))
    assert turns(schedule, range(2, 7)) == [["a"], ["b"], ["c"], [], []]


def test_daily_interval_of_two_gives_each_person_two_window_days():
    pairs = rotation(("a", "b"), interval=2)
    schedule = schedule_of(pairs, start=local(2026, 3, 2), end=local(2026, 3, 10))
    assert turns(schedule, (2, 3, 4, 5, 6, 9)) == [["a"], ["a"], ["b"], ["b"], ["a"], ["a"]]


def test_anchor_after_the_window_start_gives_the_first_turn_to_the_next_occurrence():
    rota = rotation(("a", "b"), anchor=datetime(2026, 3, 6, 12))
    schedule = schedule_of(rota, start=local(2026, 3, 2), end=local(2026, 3, 10))
    assert turns(schedule, (5, 6, 9)) == [["a"], ["b"], ["a"]]


def test_skipping_closing_days_drops_the_holiday_but_uses_its_turn():
    rota = rotation(("a", "b", "c", "d", "e"), anchor=datetime(2026, 4, 20, 9), skip_closed_days=True)
    koningsdag = date(2026, 4, 27)
    schedule = schedule_of(rota, start=local(2026, 4, 20), end=local(2026, 4, 30), closed_dates=frozenset({koningsdag}))
    assert [sorted(on_duty_at(schedule, local(2026, 4, day, 12))) for day in (24, 27, 28)] == [["e"], [], ["b"]]
