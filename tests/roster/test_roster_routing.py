"""Routing a case by the roster: qualified, least loaded, waiting for the next shift, urgent cases, duty records."""

from __future__ import annotations

import socket
from datetime import datetime

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tests.roster.builders import local
from webcare.extensions import db
from webcare.inbox.models import CaseEvent, Priority
from webcare.inbox.routing import route_case
from webcare.notifications.models import Notification
from webcare.notifications.services import send_pending_emails
from webcare.roster.models import CaseDutyRecord, ImmutableDutyRecord

MONDAY_MORNING = local(2026, 11, 2, 10, 0)


def test_a_case_goes_to_an_on_duty_person_with_the_mandate_and_topic(team_setup, make_case):
    case = make_case(MONDAY_MORNING)
    result = route_case(case, needed_mandate_level=2, topic="parkeren", now=MONDAY_MORNING)
    db.session.commit()
    assert result.assigned_to == team_setup.anna
    assert case.owner == team_setup.anna
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "assigned"))
    assert event.details["reason"] == "roster"
    assert set(event.details["on_duty"]) == {team_setup.anna.id, team_setup.bram.id, team_setup.cees.id}


def test_the_least_loaded_qualified_person_is_chosen(team_setup, make_case):
    for _ in range(2):
        make_case(MONDAY_MORNING, owner=team_setup.anna)
    make_case(MONDAY_MORNING, owner=team_setup.cees)
    case = make_case(MONDAY_MORNING)
    result = route_case(case, needed_mandate_level=2, topic=None, now=MONDAY_MORNING)
    assert result.assigned_to == team_setup.cees


def test_nobody_on_duty_leaves_the_case_waiting_until_the_next_qualified_shift(team_setup, make_case):
    saturday = local(2026, 11, 7, 12, 0)
    case = make_case(saturday)
    result = route_case(case, needed_mandate_level=2, topic=None, now=saturday)
    db.session.commit()
    assert result.assigned_to is None and case.owner is None
    assert result.waits_until == local(2026, 11, 9, 9, 0)
    assert db.session.scalar(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)) == "waiting_for_shift"


def test_an_evening_case_needing_a_higher_mandate_waits_for_the_morning(team_setup, make_case):
    evening = local(2026, 11, 2, 18, 0)
    result = route_case(make_case(evening), needed_mandate_level=2, topic=None, now=evening)
    assert result.assigned_to is None
    assert result.waits_until == local(2026, 11, 3, 9, 0)
    assert (
        route_case(make_case(evening), needed_mandate_level=1, topic=None, now=evening).assigned_to == team_setup.bram
    )


@pytest.fixture
def smtp_server(app):
    """A local SMTP server (aiosmtpd) on a free port, collecting what it receives."""
    received = []

    class Collect:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USERNAME=None)
    yield received
    controller.stop()


def test_an_urgent_case_at_night_notifies_the_on_call_person_by_email_and_in_the_app(
    team_setup, make_case, smtp_server
):
    night = local(2026, 11, 3, 2, 0)
    case = make_case(night, priority=Priority.URGENT)
    result = route_case(case, needed_mandate_level=1, topic=None, now=night)
    db.session.commit()
    assert result.assigned_to is None
    assert result.notified == (team_setup.cees,)
    notification = db.session.scalar(select(Notification).where(Notification.case_id == case.id))
    assert notification.user == team_setup.cees and notification.kind == "urgent_case"
    assert send_pending_emails() == 1
    assert [envelope.rcpt_tos for envelope in smtp_server] == [["cees@example.org"]]


def test_the_duty_record_is_written_once_and_never_changed(team_setup, make_case):
    case = make_case(MONDAY_MORNING)
    route_case(case, needed_mandate_level=0, topic=None, now=MONDAY_MORNING)
    route_case(case, needed_mandate_level=0, topic=None, now=local(2026, 11, 2, 19, 0))
    db.session.commit()
    assert db.session.scalar(select(func.count(CaseDutyRecord.id)).where(CaseDutyRecord.case_id == case.id)) == 1
    duty = db.session.scalar(select(CaseDutyRecord).where(CaseDutyRecord.case_id == case.id))
    assert duty.at == MONDAY_MORNING
    assert set(duty.on_duty_user_ids) == {team_setup.anna.id, team_setup.bram.id, team_setup.cees.id}
    duty.on_duty_user_ids = []
    with pytest.raises(ImmutableDutyRecord):
        db.session.commit()
    db.session.rollback()


def test_routing_flushes_but_leaves_the_commit_to_the_caller(team_setup, make_case):
    case = make_case(MONDAY_MORNING)
    route_case(case, needed_mandate_level=0, topic=None, now=MONDAY_MORNING)
    db.session.rollback()
    assert db.session.scalar(select(func.count(CaseDutyRecord.id))) == 0
    assert db.session.get(type(case), case.id).owner is None


def test_no_roster_means_no_routing(app, make_case):
    case = make_case(datetime(2026, 11, 2, 9, tzinfo=MONDAY_MORNING.tzinfo))
    assert route_case(case, needed_mandate_level=0, topic=None, now=MONDAY_MORNING).reason == "no roster"
