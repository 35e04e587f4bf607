"""Meta webhooks over HTTP: verification, signatures over the raw body, Facebook, Instagram and WhatsApp shapes."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.channels.conftest import META_VERIFY_TOKEN
from tests.channels.helpers import meta_body, meta_signature, our_account, post_meta, process_queue
from webcare.accounts.models import Channel
from webcare.channels.models import DeliveryLog, DeliveryOutcome, DeliveryStatus
from webcare.extensions import db
from webcare.inbox.models import CaseEvent, Direction, Message
from webcare.intake.models import DeadLetter

PAGE_ID = "104857600000001"
IG_ID = "17841400000000001"
WABA_ID = "102290129340398"
PHONE_NUMBER_ID = "106540352242922"


def whatsapp_delivery(*messages, statuses=(), contacts=None) -> dict:
    """entry[].changes[].value as in the WhatsApp Cloud API webhook reference."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "31850001234", "phone_number_id": PHONE_NUMBER_ID},
    }
    if messages:
        value["contacts"] = contacts or [{"profile": {"name": "Anouk de Vries-Çelik"}, "wa_id": "31612345678"}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }


def whatsapp_text(
    message_id: str, text: str, *, sender: str = "31612345678", timestamp: int = 1793606400, context: str | None = None
) -> dict:
    message = {"from": sender, "id": message_id, "timestamp": str(timestamp), "type": "text", "text": {"body": text}}
    if context:
        message["context"] = {"from": "31850001234", "id": context}
    return message


def page_comment(
    comment_id: str,
    text: str,
    *,
    user_id: str = "5550001",
    name: str = "Jeroen Brouwer",
    parent_id: str | None = None,
    verb: str = "add",
) -> dict:
    post_id = f"{PAGE_ID}_900000001"
    return {
        "field": "feed",
        "value": {
            "from": {"id": user_id, "name": name},
            "post": {
                "status_type": "added_photos",
                "is_published": True,
                "updated_time": "2026-11-02T08:00:00+0000",
                "permalink_url": "https://www.facebook.com/lindeburg/posts/1",
                "promotion_status": "inactive",
                "id": post_id,
            },
            "message": text,
            "post_id": post_id,
            "comment_id": comment_id,
            "created_time": 1793606400,
            "item": "comment",
            "parent_id": parent_id or post_id,
            "verb": verb,
        },
    }


def test_meta_verification_echoes_the_challenge_for_the_right_verify_token(client, secrets):
    response = client.get(
        f"/webhooks/meta?hub.mode=subscribe&hub.verify_token={META_VERIFY_TOKEN}&hub.challenge=1158201444"
    )

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "1158201444"


def test_meta_verification_with_a_wrong_verify_token_is_refused(client, secrets):
    response = client.get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=raden&hub.challenge=1158201444")

    assert response.status_code == 403
    assert "1158201444" not in response.get_data(as_text=True)


def test_a_signed_whatsapp_message_with_diacritics_and_emoji_is_queued_with_the_residents_name(client, secrets):
    our_account(Channel.WHATSAPP, "lindeburg-whatsapp", PHONE_NUMBER_ID)
    payload = whatsapp_delivery(
        whatsapp_text(
            "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUVCMDAx",
            "Wanneer wordt de café-straat geveegd? Het ligt vol bladeren 🍂😤",
        )
    )
    body = meta_body(payload)
    assert b"\\u00e9" in body and b"\\ud83c\\udf42" in body  # Meta's escaped bytes are what is signed

    response = post_meta(client, body)

    assert response.status_code == 200
    assert response.get_json()["accepted"] == 1
    message = db.session.scalar(select(Message))
    assert message.text == "Wanneer wordt de café-straat geveegd? Het ligt vol bladeren 🍂😤"
    assert message.account.handle == "lindeburg-whatsapp"
    assert message.author.name == "Anouk de Vries-Çelik"
    assert message.author.platform_id == "31612345678"
    assert message.is_public is False
    assert message.conversation_id == f"{PHONE_NUMBER_ID}:31612345678"
    assert json.loads(message.raw)["payload"]["id"] == "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUVCMDAx"


def test_the_signature_is_checked_over_the_raw_bytes_not_over_re_serialised_json(client, secrets):
    payload = whatsapp_delivery(whatsapp_text("wamid.raw1", "Één vraag over de gemeentewerf"))
    raw = meta_body(payload)
    reserialised = json.dumps(json.loads(raw), ensure_ascii=False).encode("utf-8")

    refused = post_meta(client, raw, signature=meta_signature(reserialised))
    accepted = post_meta(client, raw, signature=meta_signature(raw))

    assert refused.status_code == 403
    assert accepted.status_code == 200


def test_a_delivery_with_a_wrong_signature_is_refused_and_logged_without_its_content(client, secrets):
    payload = whatsapp_delivery(whatsapp_text("wamid.forged", "Geheime inhoud van een vervalst bericht"))

    response = post_meta(client, payload, signature=meta_signature(meta_body(payload), "not-the-app-secret"))

    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    assert db.session.scalar(select(func.count()).select_from(DeadLetter)) == 0
    entry = db.session.scalar(select(DeliveryLog))
    assert entry.outcome == DeliveryOutcome.BAD_SIGNATURE
    assert entry.records == 0 and entry.dead_letter_id is None
    assert "Geheime" not in (entry.detail or "") and "wamid" not in (entry.detail or "")


def test_a_delivery_without_a_signature_is_refused_with_401(client, secrets):
    response = post_meta(client, whatsapp_delivery(whatsapp_text("wamid.unsigned", "hallo")), signature=None)

    assert response.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    assert db.session.scalar(select(DeliveryLog.outcome)) == DeliveryOutcome.BAD_SIGNATURE


def test_a_signed_but_malformed_delivery_is_kept_in_the_dead_letter_once_however_often_it_is_retried(client, secrets):
    body = b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":"kapot'

    response = post_meta(client, body)
    retries = [post_meta(client, body) for _ in range(2)]

    # Answered 200: the body is kept, and no retry by the platform can mend it.
    assert response.status_code == 200 and all(retry.status_code == 200 for retry in retries)
    letter = db.session.scalar(select(DeadLetter))
    assert response.get_json()["dead_letter"] == letter.id
    assert db.session.scalar(select(func.count()).select_from(DeadLetter)) == 1
    assert bytes(letter.raw) == body
    assert letter.source == "webhook:meta"
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    entries = db.session.scalars(select(DeliveryLog).order_by(DeliveryLog.id)).all()
    assert [(e.outcome, e.dead_letter_id) for e in entries] == [(DeliveryOutcome.MALFORMED, letter.id)] * 3


def test_an_unknown_webhook_object_is_malformed(client, secrets):
    response = post_meta(client, {"object": "permissions", "entry": []})

    assert response.get_json()["dead_letter"] is not None
    assert "permissions" in db.session.scalar(select(DeadLetter.reason))


def test_platform_retries_of_a_delivery_create_nothing_new(client, secrets):
    payload = whatsapp_delivery(whatsapp_text("wamid.retry1", "Is het zwembad open met Pinksteren?"))

    first = post_meta(client, payload)
    for _ in range(3):
        again = post_meta(client, payload)

    assert first.get_json()["accepted"] == 1
    assert again.status_code == 200 and again.get_json()["duplicates"] == 1
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    outcomes = db.session.scalars(select(DeliveryLog.outcome).order_by(DeliveryLog.id)).all()
    assert outcomes == [DeliveryOutcome.ACCEPTED] + [DeliveryOutcome.DUPLICATE] * 3


def test_a_batch_of_many_page_entries_becomes_one_message_per_comment_and_messenger_message(client, secrets):
    our_account(Channel.FACEBOOK, "gemeentelindeburg", PAGE_ID)
    comments = [page_comment(f"900000001_{n}", f"Reactie nummer {n}: de brug is weer dicht 🚧") for n in range(40)]
    comments.append(page_comment("900000001_own", "Dank voor uw melding!", user_id=PAGE_ID, name="Gemeente"))
    comments.append(page_comment("900000001_3", "bewerkt", verb="edited"))
    messenger = {
        "sender": {"id": "6300000000000001"},
        "recipient": {"id": PAGE_ID},
        "timestamp": 1793606460123,
        "message": {"mid": "m_AbCdEf0001", "text": "Mag ik een vraag stellen over mijn WOZ-beschikking?"},
    }
    echo = {
        "sender": {"id": PAGE_ID},
        "recipient": {"id": "6300000000000001"},
        "timestamp": 1793606470000,
        "message": {"mid": "m_echo", "is_echo": True, "app_id": 1517, "text": "Natuurlijk"},
    }
    payload = {
        "object": "page",
        "entry": [
            {"id": PAGE_ID, "time": 1793606400, "changes": comments[:20]},
            {"id": PAGE_ID, "time": 1793606401, "changes": comments[20:]},
            {"id": PAGE_ID, "time": 1793606470, "messaging": [messenger, echo]},
        ],
    }

    response = post_meta(client, payload)

    assert response.status_code == 200
    assert response.get_json()["accepted"] == 41
    texts = dict(db.session.execute(select(Message.external_id, Message.text)).all())
    assert texts["900000001_7"] == "Reactie nummer 7: de brug is weer dicht 🚧"
    assert "900000001_own" not in texts and "m_echo" not in texts
    dm = db.session.scalar(select(Message).where(Message.external_id == "m_AbCdEf0001"))
    assert dm.is_public is False and dm.author.platform_id == "6300000000000001"
    assert dm.created_at.isoformat().startswith("2026-11-02")
    comment = db.session.scalar(select(Message).where(Message.external_id == "900000001_7"))
    assert comment.is_public and comment.author.name == "Jeroen Brouwer" and comment.in_reply_to is None
    assert {m.account.handle for m in db.session.scalars(select(Message))} == {"gemeentelindeburg"}


def test_a_reply_to_a_comment_points_at_its_parent_comment(client, secrets):
    post_meta(
        client,
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": 1793606400,
                    "changes": [
                        page_comment("900000001_1", "Waarom is de brug dicht?"),
                        page_comment(
                            "900000001_2",
                            "Dat wil ik ook weten!",
                            user_id="5550002",
                            name="Fatma Yıldız",
                            parent_id="900000001_1",
                        ),
                    ],
                }
            ],
        },
    )

    reply = db.session.scalar(select(Message).where(Message.external_id == "900000001_2"))
    assert reply.in_reply_to == "900000001_1"
    assert reply.author.name == "Fatma Yıldız"


def test_instagram_comments_and_direct_messages_are_taken_in(client, secrets):
    our_account(Channel.INSTAGRAM, "gemeente.lindeburg", IG_ID)
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": IG_ID,
                "time": 1793606400,
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "from": {"id": "17800000000000123", "username": "sanne_uit_lindeburg"},
                            "media": {"id": "17900000000000456", "media_product_type": "FEED"},
                            "id": "17860000000000789",
                            "text": "Prachtige foto van de haven! 😍 Wanneer is de kermis?",
                        },
                    }
                ],
            },
            {
                "id": IG_ID,
                "time": 1793606500,
                "messaging": [
                    {
                        "sender": {"id": "IGSID-5678"},
                        "recipient": {"id": IG_ID},
                        "timestamp": 1793606500000,
                        "message": {
                            "mid": "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx",
                            "text": "Hoi, mijn paspoort is verlopen, wat nu?",
                        },
                    }
                ],
            },
        ],
    }

    response = post_meta(client, payload)

    assert response.get_json()["accepted"] == 2
    comment = db.session.scalar(select(Message).where(Message.external_id == "17860000000000789"))
    assert comment.channel == Channel.INSTAGRAM and comment.is_public
    assert comment.author.handle == "sanne_uit_lindeburg"
    assert comment.account.handle == "gemeente.lindeburg"
    dm = db.session.scalar(select(Message).where(Message.external_id == "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx"))
    assert dm.is_public is False and dm.text == "Hoi, mijn paspoort is verlopen, wat nu?"


def test_an_account_not_set_up_yet_is_registered_under_its_platform_id(client, secrets):
    post_meta(client, whatsapp_delivery(whatsapp_text("wamid.new1", "Goedemorgen")))

    assert db.session.scalar(select(Message)).account.handle == PHONE_NUMBER_ID


def test_whatsapp_status_reports_attach_to_our_outbound_message_and_a_failure_shows_on_the_case(client, secrets):
    from webcare.intake.services import accept_items

    post_meta(client, whatsapp_delivery(whatsapp_text("wamid.in1", "Mijn container is niet geleegd")))
    accept_items(
        [
            {
                "channel": "whatsapp",
                "account": PHONE_NUMBER_ID,
                "external_id": "wamid.out1",
                "direction": "outbound",
                "created_at": "2026-11-02T09:05:00+01:00",
                "text": "Wij sturen morgen een wagen.",
                "in_reply_to": "wamid.in1",
            }
        ],
        source="test",
    )
    process_queue()
    statuses = [
        {"id": "wamid.out1", "status": "sent", "timestamp": "1793606700", "recipient_id": "31612345678"},
        {"id": "wamid.out1", "status": "delivered", "timestamp": "1793606710", "recipient_id": "31612345678"},
        {
            "id": "wamid.out1",
            "status": "failed",
            "timestamp": "1793606720",
            "recipient_id": "31612345678",
            "errors": [
                {
                    "code": 131047,
                    "title": "Re-engagement message",
                    "message": "Re-engagement message",
                    "error_data": {"details": "Message failed to send because more than 24 hours have passed"},
                }
            ],
        },
    ]

    response = post_meta(client, whatsapp_delivery(statuses=statuses))
    post_meta(client, whatsapp_delivery(statuses=statuses))  # the platform retries

    assert response.status_code == 200 and response.get_json()["status_updates"] == 3
    outbound = db.session.scalar(select(Message).where(Message.direction == Direction.OUTBOUND))
    found = db.session.scalars(select(DeliveryStatus).order_by(DeliveryStatus.at)).all()
    assert [(s.status, s.message_id) for s in found] == [
        ("sent", outbound.id),
        ("delivered", outbound.id),
        ("failed", outbound.id),
    ]
    assert "131047 Re-engagement message" in found[-1].error
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "delivery_failed")).all()
    assert len(events) == 1 and events[0].case_id == outbound.case_id
