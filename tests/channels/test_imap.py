"""E-mail in by IMAP polling, against the IMAP test double (tests/channels/imap_double.py): UIDs, threading, bounces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from tests.channels.helpers import our_account
from webcare.accounts.models import Channel
from webcare.channels.accounts import test_connection as check_connection
from webcare.channels.imap import poll_account, poll_all
from webcare.channels.models import DeliveryLog, DeliveryOutcome, DeliveryStatus
from webcare.channels.secrets import variable_name
from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.intake.services import accept_items

MAILBOX = "webcare@lindeburg.nl"
NOW = datetime.fromisoformat("2026-11-02T12:00:00+00:00")

QUESTION = """From: =?utf-8?q?Ren=C3=A9e_van_Dijk?= <renee@example.nl>
To: Gemeente Lindeburg <webcare@lindeburg.nl>
Subject: =?utf-8?q?Vraag_over_de_r=C3=A9novatie_van_het_Museumplein?=
Date: Mon, 02 Nov 2026 10:15:00 +0100
Message-ID: <CAF1234.renee@example.nl>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Goedemorgen,

Wanneer begint de r=C3=A9novatie? Ik heb een caf=C3=A9 aan het plein =F0=9F=98=
=8A

Met vriendelijke groet,
Ren=C3=A9e
""".replace("\n", "\r\n").encode()

FOLLOW_UP = """From: Renee van Dijk <renee@example.nl>
To: webcare@lindeburg.nl
Subject: Re: Vraag over de renovatie
Date: Tue, 03 Nov 2026 08:00:00 +0100
Message-ID: <CAF5678.renee@example.nl>
In-Reply-To: <reply-1@lindeburg.nl>
References: <CAF1234.renee@example.nl> <reply-1@lindeburg.nl>
MIME-Version: 1.0
Content-Type: text/html; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

<html><head><style>p {color: red}</style></head><body><p>Dank u, dat is <b>duidelijk</b>.</p><p>Groet, Ren=E9e</p></body></html>
""".replace("\n", "\r\n").encode()

BOUNCE = """From: Mail Delivery System <MAILER-DAEMON@mail.lindeburg.nl>
To: webcare@lindeburg.nl
Subject: Undelivered Mail Returned to Sender
Date: Mon, 02 Nov 2026 11:00:00 +0100
Message-ID: <bounce-1@mail.lindeburg.nl>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.lindeburg.nl. I'm sorry to have to inform you that your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.lindeburg.nl

Final-Recipient: rfc822; renee@example.nl
Original-Recipient: rfc822;renee@example.nl
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <renee@example.nl>: Recipient address rejected: User unknown

--BOUNDARY
Content-Type: text/rfc822-headers

From: Gemeente Lindeburg <webcare@lindeburg.nl>
To: renee@example.nl
Subject: Re: Vraag over de renovatie
Message-ID: <reply-1@lindeburg.nl>

--BOUNDARY--
""".replace("\n", "\r\n").encode()


def mail_account(app, imap_server, **options):
    account = our_account(
        Channel.EMAIL, MAILBOX, None, imap_host="127.0.0.1", imap_port=imap_server.port, imap_ssl=False, **options
    )
    app.config[variable_name(Channel.EMAIL, MAILBOX, "IMAP_PASSWORD")] = "imap-wachtwoord"
    return account


def test_polling_takes_in_new_mail_with_dutch_diacritics_and_threading_headers(app, imap_server):
    account = mail_account(app, imap_server)
    imap_server.add(QUESTION)

    result = poll_account(account, now=NOW)

    assert (result.read, result.accepted) == (1, 1)
    message = db.session.scalar(select(Message))
    assert message.external_id == "<CAF1234.renee@example.nl>"
    assert message.text.startswith("Goedemorgen,\n\nWanneer begint de rénovatie? Ik heb een café aan het plein 😊")
    assert message.author.name == "Renée van Dijk" and message.author.platform_id == "renee@example.nl"
    assert message.account.handle == MAILBOX and message.is_public is False
    assert message.conversation_id == "<CAF1234.renee@example.nl>"
    assert message.created_at == datetime.fromisoformat("2026-11-02T09:15:00+00:00")


def test_a_reply_by_mail_threads_by_in_reply_to_and_the_root_of_its_references(app, imap_server):
    account = mail_account(app, imap_server)
    imap_server.add(FOLLOW_UP)

    poll_account(account, now=NOW.replace(day=4))

    message = db.session.scalar(select(Message))
    assert message.in_reply_to == "<reply-1@lindeburg.nl>"
    assert message.conversation_id == "<CAF1234.renee@example.nl>"
    assert message.text == "Dank u, dat is duidelijk.\n\nGroet, Renée"


def test_polling_again_reads_only_what_arrived_since_and_nothing_twice(app, imap_server):
    account = mail_account(app, imap_server)
    imap_server.add(QUESTION)
    poll_account(account, now=NOW)

    nothing = poll_account(account, now=NOW)
    imap_server.add(FOLLOW_UP)
    later = poll_account(account, now=NOW.replace(day=4))

    assert nothing.read == 0
    assert (later.read, later.accepted, later.last_uid) == (1, 1, 2)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2
    fetches = [command for command in imap_server.commands if command.startswith("UID FETCH")]
    assert fetches == ["UID FETCH 1 (UID BODY.PEEK[])", "UID FETCH 2 (UID BODY.PEEK[])"]


def test_a_renumbered_mailbox_is_read_again_without_creating_duplicates(app, imap_server):
    account = mail_account(app, imap_server)
    imap_server.add(QUESTION)
    imap_server.add(FOLLOW_UP)
    poll_account(account, now=NOW.replace(day=4))

    imap_server.renumber(uid_validity=1800000000)
    result = poll_account(account, now=NOW.replace(day=4))

    assert (result.read, result.accepted, result.duplicates) == (2, 0, 2)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2


def test_a_bounce_marks_our_outbound_mail_as_failed_and_is_not_a_resident_message(app, imap_server):
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
    imap_server.add(BOUNCE)

    result = poll_account(account, now=NOW)

    assert result.bounces == 1 and result.accepted == 0
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    status = db.session.scalar(select(DeliveryStatus))
    outbound = db.session.scalar(select(Message))
    assert (status.status, status.message_id) == ("failed", outbound.id)
    assert "5.1.1" in status.error and "User unknown" in status.error and "renee@example.nl" in status.error


def test_a_wrong_imap_password_is_logged_as_a_failed_poll(app, imap_server):
    account = mail_account(app, imap_server)
    app.config[variable_name(Channel.EMAIL, MAILBOX, "IMAP_PASSWORD")] = "fout"
    imap_server.add(QUESTION)

    result = poll_account(account, now=NOW)

    assert result.read == 0
    entry = db.session.scalar(select(DeliveryLog))
    assert entry.outcome == DeliveryOutcome.POLL_FAILED and "AUTHENTICATIONFAILED" in entry.detail


def test_the_scheduled_job_polls_every_mailbox_with_a_server(app, imap_server):
    mail_account(app, imap_server)
    our_account(Channel.EMAIL, "zonder-imap@lindeburg.nl")
    imap_server.add(QUESTION)

    results = poll_all(now=NOW)

    assert list(results) == [MAILBOX] and results[MAILBOX].accepted == 1


def test_testing_an_imap_connection_logs_in_and_opens_the_folder(app, imap_server):
    account = mail_account(app, imap_server)
    imap_server.add(QUESTION)

    result = check_connection(account)

    assert result.is_ok and "1 messages" in result.text
