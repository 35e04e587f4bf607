"""The public web form: a resident's message to one of our accounts, a receipt e-mail, and replies by e-mail."""

from __future__ import annotations

import hashlib
import hmac
import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from webcare.accounts.models import Account, Channel
from webcare.channels.base import (
    Connector,
    Delivery,
    OutgoingReply,
    ParsedDelivery,
    SentReply,
    SignatureError,
    register,
)
from webcare.channels.email import EmailConnector
from webcare.channels.models import WebformReceipt
from webcare.channels.receiving import take_in
from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.notifications.services import send_mail
from webcare.timeutil import utcnow

log = logging.getLogger(__name__)

RATE_WINDOW = timedelta(hours=1)
DEFAULT_MAX_PER_HOUR = 5
MAX_RECEIPT_ATTEMPTS = 5


class TooManyMessages(Exception):
    """The address sent the most messages the form takes in an hour; try again after `retry_after_seconds`."""

    def __init__(self, retry_after_seconds: int):
        super().__init__(f"too many messages from this address; try again in {retry_after_seconds} seconds")
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class Submitted:
    message_id: int
    external_id: str


def address_key(address: str) -> str:
    """A keyed hash of the sender's IP address: enough to count, without keeping the address."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, (address or "unknown").encode(), hashlib.sha256).hexdigest()


def form_account(handle: str) -> Account | None:
    return db.session.scalar(select(Account).where(Account.channel == Channel.WEBFORM, Account.handle == handle))


def check_rate(address: str, *, now: datetime) -> None:
    """Raise TooManyMessages when this address already sent the maximum within the last hour."""
    limit = int(current_app.config.get("WEBCARE_WEBFORM_MAX_PER_HOUR") or DEFAULT_MAX_PER_HOUR)
    recent = list(
        db.session.scalars(
            select(WebformReceipt.created_at)
            .where(WebformReceipt.address_key == address_key(address), WebformReceipt.created_at > now - RATE_WINDOW)
            .order_by(WebformReceipt.created_at.desc())
            .limit(limit)
        )
    )
    if len(recent) >= limit:
        raise TooManyMessages(max(1, int((recent[-1] + RATE_WINDOW - now).total_seconds()) + 1))


def submit_contact_form(
    account: Account, *, name: str, email: str, text: str, address: str, now: datetime | None = None
) -> Submitted:
    """Take a resident's form message into the inbox (private) and queue a receipt e-mail; one transaction."""
    now = now or utcnow()
    check_rate(address, now=now)
    email = email.strip().lower()
    external_id = f"webform:{uuid.uuid4().hex}"
    record = {
        "channel": Channel.WEBFORM.value,
        "account": account.handle,
        "external_id": external_id,
        "direction": "inbound",
        "created_at": now.isoformat(),
        "text": text.strip(),
        "author": {"id": email, "handle": email, "name": name.strip() or None},
        "is_public": False,
        "platform": {"kind": "form"},
    }
    db.session.add(
        WebformReceipt(
            account=account,
            external_id=external_id,
            email=email,
            name=name.strip()[:200] or None,
            address_key=address_key(address),
            created_at=now,
        )
    )
    take_in(
        ParsedDelivery(records=[record]),
        source=f"webform:{account.handle}",
        channel=Channel.WEBFORM,
        now=now,
        account=account,
    )
    message_id = db.session.scalar(
        select(Message.id).where(Message.channel == Channel.WEBFORM, Message.external_id == external_id)
    )
    return Submitted(message_id, external_id)


def receipt_text(receipt: WebformReceipt, message_text: str) -> tuple[str, str]:
    """Subject and body of the receipt e-mail, in Dutch."""
    with force_locale("nl"):
        subject = _("We received your message to %(account)s", account=receipt.account.name)
        body = "\n\n".join(
            [
                _("Dear %(name)s,", name=receipt.name) if receipt.name else _("Hello,"),
                _(
                    "Thank you for your message to %(account)s. We have received it and will answer you by e-mail "
                    "as soon as we can.",
                    account=receipt.account.name,
                ),
                _("Your reference: %(reference)s", reference=receipt.external_id.removeprefix("webform:")[:12]),
                _("Your message:") + "\n\n" + "\n".join("> " + line for line in message_text.splitlines()),
                _("This is an automatic receipt; you need not answer it."),
            ]
        )
    return subject, body


def send_pending_receipts(*, now: datetime | None = None, limit: int = 20) -> int:
    """Mail the receipts owed to residents (the scheduler's job); returns how many were sent."""
    now = now or utcnow()
    pending = db.session.scalars(
        select(WebformReceipt)
        .where(WebformReceipt.sent_at.is_(None), WebformReceipt.attempts < MAX_RECEIPT_ATTEMPTS)
        .order_by(WebformReceipt.id)
        .limit(limit)
    ).all()
    sent = 0
    for receipt in pending:
        text = (
            db.session.scalar(
                select(Message.text).where(
                    Message.channel == Channel.WEBFORM, Message.external_id == receipt.external_id
                )
            )
            or ""
        )
        receipt.attempts += 1
        try:
            send_mail(receipt.email, *receipt_text(receipt, text))
        except (OSError, smtplib.SMTPException) as error:
            receipt.last_error = f"{type(error).__name__}: {error}"[:2000]
            log.warning("receipt %s not sent: %s", receipt.id, error)
        else:
            receipt.sent_at, receipt.last_error = now, None
            sent += 1
        db.session.commit()  # one receipt at a time: a crash never sends one twice
    return sent


def pending_receipts() -> int:
    return db.session.scalar(select(func.count()).select_from(WebformReceipt).where(WebformReceipt.sent_at.is_(None)))


@register
class WebformConnector(Connector):
    """Form messages enter through the form page, not a webhook; replies go to the resident by e-mail."""

    channel = Channel.WEBFORM

    def verify(self, delivery: Delivery) -> None:
        raise SignatureError("the web form takes no webhook deliveries")

    def parse(self, delivery: Delivery) -> ParsedDelivery:
        return ParsedDelivery()

    def send(self, reply: OutgoingReply) -> SentReply:
        return EmailConnector().send(reply)
