"""Delivery reports in the polled mailbox: a delay is no failure and no mail; a bounce of a web-form reply counts."""

from __future__ import annotations

from datetime import timedelta
from email import policy
from email.parser import BytesParser
from email.utils import format_datetime

from sqlalchemy import func, select

from tests.channels.helpers import our_account, process_queue
from tests.channels.test_imap import BOUNCE, MAILBOX, NOW, mail_account
from tests.channels.test_webform import HANDLE, send_form
from tests.workflow.reply_support import allow
from webcare.accounts.models import Channel
from webcare.auth.models import Role
from webcare.channels.imap import poll_account
from webcare.channels.models import DeliveryStatus
from webcare.extensions import db
from webcare.inbox.models import CaseEvent, Direction, Message
from webcare.intake.models import DeadLetter
from webcare.intake.services import accept_items
from webcare.mandates.models import Permission
from webcare.replies.outbox import send_due_replies
from webcare.replies.services import draft_reply
from webcare.timeutil import utcnow

DELAYED = """From: Mail Delivery System <MAILER-DAEMON@mail.lindeburg.nl>
To: webcare@lindeburg.nl
Subject: Delayed Mail (still being retried)
Date: Mon, 02 Nov 2026 11:30:00 +0100
Message-ID: <delay-1@mail.lindeburg.nl>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="DELAY"

--DELAY
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Dit is het mailsysteem van mail.lindeburg.nl. Uw bericht aan ren=C3=A9e@example.nl kon nog niet
worden afgeleverd. =C3=89=C3=A9n poging mislukte tijdelijk; we blijven het proberen tot 4 november =E2=8F=B3

--DELAY
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.lindeburg.nl
Arrival-Date: Mon, 02 Nov 2026 10:30:00 +0100

Final-Recipient: rfc822; renee@example.nl
Original-Recipient: rfc822;renee@example.nl
Action: delayed
Status: 4.4.1
Diagnostic-Code: smtp; 421 4.4.1 mx.example.nl: Connection timed out
Will-Retry-Until: Wed, 04 Nov 2026 10:30:00 +0100

--DELAY
Content-Type: text/rfc822-headers

From: Gemeente Lindeburg <webcare@lindeburg.nl>
To: renee@example.nl
Subject: =?utf-8?q?Re:_Vraag_over_de_r=C3=A9novatie_=F0=9F=98=8A?=
Message-ID: <reply-1@lindeburg.nl>

--DELAY--
""".replace("\n", "\r\n").encode()


def web_form_bounce(sent: bytes, *, at) -> bytes:
    """A mailer-daemon's RFC 3464 report on the mail we sent, quoting its headers as they left our server."""
    headers = sent.split(b"\r\n\r\n", 1)[0].decode()
    return (
        f"""From: Mail Delivery System <MAILER-DAEMON@mail.lindeburg.nl>
To: webcare@lindeburg.nl
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(at)}
Message-ID: <bounce-webform-1@mail.lindeburg.nl>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=utf-8

Uw bericht kon niet worden afgeleverd bij één of meer ontvangers.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.lindeburg.nl

Final-Recipient: rfc822; renee@example.nl
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <renee@example.nl>: Recipient address rejected: Mailbox unavailable

--BOUNDARY
Content-Type: text/rfc822-headers

{headers}

--BOUNDARY--
""".replace("\r\n", "\n")
        .replace("\n", "\r\n")
        .encode()
    )


def test_a_delayed_delivery_report_creates_no_message_no_dead_letter_and_no_failure(app, imap_server):
    account = mail_account(app, imap_server)
    accept_items(
        [
            {
                "channel": "email",
                "account": MAILBOX,
                "external_id": "<reply-1@lindeburg.nl>",
                "direction": "outbound",
                "created_at": "2026-11-02T10:30:00+01:00",
                "text": "Begin maart.",
            }
        ],
        source="test",
    )
    imap_server.add(DELAYED)

    result = poll_account(account, now=NOW)

    assert (result.read, result.accepted, result.bounces) == (1, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1  # only our reply
    assert db.session.scalar(select(func.count()).select_from(DeadLetter)) == 0
    assert db.session.scalar(select(func.count()).select_from(DeliveryStatus)) == 0
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == 0

    imap_server.add(BOUNCE)  # the server gives up after all: now it is a failure
    later = poll_account(account, now=NOW + timedelta(days=2))

    assert later.read == 1 and later.bounces == 1
    assert db.session.scalars(select(DeliveryStatus.status)).all() == ["failed"]


def test_a_bounce_of_our_reply_to_a_web_form_message_fails_that_reply_on_its_case(
    app, client, csrf_from, smtp, imap_server, make_user
):
    our_account(Channel.WEBFORM, HANDLE)
    mailbox = mail_account(app, imap_server)  # the bounces come back to the address we send from
    send_form(client, csrf_from, message="De lantaarnpaal bij café ’t Hoekje is kapot 💡")
    process_queue()
    resident_message = db.session.scalar(select(Message).where(Message.channel == Channel.WEBFORM))
    allow(Role.AGENT, Permission.MAY_SEND)
    now = utcnow()
    draft_reply(
        resident_message.case,
        "Dank u, de monteur komt donderdag. Met vriendelijke groet 🙂",
        by=make_user(Role.AGENT),
        now=now,
    )
    assert send_due_replies(now=now)["sent"] == 1
    ours = db.session.scalar(select(Message).where(Message.direction == Direction.OUTBOUND))
    sent = smtp.messages[-1].content
    assert BytesParser(policy=policy.default).parsebytes(sent)["Message-ID"] == ours.external_id
    imap_server.add(web_form_bounce(sent, at=now + timedelta(minutes=1)))

    result = poll_account(mailbox, now=now + timedelta(minutes=2))

    assert result.bounces == 1 and result.accepted == 0
    status = db.session.scalar(select(DeliveryStatus))
    assert (status.channel, status.status, status.message_id) == (Channel.WEBFORM, "failed", ours.id)
    assert "5.1.1" in status.error and "Mailbox unavailable" in status.error
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "delivery_failed"))
    assert event.case_id == ours.case_id and event.details["message_id"] == ours.id
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2  # the bounce is no resident's mail
    assert db.session.scalar(select(func.count()).select_from(DeadLetter)) == 0
