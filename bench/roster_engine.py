"""Roster engine speed and memory: the final schedule of 8 weeks for 30 people and 10 rotations.

    .venv/bin/python bench/roster_engine.py --repeat 20

Builds a synthetic team (30 people, 10 rotations of every frequency and window shape, overrides, fixed
shifts, leave, coverage targets) and times, in-process, `compute_schedule` for 8 weeks across the spring
DST change, then the queries run on it (gaps, hours per person, fairness). Reports the median and the
slowest of --repeat runs, and the peak Python heap of one run (tracemalloc).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time as clock
import tracemalloc
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webcare.roster.calendar import ClosingPolicy, closed_dates  # noqa: E402
from webcare.roster.engine import (  # noqa: E402
    CLOSED_DAY,
    Absence,
    CoverageRule,
    FixedShift,
    Frequency,
    Override,
    OverrideAction,
    Person,
    Roster,
    Rotation,
    ShiftKind,
    Window,
    compute_schedule,
    fairness_summary,
    gaps,
    hours_per_person,
)
from webcare.timeutil import Interval, wall_clock_to_utc  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")
FIRST_DAY = date(2026, 3, 2)
WEEKS = 8
WEEKDAYS, WEEKEND, EVERY_DAY = frozenset(range(5)), frozenset({5, 6}), frozenset(range(7))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return wall_clock_to_utc(day, time(hour, minute), TZ)


def synthetic_roster() -> Roster:
    people = tuple(
        Person(f"p{number:02}", f"Person {number}", mandate_level=number % 4, topics=frozenset({"afval", "zorg"}))
        for number in range(30)
    )
    ids = [person.id for person in people]
    anchor = datetime(2026, 3, 2, 8, 30)
    rotations = (
        Rotation("office-1", ShiftKind.OFFICE, tuple(ids[0:6]), Window(WEEKDAYS, time(8, 30), time(17)), anchor),
        Rotation("office-2", ShiftKind.OFFICE, tuple(ids[6:12]), Window(WEEKDAYS, time(8, 30), time(17)), anchor),
        Rotation(
            "office-3",
            ShiftKind.OFFICE,
            tuple(ids[12:17]),
            Window(WEEKDAYS, time(8, 30), time(12, 30)),
            anchor,
            interval=2,
        ),
        Rotation(
            "evening-1",
            ShiftKind.EVENING,
            tuple(ids[17:22]),
            Window(WEEKDAYS, time(17), time(22)),
            datetime(2026, 3, 2, 17),
        ),
        Rotation(
            "evening-2",
            ShiftKind.EVENING,
            tuple(ids[0:30:3]),
            Window(frozenset({0, 2, 4}), time(17), time(21)),
            datetime(2026, 2, 2, 17),
        ),
        Rotation(
            "weekend-1",
            ShiftKind.WEEKEND,
            tuple(ids[22:27]),
            Window(WEEKEND, time(10), time(18)),
            datetime(2026, 3, 7, 10),
            Frequency.WEEKLY,
        ),
        Rotation(
            "weekend-2",
            ShiftKind.WEEKEND,
            tuple(ids[1:30:4]),
            Window(WEEKEND, time(12), time(16)),
            datetime(2026, 3, 7, 12),
            Frequency.WEEKLY,
        ),
        Rotation(
            "on-call",
            ShiftKind.ON_CALL,
            tuple(ids[27:30]),
            Window(EVERY_DAY, time(9), time(9)),
            datetime(2026, 3, 2, 9),
            Frequency.WEEKLY,
        ),
        Rotation(
            "nights",
            ShiftKind.ON_CALL,
            tuple(ids[2:30:5]),
            Window(EVERY_DAY, time(22), time(7)),
            datetime(2026, 2, 23, 12),
            Frequency.WEEKLY,
            interval=2,
        ),
        Rotation(
            "campaign",
            ShiftKind.OFFICE,
            tuple(ids[5:9]),
            Window(frozenset({1, 3}), time(12), time(14)),
            anchor,
            priority=5,
            ends_on=date(2026, 4, 10),
        ),
    )
    overrides = tuple(
        Override(
            (OverrideAction.ADD, OverrideAction.REMOVE, OverrideAction.REPLACE)[number % 3],
            ids[number],
            Interval(at(FIRST_DAY + timedelta(days=2 * number), 8), at(FIRST_DAY + timedelta(days=2 * number), 20)),
            replacement_id=ids[(number + 7) % 30] if number % 3 == 2 else None,
            kind=ShiftKind.OFFICE if number % 3 == 0 else None,
        )
        for number in range(24)
    )
    fixed = tuple(
        FixedShift(
            ids[number],
            Interval(at(FIRST_DAY + timedelta(days=9 * number), 18), at(FIRST_DAY + timedelta(days=9 * number), 22)),
            ShiftKind.EVENING,
        )
        for number in range(6)
    )
    leave = tuple(
        Absence(
            ids[number],
            Interval(at(FIRST_DAY + timedelta(days=4 * number), 0), at(FIRST_DAY + timedelta(days=4 * number + 5), 0)),
        )
        for number in range(12)
    )
    targets = (
        CoverageRule(Window(WEEKDAYS, time(8, 30), time(17)), 3, mandate_level=2, minimum_mandate_holders=1),
        CoverageRule(Window(WEEKDAYS, time(17), time(22)), 1),
        CoverageRule(Window(WEEKEND, time(10), time(18)), 1),
        CoverageRule(Window(EVERY_DAY, time(22), time(7)), 1),
        CoverageRule(Window(frozenset({CLOSED_DAY}), time(10), time(16)), 1),
    )
    return Roster(people, rotations, overrides, fixed, leave, targets)


def one_run(roster: Roster, closed: frozenset[date]) -> tuple[float, float, int]:
    start, end = at(FIRST_DAY, 0), at(FIRST_DAY + timedelta(weeks=WEEKS), 0)
    started = clock.perf_counter()
    schedule = compute_schedule(roster, start, end, closed)
    built = clock.perf_counter()
    gaps(schedule)
    hours_per_person(schedule)
    fairness_summary(schedule)
    return built - started, clock.perf_counter() - built, len(schedule.intervals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()
    roster = synthetic_roster()
    closed = closed_dates(FIRST_DAY - timedelta(days=1), FIRST_DAY + timedelta(weeks=WEEKS, days=1), ClosingPolicy())
    runs = [one_run(roster, closed) for _ in range(arguments.repeat)]
    tracemalloc.start()
    one_run(roster, closed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    schedule_times = [run[0] for run in runs]
    query_times = [run[1] for run in runs]
    print(
        f"machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, {date.today()}"
    )
    print(
        f"roster: {len(roster.people)} people, {len(roster.rotations)} rotations, {WEEKS} weeks, {runs[0][2]} schedule intervals"
    )
    print(
        f"compute_schedule: median {statistics.median(schedule_times) * 1000:.1f} ms, slowest {max(schedule_times) * 1000:.1f} ms"
    )
    print(f"gaps + hours_per_person + fairness_summary: median {statistics.median(query_times) * 1000:.1f} ms")
    print(f"peak Python heap (tracemalloc, one schedule and its queries): {peak / 1024 / 1024:.2f} MiB")


if __name__ == "__main__":
    main()
