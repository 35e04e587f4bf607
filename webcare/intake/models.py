"""The dead letter: input that could not be taken in, kept as it came with the reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webcare.extensions import BigId, db
from webcare.timeutil import utcnow


class DeadLetter(db.Model):
    """Input that could not be taken in, kept as it came with the reason, so nothing is lost."""

    __tablename__ = "dead_letters"
    # A platform retrying a malformed delivery for hours finds the letter kept the first time by this pair.
    __table_args__ = (Index("ix_dead_letters_source_reference", "source", "reference"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    # Bytes, exactly as received: may hold invalid UTF-8 or NUL characters that a text column refuses.
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
