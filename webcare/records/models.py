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


class LegalHold(db.Model):
    """A hold on a case or on a resident (one platform identity): no destruction or pseudonymisation while it lasts."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_case", "case_id"), Index("ix_legal_holds_author", "author_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"))
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None]

    placed_by: Mapped[User] = relationship(foreign_keys=[placed_by_id], lazy="joined")


class DestructionListStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class DestructionList(db.Model):
    """A vernietigingslijst: cases whose term has passed, destroyed only once the records manager approves it.

    Kept forever (the database refuses to delete it), so the municipality can show what it destroyed and why.
    """

    __tablename__ = "destruction_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    schedule_version: Mapped[str] = mapped_column(String(50))
    status: Mapped[DestructionListStatus] = mapped_column(
        string_enum(DestructionListStatus), default=DestructionListStatus.PROPOSED
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")

    decided_by: Mapped[User | None] = relationship(lazy="joined")
    items: Mapped[list[DestructionListItem]] = relationship(
        back_populates="destruction_list", order_by="DestructionListItem.case_id", lazy="selectin"
    )


class DestructionListItem(db.Model):
    """One case on a destruction list, with what the list said about it (not the case's contents)."""

    __tablename__ = "destruction_list_items"
    __table_args__ = (Index("ix_destruction_list_items_case", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("destruction_lists.id"))
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id"))
    category: Mapped[str] = mapped_column(String(50))
    channel: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(80))
    closed_at: Mapped[datetime]
    destroy_after: Mapped[datetime]
    destroyed_at: Mapped[datetime | None]

    destruction_list: Mapped[DestructionList] = relationship(back_populates="items")


class PseudonymisedAuthor(db.Model):
    """An author whose personal details were replaced by a stable pseudonym (data minimisation)."""

    __tablename__ = "pseudonymised_authors"

    author_id: Mapped[int] = mapped_column(BigId, ForeignKey("authors.id"), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SubjectRequestKind(enum.StrEnum):
    ACCESS = "access"  # AVG art. 15
    ERASURE = "erasure"  # AVG art. 17


class SubjectRequestStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    REFUSED = "refused"


class SubjectRequest(db.Model):
    """A resident's request under the AVG, tracked against its one-month due date."""

    __tablename__ = "subject_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubjectRequestKind] = mapped_column(string_enum(SubjectRequestKind))
    resident: Mapped[str] = mapped_column(String(200))
    author_ids: Mapped[list] = mapped_column(default=list)
    received_at: Mapped[datetime]
    due_at: Mapped[datetime]
    status: Mapped[SubjectRequestStatus] = mapped_column(
        string_enum(SubjectRequestStatus), default=SubjectRequestStatus.OPEN
    )
    outcome: Mapped[str] = mapped_column(Text, default="")
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]

    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id], lazy="joined")
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id], lazy="joined")
