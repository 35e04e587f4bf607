"""Roster edits: overrides, leave, rotations, feed addresses and the handling time, each checked and recorded."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webcare.auth.models import Team, User
from webcare.extensions import db
from webcare.roster.engine import (
    OverrideAction,
    ShiftKind,
)
from webcare.roster.models import (
    EntrySource,
    LeaveEntry,
    OverrideEntry,
    RosterConfig,
    RosterPerson,
    RotationEntry,
    SwapEntry,
    new_feed_token,
)


class RosterError(Exception):
    """A roster edit that cannot be made; the message says why."""


def roster_of(team: Team) -> RosterConfig | None:
    return db.session.scalar(select(RosterConfig).where(RosterConfig.team_id == team.id))


def person_for_user(config: RosterConfig, user: User) -> RosterPerson | None:
    return db.session.scalar(
        select(RosterPerson).where(RosterPerson.roster_id == config.id, RosterPerson.user_id == user.id)
    )


def person_of(config: RosterConfig, person_id: int) -> RosterPerson:
    person = db.session.get(RosterPerson, person_id)
    if person is None or person.roster_id != config.id:
        raise RosterError(_l("that person is not on this roster"))
    return person


def check_span(start: datetime, end: datetime) -> None:
    if end <= start:
        raise RosterError(_l("the end must come after the start"))


def add_override(
    config: RosterConfig,
    *,
    action: OverrideAction,
    person_id: int,
    start: datetime,
    end: datetime,
    replacement_id: int | None = None,
    kind: ShiftKind | None = None,
    reason: str = "",
    by: User,
) -> OverrideEntry:
    """Add, remove or replace someone for a span (entered in the app; kept on re-import)."""
    check_span(start, end)
    person_of(config, person_id)
    if action is OverrideAction.REPLACE:
        if replacement_id is None:
            raise RosterError(_l("a replacement needs the person who takes over"))
        person_of(config, replacement_id)
    else:
        replacement_id = None
    if action is OverrideAction.ADD and kind is None:
        raise RosterError(_l("adding someone needs a shift kind"))
    entry = OverrideEntry(
        roster_id=config.id,
        action=action,
        person_id=person_id,
        replacement_id=replacement_id,
        kind=kind,
        start_at=start,
        end_at=end,
        reason=reason[:200],
        source=EntrySource.APP,
        created_by_id=by.id,
    )
    db.session.add(entry)
    config.touch()
    db.session.commit()
    return entry


def delete_override(config: RosterConfig, override_id: int, *, by: User) -> None:
    entry = db.session.get(OverrideEntry, override_id)
    if entry is None or entry.roster_id != config.id:
        raise RosterError(_l("no such override"))
    db.session.execute(SwapEntry.__table__.update().where(SwapEntry.override_id == entry.id).values(override_id=None))
    db.session.delete(entry)
    config.touch()
    db.session.commit()


def add_leave(
    config: RosterConfig, *, person_id: int, start: datetime, end: datetime, reason: str = "", by: User
) -> LeaveEntry:
    """Record leave or other unavailability; nobody is put in the person's place automatically."""
    check_span(start, end)
    person_of(config, person_id)
    entry = LeaveEntry(
        roster_id=config.id, person_id=person_id, start_at=start, end_at=end, reason=reason[:200], created_by_id=by.id
    )
    db.session.add(entry)
    config.touch()
    db.session.commit()
    return entry


def delete_leave(config: RosterConfig, leave_id: int, *, by: User) -> None:
    entry = db.session.get(LeaveEntry, leave_id)
    if entry is None or entry.roster_id != config.id:
        raise RosterError(_l("no such leave"))
    db.session.delete(entry)
    config.touch()
    db.session.commit()


def update_rotation(
    config: RosterConfig, rotation_id: int, *, people: list[str], start_time, end_time, priority: int, by: User
) -> RotationEntry:
    """Change a rotation's people (in turn order), clock times and priority."""
    rotation = db.session.get(RotationEntry, rotation_id)
    if rotation is None or rotation.roster_id != config.id:
        raise RosterError(_l("no such rotation"))
    known = set(db.session.scalars(select(RosterPerson.key).where(RosterPerson.roster_id == config.id)))
    unknown = [key for key in people if key not in known]
    if not people or unknown:
        raise RosterError(
            _l("unknown people: %(people)s", people=", ".join(unknown))
            if unknown
            else _l("a rotation needs at least one person")
        )
    rotation.people, rotation.start_time, rotation.end_time, rotation.priority = (
        list(people),
        start_time,
        end_time,
        priority,
    )
    config.touch()
    db.session.commit()
    return rotation


def regenerate_feed_token(config: RosterConfig, *, person: RosterPerson | None = None) -> str:
    """A new secret feed URL for the person (or the team when None); the old URL stops working."""
    token = new_feed_token()
    if person is None:
        config.team_feed_token = token
    else:
        person.feed_token = token
    db.session.commit()
    return token


def set_average_handling(config: RosterConfig, seconds: int, *, by: User) -> None:
    if not 10 <= seconds <= 24 * 3600:
        raise RosterError(_l("the average handling time must lie between 10 seconds and 24 hours"))
    config.average_handling_seconds = seconds
    db.session.commit()
