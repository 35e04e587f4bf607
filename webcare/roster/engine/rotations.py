"""Window occurrences in UTC and whose turn each one is, counted from the rotation's phase anchor."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from webcare.timeutil import Interval, wall_clock_to_utc

from .model import Frequency, Rotation, Window

ONE_DAY = timedelta(days=1)


def local_days(span: Interval, tz: ZoneInfo) -> Iterator[date]:
    """Every local date on which an occurrence overlapping `span` can start (overnight ones included)."""
    day = span.start.astimezone(tz).date() - ONE_DAY
    last = span.end.astimezone(tz).date()
    while day <= last:
        yield day
        day += ONE_DAY


def window_occurrence(window: Window, day: date, tz: ZoneInfo) -> Interval:
    """The UTC interval of the window's occurrence starting on `day`; handoffs keep their local clock time."""
    end_day = day + ONE_DAY if window.is_overnight else day
    return Interval(wall_clock_to_utc(day, window.start, tz), wall_clock_to_utc(end_day, window.end, tz))


def window_occurrences(
    window: Window, span: Interval, tz: ZoneInfo, runs_on: Callable[[date], bool]
) -> Iterator[tuple[date, Interval]]:
    """Occurrences overlapping `span` on the days `runs_on` accepts, each with the day it starts on."""
    for day in local_days(span, tz):
        if runs_on(day):
            occurrence = window_occurrence(window, day, tz)
            if occurrence.start < span.end and occurrence.end > span.start:
                yield day, occurrence


def count_window_days(days: frozenset[int], first: date, stop: date) -> int:
    """How many dates in [first, stop) fall on `days`; negative when `stop` precedes `first`."""
    if stop < first:
        return -count_window_days(days, stop, first)
    weeks, remainder = divmod((stop - first).days, 7)
    start_weekday = first.weekday()
    return weeks * len(days) + sum(1 for offset in range(remainder) if (start_weekday + offset) % 7 in days)


def first_turn_day(rotation: Rotation) -> date:
    """The day of the first occurrence that starts at or after the anchor: the first person's turn."""
    day = rotation.anchor.date()
    if rotation.anchor.time() > rotation.window.start:
        day += ONE_DAY
    while day.weekday() not in rotation.window.days:
        day += ONE_DAY
    return day


def _weekly_handoffs(rotation: Rotation, span: Interval, tz: ZoneInfo) -> tuple[int, list[datetime]]:
    """The first turn number in reach of `span` and the UTC handoff instants from there on."""
    period = timedelta(weeks=rotation.interval)
    local_start = span.start.astimezone(tz).replace(tzinfo=None) - ONE_DAY
    local_end = span.end.astimezone(tz).replace(tzinfo=None)
    first_turn = (local_start - rotation.anchor) // period - 1
    last_turn = (local_end - rotation.anchor) // period + 1
    handoffs = []
    for turn in range(first_turn, last_turn + 1):
        moment = rotation.anchor + turn * period
        handoffs.append(wall_clock_to_utc(moment.date(), moment.time(), tz))
    return first_turn, handoffs


def rotation_turns(
    rotation: Rotation, span: Interval, tz: ZoneInfo, closed_dates: frozenset[date]
) -> Iterator[tuple[Interval, str]]:
    """Who of the rotation is on for each stretch of its window overlapping `span` (not yet clipped)."""
    window = rotation.window

    def runs_on(day: date) -> bool:
        return (
            day.weekday() in window.days
            and (rotation.effective_from is None or day >= rotation.effective_from)
            and (rotation.ends_on is None or day <= rotation.ends_on)
            and not (rotation.skip_closed_days and day in closed_dates)
        )

    people = rotation.people
    if rotation.frequency is Frequency.DAILY:
        anchor_day = first_turn_day(rotation)
        for day, occurrence in window_occurrences(window, span, tz, runs_on):
            turn = count_window_days(window.days, anchor_day, day) // rotation.interval
            yield occurrence, people[turn % len(people)]
        return

    first_turn, handoffs = _weekly_handoffs(rotation, span, tz)
    for _, occurrence in window_occurrences(window, span, tz, runs_on):
        index = bisect.bisect_right(handoffs, occurrence.start) - 1
        start = occurrence.start
        while start < occurrence.end:
            next_handoff = handoffs[index + 1] if index + 1 < len(handoffs) else occurrence.end
            end = min(occurrence.end, next_handoff)
            yield Interval(start, end), people[(first_turn + index) % len(people)]
            start, index = end, index + 1
