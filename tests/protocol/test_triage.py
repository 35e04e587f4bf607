"""The worker applies the active protocol: the four actions, idempotency, bundles, the simulator."""

import io
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from tests.conftest import message_line, send_demo_accounts_to_the_log
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.bundles import close_due_bundles
from webcare.inbox.models import (
    Bundle,
    BundleStatus,
    Case,
    CaseDecision,
    CaseEvent,
    CaseStatus,
    Message,
    MessageStatus,
    Priority,
)
from webcare.intake.services import import_jsonl
from webcare.notifications.models import Notification
from webcare.protocol.services import activate_file, active_version
from webcare.resources import resource_dir
from webcare.timeutil import UTC, utcnow
from webcare.worker import run_worker

MONDAY_MORNING = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def protocol(app):
    return activate_file(resource_dir("protocols") / "gemeente.yaml")


def _ingest(app, *records):
    data = b"".join(json.dumps(r).encode() + b"\n" for r in records)
    import_jsonl(io.BytesIO(data), source="test")
    send_demo_accounts_to_the_log()
    run_worker(app, drain=True)


def _case(external_id: str) -> Case:
    return db.session.scalar(
        select(Case).join(Message, Message.case_id == Case.id).where(Message.external_id == external_id)
    )


def test_a_question_is_opened_for_a_reply_with_template_priority_and_due_times(app, protocol):
    _ingest(app, message_line("q", text="Hoe vraag ik een nieuw paspoort aan"))

    case = _case("q")
    assert (case.status, case.action) == (CaseStatus.OPEN, "reply")
    assert case.priority is not None and case.first_response_due_at > case.first_inbound_at
    assert case.queue_at == case.first_response_due_at
    decision = case.applied_decision
    assert decision.rule_id == "vraag" and decision.template_id
    assert decision.protocol_version.content_hash == protocol.content_hash
    assert decision.trace and any("vraag" in line for line in decision.trace)


def test_a_threat_is_escalated_urgently_and_the_leads_are_told(app, protocol, make_user):
    lead = make_user(Role.LEAD)
    make_user(Role.AGENT)

    _ingest(app, message_line("t", text="ik weet waar je woont wethouder, pas maar op"))

    case = _case("t")
    assert (case.status, case.action, case.priority) == (CaseStatus.WAITING_ON_DEPARTMENT, "escalate", Priority.URGENT)
    assert case.escalated_to == "teamleider"
    kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "escalated" in kinds
    notifications = db.session.scalars(select(Notification)).all()
    assert [n.user_id for n in notifications if n.kind == "escalation"] == [lead.id]
    assert notifications[0].wants_email


def test_spam_is_closed_as_ignored_with_the_reason(app, protocol):
    _ingest(
        app, message_line("s", text="Verdien geld vanuit huis!!! 💰 Klik hier voor gratis crypto https://bit.ly/xyz")
    )

    case = _case("s")
    assert (case.status, case.action) == (CaseStatus.IGNORED, "ignore")
    ignored = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "ignored"))
    assert ignored.details["reason"] == "spam"


def test_a_wave_of_similar_reactions_is_bundled_and_the_bundle_closes_on_time(app, protocol, make_user):
    make_user(Role.LEAD)
    wave = [
        message_line(
            f"w{i}",
            minutes=i * 3,
            author={"id": f"a{i}"},
            text="Waarom wordt de markt verplaatst naar het parkeerterrein? Slecht plan",
        )
        for i in range(14)
    ]
    _ingest(app, *wave)

    summarised = db.session.scalars(select(Case).where(Case.action == "summarise")).all()
    assert len(summarised) == 5  # the 10th similar message reaches the threshold, and the 4 after it
    bundle = db.session.scalar(select(Bundle))
    waiting = db.session.scalars(select(Case).where(Case.status.in_([CaseStatus.NEW, CaseStatus.OPEN]))).all()
    escalated = db.session.scalars(select(Case).where(Case.action == "escalate")).all()
    assert {case.bundle_id for case in waiting} == {bundle.id}  # earlier unanswered reactions joined the wave
    assert {case.bundle_id for case in escalated} <= {None}  # what went to a department stays there
    assert bundle.member_count == len(waiting) >= 5
    assert bundle.closes_at - bundle.opened_at == timedelta(hours=2)

    assert close_due_bundles(now=bundle.closes_at - timedelta(seconds=1)) == []
    closed = close_due_bundles(now=bundle.closes_at)

    assert closed == [bundle] and bundle.status == BundleStatus.READY
    assert bundle.summary["messages"] == len(waiting) and "markt" in bundle.summary["top_terms"]
    assert f"{len(waiting)} in korte tijd" in bundle.summary_draft and "{aantal}" not in bundle.summary_draft


def test_triage_again_on_the_same_message_changes_nothing(app, protocol):
    _ingest(app, message_line("q", text="Hoe vraag ik een nieuw paspoort aan"))
    before_events = db.session.scalar(select(func.count()).select_from(CaseEvent))

    db.session.execute(update(Message).values(status=MessageStatus.QUEUED))
    db.session.commit()
    run_worker(app, drain=True)

    assert db.session.scalar(select(func.count()).select_from(CaseDecision)) == 1
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == before_events


def test_without_an_active_protocol_a_case_waits_with_no_decision(app):
    _ingest(app, message_line("q", text="Hoe vraag ik een nieuw paspoort aan"))

    case = _case("q")
    assert active_version() is None
    assert (case.status, case.action, case.applied_decision_id) == (CaseStatus.NEW, None, None)


def test_a_later_threat_in_a_thread_escalates_the_case(app, protocol):
    _ingest(
        app,
        message_line("q", text="Hoe vraag ik een nieuw paspoort aan"),
        message_line("t", minutes=30, in_reply_to="q", text="ik weet waar je woont wethouder, pas maar op"),
    )

    case = _case("q")
    assert case.action == "escalate" and case.priority == Priority.URGENT
    assert db.session.scalar(select(func.count()).select_from(CaseDecision).where(CaseDecision.case_id == case.id)) == 2


def test_the_simulator_counts_what_a_candidate_protocol_would_change(app, protocol, runner, tmp_path):
    _ingest(
        app,
        message_line("q", text="Hoe vraag ik een nieuw paspoort aan"),
        message_line(
            "s",
            minutes=1,
            author={"id": "b"},
            text="Verdien geld vanuit huis!!! 💰 Klik hier voor gratis crypto https://bit.ly/xyz",
        ),
    )
    candidate = (resource_dir("protocols") / "gemeente.yaml").read_text(encoding="utf-8")
    candidate = candidate.replace("- id: spam\n", "- id: spam-oud\n", 1).replace("rule: spam}", "rule: spam-oud}")
    path = tmp_path / "kandidaat.yaml"
    path.write_text(candidate, encoding="utf-8")

    result = runner.invoke(
        args=["protocol", "simulate", str(path), "--since", "2026-11-01T00:00:00+00:00", "--format", "json"]
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["messages"] == 2
    assert report["actions_before"] == {"reply": 1, "ignore": 1} == report["actions_after"]
    assert report["changed"] == 1 and report["changed_by_rule"] == {"spam-oud": 1}


def test_one_summary_reply_is_the_first_response_of_every_case_in_the_bundle(
    app, protocol, make_user, client, auth, csrf_from
):
    from webcare.mandates.models import Permission
    from webcare.mandates.services import add_rule
    from webcare.replies.outbox import send_due_replies

    lead = make_user(Role.LEAD)
    add_rule(role=Role.LEAD, permission=Permission.MAY_SEND, by=None)
    wave = [
        message_line(
            f"w{i}",
            minutes=i * 3,
            author={"id": f"a{i}"},
            account="gemeentelindeburg",
            channel="facebook",
            text="Waarom wordt de markt verplaatst naar het parkeerterrein? Slecht plan",
        )
        for i in range(12)
    ]
    _ingest(app, *wave)
    bundle = db.session.scalar(select(Bundle))
    close_due_bundles(now=bundle.closes_at)
    auth.login_as(lead)
    page = client.get(f"/protocol/bundles/{bundle.id}").get_data(as_text=True)
    assert "Waarom wordt de markt verplaatst" in page

    response = client.post(
        f"/protocol/bundles/{bundle.id}",
        data={
            "text": "We krijgen veel vragen over de markt. Alles staat op https://lindeburg.example/markt",
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-500:]
    sent_at = utcnow() + timedelta(minutes=1)
    send_due_replies(now=sent_at)

    db.session.expire_all()
    members = db.session.scalars(select(Case).where(Case.bundle_id == bundle.id)).all()
    assert len(members) == bundle.member_count >= 3
    assert {member.first_response_at for member in members} == {sent_at}
    assert all(member.first_response_seconds > 0 for member in members)
    assert db.session.get(Bundle, bundle.id).status == BundleStatus.ANSWERED


ROUND_THE_CLOCK = """
version: 1
team: Webcare
timezone: Europe/Amsterdam
people:
  - {id: anna, name: Anna, email: anna@example.org, mandate: 1}
  - {id: lotte, name: Lotte, email: lotte@example.org, mandate: 3}
rotations:
  - {id: dag-en-nacht, kind: office, people: [anna], frequency: daily, days: [every_day], start: "00:00", end: "00:00", anchor: 2026-01-01 00:00}
"""


def test_a_reply_goes_to_the_person_on_duty_and_an_escalation_waits_for_a_lead(app, protocol, tmp_path):
    from webcare.auth.services import create_user
    from webcare.roster.fileformat.loader import load_roster_file
    from webcare.roster.importing import import_roster

    anna = create_user("anna@example.org", "Anna", "correct horse battery", {Role.AGENT})
    create_user("lotte@example.org", "Lotte", "correct horse battery", {Role.LEAD})
    path = tmp_path / "rooster.yaml"
    path.write_text(ROUND_THE_CLOCK, encoding="utf-8")
    import_roster(load_roster_file(path))

    _ingest(
        app,
        message_line("q", text="Hoe vraag ik een nieuw paspoort aan"),
        message_line("t", minutes=1, author={"id": "b"}, text="ik weet waar je woont wethouder, pas maar op"),
    )

    assert _case("q").owner_id == anna.id
    escalated = _case("t")
    assert escalated.owner_id is None  # Lotte holds the lead's mandate but is not on duty
    waiting = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == escalated.id, CaseEvent.kind == "waiting_for_shift")
    )
    assert waiting.details["needed_mandate_level"] == 3
