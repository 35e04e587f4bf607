"""Shift swaps: a person offers a stretch, a qualified colleague takes it, the lead approves or rejects."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webcare.auth.models import User
from webcare.extensions import db
from webcare.labels import label
from webcare.notifications.services import notify
from webcare.roster import store
from webcare.roster.duty import link_to, team_leads
from webcare.roster.engine import (
    OverrideAction,
    Requirements,
    SwapStatus,
)
from webcare.roster.models import (
    EntrySource,
    OverrideEntry,
    RosterConfig,
    RosterPerson,
    SwapEntry,
)
from webcare.roster.services import RosterError, check_span
from webcare.roster.store import TeamRoster, schedule_between


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
    check_span(start, end)
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
        link=link_to("roster.edit", team_id=config.team_id),
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
