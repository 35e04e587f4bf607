"""The public web form end to end: CSRF, honeypot, rate limit per address, the inbox, the queued receipt, replies."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import func, select

from tests.channels.helpers import our_account
from webcare.accounts.models import Channel
from webcare.channels.base import OutgoingReply
from webcare.channels.models import WebformReceipt
from webcare.channels.webform import WebformConnector, send_pending_receipts
from webcare.extensions import db
from webcare.inbox.models import Message

HANDLE = "lindeburg"


@pytest.fixture
def form_account(app):
    return our_account(Channel.WEBFORM, HANDLE)


def send_form(client, csrf_from, *, address="192.0.2.10", headers=None, **fields):
    page = client.get(f"/contact/{HANDLE}", environ_base={"REMOTE_ADDR": address}, headers=headers)
    data = {
        "name": "Renée van Dijk",
        "email": "Renee@Example.nl",
        "message": "De stoep in de Kerkstraat is opgebroken en niet gemaakt 😠",
        "website": "",
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        **fields,
    }
    return client.post(f"/contact/{HANDLE}", data=data, environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_the_form_page_is_public_and_labels_every_field(client, form_account):
    response = client.get(f"/contact/{HANDLE}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for field in ("name", "email", "message", "website"):
        assert f'for="f-{field}"' in page and f'id="f-{field}"' in page
    assert 'lang="nl"' in page
    assert "<script" not in page.split("</head>")[1]


def test_only_web_form_accounts_have_a_form(client, app):
    our_account(Channel.X, HANDLE)

    assert client.get(f"/contact/{HANDLE}").status_code == 404


def test_a_sent_form_lands_in_the_inbox_as_a_private_message_and_queues_a_receipt(client, csrf_from, form_account):
    response = send_form(client, csrf_from)

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/contact/{HANDLE}/sent")
    message = db.session.scalar(select(Message))
    assert message.channel == Channel.WEBFORM and message.is_public is False
    assert message.text == "De stoep in de Kerkstraat is opgebroken en niet gemaakt 😠"
    assert message.author.platform_id == "renee@example.nl" and message.author.name == "Renée van Dijk"
    receipt = db.session.scalar(select(WebformReceipt))
    assert receipt.email == "renee@example.nl" and receipt.sent_at is None  # the request never waited on SMTP
    assert receipt.address_key != "192.0.2.10"
    assert client.get(response.headers["Location"]).status_code == 200


def test_the_receipt_is_mailed_once_by_the_job(client, csrf_from, form_account, smtp):
    send_form(client, csrf_from)

    assert send_pending_receipts() == 1
    assert send_pending_receipts() == 0

    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == ["renee@example.nl"]
    content = envelope.content.decode()
    assert "Lindeburg" in content
    assert db.session.scalar(select(WebformReceipt.sent_at)) is not None


def test_a_receipt_that_cannot_be_mailed_is_kept_and_retried(app, client, csrf_from, form_account):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=probe.getsockname()[1])
    send_form(client, csrf_from)

    assert send_pending_receipts() == 0

    receipt = db.session.scalar(select(WebformReceipt))
    assert receipt.sent_at is None and receipt.attempts == 1 and receipt.last_error


def test_a_filled_honeypot_is_thanked_but_nothing_is_stored(client, csrf_from, form_account):
    response = send_form(client, csrf_from, website="http://spam.example")

    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    assert db.session.scalar(select(func.count()).select_from(WebformReceipt)) == 0


def test_one_address_may_send_five_messages_an_hour(client, csrf_from, form_account):
    for number in range(5):
        assert send_form(client, csrf_from, message=f"bericht {number}").status_code == 302

    limited = send_form(client, csrf_from, message="bericht 6")
    elsewhere = send_form(client, csrf_from, message="bericht van de buren", address="192.0.2.99")

    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert 'role="alert"' in limited.get_data(as_text=True)
    assert elsewhere.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Message)) == 6


def test_without_a_configured_proxy_a_forged_x_forwarded_for_does_not_dodge_the_limit(
    app, client, csrf_from, form_account
):
    app.config["WEBCARE_WEBFORM_MAX_PER_HOUR"] = 1  # WEBCARE_PROXY_HOPS is not set: 0, no proxy trusted

    first = send_form(client, csrf_from, headers={"X-Forwarded-For": "198.51.100.1"})
    forged = send_form(client, csrf_from, headers={"X-Forwarded-For": "198.51.100.2"})

    assert first.status_code == 302 and forged.status_code == 429


def test_a_form_without_csrf_token_is_refused(client, form_account):
    response = client.post(f"/contact/{HANDLE}", data={"email": "a@example.nl", "message": "hoi"})

    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_a_wrong_e_mail_address_is_explained_next_to_the_field(client, csrf_from, form_account):
    response = send_form(client, csrf_from, email="renee-at-example")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in page and 'id="f-email-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_our_reply_to_a_form_message_goes_to_the_resident_by_e_mail(client, csrf_from, form_account, smtp):
    send_form(client, csrf_from)
    message = db.session.scalar(select(Message))

    sent = WebformConnector().send(
        OutgoingReply(
            account=form_account,
            text="We herstellen de stoep volgende week.",
            is_public=False,
            in_reply_to=message.external_id,
            recipient="renee@example.nl",
            conversation_id=None,
        )
    )

    assert sent.external_id.startswith("<")
    assert smtp.messages[-1].rcpt_tos == ["renee@example.nl"]
    assert "We herstellen de stoep" in smtp.messages[-1].content.decode()
