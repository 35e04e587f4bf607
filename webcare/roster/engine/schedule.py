"""The final schedule: who is on duty when, after precedence, leave and coverage targets (pure)."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from webcare.timeutil import Interval, as_utc, zone

from .model import (
    CLOSED_DAY,
    Absence,
    CoverageRule,
    FixedShift,
    Override,
    OverrideAction,
    Person,
    Roster,
    ShiftKind,
    Target,
)
from .rotations import rotation_turns, window_occurrences


class Flag(enum.StrEnum):
    GAP = "gap"
    CLOSED = "closed"
    BELOW_TARGET = "below_target"
    NO_MANDATE_HOLDER = "no_mandate_holder"


@dataclass(frozen=True, order=True)
class Duty:
    person_id: str
    kind: ShiftKind


@dataclass(frozen=True)
class ScheduleInterval:
    """A stretch of time [start, end) in UTC with the same people, kinds, target and flags throughout."""

    start: datetime
    end: datetime
    duties: frozenset[Duty]
    flags: frozenset[Flag]
    target: Target | None

    @property
    def span(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def people(self) -> frozenset[str]:
        return frozenset(duty.person_id for duty in self.duties)

    @property
    def kinds(self) -> frozenset[ShiftKind]:
        return frozenset(duty.kind for duty in self.duties)

    def kinds_of(self, person_id: str) -> frozenset[ShiftKind]:
        return frozenset(duty.kind for duty in self.duties if duty.person_id == person_id)


@dataclass(frozen=True)
class Schedule:
    """Consecutive intervals covering the whole requested window, with the context to read them."""

    intervals: tuple[ScheduleInterval, ...]
    people: dict[str, Person]
    closed_dates: frozenset[date]
    timezone: str


@dataclass(frozen=True)
class _RotationTurn:
    priority: int
    person_id: str
    kind: ShiftKind


_Source = _RotationTurn | Override | FixedShift | Absence | Target


def _duties_at(active: dict[int, _Source]) -> set[Duty]:
    """Fixed shifts decide alone; otherwise the highest rotation level, edited by overrides in file order."""
    sources = [active[index] for index in sorted(active)]
    fixed = [source for source in sources if isinstance(source, FixedShift)]
    if fixed:
        duties = {Duty(shift.person_id, shift.kind) for shift in fixed}
    else:
        turns = [source for source in sources if isinstance(source, _RotationTurn)]
        top = max((turn.priority for turn in turns), default=None)
        duties = {Duty(turn.person_id, turn.kind) for turn in turns if turn.priority == top}
        for override in (source for source in sources if isinstance(source, Override)):
            _apply_override(override, duties)
    absent = {source.person_id for source in sources if isinstance(source, Absence)}
    return {duty for duty in duties if duty.person_id not in absent}


def _apply_override(override: Override, duties: set[Duty]) -> None:
    if override.action is OverrideAction.ADD:
        duties.add(Duty(override.person_id, override.kind))
        return
    replaced = {duty for duty in duties if duty.person_id == override.person_id}
    duties -= replaced
    if override.action is OverrideAction.REPLACE:
        duties |= {Duty(override.replacement_id, override.kind or duty.kind) for duty in replaced}


def _target_at(active: dict[int, _Source]) -> Target | None:
    targets = [source for source in active.values() if isinstance(source, Target)]
    if not targets:
        return None
    mandate_minimums: dict[int, int] = defaultdict(int)
    for target in targets:
        for level, count in target.mandate_minimums:
            mandate_minimums[level] = max(mandate_minimums[level], count)
    merged = Target(max(target.minimum_people for target in targets), tuple(sorted(mandate_minimums.items())))
    return merged if merged.required_people > 0 else None


def _flags(duties: set[Duty], target: Target | None, people: dict[str, Person]) -> frozenset[Flag]:
    if target is None:
        return frozenset({Flag.CLOSED})
    on_duty = {duty.person_id for duty in duties}
    flags = set()
    if not on_duty:
        flags.add(Flag.GAP)
    if len(on_duty) < target.minimum_people:
        flags.add(Flag.BELOW_TARGET)
    for level, count in target.mandate_minimums:
        holders = sum(1 for person_id in on_duty if person_id in people and people[person_id].mandate_level >= level)
        if holders < count:
            flags.add(Flag.NO_MANDATE_HOLDER)
    return frozenset(flags)


def _rule_target(rule: CoverageRule) -> Target:
    mandate = ((rule.mandate_level, rule.minimum_mandate_holders),) if rule.minimum_mandate_holders else ()
    return Target(rule.minimum_people, mandate)


def _sources(roster: Roster, span: Interval, closed_dates: frozenset[date]) -> list[tuple[Interval, _Source]]:
    tz = zone(roster.timezone)
    sources: list[tuple[Interval, _Source]] = []
    for rotation in roster.rotations:
        for stretch, person_id in rotation_turns(rotation, span, tz, closed_dates):
            sources.append((stretch, _RotationTurn(rotation.priority, person_id, rotation.kind)))
    for rule in roster.coverage_rules:
        days = rule.window.days

        def applies_on(day: date, days: frozenset[int] = days) -> bool:
            return CLOSED_DAY in days if day in closed_dates else day.weekday() in days

        target = _rule_target(rule)
        sources += [(occurrence, target) for _, occurrence in window_occurrences(rule.window, span, tz, applies_on)]
    for dated in (*roster.overrides, *roster.fixed_shifts, *roster.absences):
        sources.append((dated.span, dated))
    return sources


def compute_schedule(
    roster: Roster, start: datetime, end: datetime, closed_dates: frozenset[date] = frozenset()
) -> Schedule:
    """The final schedule for [start, end): sorted, non-overlapping, identical neighbours merged.

    `closed_dates` are the organisation's closing days (local dates) around the window.
    """
    span = Interval(as_utc(start), as_utc(end))
    if span.end <= span.start:
        raise ValueError("the schedule window must end after it starts")
    starting: dict[datetime, list[int]] = defaultdict(list)
    ending: dict[datetime, list[int]] = defaultdict(list)
    by_index: list[_Source] = []
    for interval, source in _sources(roster, span, closed_dates):
        clipped_start, clipped_end = max(interval.start, span.start), min(interval.end, span.end)
        if clipped_start < clipped_end:
            starting[clipped_start].append(len(by_index))
            ending[clipped_end].append(len(by_index))
            by_index.append(source)

    boundaries = sorted({span.start, span.end, *starting, *ending})
    active: dict[int, _Source] = {}
    intervals: list[ScheduleInterval] = []
    for moment, following in zip(boundaries, boundaries[1:]):
        for index in ending.get(moment, ()):
            del active[index]
        for index in starting.get(moment, ()):
            active[index] = by_index[index]
        duties = _duties_at(active)
        target = _target_at(active)
        content = (frozenset(duties), _flags(duties, target, roster.people_by_id), target)
        previous = intervals[-1] if intervals else None
        if previous and (previous.duties, previous.flags, previous.target) == content:
            intervals[-1] = ScheduleInterval(previous.start, following, *content)
        else:
            intervals.append(ScheduleInterval(moment, following, *content))
    return Schedule(tuple(intervals), dict(roster.people_by_id), frozenset(closed_dates), roster.timezone)
