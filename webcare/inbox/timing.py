"""Case timing kept on the case: arrival band and hour of week, response and resolution times on two clocks."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from webcare.extensions import db
from webcare.inbox.events import record
from webcare.inbox.models import Bundle, Case
from webcare.protocol.calendar import OfficeCalendar
from webcare.protocol.services import active_protocol
from webcare.roster.duty import roster_staffed_clock
from webcare.timeutil import OfficeHours, StaffedClock, TimeBand, as_utc, zone


def _calendar():
    """The office calendar of the active protocol, or weekday office hours with Dutch holidays."""
    protocol = active_protocol()
    if protocol is not None:
        return protocol.calendar
    cached = current_app.extensions.get("webcare_default_calendar")
    if cached is None:
        cached = current_app.extensions["webcare_default_calendar"] = OfficeCalendar(OfficeHours.weekdays())
    return cached


def staffed_clock(start: datetime, end: datetime) -> StaffedClock:
    """The clock that counts only staffed time: the roster's staffed hours, else the protocol's office calendar."""
    clock = roster_staffed_clock(start, max(end, start))
    return clock if clock is not None else _calendar().staffed_clock(start)


def arrival_band(moment: datetime) -> TimeBand:
    return _calendar().band(moment)


def hour_of_week(moment: datetime) -> int:
    local = as_utc(moment).astimezone(zone(current_app.config["WEBCARE_TIMEZONE"]))
    return local.weekday() * 24 + local.hour


def record_arrival(case: Case) -> None:
    case.arrival_band = arrival_band(case.first_inbound_at).value
    case.arrival_hour_of_week = hour_of_week(case.first_inbound_at)


def _seconds(delta: timedelta) -> int:
    return int(delta.total_seconds())


def record_first_response(case: Case, at: datetime) -> None:
    """Set the first response if `at` is earlier than the one known, with its duration on both clocks."""
    if case.first_inbound_at is None or at < case.first_inbound_at:
        return
    if case.first_response_at is not None and case.first_response_at <= at:
        return
    case.first_response_at = at
    case.first_response_seconds = _seconds(at - case.first_inbound_at)
    case.first_response_staffed_seconds = _seconds(
        staffed_clock(case.first_inbound_at, at).duration(case.first_inbound_at, at)
    )
    _answer_bundle_members(case, at)


def recount_first_response(case: Case) -> None:
    """The first inbound message moved earlier (history arriving out of order): the response time grows with it."""
    if case.first_response_at is None or case.first_inbound_at is None:
        return
    start, at = case.first_inbound_at, case.first_response_at
    case.first_response_seconds = _seconds(at - start)
    case.first_response_staffed_seconds = _seconds(staffed_clock(start, at).duration(start, at))


def _answer_bundle_members(case: Case, at: datetime) -> None:
    """A bundle's summary reply is the first response of every member of the bundle."""
    if case.bundle_id is None:
        return
    bundle = db.session.get(Bundle, case.bundle_id)
    if bundle is None or bundle.answer_case_id != case.id:
        return
    for member in db.session.scalars(select(Case).where(Case.bundle_id == bundle.id, Case.id != case.id)):
        if member.first_response_at is None:
            record_first_response(member, at)
            record(member, "answered_by_bundle", by=None, at=at, bundle_id=bundle.id, answer_case_id=case.id)


def record_resolution(case: Case, at: datetime) -> None:
    case.resolved_at = at
    if case.first_inbound_at is None:
        return
    case.resolution_seconds = _seconds(at - case.first_inbound_at)
    case.resolution_staffed_seconds = _seconds(
        staffed_clock(case.first_inbound_at, at).duration(case.first_inbound_at, at)
    )
