"""Working-time sanity: shifts too long, rest too short, weeks too full (defaults after the Arbeidstijdenwet).

Pure: reads a schedule, returns warnings. Every duty counts, on call included: a person scheduled
08:30–17:00, 17:00–22:00 and on call until 08:30 has one 24-hour stretch.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from webcare.timeutil import Interval, zone

from .schedule import Schedule


@dataclass(frozen=True)
class WorkingTimeLimits:
    max_shift: timedelta = timedelta(hours=12)
    min_rest: timedelta = timedelta(hours=11)
    max_week: timedelta = timedelta(hours=60)


@dataclass(frozen=True)
class WorkingTimeWarning:
    person_id: str
    kind: str  # "long_shift", "short_rest" or "long_week"
    start: datetime
    end: datetime
    hours: float


def duty_stretches(schedule: Schedule) -> dict[str, list[Interval]]:
    """Per person the unbroken stretches on duty (adjacent intervals joined), in time order."""
    stretches: dict[str, list[Interval]] = defaultdict(list)
    for interval in schedule.intervals:
        for person_id in interval.people:
            own = stretches[person_id]
            if own and own[-1].end >= interval.start:
                own[-1] = Interval(own[-1].start, max(own[-1].end, interval.end))
            else:
                own.append(Interval(interval.start, interval.end))
    return dict(stretches)


def _hours(duration: timedelta) -> float:
    return round(duration.total_seconds() / 3600, 1)


def working_time_warnings(
    schedule: Schedule, limits: WorkingTimeLimits = WorkingTimeLimits()
) -> list[WorkingTimeWarning]:
    tz = zone(schedule.timezone)
    warnings = []
    for person_id, stretches in sorted(duty_stretches(schedule).items()):
        weeks: dict[tuple[int, int], timedelta] = defaultdict(timedelta)
        for index, stretch in enumerate(stretches):
            if stretch.duration > limits.max_shift:
                warnings.append(
                    WorkingTimeWarning(person_id, "long_shift", stretch.start, stretch.end, _hours(stretch.duration))
                )
            if index and stretch.start - stretches[index - 1].end < limits.min_rest:
                rest = stretch.start - stretches[index - 1].end
                warnings.append(
                    WorkingTimeWarning(person_id, "short_rest", stretches[index - 1].end, stretch.start, _hours(rest))
                )
            weeks[stretch.start.astimezone(tz).isocalendar()[:2]] += stretch.duration
        for (year, week), worked in sorted(weeks.items()):
            if worked > limits.max_week:
                first = datetime.fromisocalendar(year, week, 1).replace(tzinfo=tz)
                warnings.append(
                    WorkingTimeWarning(person_id, "long_week", first, first + timedelta(days=7), _hours(worked))
                )
    return sorted(warnings, key=lambda warning: (warning.start, warning.person_id, warning.kind))
