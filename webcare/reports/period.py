"""A report request: the period of local days, the grouping, the clock and `now`, and the SQL they select by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_

from webcare.extensions import db
from webcare.inbox.models import Case
from webcare.reports.metrics import BREAKDOWNS, Clock
from webcare.reports.sql import local_day
from webcare.timeutil import UTC, as_utc, wall_clock_to_utc

MAX_PERIOD_DAYS = 3 * 366


class BadReportRequest(ValueError):
    """A period or breakdown that cannot be reported; the (translatable) message says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Period:
    """Local calendar days `first` through `last` (inclusive); cases count by their first inbound message."""

    first: date
    last: date

    def __post_init__(self):
        if self.last < self.first:
            raise BadReportRequest(
                _l("The period ends before it starts: choose a 'to' date on or after the 'from' date.")
            )
        if (self.last - self.first).days >= MAX_PERIOD_DAYS:
            raise BadReportRequest(_l("A period is at most %(days)d days; choose a shorter one.", days=MAX_PERIOD_DAYS))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one, for comparison."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The UTC half-open interval [start, end) of the local days."""
        return (
            wall_clock_to_utc(self.first, time(0), tz),
            wall_clock_to_utc(self.last + timedelta(days=1), time(0), tz),
        )

    def __str__(self) -> str:
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def report_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["WEBCARE_TIMEZONE"])


def is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@dataclass
class ReportQuery:
    """One report request: the period, the grouping, the clock and `now` (for breaches and the backlog)."""

    period: Period
    by: Sequence[str] = ()
    clock: Clock = Clock.CALENDAR
    now: datetime | None = None

    def __post_init__(self):
        unknown = [key for key in self.by if key not in BREAKDOWNS]
        if unknown:
            raise BadReportRequest(
                _l(
                    "Unknown breakdown %(unknown)s; choose from %(known)s.",
                    unknown=", ".join(unknown),
                    known=", ".join(BREAKDOWNS),
                )
            )
        self.clock = Clock(self.clock)
        self.tz = report_zone()
        self.start, self.end = self.period.bounds(self.tz)
        self.now = as_utc(self.now) if self.now else datetime.now(UTC)

    def in_period(self) -> ColumnElement[bool]:
        return and_(Case.first_inbound_at >= self.start, Case.first_inbound_at < self.end)

    def group_columns(self) -> list[ColumnElement]:
        columns = []
        for index, key in enumerate(self.by):
            columns.append(self._group_expression(key).label(f"g{index}"))
        return columns

    def _group_expression(self, key: str) -> ColumnElement:
        simple = {
            "channel": Case.channel,
            "account": Case.account_id,
            "topic": Case.topic,
            "action": Case.action,
            "priority": Case.priority,
            "band": Case.arrival_band,
            "hour_of_week": Case.arrival_hour_of_week,
            "agent": Case.owner_id,
            "team": Case.team_id,
        }
        if key in simple:
            return simple[key]
        return local_day(Case.first_inbound_at, self.tz, self.start, self.end, week=key == "week")


def plain_value(value):
    """A group key as stored: enum members become their value."""
    return value.value if hasattr(value, "value") else value
