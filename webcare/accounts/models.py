"""Our own accounts per channel (the general account, community accounts) and the channels themselves."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webcare.extensions import db, string_enum
from webcare.timeutil import utcnow


class Channel(enum.StrEnum):
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    WEBFORM = "webform"

    @property
    def is_private_by_nature(self) -> bool:
        return self in {Channel.WHATSAPP, Channel.EMAIL, Channel.WEBFORM}


class Account(db.Model):
    """One of our own accounts a message was addressed to (the general account, community accounts)."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("channel", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel))
    handle: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    is_general: Mapped[bool] = mapped_column(default=False)
    # Sends through the log connector instead of the platform (the demo municipality's accounts).
    sends_to_log: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        return f"{self.name} ({self.channel.value})"
