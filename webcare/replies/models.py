"""A reply from draft to sent: approval state, the mandate that allowed it, and its outbox state."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.auth.models import User
from webcare.extensions import BigId, db, string_enum
from webcare.mandates.models import Risk
from webcare.timeutil import utcnow


class ReplyStatus(enum.StrEnum):
    PENDING_APPROVAL = "pending_approval"
    REJECTED = "rejected"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


OUTBOX_STATUSES = frozenset({ReplyStatus.QUEUED, ReplyStatus.SENDING})


class Reply(db.Model):
    """One reply we write on a case. It is committed first and sent afterwards by the outbox."""

    __tablename__ = "replies"
    __table_args__ = (
        Index("ix_replies_case", "case_id", "id"),
        Index("ix_replies_status_due", "status", "next_attempt_at", "id"),
        Index("ix_replies_status_submitted", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    # The author's text when an approver edited it before approving.
    drafted_text: Mapped[str | None] = mapped_column(Text)
    template_id: Mapped[str | None] = mapped_column(String(100))
    is_public: Mapped[bool]
    topic: Mapped[str | None] = mapped_column(String(80))
    risk: Mapped[Risk] = mapped_column(string_enum(Risk))
    status: Mapped[ReplyStatus] = mapped_column(string_enum(ReplyStatus))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Which mandate rule allowed sending (a snapshot survives the rule's later change or removal).
    mandate_rule_id: Mapped[int | None]
    mandate_rule: Mapped[str | None] = mapped_column(String(300))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)

    # Outbox state.
    queued_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    connector: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    rejected_by: Mapped[User | None] = relationship(foreign_keys=[rejected_by_id])
    case: Mapped[Case] = relationship(lazy="joined")  # noqa: F821 (webcare.inbox.models)

    @property
    def is_pending(self) -> bool:
        return self.status == ReplyStatus.PENDING_APPROVAL
