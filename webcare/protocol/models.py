"""Stored protocol versions: each activated file, never changed afterwards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.auth.models import User
from webcare.extensions import db
from webcare.timeutil import utcnow


class ProtocolVersion(db.Model):
    """One protocol file as activated: its text, content hash and identity. Never changed afterwards."""

    __tablename__ = "protocol_versions"
    __table_args__ = (UniqueConstraint("content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(50))
    effective_from: Mapped[str | None] = mapped_column(String(30))
    approved_by: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    stored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activated_at: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(default=False, index=True)

    stored_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.version} ({self.content_hash[:8]})"
