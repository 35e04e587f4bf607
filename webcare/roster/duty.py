"""Who is on duty: staffed time for the SLA clock, the duty banner, and gaps ahead with warnings to the leads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from webcare.auth.models import Role, User, UserRole
from webcare.extensions import db
from webcare.labels import SHIFT_KINDS
from webcare.notifications.services import notify
from webcare.roster import store
from webcare.roster.engine import (
    Gap,
    GapKind,
    ShiftKind,
    gaps,
    interval_at,
    next_change_after,
)
from webcare.roster.models import (
    GapReport,
)
from webcare.roster.store import TeamRoster, schedule_between
from webcare.timeutil import UTC, Interval, StaffedClock, as_utc, merge_intervals, zone

GAP_HORIZON = timedelta(weeks=8)
STAFFING_KINDS = frozenset({ShiftKind.OFFICE, ShiftKind.EVENING, ShiftKind.WEEKEND})
"""On-call people are reachable for urgent cases; they do not make the hour staffed for the SLA clock."""


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
            link=link_to("roster.week", team_id=team.team_id, start=fresh[0].start.date().isoformat()),
        )
        reported[team.team_name] = fresh
    db.session.execute(delete(GapReport).where(GapReport.end_at < now - timedelta(days=7)))
    db.session.commit()
    return reported


def _local_text(moment: datetime, timezone: str) -> str:
    return format_datetime(moment.astimezone(zone(timezone)).replace(tzinfo=None), "EEE dd-MM-yyyy HH:mm", rebase=False)


def link_to(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except RuntimeError:
        return None
