"""Staffed hours from the roster for the SLA clock, and gap warnings told to leads once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.roster.builders import local
from webcare.extensions import db
from webcare.inbox.timing import staffed_clock
from webcare.notifications.models import Notification
from webcare.roster.duty import staffed_intervals_between, warn_about_gaps
from webcare.roster.engine import GapKind
from webcare.roster.models import RosterConfig, RosterPerson
from webcare.roster.services import add_leave
from webcare.timeutil import Interval


def test_staffed_intervals_are_the_office_and_evening_hours_without_the_on_call_nights(team_setup):
    intervals = staffed_intervals_between(local(2026, 11, 2), local(2026, 11, 4))
    assert intervals == [
        Interval(local(2026, 11, 2, 9), local(2026, 11, 2, 21)),
        Interval(local(2026, 11, 3, 9), local(2026, 11, 3, 21)),
    ]


def test_without_a_roster_there_are_no_staffed_intervals(app):
    assert staffed_intervals_between(local(2026, 11, 2), local(2026, 11, 4)) is None


def test_the_staffed_sla_duration_skips_the_weekend(team_setup):
    friday_evening, monday_morning = local(2026, 11, 6, 20, 0), local(2026, 11, 9, 10, 0)
    clock = staffed_clock(friday_evening, monday_morning)
    assert clock.duration(friday_evening, monday_morning) == timedelta(hours=2)
    assert clock.add(friday_evening, timedelta(hours=4)) == local(2026, 11, 9, 12, 0)


def test_gap_warnings_are_typed_and_told_to_the_leads_once(team_setup):
    config = db.session.scalar(select(RosterConfig))
    person = {p.key: p for p in db.session.scalars(select(RosterPerson))}
    add_leave(
        config, person_id=person["bram"].id, start=local(2026, 11, 10), end=local(2026, 11, 11), by=team_setup.lead
    )
    add_leave(
        config, person_id=person["cees"].id, start=local(2026, 11, 10), end=local(2026, 11, 11), by=team_setup.lead
    )
    add_leave(
        config, person_id=person["anna"].id, start=local(2026, 11, 12), end=local(2026, 11, 13), by=team_setup.lead
    )
    add_leave(
        config, person_id=person["cees"].id, start=local(2026, 11, 12), end=local(2026, 11, 13), by=team_setup.lead
    )
    now = local(2026, 11, 2, 8, 0)

    reported = warn_about_gaps(now)["Webcare"]
    kinds = {(gap.start, gap.kind) for gap in reported}
    assert (local(2026, 11, 7, 10), GapKind.NOBODY) in kinds
    assert (local(2026, 11, 10, 9), GapKind.BELOW_TARGET) in kinds
    assert (local(2026, 11, 12, 9), GapKind.NOBODY_WITH_MANDATE) in kinds
    assert all(gap.start < now + timedelta(weeks=8) for gap in reported)
    notice = db.session.scalar(select(Notification).where(Notification.kind == "roster_gap"))
    assert notice.user == team_setup.lead and notice.wants_email
    assert "minder mensen dan het doel" in notice.body and "Rooster Webcare:" in notice.subject

    assert warn_about_gaps(now + timedelta(hours=1)) == {}

    add_leave(
        config, person_id=person["anna"].id, start=local(2026, 11, 10), end=local(2026, 11, 11), by=team_setup.lead
    )
    changed = warn_about_gaps(now + timedelta(hours=2))["Webcare"]
    assert [(gap.start, gap.kind) for gap in changed] == [(local(2026, 11, 10, 9), GapKind.NOBODY)]
