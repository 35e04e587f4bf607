"""Where each time metric starts and ends: triage, resolution, bundles and automatic receipts, on both clocks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import message_line
from tests.reports.builders import case_of, ingest, make_case
from webcare.accounts.models import Account, Channel
from webcare.auth.models import Role
from webcare.channels.webform import send_pending_receipts, submit_contact_form
from webcare.extensions import db
from webcare.inbox.models import Bundle, Case, CaseDecision, Message
from webcare.protocol.services import activate_file
from webcare.reports.metrics import TIME_METRICS, Clock
from webcare.reports.queries import Period, ReportQuery, metric_statistics, totals
from webcare.resources import resource_dir
from webcare.timeutil import UTC
from webcare.worker import run_worker

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def protocol(app):
    """The default protocol: office Monday–Wednesday 08:30–17:00, Thursday to 20:00, Friday to 16:00."""
    return activate_file(resource_dir("protocols") / "gemeente.yaml")


def _set_triage_moments(external_id: str, received_at: datetime, decided_at: datetime) -> None:
    message_id = db.session.scalar(select(Message.id).where(Message.external_id == external_id))
    db.session.execute(update(Message).where(Message.id == message_id).values(received_at=received_at))
    db.session.execute(update(CaseDecision).where(CaseDecision.message_id == message_id).values(decided_at=decided_at))
    db.session.commit()


def test_time_to_triage_runs_from_receipt_to_the_first_decision_on_both_clocks(app, protocol):
    friday = datetime(2026, 3, 6, 14, 30, tzinfo=UTC)  # Friday 15:30 local
    tuesday = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # Tuesday 10:00 local
    ingest(
        app,
        [
            message_line("late-friday", base=friday, text="Wanneer wordt het grofvuil opgehaald?"),
            message_line("tuesday", base=tuesday, text="Hoe vraag ik een parkeervergunning aan?", author={"id": "u2"}),
            message_line(
                "tuesday-again",
                base=tuesday,
                minutes=30,
                in_reply_to="tuesday",
                text="En wat kost die?",
                author={"id": "u2"},
            ),
        ],
    )
    # Decided Monday 09:00 local: calendar 2 d 17.5 h; staffed 30 min on Friday (closes 16:00) + 30 min Monday.
    _set_triage_moments("late-friday", friday, datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    _set_triage_moments("tuesday", tuesday, tuesday + timedelta(minutes=2))
    # The follow-up's decision is not the case's first: it must not count, however late it came.
    _set_triage_moments("tuesday-again", tuesday + timedelta(minutes=30), tuesday + timedelta(days=3))
    query = ReportQuery(MARCH, (), now=NOW)

    calendar = metric_statistics(query, TIME_METRICS["triage"], Clock.CALENDAR)[()]
    staffed = metric_statistics(query, TIME_METRICS["triage"], Clock.STAFFED)[()]

    assert case_of("tuesday-again").id == case_of("tuesday").id
    assert (calendar.count, calendar.total_seconds) == (2, 2 * 86400 + 17 * 3600 + 1800 + 120)
    # two values: p50 halfway between them, p95 at 95 % of the way (PERCENTILE.INC)
    slow = 2 * 86400 + 17 * 3600 + 1800
    assert (calendar.p50, calendar.p95) == ((120 + slow) / 2, 120 + 0.95 * (slow - 120))
    assert (staffed.count, staffed.p50, staffed.p95) == (2, 1860, 120 + 0.95 * (3600 - 120))


def test_resolution_time_comes_from_the_maintained_columns_on_each_clock(app):
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for hours, staffed_hours in ((2, 2), (30, 9), (70, 20)):
        make_case(
            monday,
            response_seconds=60,
            resolved_at=monday + timedelta(hours=hours),
            resolution_seconds=hours * 3600,
            resolution_staffed_seconds=staffed_hours * 3600,
        )
    make_case(monday, response_seconds=60)  # not resolved: no resolution time
    db.session.commit()
    query = ReportQuery(MARCH, (), now=NOW)

    calendar = metric_statistics(query, TIME_METRICS["resolution"], Clock.CALENDAR)[()]
    staffed = metric_statistics(query, TIME_METRICS["resolution"], Clock.STAFFED)[()]

    assert calendar.in_minutes() == {
        "count": 3,
        "mean": 34 * 60.0,
        "p50": 30 * 60.0,
        "p90": 62 * 60.0,
        "p95": 66 * 60.0,
    }
    assert (staffed.count, staffed.mean, staffed.p50) == (3, 31 / 3 * 3600, 9 * 3600)


def test_first_assignment_on_the_staffed_clock_skips_the_closed_evening(app, make_user):
    from webcare.inbox.events import record

    agent = make_user()
    # Tuesday 3 March 16:30 local (15:30 UTC) → claimed Wednesday 09:00 local (08:00 UTC): default office
    # hours 08:30–17:00, so 30 + 30 minutes staffed, 16.5 hours calendar.
    case = make_case(datetime(2026, 3, 3, 15, 30, tzinfo=UTC))
    record(case, "claimed", by=agent, at=datetime(2026, 3, 4, 8, 0, tzinfo=UTC))
    db.session.commit()
    query = ReportQuery(MARCH, (), now=NOW)

    assert metric_statistics(query, TIME_METRICS["assignment"], Clock.STAFFED)[()].p50 == 3600
    assert metric_statistics(query, TIME_METRICS["assignment"], Clock.CALENDAR)[()].p50 == 16 * 3600 + 1800


def test_a_bundles_summary_reply_is_the_first_response_of_each_member_in_the_report(app, protocol, make_user):
    from webcare.inbox.bundles import close_due_bundles
    from webcare.mandates.models import Permission
    from webcare.mandates.services import add_rule
    from webcare.replies.bundles import answer_bundle
    from webcare.replies.outbox import send_due_replies

    lead = make_user(Role.LEAD)
    add_rule(role=Role.LEAD, permission=Permission.MAY_SEND, by=None)
    base = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    ingest(
        app,
        [
            message_line(
                f"w{i}",
                base=base,
                minutes=i * 3,
                author={"id": f"a{i}"},
                channel="facebook",
                text="Waarom wordt de markt verplaatst naar het parkeerterrein? Slecht plan",
            )
            for i in range(12)
        ],
    )
    bundle = db.session.scalar(select(Bundle))
    close_due_bundles(now=bundle.closes_at)
    answered_at = bundle.closes_at + timedelta(minutes=10)
    answer_bundle(
        bundle, "We krijgen veel vragen over de markt: https://lindeburg.example/markt", by=lead, now=answered_at
    )
    sent_at = answered_at + timedelta(minutes=1)
    send_due_replies(now=sent_at)

    members = db.session.scalars(select(Case).where(Case.bundle_id == bundle.id)).all()
    arrivals = {}
    for member in members:
        external_id = db.session.scalar(
            select(Message.external_id).where(Message.case_id == member.id, Message.direction == "inbound")
        )
        arrivals[member.id] = base + timedelta(minutes=3 * int(external_id[1:]))
    expected = sorted(int((sent_at - arrival).total_seconds()) for arrival in arrivals.values())
    bundled = totals(ReportQuery(NOVEMBER, (), Clock.CALENDAR, NOW))
    by_case = {member.id: member.first_response_seconds for member in members}

    assert len(members) >= 3
    assert by_case == {case_id: int((sent_at - arrival).total_seconds()) for case_id, arrival in arrivals.items()}
    assert bundled.responded == len(members)
    assert bundled.first_response.total_seconds == sum(expected)
    assert bundled.first_response.p50 == expected[(len(expected) + 1) // 2 - 1]
    # one reply was sent, on the case that carried the summary: the others have no reply of their own
    assert bundled.replies_per_case == pytest.approx(1 / bundled.cases)


def test_the_automatic_receipt_of_the_web_form_is_not_a_first_response(app, smtp):
    account = Account(channel=Channel.WEBFORM, handle="lindeburg", name="Gemeente Lindeburg")
    db.session.add(account)
    db.session.commit()
    asked = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    submitted = submit_contact_form(
        account, name="Renée", email="renee@example.nl", text="De stoep is kapot.", address="192.0.2.10", now=asked
    )
    db.session.commit()
    run_worker(app, drain=True)

    assert send_pending_receipts(now=asked + timedelta(seconds=30)) == 1
    assert len(smtp.messages) == 1
    case = db.session.get(Case, db.session.get(Message, submitted.message_id).case_id)
    assert (case.first_response_at, case.first_response_seconds, case.outbound_count) == (None, None, 0)
    figures = totals(ReportQuery(NOVEMBER, (), Clock.CALENDAR, NOW))
    assert (figures.cases, figures.responded, figures.replies) == (1, 0, 0)
