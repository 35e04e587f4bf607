"""Platform rate limits through the outbox: X's x-rate-limit-reset, and Meta's limits answered as HTTP 400."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.channels.helpers import our_account, post_meta, post_x, process_queue
from tests.channels.test_meta_replies import reply, with_token
from tests.channels.test_meta_webhooks import PAGE_ID, PHONE_NUMBER_ID, whatsapp_delivery, whatsapp_text
from tests.channels.test_x import OUR_ID, mention
from tests.workflow.reply_support import allow
from webcare.accounts.models import Channel
from webcare.auth.models import Role
from webcare.channels.base import SendFailed
from webcare.channels.meta import MetaConnector, WhatsAppConnector
from webcare.channels.secrets import variable_name
from webcare.extensions import db
from webcare.inbox.models import CaseEvent, Message
from webcare.mandates.models import Permission
from webcare.replies.models import ReplyStatus
from webcare.replies.outbox import send_due_replies
from webcare.replies.services import draft_reply
from webcare.timeutil import utcnow

NOW = datetime.fromisoformat("2026-11-02T09:20:00+00:00")
RESIDENT = "6300000000000001"


def drafted(external_id: str, text: str, make_user):
    """Our answer, under a mandate to send, on the case the resident's message opened."""
    process_queue()
    allow(Role.AGENT, Permission.MAY_SEND)
    message = db.session.scalar(select(Message).where(Message.external_id == external_id))
    return draft_reply(message.case, text, by=make_user(Role.AGENT), now=NOW)


def test_an_x_429_without_retry_after_is_retried_when_its_x_rate_limit_reset_comes(
    app, secrets, client, platform, make_user
):
    account = our_account(Channel.X, "lindeburgcentrum", OUR_ID)
    app.config[variable_name(Channel.X, account.handle, "BEARER_TOKEN")] = "x-user-token"
    post_x(
        client,
        {
            "for_user_id": OUR_ID,
            "tweet_create_events": [
                mention("1861234567890000001", "@lindeburgcentrum De lantaarnpaal bij café ’t Hoekje is kapot 💡")
            ],
        },
    )
    answer = drafted("1861234567890000001", "@inwoner_anouk Dank! Donderdag komt de monteur.", make_user)
    reset = int(utcnow().timestamp()) + 900  # X sends the moment its window resets, in Unix seconds
    platform.answer(
        429,
        {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        headers={"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )
    platform.answer(201, {"data": {"id": "1861234567890000100", "text": "@inwoner_anouk Dank!"}})

    assert send_due_replies(now=NOW) == {"sent": 0, "retrying": 1, "failed": 0}

    db.session.refresh(answer)
    assert answer.status == ReplyStatus.QUEUED and "Too Many Requests" in answer.last_error
    # Not the first backoff (30 s): the wait until the reset, less the moment that passed since reading the clock.
    assert timedelta(seconds=898) < answer.next_attempt_at - NOW <= timedelta(seconds=900)
    assert send_due_replies(now=answer.next_attempt_at - timedelta(seconds=1))["sent"] == 0
    assert len(platform.requests) == 1
    assert send_due_replies(now=answer.next_attempt_at)["sent"] == 1
    assert len(platform.requests) == 2 and platform.requests[-1].path == "/2/tweets"


@pytest.fixture
def messenger_case(app, secrets, client):
    """A resident's Messenger message to a Page of ours (not a demo account, so the real connector sends)."""
    with_token(app, our_account(Channel.FACEBOOK, "lindeburg-centrum", PAGE_ID))
    post_meta(
        client,
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": 1793606460,
                    "messaging": [
                        {
                            "sender": {"id": RESIDENT},
                            "recipient": {"id": PAGE_ID},
                            "timestamp": 1793606460123,
                            "message": {
                                "mid": "m_vraag1",
                                "text": "Wanneer gaat het zwembad in Lindeburg-Zuid weer open? 🏊",
                            },
                        }
                    ],
                }
            ],
        },
    )


def test_a_meta_400_with_a_rate_limit_code_is_retried_with_backoff_and_then_sent(messenger_case, platform, make_user):
    answer = drafted("m_vraag1", "Na de renovatie, half januari. Tot ziens in het bad!", make_user)
    platform.answer(
        400,
        {
            "error": {
                "message": "(#613) Calls to this api have exceeded the rate limit.",
                "type": "OAuthException",
                "code": 613,
                "fbtrace_id": "AbCdEfGhIjK",
            }
        },
    )
    platform.answer(200, {"recipient_id": RESIDENT, "message_id": "m_antwoord1"})

    assert send_due_replies(now=NOW) == {"sent": 0, "retrying": 1, "failed": 0}

    db.session.refresh(answer)
    assert answer.status == ReplyStatus.QUEUED and answer.next_attempt_at == NOW + timedelta(seconds=30)
    assert "exceeded the rate limit" in answer.last_error
    assert send_due_replies(now=NOW + timedelta(seconds=30))["sent"] == 1
    db.session.refresh(answer)
    assert answer.status == ReplyStatus.SENT and answer.attempts == 2


def test_a_meta_400_with_code_100_fails_the_reply_at_once(messenger_case, platform, make_user):
    answer = drafted("m_vraag1", "Na de renovatie, half januari.", make_user)
    platform.answer(
        400,
        {
            "error": {
                "message": "(#100) Invalid parameter",
                "type": "OAuthException",
                "code": 100,
                "error_subcode": 2018001,
                "fbtrace_id": "AbCdEfGhIjK",
            }
        },
    )

    assert send_due_replies(now=NOW) == {"sent": 0, "retrying": 0, "failed": 1}

    db.session.refresh(answer)
    assert answer.status == ReplyStatus.FAILED and answer.attempts == 1
    assert "(#100) Invalid parameter (code 100)" in answer.last_error
    assert db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "reply_failed")).case_id == answer.case_id


@pytest.mark.parametrize(
    "error, is_retried",
    [
        (
            {"message": "(#80007) There have been too many calls to this WhatsApp Business account.", "code": 80007},
            True,
        ),
        ({"message": "(#130429) Rate limit hit", "code": 130429}, True),
        ({"message": "An unknown error occurred", "code": 131000, "is_transient": True}, True),
        ({"message": "(#100) Invalid parameter", "code": 100, "is_transient": False}, False),
        ({"message": "Error validating access token: Session has expired", "code": 190}, False),
    ],
    ids=["business-account-limit", "throughput-limit", "is-transient", "invalid-parameter", "expired-token"],
)
def test_meta_refusals_on_http_400_are_retried_only_for_limits_and_transient_errors(
    app, secrets, client, platform, error, is_retried
):
    account = with_token(app, our_account(Channel.WHATSAPP, "lindeburg-whatsapp", PHONE_NUMBER_ID))
    post_meta(
        client,
        whatsapp_delivery(whatsapp_text("wamid.in1", "Is de milieustraat zaterdag open? ♻️", timestamp=1793606400)),
    )
    platform.answer(400, {"error": {"type": "OAuthException", "fbtrace_id": "AbCdEfGhIjK", **error}})

    with pytest.raises(SendFailed) as failed:
        WhatsAppConnector().send(
            reply(account, "Ja, van 9 tot 16 uur.", in_reply_to="wamid.in1", is_public=False), now=NOW
        )

    assert failed.value.is_permanent is not is_retried
    assert error["message"] in str(failed.value)


def test_a_meta_rate_limit_on_400_honours_a_retry_after_when_one_is_sent(messenger_case, platform):
    platform.answer(
        400, {"error": {"message": "(#4) Application request limit reached", "code": 4}}, headers={"Retry-After": "600"}
    )

    with pytest.raises(SendFailed) as failed:
        MetaConnector().send(
            reply(db.session.scalar(select(Message)).account, "Dank!", in_reply_to="m_vraag1", is_public=False)
        )

    assert not failed.value.is_permanent and failed.value.retry_after_seconds == 600
