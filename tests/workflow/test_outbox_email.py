"""The e-mail connector against a real local SMTP server (aiosmtpd): threading headers, Dutch text, retry when down."""

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.workflow.reply_support import LATER, allow, open_case
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.mandates.models import Permission
from webcare.replies.models import ReplyStatus
from webcare.replies.outbox import send_due_replies
from webcare.replies.services import draft_reply

INBOUND_ID = "<20261102.ab12@mail.example.nl>"
TEXT = (
    "Beste Jörg, dank je voor je vraag. Op één moment in de week, vóór 7.30 uur, halen we het grofvuil op. Groet, Sanne"
)


class Mailbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port(app):
    port = _free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USERNAME=None)
    return port


def _start_mailbox(port: int) -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox


def _email_reply(app, make_user):
    agent = make_user(Role.AGENT, name="Sanne de Vries")
    allow(Role.AGENT, Permission.MAY_SEND)
    case = open_case(
        app,
        INBOUND_ID,
        channel="email",
        account="post@gemeente.example",
        is_public=False,
        author={"id": "jorg@example.nl", "handle": "jorg@example.nl", "name": "Jörg Müller"},
        text="Wanneer wordt het grofvuil opgehaald?",
        subject="Grofvuil ophalen in de Kerkstraat",
    )
    return draft_reply(case, TEXT, by=agent, now=LATER)


def test_an_email_reply_is_sent_by_smtp_threaded_under_the_residents_message(app, make_user, smtp_port):
    controller, mailbox = _start_mailbox(smtp_port)
    try:
        reply = _email_reply(app, make_user)
        assert send_due_replies(now=LATER)["sent"] == 1
    finally:
        controller.stop()

    [envelope] = mailbox.received
    assert envelope.mail_from == "post@gemeente.example" and envelope.rcpt_tos == ["jorg@example.nl"]
    mail = message_from_bytes(envelope.original_content, policy=policy.default)
    assert mail["Subject"] == "Re: Grofvuil ophalen in de Kerkstraat"
    assert mail["In-Reply-To"] == INBOUND_ID and mail["References"] == INBOUND_ID
    assert mail["To"] == "jorg@example.nl" and mail["From"].addresses[0].addr_spec == "post@gemeente.example"
    assert mail.get_body(("plain",)).get_content().strip() == TEXT
    db.session.refresh(reply)
    sent = db.session.get(Message, reply.message_id)
    assert sent.external_id == mail["Message-ID"] and sent.in_reply_to == INBOUND_ID
    assert reply.status == ReplyStatus.SENT and "Re: Grofvuil" in sent.raw


def test_when_the_mail_server_refuses_connections_the_reply_is_retried_with_backoff_and_sent_later(
    app, make_user, smtp_port
):
    reply = _email_reply(app, make_user)

    assert send_due_replies(now=LATER) == {"sent": 0, "retrying": 1, "failed": 0}
    db.session.refresh(reply)
    assert reply.status == ReplyStatus.QUEUED and reply.next_attempt_at == LATER + timedelta(seconds=30)
    assert "niet bereikbaar" in reply.last_error
    assert send_due_replies(now=LATER + timedelta(seconds=40)) == {"sent": 0, "retrying": 1, "failed": 0}
    db.session.refresh(reply)
    assert reply.next_attempt_at == LATER + timedelta(seconds=40 + 60)

    controller, mailbox = _start_mailbox(smtp_port)
    try:
        assert send_due_replies(now=LATER + timedelta(seconds=100))["sent"] == 1
    finally:
        controller.stop()
    assert len(mailbox.received) == 1
    db.session.refresh(reply)
    assert reply.status == ReplyStatus.SENT and reply.attempts == 3


def test_a_permanent_refusal_by_the_mail_server_fails_the_reply_at_once(app, make_user, smtp_port):
    class Refusing(Mailbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 No such user here"

    controller = Controller(Refusing(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        reply = _email_reply(app, make_user)
        assert send_due_replies(now=LATER)["failed"] == 1
    finally:
        controller.stop()
    db.session.refresh(reply)
    assert reply.status == ReplyStatus.FAILED and "550" in reply.last_error
