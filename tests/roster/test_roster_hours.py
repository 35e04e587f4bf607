from datetime import date, datetime, time

from tests.roster.builders import EVERY_DAY, local, person, rotation
from webcare.roster.engine import BandHours, Frequency, Roster, compute_schedule, fairness_summary, hours_per_person
from webcare.timeutil import OfficeHours, TimeBand

OFFICE_HOURS = OfficeHours.weekdays(time(8, 30), time(17), evening_end=time(22))


def test_hours_per_person_are_split_into_office_evening_night_weekend_and_holiday():
    late = rotation(("a",), days={0, 4, 5}, start=time(16), end=time(23))
    closed_monday = date(2026, 3, 9)
    schedule = compute_schedule(
        Roster((person("a"),), (late,)), local(2026, 3, 2), local(2026, 3, 10), frozenset({closed_monday})
    )
    assert hours_per_person(schedule, OFFICE_HOURS) == {
        "a": BandHours(office=2.0, evening=10.0, night=2.0, weekend=7.0, holiday=7.0)
    }
    assert hours_per_person(schedule, OFFICE_HOURS)["a"].total == 28.0


def test_hours_across_the_spring_change_count_elapsed_time_not_clock_time():
    night = rotation(("a",), days={5}, start=time(22), end=time(7), anchor=datetime(2026, 3, 28, 22))
    schedule = compute_schedule(Roster((person("a"),), (night,)), local(2026, 3, 28), local(2026, 3, 30))
    assert hours_per_person(schedule, OFFICE_HOURS)["a"] == BandHours(weekend=8.0)


def test_fairness_summary_counts_unpleasant_hours_and_separate_slots_per_person():
    evenings = rotation(("a", "b"), start=time(17), end=time(22), rotation_id="evening")
    weekends = rotation(("b",), days={5, 6}, start=time(0), end=time(0), rotation_id="weekend")
    team = (person("a"), person("b"), person("c"))
    schedule = compute_schedule(Roster(team, (evenings, weekends)), local(2026, 3, 2), local(2026, 3, 9))
    rows = {row.person_id: row for row in fairness_summary(schedule, OFFICE_HOURS)}
    assert rows["a"].hours[TimeBand.EVENING] == 15.0 and rows["a"].slots[TimeBand.EVENING] == 3
    assert rows["b"].hours[TimeBand.EVENING] == 10.0 and rows["b"].slots[TimeBand.EVENING] == 2
    assert rows["b"].hours[TimeBand.WEEKEND] == 48.0 and rows["b"].slots[TimeBand.WEEKEND] == 1
    assert rows["c"].unpleasant_hours == 0.0
    assert [row.person_id for row in fairness_summary(schedule, OFFICE_HOURS)] == ["b", "a", "c"]


def test_weekly_24_hour_rotation_over_eight_weeks_gives_two_people_equal_hours():
    on_call = rotation(
        ("a", "b"),
        days=EVERY_DAY,
        start=time(9),
        end=time(9),
        anchor=datetime(2026, 1, 5, 9),
        frequency=Frequency.WEEKLY,
    )
    schedule = compute_schedule(
        Roster((person("a"), person("b")), (on_call,)), local(2026, 1, 5, 9), local(2026, 3, 2, 9)
    )
    hours = hours_per_person(schedule, OFFICE_HOURS)
    assert hours["a"].total == hours["b"].total == 4 * 7 * 24
