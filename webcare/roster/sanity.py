"""Working-time warnings for a team's schedule over some days, with names, for the roster pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app

from webcare.roster.engine.working_time import WorkingTimeLimits, working_time_warnings
from webcare.roster.queries import day_bounds
from webcare.roster.store import TeamRoster, schedule_between


@dataclass(frozen=True)
class NamedWarning:
    name: str
    kind: str
    start: datetime
    end: datetime
    hours: float


def configured_limits() -> WorkingTimeLimits:
    """The limits from the settings (WEBCARE_MAX_SHIFT_HOURS, _MIN_REST_HOURS, _MAX_WEEK_HOURS) or the law's."""
    config = current_app.config
    return WorkingTimeLimits(
        max_shift=timedelta(hours=float(config.get("WEBCARE_MAX_SHIFT_HOURS", 12))),
        min_rest=timedelta(hours=float(config.get("WEBCARE_MIN_REST_HOURS", 11))),
        max_week=timedelta(hours=float(config.get("WEBCARE_MAX_WEEK_HOURS", 60))),
    )


def warnings_for_days(team: TeamRoster, first_day: date, days: int, limits: WorkingTimeLimits) -> list[NamedWarning]:
    """Warnings that touch the days from `first_day`; a day either side is read so rest across the edge counts."""
    start, _ = day_bounds(first_day, team.timezone)
    _, end = day_bounds(first_day + timedelta(days=days - 1), team.timezone)
    schedule = schedule_between(team, start - timedelta(days=1), end + timedelta(days=1))
    return [
        NamedWarning(team.person_name(warning.person_id), warning.kind, warning.start, warning.end, warning.hours)
        for warning in working_time_warnings(schedule, limits)
        if warning.end > start and warning.start < end
    ]
