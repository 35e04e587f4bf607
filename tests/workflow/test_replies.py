"""Replies under a mandate: straight to the outbox, or past a colleague (four eyes); rejection; refusal."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.workflow.reply_support import ARRIVAL, LATER, allow, open_case, private_case
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.models import CaseEvent, CaseStatus, Direction, Message
from webcare.mandates.models import Permission, Risk, Visibility
from webcare.notifications.models import Notification
from webcare.replies.models import Reply, ReplyStatus
from webcare.replies.outbox import send_due_replies
from webcare.replies.services import (
    NotPermitted,
    ReplyRefused,
    SelfApproval,
    approval_queue,
    approve_reply,
    draft_reply,
    reject_reply,
)


def _events(case) -> list[str]:
    return list(db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))


def test_a_reply_within_the_mandate_goes_to_the_outbox_and_is_sent_on_the_case(app, make_user):
    agent = make_user(Role.AGENT)
    rule = allow(Role.AGENT, Permission.MAY_SEND, risk=Risk.MEDIUM)
    case = open_case(app)

    reply = draft_reply(case, "Dank je wel voor je bericht!", by=agent, now=LATER)

    assert reply.status == ReplyStatus.QUEUED and case.status == CaseStatus.WAITING_ON_RESIDENT
    assert reply.mandate_rule_id == rule.id and reply.mandate_rule.startswith(f"#{rule.id} ")
    assert case.first_response_at is None

    assert send_due_replies(now=LATER + timedelta(seconds=5)) == {"sent": 1, "retrying": 0, "failed": 0}

    db.session.refresh(reply)
    db.session.refresh(case)
    assert reply.status == ReplyStatus.SENT and reply.connector == "LogConnector"
    message = db.session.get(Message, reply.message_id)
    assert (message.direction, message.case_id, message.text) == (
        Direction.OUTBOUND,
        case.id,
        "Dank je wel voor je bericht!",
    )
    assert '"connector": "log"' in message.raw and message.in_reply_to == "q1"
    assert case.first_response_at == LATER + timedelta(seconds=5)
    assert case.first_response_seconds == 20 * 60 + 5
    assert case.first_response_staffed_seconds == 20 * 60 + 5  # Monday 10:00 in Amsterdam: office hours
    assert case.outbound_count == 1
    sent = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "reply_sent"))
    assert sent.details["mandate_rule"] == reply.mandate_rule and sent.details["message_id"] == message.id
    assert "reply_queued" in _events(case)


def test_a_reply_outside_the_mandate_waits_for_a_lead_who_approves_it_and_it_is_sent(app, make_user):
    agent, lead = make_user(Role.AGENT), make_user(Role.LEAD)
    allow(Role.AGENT, Permission.MAY_SEND, visibility=Visibility.PRIVATE)
    lead_rule = allow(Role.LEAD, Permission.MAY_SEND)
    case = open_case(app)

    reply = draft_reply(case, "Hoi, we kijken ernaar.", by=agent, now=LATER)

    assert reply.status == ReplyStatus.PENDING_APPROVAL and case.status == CaseStatus.WAITING_ON_APPROVAL
    asked = db.session.scalars(select(Notification).where(Notification.kind == "approval_requested")).all()
    assert [n.user_id for n in asked] == [lead.id]
    assert send_due_replies(now=LATER + timedelta(minutes=1))["sent"] == 0

    approve_reply(reply, by=lead, now=LATER + timedelta(minutes=5))

    assert reply.status == ReplyStatus.QUEUED and case.status == CaseStatus.WAITING_ON_RESIDENT
    assert reply.approved_by_id == lead.id and reply.mandate_rule_id == lead_rule.id
    send_due_replies(now=LATER + timedelta(minutes=6))
    db.session.refresh(reply)
    assert reply.status == ReplyStatus.SENT
    assert case.first_response_at == LATER + timedelta(minutes=6)
    sent = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "reply_sent"))
    assert sent.details["approved_by_id"] == lead.id and sent.details["author_id"] == agent.id
    events = _events(case)
    assert events.index("approval_requested") < events.index("reply_approved") < events.index("reply_sent")


def test_an_approver_may_edit_the_text_and_the_authors_draft_is_kept(app, make_user):
    agent, lead = make_user(Role.AGENT), make_user(Role.LEAD)
    allow(Role.LEAD, Permission.MAY_SEND)
    case = open_case(app)
    reply = draft_reply(case, "Eerste versie", by=agent, now=LATER)

    approve_reply(reply, by=lead, edited_text="Betere versie, met één trema", now=LATER)

    assert (reply.text, reply.drafted_text) == ("Betere versie, met één trema", "Eerste versie")


def test_nobody_approves_their_own_reply(app, make_user):
    lead = make_user(Role.LEAD)
    allow(Role.LEAD, Permission.NEEDS_APPROVAL, risk=Risk.MEDIUM)
    allow(lead, Permission.MAY_SEND, topic="afval")
    case = open_case(app)
    reply = draft_reply(case, "Tekst", by=lead, now=LATER)
    case.topic = "afval"  # now the lead's own mandate would cover it: still four eyes

    with pytest.raises(SelfApproval):
        approve_reply(reply, by=lead)
    db.session.rollback()
    assert db.session.get(Reply, reply.id).status == ReplyStatus.PENDING_APPROVAL


def test_a_colleague_whose_mandate_does_not_cover_the_reply_cannot_approve_it(app, make_user):
    agent, other = make_user(Role.AGENT), make_user(Role.AGENT)
    case = open_case(app)
    reply = draft_reply(case, "Tekst", by=agent, now=LATER)

    with pytest.raises(NotPermitted):
        approve_reply(reply, by=other)
    with pytest.raises(NotPermitted):
        reject_reply(reply, "nee", by=other)


def test_a_rejected_reply_tells_the_author_why_and_the_case_is_open_again(app, make_user):
    agent, lead = make_user(Role.AGENT), make_user(Role.LEAD)
    allow(Role.LEAD, Permission.MAY_SEND)
    case = open_case(app)
    reply = draft_reply(case, "Tekst", by=agent, now=LATER)

    with pytest.raises(ReplyRefused):
        reject_reply(reply, "  ", by=lead)
    reject_reply(reply, "Toon te stellig; verwijs naar de website.", by=lead, now=LATER)

    assert reply.status == ReplyStatus.REJECTED and case.status == CaseStatus.OPEN
    told = db.session.scalar(select(Notification).where(Notification.kind == "reply_rejected"))
    assert told.user_id == agent.id and "Toon te stellig" in told.body and told.case_id == case.id
    assert send_due_replies(now=LATER + timedelta(hours=1))["sent"] == 0


def test_the_author_is_told_of_an_approval_and_by_mail_when_the_approver_changed_the_text(app, make_user):
    agent, other_agent, lead = make_user(Role.AGENT), make_user(Role.AGENT), make_user(Role.LEAD)
    allow(Role.LEAD, Permission.MAY_SEND)
    first, second = open_case(app, "q1"), open_case(app, "q2", author={"id": "u2", "handle": "inwoner2"})
    as_written = draft_reply(first, "Tekst zoals geschreven", by=agent, now=LATER)
    changed = draft_reply(second, "Eerste versie", by=other_agent, now=LATER)

    approve_reply(as_written, by=lead, edited_text="Tekst zoals geschreven", now=LATER)
    approve_reply(changed, by=lead, edited_text="Betere versie", now=LATER)

    told = {n.user_id: n for n in db.session.scalars(select(Notification).where(Notification.kind == "reply_approved"))}
    assert set(told) == {agent.id, other_agent.id}
    assert (told[agent.id].case_id, told[agent.id].link, told[agent.id].wants_email) == (
        first.id,
        f"/cases/{first.id}",
        False,
    )
    assert (told[other_agent.id].case_id, told[other_agent.id].wants_email) == (second.id, True)
    assert told[other_agent.id].body == "Betere versie" and lead.name in told[other_agent.id].subject


def test_reply_notifications_are_written_in_the_language_of_each_recipient(app, make_user):
    from flask_babel import gettext

    from webcare.replies.services import tell

    dutch, english = make_user(Role.LEAD), make_user(Role.LEAD)
    english.locale = "en"
    db.session.commit()
    case = open_case(app)

    tell(
        [dutch, english],
        kind="probe",
        case=case,
        subject=lambda: gettext("Your reply on case #%(case)d could not be sent", case=7),
    )

    subjects = dict(
        db.session.execute(select(Notification.user_id, Notification.subject).where(Notification.kind == "probe")).all()
    )
    assert subjects == {
        dutch.id: "Uw reactie op zaak #7 kon niet worden verstuurd",
        english.id: "Your reply on case #7 could not be sent",
    }


def test_a_reply_the_mandate_forbids_is_refused_with_a_reason_and_nothing_is_stored(app, make_user):
    agent = make_user(Role.AGENT)
    allow(Role.AGENT, Permission.MAY_NOT, visibility=Visibility.PUBLIC)
    case = open_case(app)

    with pytest.raises(NotPermitted, match="staat deze reactie niet toe"):
        draft_reply(case, "Tekst", by=agent)
    db.session.rollback()

    assert db.session.scalar(select(Reply)) is None
    assert case.status in (CaseStatus.NEW, CaseStatus.OPEN)


def test_a_reply_with_placeholders_left_or_on_a_closed_case_or_twice_for_approval_is_refused(app, make_user):
    agent = make_user(Role.AGENT)
    case = open_case(app)

    with pytest.raises(ReplyRefused, match="{link}"):
        draft_reply(case, "Kijk op {link}", by=agent)
    with pytest.raises(ReplyRefused, match="leeg"):
        draft_reply(case, "   ", by=agent)
    draft_reply(case, "Eerste", by=agent)
    with pytest.raises(ReplyRefused, match="wacht al"):
        draft_reply(case, "Tweede", by=agent)


def test_a_private_case_cannot_be_answered_publicly(app, make_user):
    agent = make_user(Role.AGENT)
    case = private_case(app)

    with pytest.raises(ReplyRefused, match="openbaar"):
        draft_reply(case, "Tekst", by=agent, is_public=True)


def test_the_approval_queue_shows_age_and_overdue_against_its_own_sla(app, make_user):
    agent, lead = make_user(Role.AGENT), make_user(Role.LEAD)
    allow(Role.LEAD, Permission.MAY_SEND)
    old = draft_reply(open_case(app, "a", author={"id": "a"}), "Oud", by=agent, now=ARRIVAL)
    new = draft_reply(open_case(app, "b", author={"id": "b"}), "Nieuw", by=agent, now=ARRIVAL + timedelta(minutes=25))

    items = approval_queue(lead, now=ARRIVAL + timedelta(minutes=40))

    assert [item.reply.id for item in items] == [old.id, new.id]
    assert [item.is_overdue for item in items] == [True, False]
    assert items[0].age == timedelta(minutes=40) and items[0].may_decide
    assert [item.may_decide for item in approval_queue(agent, now=ARRIVAL)] == [False, False]


def test_replying_through_the_page_puts_the_reply_in_the_outbox_and_returns_to_the_case(
    app, client, auth, make_user, csrf_from
):
    agent = make_user(Role.AGENT)
    allow(Role.AGENT, Permission.MAY_SEND)
    case = open_case(app)
    auth.login_as(agent)
    page = client.get(f"/cases/{case.id}/reply").get_data(as_text=True)
    assert "u mag dit direct versturen" in page

    response = client.post(
        f"/cases/{case.id}/replies",
        data={"csrf_token": csrf_from(page), "text": "Dank je wel!", "visibility": "public", "template_id": ""},
    )

    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{case.id}"
    assert db.session.scalar(select(Reply)).status == ReplyStatus.QUEUED


def test_a_refused_reply_keeps_the_text_on_the_page_with_the_reason(app, client, auth, make_user, csrf_from):
    agent = make_user(Role.AGENT)
    case = open_case(app)
    auth.login_as(agent)
    token = csrf_from(client.get(f"/cases/{case.id}/reply").get_data(as_text=True))

    response = client.post(
        f"/cases/{case.id}/replies", data={"csrf_token": token, "text": "Zie {bron}", "visibility": "public"}
    )

    assert response.status_code == 409
    assert "Zie {bron}" in response.get_data(as_text=True)
    assert "Niet verstuurd: vul eerst {bron} in de tekst in" in response.get_data(as_text=True)
    assert "Nog in te vullen: {bron}" in response.get_data(as_text=True)


def test_the_composer_offers_the_protocols_templates_filled_in_with_the_decisions_template_chosen(
    app, client, auth, make_user
):
    from webcare.protocol.services import activate_file
    from webcare.resources import resource_dir

    activate_file(resource_dir("protocols") / "gemeente.yaml")
    agent = make_user(Role.AGENT, name="Sanne de Vries")
    allow(Role.AGENT, Permission.MAY_SEND, risk=Risk.LOW)
    case = private_case(
        app,
        "vraag",
        text="Hoe vraag ik een nieuw paspoort aan?",
        channel="whatsapp",
        account="+31600000123",
        author={"id": "+31611111111", "handle": "+31611111111", "name": "Kees Smit"},
    )
    decision = case.applied_decision
    assert decision is not None and decision.template_id
    auth.login_as(agent)

    page = client.get(f"/cases/{case.id}/reply").get_data(as_text=True)

    assert f'<option value="{decision.template_id}"' in page
    assert "selected" in page.split(f'<option value="{decision.template_id}"')[1].split(">")[0]
    assert "Hoi Kees" in page and "{naam}" not in page
    assert 'name="visibility" value="private"' in page  # WhatsApp: private only
