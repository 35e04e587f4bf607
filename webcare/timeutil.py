"""Time arithmetic: UTC storage, wall-clock rules, time bands and staffed-time durations (pure)."""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = UTC
DEFAULT_TIMEZONE = "Europe/Amsterdam"


def zone(name: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    return ZoneInfo(name)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; naive input is taken to be UTC already (how SQLite returns it)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def wall_clock_to_utc(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local clock time; a time skipped by DST moves to the first valid instant.

    In the repeated autumn hour the first occurrence (summer time) is taken.
    """
    naive = datetime.combine(day, clock.replace(tzinfo=None))
    candidate = naive.replace(tzinfo=tz, fold=0)
    round_trip = candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:
        # Nonexistent local time: the instant the clock jumped forward is the first valid one.
        earliest = min(
            naive.replace(tzinfo=tz, fold=1), naive.replace(tzinfo=tz, fold=0), key=lambda d: d.astimezone(UTC)
        )
        transition = earliest.astimezone(UTC).replace(second=0, microsecond=0)
        offset_before = transition.astimezone(tz).utcoffset()
        while transition.astimezone(tz).utcoffset() == offset_before:
            transition += timedelta(minutes=1)
        return transition
    return candidate.astimezone(UTC)


class TimeBand(enum.StrEnum):
    OFFICE = "office"
    EVENING = "evening"
    NIGHT = "night"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"


@dataclass(frozen=True)
class OfficeHours:
    """Weekly opening hours in local clock time; weekday 0 is Monday. Evening runs to `evening_end`."""

    opening: dict[int, tuple[time, time]]
    evening_end: time = time(22, 0)

    @classmethod
    def weekdays(cls, start: time = time(8, 30), end: time = time(17, 0), evening_end: time = time(22, 0)):
        return cls({weekday: (start, end) for weekday in range(5)}, evening_end)


def time_band(
    moment: datetime,
    office_hours: OfficeHours,
    closed_dates: frozenset[date] | set[date] = frozenset(),
    tz: ZoneInfo | None = None,
) -> TimeBand:
    """Which band of the week a moment falls in, judged by the local wall clock."""
    local = as_utc(moment).astimezone(tz or zone())
    if local.date() in closed_dates:
        return TimeBand.HOLIDAY
    opening = office_hours.opening.get(local.weekday())
    if opening is None:
        return TimeBand.WEEKEND
    start, end = opening
    clock = local.time().replace(tzinfo=None)
    if start <= clock < end:
        return TimeBand.OFFICE
    if end <= clock < office_hours.evening_end:
        return TimeBand.EVENING
    return TimeBand.NIGHT


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open UTC interval [start, end)."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def office_intervals(
    office_hours: OfficeHours,
    first_day: date,
    last_day: date,
    closed_dates: frozenset[date] | set[date] = frozenset(),
    tz: ZoneInfo | None = None,
) -> list[Interval]:
    """The UTC intervals the office is open, day by day, closed dates left out."""
    tz = tz or zone()
    intervals = []
    day = first_day
    while day <= last_day:
        opening = office_hours.opening.get(day.weekday())
        if opening is not None and day not in closed_dates:
            start, end = opening
            intervals.append(Interval(wall_clock_to_utc(day, start, tz), wall_clock_to_utc(day, end, tz)))
        day += timedelta(days=1)
    return intervals


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same time."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


class StaffedClock:
    """Durations and deadlines counted only inside given (staffed or office) intervals."""

    def __init__(self, intervals: Iterable[Interval]):
        self.intervals: Sequence[Interval] = merge_intervals(intervals)
        self._starts = [interval.start for interval in self.intervals]
        self._cumulative = [timedelta(0)]
        for interval in self.intervals:
            self._cumulative.append(self._cumulative[-1] + interval.duration)

    def _elapsed_before(self, moment: datetime) -> timedelta:
        index = bisect.bisect_right(self._starts, moment) - 1
        if index < 0:
            return timedelta(0)
        interval = self.intervals[index]
        return self._cumulative[index] + (min(moment, interval.end) - interval.start)

    def duration(self, start: datetime, end: datetime) -> timedelta:
        """Staffed time between two moments (zero when end precedes start)."""
        if end <= start:
            return timedelta(0)
        return self._elapsed_before(as_utc(end)) - self._elapsed_before(as_utc(start))

    def add(self, start: datetime, amount: timedelta) -> datetime | None:
        """The moment `amount` of staffed time after `start`; None when the intervals run out."""
        target = self._elapsed_before(as_utc(start)) + amount
        index = bisect.bisect_left(self._cumulative, target) - 1
        if amount <= timedelta(0):
            index = max(index, 0)
        if index >= len(self.intervals) or index < 0:
            return None
        interval = self.intervals[index]
        moment = interval.start + (target - self._cumulative[index])
        return max(moment, as_utc(start))
