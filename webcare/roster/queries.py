"""What the roster pages show: days × shifts, the coverage heatmap, staffing advice, hours and fairness."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from webcare.roster.calendar import closing_day_names
from webcare.roster.engine import (
    Flag,
    Schedule,
    ScheduleInterval,
    ShiftKind,
    fairness_summary,
    hours_per_person,
)
from webcare.roster.erlang import coverage_by_hour_of_week, staffing_per_hour_of_week
from webcare.roster.store import TeamRoster, schedule_between
from webcare.timeutil import TimeBand, wall_clock_to_utc, zone

KINDS = (ShiftKind.OFFICE, ShiftKind.EVENING, ShiftKind.WEEKEND, ShiftKind.ON_CALL)
ADVICE_WEEKS = 8
DEFAULT_ANSWER_WITHIN = timedelta(hours=4)
TARGET_SERVICE_LEVEL = 0.8


@dataclass
class Stretch:
    start: datetime
    end: datetime
    names: list[str]
    label: str = ""


@dataclass
class DayRow:
    day: date
    closing_name: str | None
    cells: dict[ShiftKind, list[Stretch]] = field(default_factory=dict)
    gaps: list[Stretch] = field(default_factory=list)


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    tz = zone(timezone)
    return wall_clock_to_utc(day, time(0), tz), wall_clock_to_utc(day + timedelta(days=1), time(0), tz)


def _gap_label(interval: ScheduleInterval) -> str | None:
    if Flag.GAP in interval.flags:
        return "nobody"
    if Flag.NO_MANDATE_HOLDER in interval.flags:
        return "no_mandate"
    if Flag.BELOW_TARGET in interval.flags:
        return "below_target"
    return None


def _extend(stretches: list[Stretch], start: datetime, end: datetime, names: list[str], label: str = "") -> None:
    last = stretches[-1] if stretches else None
    if last and last.end == start and last.names == names and last.label == label:
        last.end = end
    else:
        stretches.append(Stretch(start, end, names, label))


def day_rows(team: TeamRoster, first_day: date, days: int) -> list[DayRow]:
    """One row per local day: per shift kind the stretches with who is on, and the gaps in words."""
    start, _ = day_bounds(first_day, team.timezone)
    _, end = day_bounds(first_day + timedelta(days=days - 1), team.timezone)
    schedule = schedule_between(team, start, end)
    names = closing_day_names(first_day, first_day + timedelta(days=days), team.spec.closing_policy)
    rows = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        day_start, day_end = day_bounds(day, team.timezone)
        row = DayRow(day, names.get(day), {kind: [] for kind in KINDS})
        for interval in schedule.intervals:
            if interval.end <= day_start or interval.start >= day_end:
                continue
            piece_start, piece_end = max(interval.start, day_start), min(interval.end, day_end)
            for kind in KINDS:
                people = sorted(team.person_name(duty.person_id) for duty in interval.duties if duty.kind is kind)
                if people:
                    _extend(row.cells[kind], piece_start, piece_end, people)
            label = _gap_label(interval)
            if label:
                _extend(row.gaps, piece_start, piece_end, sorted(team.person_name(p) for p in interval.people), label)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class HeatCell:
    people: int
    status: str  # "ok", "closed", "nobody", "no_mandate", "below_target"
    needed: int | None = None


def coverage_heatmap(team: TeamRoster, first_day: date) -> dict[tuple[int, int], HeatCell]:
    """For each (weekday, hour) of the week from `first_day` (a Monday): the fewest people on duty and the worst flag."""
    tz = zone(team.timezone)
    start, _ = day_bounds(first_day, team.timezone)
    _, end = day_bounds(first_day + timedelta(days=6), team.timezone)
    schedule = schedule_between(team, start, end)
    cells = {}
    severity = {"nobody": 3, "no_mandate": 2, "below_target": 1}
    for weekday in range(7):
        day = first_day + timedelta(days=weekday)
        for hour in range(24):
            hour_start = wall_clock_to_utc(day, time(hour), tz)
            hour_end = wall_clock_to_utc(day + timedelta(days=hour // 23), time((hour + 1) % 24), tz)
            overlapping = [i for i in schedule.intervals if i.start < hour_end and i.end > hour_start]
            if not overlapping:
                cells[(weekday, hour)] = HeatCell(0, "closed")
                continue
            people = min(len(i.people) for i in overlapping)
            labels = [label for i in overlapping if (label := _gap_label(i))]
            if labels:
                status = max(labels, key=severity.get)
            elif all(Flag.CLOSED in i.flags for i in overlapping):
                status = "closed"
            else:
                status = "ok"
            cells[(weekday, hour)] = HeatCell(people, status)
    return cells


@dataclass(frozen=True)
class StaffingAdvice:
    answer_within: timedelta
    average_handling: timedelta
    target_service_level: float
    slots: dict


def staffing_advice(
    team: TeamRoster,
    average_handling_seconds: int,
    *,
    arrivals: dict[tuple[int, int], float],
    answer_within: timedelta | None,
) -> StaffingAdvice:
    """Erlang C agents per hour of week from recent arrivals (new cases per weekday and local hour), to be
    answered within the protocol's normal first-response target, beside the roster's minimum coverage rule."""
    answer_within = answer_within or DEFAULT_ANSWER_WITHIN
    handling = timedelta(seconds=average_handling_seconds)
    slots = staffing_per_hour_of_week(
        arrivals,
        handling,
        answer_within,
        TARGET_SERVICE_LEVEL,
        coverage_by_hour_of_week(team.spec.roster.coverage_rules),
    )
    return StaffingAdvice(answer_within, handling, TARGET_SERVICE_LEVEL, slots)


@dataclass(frozen=True)
class HoursRow:
    name: str
    hours: dict[str, float]
    total: float


def hours_table(team: TeamRoster, first_day: date, last_day: date) -> tuple[list[HoursRow], list]:
    """Hours per person by band (office, evening, night, weekend, holiday) and the fairness rows, for whole days."""
    start, _ = day_bounds(first_day, team.timezone)
    _, end = day_bounds(last_day, team.timezone)
    schedule: Schedule = schedule_between(team, start, end)
    rows = [
        HoursRow(
            team.person_name(person_id), {band.value: getattr(hours, band.value) for band in TimeBand}, hours.total
        )
        for person_id, hours in hours_per_person(schedule, team.spec.office_hours).items()
    ]
    rows.sort(key=lambda row: row.name)
    fairness = [(team.person_name(row.person_id), row) for row in fairness_summary(schedule, team.spec.office_hours)]
    return rows, fairness
