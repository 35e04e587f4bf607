"""Roster services: staffed hours for the SLA clock, on duty now and next, gap warnings, edits and swaps."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from webcare.auth.models import Role, Team, User, UserRole
from webcare.extensions import db
from webcare.labels import SHIFT_KINDS, label
from webcare.notifications.services import notify
from webcare.roster import store
from webcare.roster.engine import (
    Gap,
    GapKind,
    OverrideAction,
    Requirements,
    ShiftKind,
    SwapStatus,
    gaps,
    interval_at,
    next_change_after,
)
from webcare.roster.models import (
    EntrySource,
    GapReport,
    LeaveEntry,
    OverrideEntry,
    RosterConfig,
    RosterPerson,
    RotationEntry,
    SwapEntry,
    new_feed_token,
)
from webcare.roster.store import TeamRoster, schedule_between
from webcare.timeutil import UTC, Interval, StaffedClock, as_utc, merge_intervals, zone

GAP_HORIZON = timedelta(weeks=8)
STAFFING_KINDS = frozenset({ShiftKind.OFFICE, ShiftKind.EVENING, ShiftKind.WEEKEND})
"""On-call people are reachable for urgent cases; they do not make the hour staffed for the SLA clock."""


class RosterError(Exception):
    """A roster edit that cannot be made; the message says why."""


def staffed_intervals_between(start: datetime, end: datetime) -> list[Interval] | None:
    """UTC intervals in [start, end) with someone on office, evening or weekend duty in any team.

    None when no roster is configured, so the caller falls back to the office calendar.
    """
    teams = store.all_team_rosters()
    if not teams:
        return None
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        return []
    pieces = []
    for team in teams:
        for interval in schedule_between(team, start, end).intervals:
            if any(duty.kind in STAFFING_KINDS for duty in interval.duties):
                pieces.append(interval.span)
    return merge_intervals(pieces)


def roster_staffed_clock(start: datetime, end: datetime) -> StaffedClock | None:
    """A staffed clock from the rosters covering [start, end] and at least 1 January of start's year
    through the end of the next year (as the office calendar's clock does); cached per year and revision.

    None when no roster is configured.
    """
    heads = tuple(store.roster_heads())
    if not heads:
        return None
    start, end = as_utc(start), as_utc(end)
    year = start.year
    year_start, year_end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 2, 1, 1, tzinfo=UTC)
    if end <= year_end:
        return store.cached(
            ("clock", heads, year), lambda: StaffedClock(staffed_intervals_between(year_start, year_end) or [])
        )
    return StaffedClock(staffed_intervals_between(min(start, year_start), end) or [])


@dataclass(frozen=True)
class OnDutyPerson:
    name: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class OnDutySummary:
    team_id: int
    team_name: str
    now_people: tuple[OnDutyPerson, ...]
    is_gap_now: bool
    next_at: datetime | None
    next_people: tuple[OnDutyPerson, ...]
    schedule_url: str | None = None


KIND_LABELS = {kind: SHIFT_KINDS[kind.value] for kind in ShiftKind}


def _people_of(team: TeamRoster, interval) -> tuple[OnDutyPerson, ...]:
    if interval is None:
        return ()
    return tuple(
        OnDutyPerson(
            team.person_name(person_id), tuple(KIND_LABELS[kind] for kind in sorted(interval.kinds_of(person_id)))
        )
        for person_id in sorted(interval.people, key=team.person_name)
    )


def on_duty_summaries(now: datetime, team_ids: set[int] | None = None) -> list[OnDutySummary]:
    """Who is on duty now and who comes next, per team (only `team_ids` when given); cached schedules."""
    summaries = []
    for team in store.all_team_rosters():
        if team_ids is not None and team.team_id not in team_ids:
            continue
        schedule = schedule_between(team, now - timedelta(hours=1), now + timedelta(days=8))
        current = interval_at(schedule, now)
        change = next_change_after(schedule, now)
        summaries.append(
            OnDutySummary(
                team.team_id,
                team.team_name,
                _people_of(team, current),
                bool(current and not current.people and "gap" in current.flags),
                change,
                _people_of(team, interval_at(schedule, change)) if change else (),
            )
        )
    return summaries


def _fingerprint(team_id: int, gap: Gap) -> str:
    text = f"{team_id}|{gap.kind.value}|{gap.start.isoformat()}|{gap.end.isoformat()}|{','.join(sorted(gap.people))}"
    return hashlib.sha256(text.encode()).hexdigest()


GAP_LABELS = {
    GapKind.NOBODY: _l("nobody on duty"),
    GapKind.NOBODY_WITH_MANDATE: _l("nobody with the required mandate"),
    GapKind.BELOW_TARGET: _l("fewer people than the target"),
}


def team_leads(team_id: int) -> list[User]:
    """Active leads of the team; all active leads when the team has none of its own."""
    leads = list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.LEAD, User.is_active_account.is_(True))
            .order_by(User.id)
        )
    )
    own = [lead for lead in leads if lead.team_id == team_id]
    return own or leads


def gaps_ahead(team: TeamRoster, now: datetime, horizon: timedelta = GAP_HORIZON) -> list[Gap]:
    """The team's coverage gaps from the start of this week to the horizon that have not yet ended."""
    start = store.week_start(now, team.timezone)
    schedule = schedule_between(team, start, store.week_start(now + horizon, team.timezone) + timedelta(days=7))
    return [gap for gap in gaps(schedule) if gap.end > now and gap.start < now + horizon]


def warn_about_gaps(now: datetime) -> dict[str, list[Gap]]:
    """Tell each team's leads (in the app and by e-mail) about new or changed gaps in the next 8 weeks, once."""
    reported: dict[str, list[Gap]] = {}
    for team in store.all_team_rosters():
        found = gaps_ahead(team, now)
        known = set(db.session.scalars(select(GapReport.fingerprint).where(GapReport.team_id == team.team_id)))
        fresh = [gap for gap in found if _fingerprint(team.team_id, gap) not in known]
        if not fresh:
            continue
        for gap in fresh:
            db.session.add(
                GapReport(
                    team_id=team.team_id,
                    fingerprint=_fingerprint(team.team_id, gap),
                    kind=gap.kind.value,
                    start_at=gap.start,
                    end_at=gap.end,
                )
            )
        lines = [
            f"- {_local_text(gap.start, team.timezone)} – {_local_text(gap.end, team.timezone)}: {GAP_LABELS[gap.kind]}"
            + (
                " " + _("(on duty: %(people)s)", people=", ".join(team.person_name(p) for p in sorted(gap.people)))
                if gap.people
                else ""
            )
            for gap in fresh
        ]
        notify(
            team_leads(team.team_id),
            kind="roster_gap",
            subject=ngettext(
                "Roster %(team)s: %(num)d coverage gap in the coming 8 weeks",
                "Roster %(team)s: %(num)d coverage gaps in the coming 8 weeks",
                len(fresh),
                team=team.team_name,
            ),
            body="\n".join(lines),
            link=_link("roster.week", team_id=team.team_id, start=fresh[0].start.date().isoformat()),
        )
        reported[team.team_name] = fresh
    db.session.execute(delete(GapReport).where(GapReport.end_at < now - timedelta(days=7)))
    db.session.commit()
    return reported


def _local_text(moment: datetime, timezone: str) -> str:
    return format_datetime(moment.astimezone(zone(timezone)).replace(tzinfo=None), "EEE dd-MM-yyyy HH:mm", rebase=False)


def _link(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except RuntimeError:
        return None


def roster_of(team: Team) -> RosterConfig | None:
    return db.session.scalar(select(RosterConfig).where(RosterConfig.team_id == team.id))


def person_for_user(config: RosterConfig, user: User) -> RosterPerson | None:
    return db.session.scalar(
        select(RosterPerson).where(RosterPerson.roster_id == config.id, RosterPerson.user_id == user.id)
    )


def _person(config: RosterConfig, person_id: int) -> RosterPerson:
    person = db.session.get(RosterPerson, person_id)
    if person is None or person.roster_id != config.id:
        raise RosterError(_l("that person is not on this roster"))
    return person


def _check_span(start: datetime, end: datetime) -> None:
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
    _check_span(start, end)
    _person(config, person_id)
    if action is OverrideAction.REPLACE:
        if replacement_id is None:
            raise RosterError(_l("a replacement needs the person who takes over"))
        _person(config, replacement_id)
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
    _check_span(start, end)
    _person(config, person_id)
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


def _slot_requirements(team: TeamRoster, requester_key: str, start: datetime, end: datetime) -> Requirements:
    """A slot asks the mandate level the coverage target asks while the requester is on it, up to their own."""
    schedule = schedule_between(team, start, end)
    requester = team.spec.roster.people_by_id.get(requester_key)
    level = 0
    for interval in schedule.intervals:
        if interval.target and requester_key in interval.people:
            level = max([level, *(mandate for mandate, count in interval.target.mandate_minimums if count)])
    return Requirements(mandate_level=min(level, requester.mandate_level if requester else 0))


def request_swap(
    config: RosterConfig, *, requester: RosterPerson, start: datetime, end: datetime, reason: str, now: datetime
) -> SwapEntry:
    """Offer a span of one's own duty to colleagues."""
    _check_span(start, end)
    if start <= now:
        raise RosterError(_l("a swap must start in the future"))
    swap = SwapEntry(roster_id=config.id, requester_id=requester.id, start_at=start, end_at=end, reason=reason[:200])
    db.session.add(swap)
    db.session.commit()
    return swap


def _open_swap(config: RosterConfig, swap_id: int, now: datetime) -> SwapEntry:
    swap = db.session.get(SwapEntry, swap_id)
    if swap is None or swap.roster_id != config.id:
        raise RosterError(_l("no such swap request"))
    status = swap.status_at(now)
    if status is not SwapStatus.OPEN:
        raise RosterError(_l("the request is %(status)s", status=label("swap_status", status)))
    return swap


def _accept(config: RosterConfig, swap: SwapEntry, taker: RosterPerson, *, by: User, now: datetime) -> None:
    override = OverrideEntry(
        roster_id=config.id,
        action=OverrideAction.REPLACE,
        person_id=swap.requester_id,
        replacement_id=taker.id,
        start_at=swap.start_at,
        end_at=swap.end_at,
        reason=f"swap: {swap.reason}".rstrip(": ")[:200],
        source=EntrySource.SWAP,
        created_by_id=by.id,
    )
    db.session.add(override)
    db.session.flush()
    swap.status, swap.taker_id, swap.override_id, swap.proposed_taker_id = SwapStatus.TAKEN, taker.id, override.id, None
    swap.decided_by_id, swap.decided_at = by.id, now
    config.touch()


def take_swap(config: RosterConfig, swap_id: int, *, taker: RosterPerson, by: User, now: datetime) -> bool:
    """Take an open swap: done at once when the taker is qualified for the slot, else it waits for a lead.

    Returns True when the swap was taken, False when it now waits for approval.
    """
    swap = _open_swap(config, swap_id, now)
    if taker.id == swap.requester_id:
        raise RosterError(_l("you cannot take your own request"))
    team = store.team_roster_for(config.team_id)
    requirements = _slot_requirements(team, swap.requester.key, swap.start_at, swap.end_at)
    person = team.spec.roster.people_by_id.get(taker.key)
    if person is not None and requirements.met_by(person):
        _accept(config, swap, taker, by=by, now=now)
        db.session.commit()
        return True
    swap.proposed_taker_id = taker.id
    notify(
        team_leads(config.team_id),
        kind="roster_swap_approval",
        subject=_("Swap needs approval: %(taker)s for %(requester)s", taker=taker.name, requester=swap.requester.name),
        body=_(
            "%(taker)s lacks a qualification the slot asks for (%(missing)s).",
            taker=taker.name,
            missing=", ".join(requirements.missing_in(person)) if person else _("unknown person"),
        ),
        link=_link("roster.edit", team_id=config.team_id),
    )
    db.session.commit()
    return False


def approve_swap(config: RosterConfig, swap_id: int, *, by: User, now: datetime) -> None:
    """A lead accepts the colleague proposed for a swap that their qualifications did not allow on their own."""
    swap = _open_swap(config, swap_id, now)
    if swap.proposed_taker is None:
        raise RosterError(_l("nobody has offered to take this swap yet"))
    _accept(config, swap, swap.proposed_taker, by=by, now=now)
    db.session.commit()


def reject_swap(config: RosterConfig, swap_id: int, *, by: User, now: datetime) -> None:
    swap = _open_swap(config, swap_id, now)
    swap.status, swap.proposed_taker_id, swap.decided_by_id, swap.decided_at = SwapStatus.REJECTED, None, by.id, now
    db.session.commit()


def swaps_of(config: RosterConfig, now: datetime, limit: int = 100) -> list[tuple[SwapEntry, SwapStatus]]:
    """Recent swap requests with their status at `now` (open requests whose span started are past due)."""
    rows = db.session.scalars(
        select(SwapEntry)
        .where(SwapEntry.roster_id == config.id, SwapEntry.end_at > now - timedelta(days=30))
        .order_by(SwapEntry.start_at)
        .limit(limit)
    )
    return [(swap, swap.status_at(now)) for swap in rows]
