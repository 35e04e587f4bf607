"""Questions asked of a final schedule: who is on now, the next change, staffed time, gaps, hours."""

from __future__ import annotations

import bisect
import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from webcare.timeutil import (
    Interval,
    OfficeHours,
    TimeBand,
    as_utc,
    merge_intervals,
    time_band,
    wall_clock_to_utc,
    zone,
)

from .model import Requirements, Target
from .rotations import ONE_DAY, local_days
from .schedule import Flag, Schedule, ScheduleInterval

UNPLEASANT_BANDS = (TimeBand.EVENING, TimeBand.NIGHT, TimeBand.WEEKEND, TimeBand.HOLIDAY)


class GapKind(enum.StrEnum):
    NOBODY = "nobody"
    NOBODY_WITH_MANDATE = "nobody_with_mandate"
    BELOW_TARGET = "below_target"


@dataclass(frozen=True)
class Gap:
    start: datetime
    end: datetime
    kind: GapKind
    people: frozenset[str]
    target: Target


def _index_at(schedule: Schedule, moment: datetime) -> int | None:
    moment = as_utc(moment)
    index = bisect.bisect_right(schedule.intervals, moment, key=lambda interval: interval.start) - 1
    if index < 0 or moment >= schedule.intervals[index].end:
        return None
    return index


def interval_at(schedule: Schedule, moment: datetime) -> ScheduleInterval | None:
    """The schedule interval holding `moment`, or None outside the computed window."""
    index = _index_at(schedule, moment)
    return None if index is None else schedule.intervals[index]


def _qualified(schedule: Schedule, people: frozenset[str], requirements: Requirements | None) -> frozenset[str]:
    if requirements is None:
        return people
    return frozenset(
        person_id
        for person_id in people
        if person_id in schedule.people and requirements.met_by(schedule.people[person_id])
    )


def on_duty_at(schedule: Schedule, moment: datetime, requirements: Requirements | None = None) -> frozenset[str]:
    """Ids of the people on duty at `moment`, only those meeting `requirements` when given."""
    interval = interval_at(schedule, moment)
    return _qualified(schedule, interval.people, requirements) if interval else frozenset()


def next_change_after(schedule: Schedule, moment: datetime) -> datetime | None:
    """When the set of people on duty next changes after `moment`; None when not within the schedule."""
    index = _index_at(schedule, moment)
    if index is None:
        return None
    current = schedule.intervals[index]
    for interval in schedule.intervals[index + 1 :]:
        if interval.people != current.people:
            return interval.start
    return None


def staffed_intervals(schedule: Schedule, requirements: Requirements | None = None) -> list[Interval]:
    """Merged UTC intervals with at least one (qualified) person on duty, for the SLA's StaffedClock."""
    return merge_intervals(
        interval.span for interval in schedule.intervals if _qualified(schedule, interval.people, requirements)
    )


def _gap_kind(interval: ScheduleInterval) -> GapKind | None:
    if Flag.GAP in interval.flags:
        return GapKind.NOBODY
    if Flag.NO_MANDATE_HOLDER in interval.flags:
        return GapKind.NOBODY_WITH_MANDATE
    if Flag.BELOW_TARGET in interval.flags:
        return GapKind.BELOW_TARGET
    return None


def gaps(schedule: Schedule) -> list[Gap]:
    """Stretches short of the coverage target, most severe kind first; closed periods are never gaps."""
    found: list[Gap] = []
    for interval in schedule.intervals:
        kind = _gap_kind(interval)
        if kind is None:
            continue
        previous = found[-1] if found else None
        if previous and previous.end == interval.start and previous.kind == kind and previous.people == interval.people:
            found[-1] = Gap(previous.start, interval.end, kind, interval.people, previous.target)
        else:
            found.append(Gap(interval.start, interval.end, kind, interval.people, interval.target))
    return found


@dataclass(frozen=True)
class BandHours:
    """Hours on duty per time band, counted from UTC differences."""

    office: float = 0.0
    evening: float = 0.0
    night: float = 0.0
    weekend: float = 0.0
    holiday: float = 0.0

    @property
    def total(self) -> float:
        return self.office + self.evening + self.night + self.weekend + self.holiday


@dataclass(frozen=True)
class FairnessRow:
    """One person's share of the unpleasant slots: hours and number of separate stretches per band."""

    person_id: str
    hours: dict[TimeBand, float] = field(default_factory=dict)
    slots: dict[TimeBand, int] = field(default_factory=dict)

    @property
    def unpleasant_hours(self) -> float:
        return sum(self.hours.values())


def _band_boundaries(schedule: Schedule, office_hours: OfficeHours) -> list[datetime]:
    tz = zone(schedule.timezone)
    span = Interval(schedule.intervals[0].start, schedule.intervals[-1].end)
    boundaries = set()
    for day in local_days(span, tz):
        clocks = [time(0)]
        if day.weekday() in office_hours.opening:
            clocks += [*office_hours.opening[day.weekday()], office_hours.evening_end]
        boundaries.update(wall_clock_to_utc(day, clock, tz) for clock in clocks)
    boundaries.add(wall_clock_to_utc(day + ONE_DAY, time(0), tz))
    return sorted(boundaries)


def banded_duty(schedule: Schedule, office_hours: OfficeHours) -> list[tuple[Interval, TimeBand, ScheduleInterval]]:
    """The staffed intervals cut at time-band boundaries (local clock), each piece with its band."""
    if not schedule.intervals:
        return []
    tz = zone(schedule.timezone)
    boundaries = _band_boundaries(schedule, office_hours)
    pieces = []
    for interval in schedule.intervals:
        if not interval.duties:
            continue
        cuts = boundaries[
            bisect.bisect_right(boundaries, interval.start) : bisect.bisect_left(boundaries, interval.end)
        ]
        edges = [interval.start, *cuts, interval.end]
        for piece_start, piece_end in zip(edges, edges[1:]):
            band = time_band(piece_start, office_hours, schedule.closed_dates, tz)
            pieces.append((Interval(piece_start, piece_end), band, interval))
    return pieces


def _hours(duration: timedelta) -> float:
    return duration.total_seconds() / 3600


def hours_per_person(schedule: Schedule, office_hours: OfficeHours | None = None) -> dict[str, BandHours]:
    """Hours on duty per person split into office, evening, night, weekend and holiday (closing days)."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for piece, band, interval in banded_duty(schedule, office_hours or OfficeHours.weekdays()):
        for person_id in interval.people:
            totals[person_id][band.value] += _hours(piece.duration)
    return {person_id: BandHours(**bands) for person_id, bands in sorted(totals.items())}


def fairness_summary(schedule: Schedule, office_hours: OfficeHours | None = None) -> list[FairnessRow]:
    """Everyone's evening, night, weekend and holiday hours and slots, most burdened first."""
    hours: dict[str, dict[TimeBand, float]] = {person_id: defaultdict(float) for person_id in schedule.people}
    slots: dict[str, dict[TimeBand, int]] = {person_id: defaultdict(int) for person_id in schedule.people}
    last_end: dict[tuple[str, TimeBand], datetime] = {}
    for piece, band, interval in banded_duty(schedule, office_hours or OfficeHours.weekdays()):
        if band not in UNPLEASANT_BANDS:
            continue
        for person_id in interval.people:
            hours.setdefault(person_id, defaultdict(float))[band] += _hours(piece.duration)
            if last_end.get((person_id, band)) != piece.start:
                slots.setdefault(person_id, defaultdict(int))[band] += 1
            last_end[(person_id, band)] = piece.end
    rows = [
        FairnessRow(
            person_id,
            {band: hours[person_id].get(band, 0.0) for band in UNPLEASANT_BANDS},
            {band: slots.get(person_id, {}).get(band, 0) for band in UNPLEASANT_BANDS},
        )
        for person_id in hours
    ]
    return sorted(rows, key=lambda row: (-row.unpleasant_hours, row.person_id))
