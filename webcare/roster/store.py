"""The engine's inputs built from the database, and computed schedules cached per team and week."""

from __future__ import annotations

import threading
import time as monotonic_time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from webcare.extensions import db
from webcare.roster.calendar import ClosingDay, ClosingPolicy, LiberationDay
from webcare.roster.engine import (
    Absence,
    CoverageRule,
    FixedShift,
    Frequency,
    Override,
    Person,
    Roster,
    Rotation,
    Schedule,
    ScheduleInterval,
    Window,
)
from webcare.roster.fileformat import RosterSpec, build_schedule
from webcare.roster.models import (
    ClosingDayEntry,
    CoverageTarget,
    EntrySource,
    FixedShiftEntry,
    LeaveEntry,
    OverrideEntry,
    RosterConfig,
    RosterPerson,
    RotationEntry,
)
from webcare.timeutil import Interval, OfficeHours, as_utc, wall_clock_to_utc, zone

CACHE_SECONDS = 300
CACHE_LIMIT = 512
_lock = threading.Lock()
_heads_read: ContextVar[list[tuple[int, int, int]] | None] = ContextVar("roster_heads_read", default=None)


@dataclass(frozen=True)
class TeamRoster:
    """One team's roster as the engine sees it, with the links from roster person ids to users."""

    roster_id: int
    team_id: int
    team_name: str
    revision: int
    spec: RosterSpec
    user_ids: dict[str, int | None]

    @property
    def timezone(self) -> str:
        return self.spec.roster.timezone

    def person_name(self, person_id: str) -> str:
        person = self.spec.roster.people_by_id.get(person_id)
        return person.name if person else person_id


def _cache() -> dict:
    return current_app.extensions.setdefault("webcare_roster_cache", {})


def cached(key: tuple, compute):
    """The value cached under `key` (for a few minutes), computed when missing."""
    cache = _cache()
    now = monotonic_time.monotonic()
    with _lock:
        found = cache.get(key)
        if found is not None and now - found[0] < CACHE_SECONDS:
            return found[1]
    value = compute()
    with _lock:
        if len(cache) >= CACHE_LIMIT:
            for stale in sorted(cache, key=lambda k: cache[k][0])[: CACHE_LIMIT // 4]:
                del cache[stale]
        cache[key] = (now, value)
    return value


def clear_cache() -> None:
    """Forget every computed schedule (revisions already make edits visible; tests use this)."""
    with _lock:
        _cache().clear()


def roster_heads() -> list[tuple[int, int, int]]:
    """(roster id, team id, revision) of every configured roster, one cheap query."""
    heads = _heads_read.get()
    if heads is not None:
        return heads
    rows = db.session.execute(
        select(RosterConfig.id, RosterConfig.team_id, RosterConfig.revision).order_by(RosterConfig.id)
    )
    return [tuple(row) for row in rows]


@contextmanager
def roster_heads_read_once() -> Iterator[None]:
    """Within the block, roster_heads() asks the database once: a worker's batch times every case against
    the same rosters, and one query per first response cost more than the rest of the timing."""
    token = _heads_read.set(roster_heads())
    try:
        yield
    finally:
        _heads_read.reset(token)


def team_roster_for(team_id: int) -> TeamRoster | None:
    """The roster of a team, or None when the team has none."""
    for roster_id, head_team_id, revision in roster_heads():
        if head_team_id == team_id:
            return cached(("spec", roster_id, revision), lambda roster_id=roster_id: _load(roster_id))
    return None


def all_team_rosters() -> list[TeamRoster]:
    return [
        cached(("spec", roster_id, revision), lambda rid=roster_id: _load(rid))
        for roster_id, _t, revision in roster_heads()
    ]


def _window(days: list, start: time, end: time) -> Window:
    return Window(frozenset(int(day) for day in days), start, end)


def _load(roster_id: int) -> TeamRoster:
    config = db.session.get(RosterConfig, roster_id)
    people = list(
        db.session.scalars(
            select(RosterPerson)
            .where(RosterPerson.roster_id == roster_id)
            .order_by(RosterPerson.position, RosterPerson.id)
        )
    )
    key_of = {person.id: person.key for person in people}
    rotations = db.session.scalars(
        select(RotationEntry)
        .where(RotationEntry.roster_id == roster_id)
        .order_by(RotationEntry.position, RotationEntry.id)
    )
    overrides = sorted(
        db.session.scalars(select(OverrideEntry).where(OverrideEntry.roster_id == roster_id)),
        key=lambda entry: (entry.source is not EntrySource.FILE, entry.position, entry.id),
    )
    roster = Roster(
        people=tuple(
            Person(person.key, person.name, person.mandate_level, frozenset(person.topics), frozenset(person.languages))
            for person in people
        ),
        rotations=tuple(
            Rotation(
                id=rotation.key,
                kind=rotation.kind,
                people=tuple(rotation.people),
                window=_window(rotation.days, rotation.start_time, rotation.end_time),
                anchor=rotation.anchor.replace(tzinfo=None),
                frequency=Frequency(rotation.frequency),
                interval=rotation.interval,
                effective_from=rotation.effective_from,
                ends_on=rotation.ends_on,
                priority=rotation.priority,
                skip_closed_days=rotation.skip_closed_days,
            )
            for rotation in rotations
        ),
        overrides=tuple(
            Override(
                entry.action,
                key_of[entry.person_id],
                Interval(entry.start_at, entry.end_at),
                replacement_id=key_of.get(entry.replacement_id),
                kind=entry.kind,
                reason=entry.reason,
            )
            for entry in overrides
        ),
        fixed_shifts=tuple(
            FixedShift(key_of[entry.person_id], Interval(entry.start_at, entry.end_at), entry.kind)
            for entry in db.session.scalars(
                select(FixedShiftEntry).where(FixedShiftEntry.roster_id == roster_id).order_by(FixedShiftEntry.id)
            )
        ),
        absences=tuple(
            Absence(key_of[entry.person_id], Interval(entry.start_at, entry.end_at), entry.reason)
            for entry in db.session.scalars(
                select(LeaveEntry).where(LeaveEntry.roster_id == roster_id).order_by(LeaveEntry.id)
            )
        ),
        coverage_rules=tuple(
            CoverageRule(
                _window(target.days, target.start_time, target.end_time),
                target.minimum,
                target.mandate_level,
                target.mandate_minimum,
            )
            for target in db.session.scalars(
                select(CoverageTarget)
                .where(CoverageTarget.roster_id == roster_id)
                .order_by(CoverageTarget.position, CoverageTarget.id)
            )
        ),
        timezone=config.timezone,
    )
    closing = ClosingPolicy(
        good_friday_closed=config.good_friday_closed,
        liberation_day=LiberationDay(config.liberation_day),
        extra_days=tuple(
            ClosingDay(entry.day, entry.name)
            for entry in db.session.scalars(
                select(ClosingDayEntry).where(ClosingDayEntry.roster_id == roster_id).order_by(ClosingDayEntry.day)
            )
        ),
    )
    office_hours = OfficeHours(
        {int(day): (config.office_start, config.office_end) for day in config.office_days}, config.evening_end
    )
    spec = RosterSpec(roster, closing, office_hours, config.source or f"team {config.team.name}", team=config.team.name)
    return TeamRoster(
        roster_id,
        config.team_id,
        config.team.name,
        config.revision,
        spec,
        {person.key: person.user_id for person in people},
    )


def week_start(moment: datetime, timezone: str) -> datetime:
    """The UTC instant of local Monday 00:00 of the week holding `moment`."""
    tz = zone(timezone)
    local_day = as_utc(moment).astimezone(tz).date()
    return wall_clock_to_utc(local_day - timedelta(days=local_day.weekday()), time(0), tz)


def _week_schedule(team: TeamRoster, start: datetime) -> Schedule:
    def compute() -> Schedule:
        tz = zone(team.timezone)
        local_monday = start.astimezone(tz).date()
        end = wall_clock_to_utc(local_monday + timedelta(days=7), time(0), tz)
        return build_schedule(team.spec, start, end)

    return cached(("week", team.roster_id, team.revision, start), compute)


def schedule_between(team: TeamRoster, start: datetime, end: datetime) -> Schedule:
    """The final schedule for [start, end), stitched from cached weekly schedules."""
    start, end = as_utc(start), as_utc(end)
    tz = zone(team.timezone)
    weeks = []
    chunk = week_start(start, team.timezone)
    while chunk < end:
        weeks.append(_week_schedule(team, chunk))
        local_monday = chunk.astimezone(tz).date()
        chunk = wall_clock_to_utc(local_monday + timedelta(days=7), time(0), tz)
    intervals: list[ScheduleInterval] = []
    closed: set = set()
    for week in weeks:
        closed |= week.closed_dates
        for interval in week.intervals:
            clipped_start, clipped_end = max(interval.start, start), min(interval.end, end)
            if clipped_start >= clipped_end:
                continue
            previous = intervals[-1] if intervals else None
            content = (interval.duties, interval.flags, interval.target)
            if (
                previous
                and previous.end == clipped_start
                and (previous.duties, previous.flags, previous.target) == content
            ):
                intervals[-1] = ScheduleInterval(previous.start, clipped_end, *content)
            else:
                intervals.append(ScheduleInterval(clipped_start, clipped_end, *content))
    return Schedule(tuple(intervals), dict(team.spec.roster.people_by_id), frozenset(closed), team.timezone)
