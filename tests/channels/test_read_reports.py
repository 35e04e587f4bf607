"""Messenger and Instagram delivery and read reports on our replies, and what the case page shows of them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.channels.helpers import our_account, post_meta, process_queue
from tests.channels.test_meta_replies import with_token
from tests.channels.test_meta_webhooks import IG_ID, PAGE_ID, PHONE_NUMBER_ID, whatsapp_delivery, whatsapp_text
from tests.workflow.reply_support import allow
from webcare.accounts.models import Channel
from webcare.auth.models import Role
from webcare.channels.models import DeliveryStatus
from webcare.extensions import db
from webcare.inbox.models import Direction, Message
from webcare.intake.services import accept_items
from webcare.mandates.models import Permission
from webcare.replies.outbox import send_due_replies
from webcare.replies.services import draft_reply

RESIDENT = "6300000000000001"
IG_RESIDENT = "IGSID-5678"
ASKED = datetime.fromisoformat("2026-11-02T09:01:00+00:00")
FIRST = datetime.fromisoformat("2026-11-02T09:10:00+00:00")
READ_UP_TO = datetime.fromisoformat("2026-11-02T09:20:00+00:00")
SECOND = datetime.fromisoformat("2026-11-02T09:30:00+00:00")


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def messaging(object_: str, our_id: str, resident: str, *, at: datetime = ASKED, **event) -> dict:
    """One messaging event from the resident to us, as Messenger and Instagram webhooks send it."""
    return {
        "object": object_,
        "entry": [
            {
                "id": our_id,
                "time": millis(at),
                "messaging": [
                    {"sender": {"id": resident}, "recipient": {"id": our_id}, "timestamp": millis(at), **event}
                ],
            }
        ],
    }


@pytest.fixture
def answer(platform, make_user):
    """Send our answer on the resident's case through the outbox at a given moment; the platform names it `mid`."""
    allow(Role.AGENT, Permission.MAY_SEND)
    agent = make_user(Role.AGENT)

    def send(asked_in: str, text: str, mid: str, *, at: datetime) -> Message:
        case = db.session.scalar(select(Message).where(Message.external_id == asked_in)).case
        reply = draft_reply(case, text, by=agent, now=at)
        platform.answer(200, {"recipient_id": case.author.platform_id, "message_id": mid})
        assert send_due_replies(now=at)["sent"] == 1
        db.session.refresh(reply)
        return db.session.get(Message, reply.message_id)

    return send


@pytest.fixture
def messenger(app, secrets, client):
    with_token(app, our_account(Channel.FACEBOOK, "lindeburg-centrum", PAGE_ID))
    post_meta(
        client,
        messaging(
            "page",
            PAGE_ID,
            RESIDENT,
            message={"mid": "m_vraag1", "text": "Wanneer gaat het zwembad in Lindeburg-Zuid weer open? 🏊‍♀️"},
        ),
    )
    process_queue()


def reports() -> list[tuple[str, str, int | None, datetime]]:
    return [
        (s.external_id, s.status, s.message_id, s.at)
        for s in db.session.scalars(select(DeliveryStatus).order_by(DeliveryStatus.external_id, DeliveryStatus.at))
    ]


def test_a_messenger_read_watermark_marks_our_earlier_replies_read_and_not_later_ones(messenger, answer, client):
    first = answer("m_vraag1", "Na de renovatie, half januari.", "m_antwoord1", at=FIRST)
    second = answer("m_vraag1", "PS: de sauna gaat tegelijk open 🧖", "m_antwoord2", at=SECOND)

    response = post_meta(
        client,
        messaging(
            "page", PAGE_ID, RESIDENT, at=READ_UP_TO + timedelta(seconds=5), read={"watermark": millis(READ_UP_TO)}
        ),
    )

    assert response.status_code == 200 and response.get_json()["status_updates"] == 1
    assert reports() == [("m_antwoord1", "read", first.id, READ_UP_TO)]

    later = SECOND + timedelta(minutes=3)
    post_meta(client, messaging("page", PAGE_ID, RESIDENT, at=later, read={"watermark": millis(later)}))

    assert reports() == [("m_antwoord1", "read", first.id, READ_UP_TO), ("m_antwoord2", "read", second.id, later)]


def test_an_instagram_read_report_marks_the_message_it_names_as_read(app, secrets, client, answer):
    with_token(app, our_account(Channel.INSTAGRAM, "gemeente.lindeburg", IG_ID))
    post_meta(
        client,
        messaging(
            "instagram",
            IG_ID,
            IG_RESIDENT,
            message={
                "mid": "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxvraag",
                "text": "Mag mijn hond mee naar het strand? 🐕",
            },
        ),
    )
    process_queue()
    ours = answer(
        "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxvraag",
        "Tot 1 mei wel, aangelijnd.",
        "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxantwoord",
        at=FIRST,
    )

    response = post_meta(
        client, messaging("instagram", IG_ID, IG_RESIDENT, at=READ_UP_TO, read={"mid": ours.external_id})
    )

    assert response.get_json()["status_updates"] == 1
    assert reports() == [(ours.external_id, "read", ours.id, READ_UP_TO)]


def outbound_items(html: str) -> list[str]:
    return re.findall(r'<li class="message message-outbound">(.*?)</li>', html, re.DOTALL)


def test_the_case_page_shows_the_furthest_report_next_to_each_of_our_replies(
    messenger, answer, client, auth, make_user
):
    first = answer("m_vraag1", "Na de renovatie, half januari.", "m_antwoord1", at=FIRST)
    answer("m_vraag1", "PS: de sauna gaat tegelijk open 🧖", "m_antwoord2", at=SECOND)
    delivered = SECOND + timedelta(minutes=1)
    post_meta(
        client,
        messaging(
            "page",
            PAGE_ID,
            RESIDENT,
            at=delivered,
            delivery={"mids": ["m_antwoord1", "m_antwoord2"], "watermark": millis(delivered)},
        ),
    )
    post_meta(client, messaging("page", PAGE_ID, RESIDENT, at=READ_UP_TO, read={"watermark": millis(READ_UP_TO)}))
    auth.login_as(make_user(Role.AGENT))

    html = client.get(f"/cases/{first.case_id}").get_data(as_text=True)

    read, only_delivered = outbound_items(html)
    # Read at 09:20 although the delivery watermark, which covers it too, is later.
    assert f'class="delivery-status delivery-read">Gelezen <time datetime="{READ_UP_TO.isoformat()}">' in read
    assert re.search(r'delivery-read">Gelezen <time [^>]+>2 nov\.? 2026 10:20</time>', read)  # Amsterdam time
    assert (
        f'class="delivery-status delivery-delivered">Afgeleverd <time datetime="{delivered.isoformat()}">'
        in only_delivered
    )
    inbound = re.findall(r'<li class="message message-inbound">.*?</li>', html, re.DOTALL)
    assert inbound and not any("delivery-status" in item for item in inbound)


def test_a_reply_without_reports_shows_none_and_a_failure_shows_its_reason(app, secrets, client, auth, make_user):
    our_account(Channel.WHATSAPP, "lindeburg-whatsapp", PHONE_NUMBER_ID)
    post_meta(client, whatsapp_delivery(whatsapp_text("wamid.in1", "Mijn container is niet geleegd 😤")))
    accept_items(
        [
            {
                "channel": "whatsapp",
                "account": "lindeburg-whatsapp",
                "external_id": external_id,
                "direction": "outbound",
                "created_at": created_at,
                "text": text,
                "in_reply_to": "wamid.in1",
            }
            for external_id, created_at, text in [
                ("wamid.out1", "2026-11-02T10:05:00+01:00", "Wij sturen morgen een wagen."),
                ("wamid.out2", "2026-11-02T10:06:00+01:00", "Excuses voor het ongemak."),
            ]
        ],
        source="test",
    )
    process_queue()
    post_meta(
        client,
        whatsapp_delivery(
            statuses=[
                {"id": "wamid.out1", "status": "sent", "timestamp": "1793606700", "recipient_id": "31612345678"},
                {
                    "id": "wamid.out1",
                    "status": "failed",
                    "timestamp": "1793606720",
                    "recipient_id": "31612345678",
                    "errors": [
                        {
                            "code": 131026,
                            "title": "Message undeliverable",
                            "message": "Message undeliverable",
                            "error_data": {"details": "Het nummer gebruikt geen WhatsApp"},
                        }
                    ],
                },
            ]
        ),
    )
    case_id = db.session.scalar(select(Message.case_id).where(Message.direction == Direction.OUTBOUND).limit(1))
    auth.login_as(make_user(Role.AGENT))

    html = client.get(f"/cases/{case_id}").get_data(as_text=True)

    failed, unreported = outbound_items(html)
    assert 'class="delivery-status delivery-failed">Niet afgeleverd <time' in failed
    assert "131026 Message undeliverable: Het nummer gebruikt geen WhatsApp" in failed
    assert "delivery-status" not in unreported
