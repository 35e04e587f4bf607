"""The records domain's tables: the append-only access log, legal holds, destruction lists, residents' requests."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.auth.models import User
from webcare.extensions import BigId, db, string_enum
from webcare.timeutil import utcnow


class AccessKind(enum.StrEnum):
    CASE_VIEW = "case_view"
    PAYLOAD_VIEW = "payload_view"
    EXPORT = "export"


class AccessLogEntry(db.Model):
    """Who opened which case, payload or export, when and from which address. Never updated, never deleted."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_user_at", "user_id", "at"),
        Index("ix_access_log_author_at", "author_id", "at"),
        Index("ix_access_log_case_at", "case_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[AccessKind] = mapped_column(string_enum(AccessKind))
    # No foreign keys to cases and authors: the log outlives what it points at.
    case_id: Mapped[int | None] = mapped_column(BigId)
    author_id: Mapped[int | None] = mapped_column(BigId)
    what: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User | None] = relationship(lazy="joined")


class AppendOnlyViolation(Exception):
    pass


@event.listens_for(AccessLogEntry, "before_update")
@event.listens_for(AccessLogEntry, "before_delete")
def _refuse_changing_the_log(mapper, connection, target):
    raise AppendOnlyViolation("the access log is append-only")
