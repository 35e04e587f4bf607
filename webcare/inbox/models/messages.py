"""Messages as received (raw payload kept) and their authors."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.accounts.models import Account, Channel
from webcare.extensions import BigId, db, string_enum
from webcare.timeutil import utcnow

if TYPE_CHECKING:
    from webcare.inbox.models.cases import Case


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class Author(db.Model):
    """A resident (or organisation) as known on one platform."""

    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("channel", "platform_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel))
    platform_id: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    followers: Mapped[int | None]
    is_verified: Mapped[bool] = mapped_column(default=False)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def display_name(self) -> str:
        return self.name or self.handle or self.platform_id


class Message(db.Model):
    """One inbound or outbound post, comment, DM, e-mail or form entry, with its raw payload."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_messages_status_id", "status", "id"),
        Index("ix_messages_channel_conversation", "channel", "conversation_id"),
        Index("ix_messages_case_created", "case_id", "created_at"),
        # Replies waiting for their parent, found by it when it is done.
        Index(
            "ix_messages_waiting_for_parent",
            "channel",
            "in_reply_to",
            sqlite_where=text("available_at IS NOT NULL"),
            postgresql_where=text("available_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    external_id: Mapped[str] = mapped_column(String(255))
    direction: Mapped[Direction] = mapped_column(string_enum(Direction))
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(255))
    conversation_id: Mapped[str | None] = mapped_column(String(255))
    is_public: Mapped[bool]
    url: Mapped[str | None] = mapped_column(String(2000))
    source: Mapped[str] = mapped_column(String(200))
    # The web request that took the message in (X-Request-ID), so the worker's log lines can name it too.
    request_id: Mapped[str | None] = mapped_column(String(64))

    status: Mapped[MessageStatus] = mapped_column(string_enum(MessageStatus), default=MessageStatus.QUEUED)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    lease_expires_at: Mapped[datetime | None]
    # Claims of the message (a crash counts); after MAX_ATTEMPTS failures it goes to the dead letter.
    attempts: Mapped[int] = mapped_column(default=0)
    # Times it was put back to wait for its parent; waits are spaced by `available_at`, a crash is not one.
    deferrals: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    account: Mapped[Account] = relationship(lazy="joined")
    author: Mapped[Author | None] = relationship(lazy="joined")
    case: Mapped[Case | None] = relationship(lazy="select")
