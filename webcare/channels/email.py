"""The e-mail connector: replies by SMTP (threaded with In-Reply-To/References), inbound mail as raw MIME."""

from __future__ import annotations

import hmac
import json
import smtplib
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import (
    format_datetime,
    getaddresses,
    make_msgid,
    parseaddr,
    parsedate_to_datetime,
)

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webcare.accounts.models import Channel
from webcare.channels.base import (
    Connector,
    Delivery,
    MalformedDelivery,
    OutgoingReply,
    ParsedDelivery,
    SendFailed,
    SentReply,
    SignatureError,
    register,
)
from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.timeutil import utcnow

SMTP_TIMEOUT_SECONDS = 10
TOKEN_HEADER = "X-Webcare-Mail-Token"


def _subject_of(in_reply_to: str | None, fallback: str) -> str:
    """The subject of the e-mail we answer ("Re: …"), from its raw payload or its first line."""
    subject = None
    if in_reply_to:
        parent = db.session.scalar(
            select(Message).where(Message.channel == Channel.EMAIL, Message.external_id == in_reply_to)
        )
        if parent is not None:
            try:
                raw = json.loads(parent.raw)
            except ValueError:
                raw = None
            if isinstance(raw, dict) and isinstance(raw.get("subject"), str) and raw["subject"].strip():
                subject = raw["subject"].strip()
            else:
                subject = " ".join(parent.text.split())[:70]
    subject = " ".join((subject or fallback).split())
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def _smtp_failure(error: Exception) -> SendFailed:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return SendFailed(
            _l("the mail server refused the address: %(address)s", address=error.recipients), is_permanent=True
        )
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        )
        return SendFailed(
            _l("the mail server answered %(code)s %(text)s", code=error.smtp_code, text=text),
            is_permanent=500 <= error.smtp_code < 600,
        )
    return SendFailed(_l("the mail server could not be reached: %(error)s", error=f"{type(error).__name__}: {error}"))


@register
class EmailConnector(Connector):
    channel = Channel.EMAIL

    def verify(self, delivery: Delivery) -> None:
        """Inbound mail is posted by our own MTA with a shared token (WEBCARE_MAIL_INBOUND_TOKEN)."""
        expected = current_app.config.get("WEBCARE_MAIL_INBOUND_TOKEN")
        given = {key.lower(): value for key, value in delivery.headers.items()}.get(TOKEN_HEADER.lower(), "")
        if not expected or not hmac.compare_digest(given.encode(), str(expected).encode()):
            raise SignatureError("missing or wrong mail token")

    def parse(self, delivery: Delivery) -> ParsedDelivery:
        """One raw RFC 5322 message → one intake record (private, threaded by Message-ID)."""
        message = BytesParser(policy=policy.default).parsebytes(delivery.body)
        message_id = (message.get("Message-ID") or "").strip()
        sender_name, sender = parseaddr(str(message.get("From", "")))
        recipients = [address for _name, address in getaddresses([str(message.get("To", ""))]) if address]
        if not message_id or not sender or not recipients:
            raise MalformedDelivery("an e-mail needs Message-ID, From and To")
        try:
            created_at = parsedate_to_datetime(str(message["Date"])) if message["Date"] else utcnow()
        except (TypeError, ValueError):
            raise MalformedDelivery("the Date header is not a date") from None
        if created_at.tzinfo is None:
            raise MalformedDelivery("the Date header has no time zone")
        body = message.get_body(preferencelist=("plain", "html"))
        record = {
            "channel": Channel.EMAIL.value,
            "account": recipients[0].lower(),
            "external_id": message_id,
            "direction": "inbound",
            "created_at": created_at.isoformat(),
            "text": body.get_content() if body is not None else "",
            "author": {"id": sender.lower(), "handle": sender.lower(), "name": sender_name or None},
            "in_reply_to": (message.get("In-Reply-To") or "").strip() or None,
            "is_public": False,
            "subject": str(message.get("Subject", "")),
        }
        return ParsedDelivery(records=[record])

    def send(self, reply: OutgoingReply) -> SentReply:
        config = current_app.config
        if not reply.recipient or "@" not in reply.recipient:
            raise SendFailed(_l("the resident has no e-mail address to answer"), is_permanent=True)
        account = reply.account
        sender = account.handle if "@" in account.handle else config["MAIL_SENDER"]
        message = EmailMessage()
        message["From"] = Address(display_name=account.name or "", addr_spec=sender)
        message["To"] = reply.recipient
        message["Subject"] = _subject_of(reply.in_reply_to, account.name)
        message["Date"] = format_datetime(utcnow())
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        if reply.in_reply_to:
            message["In-Reply-To"] = reply.in_reply_to
            message["References"] = reply.in_reply_to
        message.set_content(reply.text)
        try:
            with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
                if config["MAIL_USE_TLS"]:
                    smtp.starttls()
                if config["MAIL_USERNAME"]:
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
                refused = smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise _smtp_failure(error) from error
        response = {
            "connector": "smtp",
            "server": f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}",
            "message_id": message["Message-ID"],
            "refused": {address: [code, text.decode(errors="replace")] for address, (code, text) in refused.items()},
            "message": message.as_string(),
        }
        return SentReply(external_id=message["Message-ID"], raw_response=json.dumps(response, ensure_ascii=False))
