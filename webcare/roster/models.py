"""Rosters in the database: one per team, with people, rotations, targets, overrides, leave, swaps and duty records."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Time,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.auth.models import Team, User
from webcare.extensions import BigId, db, string_enum
from webcare.roster.engine import OverrideAction, ShiftKind, SwapStatus
from webcare.timeutil import utcnow


def new_feed_token() -> str:
    """A random, unguessable token for a calendar feed URL (about 190 bits)."""
    return secrets.token_urlsafe(24)


class EntrySource(enum.StrEnum):
    """Where a dated entry came from: a re-import replaces the file's entries and keeps the others."""

    FILE = "file"
    APP = "app"
    SWAP = "swap"


class RosterConfig(db.Model):
    """A team's roster: time zone, closing policy, office hours, settings and the revision that keys the cache."""

    __tablename__ = "roster_configs"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    good_friday_closed: Mapped[bool] = mapped_column(default=True)
    liberation_day: Mapped[str] = mapped_column(String(16), default="lustrum")
    office_days: Mapped[list] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4])
    office_start: Mapped[time] = mapped_column(Time, default=time(8, 30))
    office_end: Mapped[time] = mapped_column(Time, default=time(17, 0))
    evening_end: Mapped[time] = mapped_column(Time, default=time(22, 0))
    average_handling_seconds: Mapped[int] = mapped_column(default=300)
    team_feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)
    revision: Mapped[int] = mapped_column(default=1)
    source: Mapped[str] = mapped_column(String(255), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[Team] = relationship()
    people: Mapped[list[RosterPerson]] = relationship(
        back_populates="roster", order_by="RosterPerson.position", cascade="all, delete-orphan"
    )

    def touch(self) -> None:
        """Mark the roster changed, so every cached schedule of it is recomputed."""
        self.revision += 1
        self.updated_at = utcnow()


class ClosingDayEntry(db.Model):
    """One of the organisation's own closing days (public holidays come from the calendar)."""

    __tablename__ = "roster_closing_days"
    __table_args__ = (UniqueConstraint("roster_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster_configs.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120))


class RosterPerson(db.Model):
    """Someone on a roster, linked to a user by e-mail; `key` is the id used in the roster file."""

    __tablename__ = "roster_people"
    __table_args__ = (UniqueConstraint("roster_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster_configs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    mandate_level: Mapped[int] = mapped_column(default=0)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=lambda: ["nl"])
    position: Mapped[int] = mapped_column(default=0)
    is_listed: Mapped[bool] = mapped_column(default=True)
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)

    roster: Mapped[RosterConfig] = relationship(back_populates="people")
    user: Mapped[User | None] = relationship()


class RotationEntry(db.Model):
    """A rotation: people (by key, in turn order) taking turns on a window of local clock times."""

    __tablename__ = "roster_rotations"
    __table_args__ = (UniqueConstraint("roster_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster_configs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[ShiftKind] = mapped_column(string_enum(ShiftKind))
    people: Mapped[list] = mapped_column(JSON)
    days: Mapped[list] = mapped_column(JSON)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    anchor: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    frequency: Mapped[str] = mapped_column(String(16), default="daily")
    interval: Mapped[int] = mapped_column(default=1)
    effective_from: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[int] = mapped_column(default=0)
    skip_closed_days: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)


class CoverageTarget(db.Model):
    """At least `minimum` people on a window, of whom `mandate_minimum` hold `mandate_level` (days 7 = closing days)."""

    __tablename__ = "roster_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster_configs.id", ondelete="CASCADE"), index=True)
    days: Mapped[list] = mapped_column(JSON)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    minimum: Mapped[int] = mapped_column(default=0)
    mandate_level: Mapped[int] = mapped_column(default=0)
    mandate_minimum: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)


class OverrideEntry(db.Model):
    """Add, remove or replace a person for a UTC span; applied in id order after the file's own order."""

    __tablename__ = "roster_overrides"
    __table_args__ = (Index("ix_roster_overrides_roster_end", "roster_id", "end_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster_configs.id", ondelete="CASCADE"))
    action: Mapped[OverrideAction] = mapped_column(string_enum(OverrideAction))
    person_id: Mapped[int] = mapped_column(ForeignKey("roster_people.id", ondelete="CASCADE"))
    replacement_id: Mapped[int | None] = mapped_column(ForeignKey("roster_people.id", ondelete="CASCADE"))
    kind: Mapped[ShiftKind | None] = mapped_column(string_enum(ShiftKind))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[EntrySource] = mapped_column(string_enum(EntrySource), default=EntrySource.APP)
    position: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[RosterPerson] = relationship(foreign_keys=[person_id])
    replacement: Mapped[RosterPerson | None] = relationship(foreign_keys=[replacement_id])


class FixedShiftEntry(db.Model):
    __tablename__ = "roster_fixed_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster_configs.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("roster_people.id", ondelete="CASCADE"))
    kind: Mapped[ShiftKind] = mapped_column(string_enum(ShiftKind))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    source: Mapped[EntrySource] = mapped_column(string_enum(EntrySource), default=EntrySource.APP)

    person: Mapped[RosterPerson] = relationship()


class LeaveEntry(db.Model):
    """Leave or other unavailability: the person is on no duty during the span."""

    __tablename__ = "roster_leave"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster_configs.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("roster_people.id", ondelete="CASCADE"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[EntrySource] = mapped_column(string_enum(EntrySource), default=EntrySource.APP)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[RosterPerson] = relationship()


class SwapEntry(db.Model):
    """A request to hand a span of one's duty to a colleague; `proposed_taker` waits for a lead's approval."""

    __tablename__ = "roster_swaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster_configs.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("roster_people.id", ondelete="CASCADE"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[SwapStatus] = mapped_column(string_enum(SwapStatus), default=SwapStatus.OPEN)
    proposed_taker_id: Mapped[int | None] = mapped_column(ForeignKey("roster_people.id", ondelete="SET NULL"))
    taker_id: Mapped[int | None] = mapped_column(ForeignKey("roster_people.id", ondelete="SET NULL"))
    override_id: Mapped[int | None] = mapped_column(ForeignKey("roster_overrides.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    requester: Mapped[RosterPerson] = relationship(foreign_keys=[requester_id])
    proposed_taker: Mapped[RosterPerson | None] = relationship(foreign_keys=[proposed_taker_id])
    taker: Mapped[RosterPerson | None] = relationship(foreign_keys=[taker_id])

    def status_at(self, now: datetime) -> SwapStatus:
        """An open request whose span has started is past due."""
        if self.status is SwapStatus.OPEN and now >= self.start_at:
            return SwapStatus.PAST_DUE
        return self.status


class GapReport(db.Model):
    """A coverage gap already told to the leads; the fingerprint changes when the gap does."""

    __tablename__ = "roster_gap_reports"
    __table_args__ = (UniqueConstraint("team_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime] = mapped_column(index=True)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseDutyRecord(db.Model):
    """Who was on duty when a case arrived: written once per case, never updated or deleted."""

    __tablename__ = "case_duty_records"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    at: Mapped[datetime]
    on_duty_user_ids: Mapped[list] = mapped_column(JSON, default=list)
    on_duty_people: Mapped[list] = mapped_column(JSON, default=list)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImmutableDutyRecord(Exception):
    pass


@event.listens_for(CaseDutyRecord, "before_update")
@event.listens_for(CaseDutyRecord, "before_delete")
def _refuse_changing_duty_records(mapper, connection, target):
    raise ImmutableDutyRecord("duty records are written once and never changed")
