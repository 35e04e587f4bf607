"""X: the CRC challenge, signed deliveries of mentions and DMs, and replies through the API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from tests.channels.conftest import X_CONSUMER_SECRET
from tests.channels.helpers import our_account, post_x
from webcare.accounts.models import Channel
from webcare.channels.base import OutgoingReply, SendFailed
from webcare.channels.models import DeliveryLog, DeliveryOutcome
from webcare.channels.secrets import variable_name
from webcare.channels.x import XConnector
from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.intake.models import DeadLetter

OUR_ID = "1580000000000000001"


def mention(
    tweet_id: str,
    text: str,
    *,
    user_id: str = "98765",
    screen_name: str = "inwoner_anouk",
    in_reply_to: str | None = None,
) -> dict:
    """A tweet_create_events item as the Account Activity API documents it (v1.1 tweet object)."""
    return {
        "created_at": "Mon Nov 02 08:15:00 +0000 2026",
        "id": int(tweet_id),
        "id_str": tweet_id,
        "text": text[:140],
        "truncated": len(text) > 140,
        **({"extended_tweet": {"full_text": text}} if len(text) > 140 else {}),
        "in_reply_to_status_id_str": in_reply_to,
        "in_reply_to_user_id_str": OUR_ID,
        "user": {
            "id": int(user_id),
            "id_str": user_id,
            "name": "Anouk Müller",
            "screen_name": screen_name,
            "followers_count": 210,
            "verified": False,
        },
        "entities": {"user_mentions": [{"screen_name": "gemeentelindeburg", "id_str": OUR_ID}]},
    }


def direct_message(event_id: str, text: str, *, sender: str = "98765") -> dict:
    return {
        "type": "message_create",
        "id": event_id,
        "created_timestamp": "1793607300000",
        "message_create": {
            "target": {"recipient_id": OUR_ID},
            "sender_id": sender,
            "message_data": {"text": text, "entities": {}},
        },
    }


def test_the_crc_challenge_is_answered_with_the_base64_hmac_of_the_token(client, secrets):
    response = client.get("/webhooks/x?crc_token=ZjQ1NzhlOTgtYzRkOC00ZTdhLWI4YjctZGE5ZjdhODMzNjA3")

    expected = base64.b64encode(
        hmac.new(
            X_CONSUMER_SECRET.encode(), b"ZjQ1NzhlOTgtYzRkOC00ZTdhLWI4YjctZGE5ZjdhODMzNjA3", hashlib.sha256
        ).digest()
    ).decode()
    assert response.status_code == 200
    assert response.get_json() == {"response_token": f"sha256={expected}"}


def test_the_crc_answer_cannot_be_used_to_forge_a_delivery(client, secrets):
    our_account(Channel.X, "gemeentelindeburg", OUR_ID)
    forged = json.dumps({"for_user_id": OUR_ID, "tweet_create_events": [mention("1861234567890000666", "vals")]})

    answer = client.get(f"/webhooks/x?crc_token={quote(forged)}")
    signature = (answer.get_json() or {}).get("response_token", "sha256=")
    delivery = client.post(
        "/webhooks/x",
        data=forged.encode(),
        headers={"Content-Type": "application/json", "x-twitter-webhooks-signature": signature},
    )

    assert answer.status_code == 400 and "response_token" not in answer.get_json()
    assert delivery.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


@pytest.mark.parametrize(
    "token",
    [
        "123456789012",
        "12345678e9",
        "a b c d e f g h",
        '"abcdefghij"',
        "[1,2,3,4,5,6]",
        "short",
        "A" * 257,
        "{}{}{}{}{}",
    ],
)
def test_crc_tokens_not_shaped_like_x_s_are_refused(client, secrets, token):
    response = client.get(f"/webhooks/x?crc_token={quote(token)}")

    assert response.status_code == 400


def test_mentions_and_direct_messages_are_taken_in(client, secrets):
    our_account(Channel.X, "gemeentelindeburg", OUR_ID)
    long_text = (
        "@gemeentelindeburg De lantaarnpaal op de hoek Dorpsstraat/Kerkplein is al drie weken kapot, "
        "het is 's avonds echt gevaarlijk voor fietsers en wandelaars 😟 Wanneer wordt dit gerepareerd?"
    )
    payload = {
        "for_user_id": OUR_ID,
        "tweet_create_events": [
            mention("1861234567890000001", long_text),
            mention(
                "1861234567890000002", "@gemeentelindeburg zelf gepost", user_id=OUR_ID, screen_name="gemeentelindeburg"
            ),
        ],
    }
    dms = {
        "for_user_id": OUR_ID,
        "direct_message_events": [
            direct_message("1861234567890000003", "Hoe vraag ik een parkeervergunning aan? Groetjes, Anouk")
        ],
        "users": {
            "98765": {
                "id": "98765",
                "name": "Anouk Müller",
                "screen_name": "inwoner_anouk",
                "followers_count": 210,
                "verified": False,
            }
        },
    }

    first = post_x(client, payload)
    second = post_x(client, dms)

    assert first.status_code == 200 and first.get_json()["accepted"] == 1
    assert second.get_json()["accepted"] == 1
    tweet = db.session.scalar(select(Message).where(Message.external_id == "1861234567890000001"))
    assert tweet.text == long_text and tweet.is_public
    assert tweet.author.handle == "inwoner_anouk" and tweet.author.followers == 210
    assert tweet.url == "https://x.com/inwoner_anouk/status/1861234567890000001"
    assert tweet.account.handle == "gemeentelindeburg"
    dm = db.session.scalar(select(Message).where(Message.external_id == "1861234567890000003"))
    assert dm.is_public is False and dm.author.name == "Anouk Müller"
    assert dm.conversation_id == f"dm:{OUR_ID}-98765"


def test_a_wrongly_signed_x_delivery_is_refused_without_storing_anything(client, secrets):
    response = post_x(
        client,
        {"for_user_id": OUR_ID, "tweet_create_events": [mention("1", "geheim")]},
        signature="sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    )

    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    assert db.session.scalar(select(DeliveryLog.outcome)) == DeliveryOutcome.BAD_SIGNATURE


def test_a_signed_x_delivery_without_for_user_id_is_dead_lettered(client, secrets):
    response = post_x(client, {"tweet_create_events": []})

    assert response.status_code == 200 and response.get_json()["dead_letter"] is not None
    assert db.session.scalar(select(DeadLetter.reason)) == "the delivery names no 'for_user_id'"


def test_x_retries_create_nothing_new(client, secrets):
    payload = {"for_user_id": OUR_ID, "tweet_create_events": [mention("1861234567890000009", "@gemeentelindeburg hoi")]}

    post_x(client, payload)
    again = post_x(client, payload)

    assert again.get_json()["duplicates"] == 1
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1


@pytest.fixture
def x_account(app, secrets, client):
    account = our_account(Channel.X, "gemeentelindeburg", OUR_ID)
    app.config[variable_name(Channel.X, "gemeentelindeburg", "BEARER_TOKEN")] = "x-user-token"
    post_x(
        client,
        {
            "for_user_id": OUR_ID,
            "tweet_create_events": [mention("1861234567890000001", "@gemeentelindeburg lamp kapot")],
            "direct_message_events": [direct_message("1861234567890000003", "vraag")],
            "users": {"98765": {"id": "98765", "name": "Anouk", "screen_name": "inwoner_anouk"}},
        },
    )
    return account


def test_a_public_reply_is_a_reply_tweet(x_account, platform):
    platform.answer(201, {"data": {"id": "1861234567890000100", "text": "@inwoner_anouk Dank, we sturen iemand."}})

    sent = XConnector().send(
        OutgoingReply(
            account=x_account,
            text="@inwoner_anouk Dank, we sturen iemand.",
            is_public=True,
            in_reply_to="1861234567890000001",
            recipient="inwoner_anouk",
            conversation_id=None,
        )
    )

    assert sent.external_id == "1861234567890000100"
    assert platform.requests[-1].path == "/2/tweets"
    assert platform.requests[-1].headers["Authorization"] == "Bearer x-user-token"
    assert platform.requests[-1].json() == {
        "text": "@inwoner_anouk Dank, we sturen iemand.",
        "reply": {"in_reply_to_tweet_id": "1861234567890000001"},
    }


def test_a_private_reply_is_a_direct_message_to_the_residents_user_id(x_account, platform):
    platform.answer(
        201, {"data": {"dm_conversation_id": "98765-1580000000000000001", "dm_event_id": "1861234567890000200"}}
    )

    sent = XConnector().send(
        OutgoingReply(
            account=x_account,
            text="Via het Omgevingsloket.",
            is_public=False,
            in_reply_to="1861234567890000003",
            recipient="inwoner_anouk",
            conversation_id=None,
        )
    )

    assert sent.external_id == "1861234567890000200"
    assert platform.requests[-1].path == "/2/dm_conversations/with/98765/messages"


def test_an_x_rate_limit_carries_the_retry_after(x_account, platform):
    platform.answer(
        429,
        {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        headers={"Retry-After": "900"},
    )

    with pytest.raises(SendFailed) as failed:
        XConnector().send(
            OutgoingReply(
                account=x_account,
                text="hoi",
                is_public=True,
                in_reply_to="1861234567890000001",
                recipient=None,
                conversation_id=None,
            )
        )

    assert failed.value.retry_after_seconds == 900 and not failed.value.is_permanent
