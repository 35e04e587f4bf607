"""Channels and our own accounts on them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from webcare.accounts.models import Account, Channel
from webcare.extensions import BigId, db, string_enum
from webcare.timeutil import utcnow


class ChannelSettings(db.Model):
    """Per-account connector settings that are not secret: the platform's id for the account, IMAP server, …

    Secrets (tokens, passwords) are never stored here; see webcare/channels/secrets.py.
    """

    __tablename__ = "channel_settings"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    # The platform's id of our account: Facebook page id, Instagram account id, WhatsApp phone number id, X user id.
    platform_id: Mapped[str | None] = mapped_column(String(200), index=True)
    # Non-secret options, e.g. {"imap_host": …, "imap_port": 993, "imap_username": …, "whatsapp_template": …}.
    options: Mapped[dict] = mapped_column(default=dict)
    # IMAP: the mailbox's UIDVALIDITY and the highest UID read, so no message is read twice.
    imap_uid_validity: Mapped[int | None] = mapped_column(BigInteger)
    imap_last_uid: Mapped[int | None] = mapped_column(BigInteger)
    imap_polled_at: Mapped[datetime | None]
    imap_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship(backref=backref("settings", uselist=False, lazy="select"))


class DeliveryOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    BAD_SIGNATURE = "bad_signature"
    MALFORMED = "malformed"
    POLL_FAILED = "poll_failed"


class DeliveryLog(db.Model):
    """One delivery a platform made to us (webhook call, IMAP poll, form post): what came of it, never its content."""

    __tablename__ = "channel_deliveries"
    __table_args__ = (Index("ix_channel_deliveries_received", "received_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Unknown when a delivery is refused before we may read it (a Meta webhook serves three channels).
    channel: Mapped[Channel | None] = mapped_column(string_enum(Channel))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    source: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[DeliveryOutcome] = mapped_column(string_enum(DeliveryOutcome))
    records: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    status_updates: Mapped[int] = mapped_column(default=0)
    bytes: Mapped[int] = mapped_column(default=0)
    # Why it was refused or failed, in words; for a bad signature only the reason (no content is kept).
    detail: Mapped[str | None] = mapped_column(Text)
    dead_letter_id: Mapped[int | None] = mapped_column(ForeignKey("dead_letters.id"))

    account: Mapped[Account | None] = relationship(lazy="joined")


class DeliveryStatus(db.Model):
    """A platform's report on one of our outbound messages (sent, delivered, read, failed), or a bounce."""

    __tablename__ = "message_delivery_statuses"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", "status"),
        Index("ix_message_delivery_statuses_message", "message_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel))
    # The platform's id of our outbound message; `message_id` is filled in once that message is known.
    external_id: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    error: Mapped[str | None] = mapped_column(Text)


class WebformReceipt(db.Model):
    """A receipt e-mail owed to a resident who used the web form; sent by a job so the form never waits on SMTP.

    Also the rate limit's memory: `address_key` is a keyed hash of the sender's IP address, never the address.
    """

    __tablename__ = "webform_receipts"
    __table_args__ = (
        Index("ix_webform_receipts_address", "address_key", "created_at"),
        Index("ix_webform_receipts_pending", "sent_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    external_id: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200))
    address_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    account: Mapped[Account] = relationship(lazy="joined")
