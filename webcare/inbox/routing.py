"""Routing a case to an on-duty person with the needed mandate and topic, the least loaded first.

`route_case` and `record_arrival_duty` are safe inside the worker's transaction: they flush and never
commit. `route_waiting_cases` is the scheduler's service (one transaction): it gives the cases that
waited for a shift to the qualified people once they are on duty. The schedule comes from the roster
cache (one computation per team and week), so a batch of cases costs a few small queries each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import exists, func, select, update

from webcare.auth.models import User
from webcare.extensions import db
from webcare.inbox.events import case_link, record
from webcare.inbox.models import ACTIVE_STATUSES, Case, CaseEvent, Priority
from webcare.labels import label
from webcare.notifications.services import notify
from webcare.roster import store
from webcare.roster.duty import STAFFING_KINDS, team_leads
from webcare.roster.engine import (
    Requirements,
    Schedule,
    ScheduleInterval,
    ShiftKind,
    interval_at,
)
from webcare.roster.models import CaseDutyRecord
from webcare.roster.store import TeamRoster, schedule_between
from webcare.timeutil import as_utc

LOOKAHEAD = timedelta(days=14)
WAITING_KIND = "waiting_for_shift"
ROUTED_ACTIONS = ("reply", "escalate")
WAITING_BATCH = 500


@dataclass(frozen=True)
class RoutingResult:
    """Who got the case (None when it waits), who was on duty, and until when it waits."""

    assigned_to: User | None
    on_duty_user_ids: tuple[int, ...] = ()
    waits_until: datetime | None = None
    notified: tuple[User, ...] = field(default=())
    team_id: int | None = None
    reason: str = ""


def _team_for(case: Case) -> TeamRoster | None:
    if case.team_id is not None:
        team = store.team_roster_for(case.team_id)
        if team is not None:
            return team
    teams = store.all_team_rosters()
    return teams[0] if teams else None


def _requirements(team: TeamRoster, needed_mandate_level: int, topic: str | None) -> Requirements:
    """The mandate level, and the topic when somebody on the roster holds it (an unknown topic asks nothing)."""
    known_topics = set().union(*(person.topics for person in team.spec.roster.people))
    topics = frozenset({topic}) if topic and topic in known_topics else frozenset()
    return Requirements(mandate_level=needed_mandate_level, topics=topics)


def _candidates(
    team: TeamRoster, schedule: Schedule, interval: ScheduleInterval | None, requirements: Requirements
) -> dict[int, frozenset[str]]:
    """User ids of the people on staffing duty in `interval` who meet the requirements, with their languages."""
    if interval is None:
        return {}
    found = {}
    for person_id in sorted(interval.people):
        person = schedule.people.get(person_id)
        user_id = team.user_ids.get(person_id)
        if person is None or user_id is None or not requirements.met_by(person):
            continue
        if interval.kinds_of(person_id) & STAFFING_KINDS:
            found[user_id] = person.languages
    return found


def _users(user_ids) -> dict[int, User]:
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(user_ids), User.is_active_account.is_(True)))
    return {user.id: user for user in users}


def _least_loaded(candidates: dict[int, frozenset[str]], language: str | None) -> int:
    """The candidate who speaks the case's language (when any on duty does), then with the fewest active cases."""
    user_ids = list(candidates)
    loads = dict(
        db.session.execute(
            select(Case.owner_id, func.count(Case.id))
            .where(Case.owner_id.in_(user_ids), Case.status.in_(ACTIVE_STATUSES))
            .group_by(Case.owner_id)
        ).all()
    )
    return min(
        user_ids,
        key=lambda user_id: (bool(language) and language not in candidates[user_id], loads.get(user_id, 0), user_id),
    )


def case_language(case: Case) -> str | None:
    """The language the protocol's features found for the case (None when unknown or not yet decided)."""
    decision = case.applied_decision
    language = (decision.features or {}).get("language") if decision is not None else None
    return language if language and language != "unknown" else None


def record_duty(case: Case, team: TeamRoster, schedule: Schedule, at: datetime) -> CaseDutyRecord | None:
    """Write who was on duty at `at` for the case, once; later calls leave the first record alone."""
    if db.session.scalar(select(CaseDutyRecord.id).where(CaseDutyRecord.case_id == case.id)) is not None:
        return None
    interval = interval_at(schedule, at)
    people = sorted(interval.people) if interval else []
    duty = CaseDutyRecord(
        case_id=case.id,
        team_id=team.team_id,
        at=at,
        on_duty_people=[{"id": person_id, "kinds": sorted(interval.kinds_of(person_id))} for person_id in people],
        on_duty_user_ids=sorted(
            user_id for person_id in people if (user_id := team.user_ids.get(person_id)) is not None
        ),
    )
    db.session.add(duty)
    return duty


def record_arrival_duty(case: Case, *, now: datetime) -> CaseDutyRecord | None:
    """Write the case's duty record (who was on duty when it arrived) if it has none; flushes, never commits."""
    team = _team_for(case)
    if team is None:
        return None
    if case.id is None:
        db.session.flush()
    now = as_utc(now)
    arrived = as_utc(case.first_inbound_at) if case.first_inbound_at else now
    arrived = min(max(arrived, now - LOOKAHEAD), now)
    duty = record_duty(
        case, team, schedule_between(team, arrived - timedelta(hours=1), arrived + timedelta(hours=1)), arrived
    )
    db.session.flush()
    return duty


def _next_qualified(team: TeamRoster, schedule: Schedule, now: datetime, requirements: Requirements) -> datetime | None:
    for interval in schedule.intervals:
        if interval.end <= now:
            continue
        if _users(_candidates(team, schedule, interval, requirements)):
            return max(interval.start, now)
    return None


def _notify_on_call(case: Case, team: TeamRoster, interval: ScheduleInterval | None) -> list[User]:
    on_call_ids = [
        user_id
        for person_id in (interval.people if interval else ())
        if ShiftKind.ON_CALL in interval.kinds_of(person_id) and (user_id := team.user_ids.get(person_id)) is not None
    ]
    recipients = list(_users(on_call_ids).values()) or team_leads(team.team_id)
    notify(
        recipients,
        kind="urgent_case",
        subject=gettext(
            "Urgent case #%(id)s: %(subject)s", id=case.id, subject=case.subject or case.topic or gettext("no subject")
        )[:300],
        body=gettext(
            "An urgent case arrived on %(channel)s. You are on call for %(team)s.",
            channel=label("channel", case.channel),
            team=team.team_name,
        ),
        link=case_link(case.id),
        case_id=case.id,
    )
    return recipients


def route_case(
    case: Case, *, needed_mandate_level: int, topic: str | None, now: datetime, language: str | None = None
) -> RoutingResult:
    """Assign the case to the least-loaded qualified person on duty, or say until when it waits.

    Among the qualified, someone who speaks the case's language (given, else from the protocol's
    features) goes first. Records the case's duty record (once), an "assigned" or "waiting_for_shift"
    event, and for urgent cases notifies the on-call person (the team's leads when nobody is on call).
    Flushes, never commits.
    """
    now = as_utc(now)
    team = _team_for(case)
    if team is None:
        return RoutingResult(None, reason="no roster")
    if case.id is None:
        db.session.flush()
    arrived = as_utc(case.first_inbound_at) if case.first_inbound_at else now
    arrived = min(max(arrived, now - LOOKAHEAD), now)
    schedule = schedule_between(team, arrived - timedelta(hours=1), now + LOOKAHEAD)
    record_duty(case, team, schedule, arrived)

    requirements = _requirements(team, needed_mandate_level, topic)
    current = interval_at(schedule, now)
    on_duty = tuple(
        sorted(
            user_id for person_id in (current.people if current else ()) if (user_id := team.user_ids.get(person_id))
        )
    )
    qualified = _candidates(team, schedule, current, requirements)
    candidates = _users(qualified)
    notified: list[User] = []
    if case.priority is Priority.URGENT:
        notified = _notify_on_call(case, team, current)
    language = language or case_language(case)
    if candidates:
        chosen = candidates[
            _least_loaded(
                {user_id: languages for user_id, languages in qualified.items() if user_id in candidates}, language
            )
        ]
        case.owner = chosen
        record(
            case,
            "assigned",
            by=None,
            at=now,
            to=chosen.id,
            reason="roster",
            team=team.team_name,
            on_duty=list(on_duty),
            language=language,
        )
        db.session.flush()
        return RoutingResult(chosen, on_duty, None, tuple(notified), team.team_id, "on duty")
    waits_until = _next_qualified(team, schedule, now, requirements)
    record(
        case,
        WAITING_KIND,
        by=None,
        at=now,
        reason="roster",
        team=team.team_name,
        on_duty=list(on_duty),
        waits_until=waits_until.isoformat() if waits_until else None,
        needed_mandate_level=needed_mandate_level,
        topic=topic,
    )
    db.session.flush()
    return RoutingResult(None, on_duty, waits_until, tuple(notified), team.team_id, "nobody qualified on duty")


def _waiting_cases(limit: int) -> list[Case]:
    """Unowned, unanswered active reply and escalate cases that routing left waiting for a shift, oldest due first."""
    waited = exists().where(CaseEvent.case_id == Case.id, CaseEvent.kind == WAITING_KIND)
    return list(
        db.session.scalars(
            select(Case)
            .where(
                Case.owner_id.is_(None),
                Case.first_response_at.is_(None),
                Case.status.in_(ACTIVE_STATUSES),
                Case.action.in_(ROUTED_ACTIONS),
                Case.bundle_id.is_(None),
                waited,
            )
            .order_by(Case.queue_at, Case.id)
            .limit(limit)
        )
    )


def _latest_waits(case_ids: list[int]) -> dict[int, CaseEvent]:
    events = db.session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.kind == WAITING_KIND)
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    return {event.case_id: event for event in events}


def route_waiting_cases(now: datetime, *, limit: int = WAITING_BATCH) -> list[tuple[int, int]]:
    """Give each case that waits for a shift to the least-loaded qualified person on duty now.

    The requirements are those recorded when the case was left waiting (mandate level and topic);
    cases with nobody qualified on duty keep waiting, silently. Each assignment is an "assigned" case
    event (reason "roster", `after` "waiting_for_shift"); a case claimed meanwhile is left alone.
    Returns (case id, user id) per assignment. One transaction.
    """
    now = as_utc(now)
    cases = _waiting_cases(limit)
    waits = _latest_waits([case.id for case in cases])
    assigned: list[tuple[int, int]] = []
    for case in cases:
        team = _team_for(case)
        wait = waits.get(case.id)
        if team is None or wait is None:
            continue
        schedule = schedule_between(team, now - timedelta(hours=1), now + timedelta(hours=1))
        current = interval_at(schedule, now)
        details = wait.details or {}
        requirements = _requirements(team, int(details.get("needed_mandate_level") or 0), details.get("topic"))
        qualified = _candidates(team, schedule, current, requirements)
        users = _users(qualified)
        if not users:
            continue
        language = case_language(case)
        chosen = _least_loaded({user_id: qualified[user_id] for user_id in users}, language)
        taken = db.session.execute(
            update(Case).where(Case.id == case.id, Case.owner_id.is_(None)).values(owner_id=chosen)
        ).rowcount
        if taken != 1:
            continue
        db.session.refresh(case)
        on_duty = sorted(user_id for person_id in current.people if (user_id := team.user_ids.get(person_id)))
        record(
            case,
            "assigned",
            by=None,
            at=now,
            to=chosen,
            reason="roster",
            after=WAITING_KIND,
            team=team.team_name,
            on_duty=on_duty,
            waited_since=as_utc(wait.at).isoformat(),
            language=language,
        )
        db.session.flush()
        assigned.append((case.id, chosen))
    db.session.commit()
    return assigned
