"""Replies through the Graph API, against a local server that records the requests and plays platform errors."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.channels.helpers import our_account, post_meta
from tests.channels.test_meta_webhooks import (
    IG_ID,
    PAGE_ID,
    PHONE_NUMBER_ID,
    page_comment,
    whatsapp_delivery,
    whatsapp_text,
)
from webcare.accounts.models import Account, Channel
from webcare.channels.accounts import test_connection as check_connection
from webcare.channels.base import OutgoingReply, SendFailed
from webcare.channels.meta import InstagramConnector, MetaConnector, WhatsAppConnector
from webcare.channels.secrets import variable_name
from webcare.extensions import db

TOKEN = "EAAG-page-token"


def with_token(app, account: Account) -> Account:
    app.config[variable_name(account.channel, account.handle, "ACCESS_TOKEN")] = TOKEN
    return account


def reply(account: Account, text: str, *, in_reply_to: str | None, is_public: bool, recipient: str | None = None):
    return OutgoingReply(
        account=account,
        text=text,
        is_public=is_public,
        in_reply_to=in_reply_to,
        recipient=recipient,
        conversation_id=None,
    )


@pytest.fixture
def page(app, secrets, client):
    account = with_token(app, our_account(Channel.FACEBOOK, "gemeentelindeburg", PAGE_ID))
    post_meta(
        client,
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": 1793606400,
                    "changes": [page_comment("900000001_1", "Waarom is de brug dicht?")],
                },
                {
                    "id": PAGE_ID,
                    "time": 1793606400,
                    "messaging": [
                        {
                            "sender": {"id": "6300000000000001"},
                            "recipient": {"id": PAGE_ID},
                            "timestamp": 1793606460123,
                            "message": {"mid": "m_vraag1", "text": "Vraag over mijn aanslag"},
                        }
                    ],
                },
            ],
        },
    )
    return account


def test_a_public_reply_to_a_facebook_comment_is_a_comment_under_it(page, platform):
    platform.answer(200, {"id": "900000001_555"})

    sent = MetaConnector().send(
        reply(
            page,
            "De brug is tot vrijdag dicht voor onderhoud. Excuses voor het ongemak 🙏",
            in_reply_to="900000001_1",
            is_public=True,
        )
    )

    assert sent.external_id == "900000001_555"
    request = platform.requests[-1]
    assert request.method == "POST" and request.path == "/v21.0/900000001_1/comments"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    from urllib.parse import parse_qs

    assert parse_qs(request.body.decode())["message"] == [
        "De brug is tot vrijdag dicht voor onderhoud. Excuses voor het ongemak 🙏"
    ]


def test_a_private_reply_to_a_comment_goes_to_messenger_by_comment_id(page, platform):
    platform.answer(200, {"recipient_id": "6300000000000009", "message_id": "m_private1"})

    sent = MetaConnector().send(reply(page, "Mag ik uw adres?", in_reply_to="900000001_1", is_public=False))

    assert sent.external_id == "m_private1"
    assert platform.requests[-1].path == f"/v21.0/{PAGE_ID}/messages"
    assert platform.requests[-1].json() == {
        "recipient": {"comment_id": "900000001_1"},
        "message": {"text": "Mag ik uw adres?"},
    }


def test_a_messenger_answer_is_sent_to_the_residents_page_scoped_id(page, platform):
    platform.answer(200, {"recipient_id": "6300000000000001", "message_id": "m_answer1"})

    MetaConnector().send(reply(page, "U krijgt binnen 2 dagen bericht.", in_reply_to="m_vraag1", is_public=False))

    assert platform.requests[-1].json() == {
        "recipient": {"id": "6300000000000001"},
        "messaging_type": "RESPONSE",
        "message": {"text": "U krijgt binnen 2 dagen bericht."},
    }


def test_an_instagram_comment_reply_uses_the_replies_edge(app, secrets, client, platform):
    account = with_token(app, our_account(Channel.INSTAGRAM, "gemeente.lindeburg", IG_ID))
    post_meta(
        client,
        {
            "object": "instagram",
            "entry": [
                {
                    "id": IG_ID,
                    "time": 1793606400,
                    "changes": [
                        {
                            "field": "comments",
                            "value": {
                                "from": {"id": "178001", "username": "sanne"},
                                "media": {"id": "1790"},
                                "id": "17860000000000789",
                                "text": "Wanneer is de kermis?",
                            },
                        }
                    ],
                }
            ],
        },
    )
    platform.answer(200, {"id": "17860000000000999"})

    sent = InstagramConnector().send(
        reply(account, "Van 3 t/m 7 juli!", in_reply_to="17860000000000789", is_public=True)
    )

    assert sent.external_id == "17860000000000999"
    assert platform.requests[-1].path == "/v21.0/17860000000000789/replies"


@pytest.fixture
def whatsapp(app, secrets, client):
    account = with_token(app, our_account(Channel.WHATSAPP, "lindeburg-whatsapp", PHONE_NUMBER_ID))
    post_meta(
        client, whatsapp_delivery(whatsapp_text("wamid.in1", "Wanneer komt de grofvuilwagen?", timestamp=1793606400))
    )  # 2026-11-02 09:00 UTC
    return account


def test_a_whatsapp_answer_within_24_hours_is_a_text_in_context(whatsapp, platform):
    platform.answer(
        200,
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "31612345678", "wa_id": "31612345678"}],
            "messages": [{"id": "wamid.out1"}],
        },
    )

    sent = WhatsAppConnector().send(
        reply(whatsapp, "Donderdag tussen 8 en 12 uur.", in_reply_to="wamid.in1", is_public=False),
        now=datetime.fromisoformat("2026-11-02T20:00:00+00:00"),
    )

    assert sent.external_id == "wamid.out1"
    assert platform.requests[-1].path == f"/v21.0/{PHONE_NUMBER_ID}/messages"
    assert platform.requests[-1].json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "31612345678",
        "type": "text",
        "text": {"preview_url": False, "body": "Donderdag tussen 8 en 12 uur."},
        "context": {"message_id": "wamid.in1"},
    }


def test_a_whatsapp_answer_after_24_hours_without_a_template_fails_permanently_and_sends_nothing(whatsapp, platform):
    with pytest.raises(SendFailed) as failed:
        WhatsAppConnector().send(
            reply(whatsapp, "Donderdag.", in_reply_to="wamid.in1", is_public=False),
            now=datetime.fromisoformat("2026-11-03T09:00:01+00:00"),
        )

    assert failed.value.is_permanent
    assert "24 uur" in str(failed.value) and "template" in str(failed.value)
    assert platform.requests == []


def test_a_whatsapp_answer_after_24_hours_uses_the_configured_template(whatsapp, platform):
    from webcare.channels.receiving import settings_of

    settings_of(whatsapp).options = {"whatsapp_template": "reactie_gemeente", "whatsapp_template_language": "nl"}
    db.session.commit()
    platform.answer(200, {"messages": [{"id": "wamid.template1"}]})

    WhatsAppConnector().send(
        reply(whatsapp, "Donderdag.", in_reply_to="wamid.in1", is_public=False),
        now=datetime.fromisoformat("2026-11-04T09:00:00+00:00"),
    )

    body = platform.requests[-1].json()
    assert body["type"] == "template"
    assert body["template"] == {
        "name": "reactie_gemeente",
        "language": {"code": "nl"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Donderdag."}]}],
    }


def test_a_rate_limit_answer_is_retried_after_the_platforms_retry_after(page, platform):
    platform.answer(
        429, {"error": {"message": "(#4) Application request limit reached", "code": 4}}, headers={"Retry-After": "120"}
    )

    with pytest.raises(SendFailed) as failed:
        MetaConnector().send(reply(page, "Dank!", in_reply_to="900000001_1", is_public=True))

    assert not failed.value.is_permanent
    assert failed.value.retry_after_seconds == 120
    assert "Application request limit reached" in str(failed.value)


def test_a_server_error_is_retried_and_a_refusal_is_permanent(page, platform):
    platform.answer(503, {"error": {"message": "Service temporarily unavailable", "code": 2}})
    platform.answer(400, {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}})
    connector = MetaConnector()

    with pytest.raises(SendFailed) as unavailable:
        connector.send(reply(page, "Dank!", in_reply_to="900000001_1", is_public=True))
    with pytest.raises(SendFailed) as refused:
        connector.send(reply(page, "Dank!", in_reply_to="900000001_1", is_public=True))

    assert not unavailable.value.is_permanent and unavailable.value.retry_after_seconds is None
    assert refused.value.is_permanent and "(#100) Invalid parameter (code 100)" in str(refused.value)


def test_sending_without_an_access_token_fails_naming_the_variable_to_set(app, secrets, platform):
    account = our_account(Channel.FACEBOOK, "wijkraad-oost", "104857600000002")

    with pytest.raises(SendFailed) as failed:
        MetaConnector().send(reply(account, "Dank!", in_reply_to="1_2", is_public=True))

    assert failed.value.is_permanent
    assert "WEBCARE_CHANNEL_FACEBOOK_WIJKRAAD_OOST_ACCESS_TOKEN" in str(failed.value)
    assert platform.requests == []


def test_testing_the_connection_makes_a_real_request_with_the_token(page, platform):
    platform.answer(200, {"id": PAGE_ID, "name": "Gemeente Lindeburg"})

    result = check_connection(page)

    assert result.is_ok and "Gemeente Lindeburg" in result.text
    assert platform.requests[-1].path == f"/v21.0/{PAGE_ID}?fields=id,name"
    assert platform.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_failing_connection_test_says_what_the_platform_answered(page, platform):
    platform.answer(401, {"error": {"message": "Error validating access token: Session has expired", "code": 190}})

    result = check_connection(page)

    assert not result.is_ok and "Session has expired" in result.text
