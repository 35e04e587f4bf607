"""The protocol's decisions as applied to cases, and bundles of similar reactions answered once."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.extensions import BigId, db, string_enum
from webcare.protocol.models import ProtocolVersion
from webcare.timeutil import utcnow

if TYPE_CHECKING:
    from webcare.inbox.models.cases import Case


class CaseDecision(db.Model):
    """The protocol's verdict on a case for one message: what, which rule and version, and why."""

    __tablename__ = "case_decisions"
    __table_args__ = (
        UniqueConstraint("message_id"),
        Index("ix_case_decisions_case", "case_id", "id"),
        Index("ix_case_decisions_decided", "decided_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    protocol_version_id: Mapped[int] = mapped_column(ForeignKey("protocol_versions.id"))
    action: Mapped[str] = mapped_column(String(16))
    rule_id: Mapped[str] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(String(80))
    template_id: Mapped[str | None] = mapped_column(String(100))
    escalate_to: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    tags: Mapped[list] = mapped_column(default=list)
    notify: Mapped[list] = mapped_column(default=list)
    trace: Mapped[list] = mapped_column(default=list)
    features: Mapped[dict] = mapped_column(default=dict)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    protocol_version: Mapped[ProtocolVersion] = relationship(lazy="joined")
    case: Mapped[Case] = relationship(foreign_keys=[case_id])


class BundleStatus(enum.StrEnum):
    COLLECTING = "collecting"
    READY = "ready"
    ANSWERED = "answered"


class Bundle(db.Model):
    """Similar reactions collected in a window, to be answered once with a summary reply."""

    __tablename__ = "bundles"
    __table_args__ = (
        Index("ix_bundles_status_closes", "status", "closes_at"),
        # One bundle collects per wave, however many workers meet the wave at once.
        Index(
            "uq_bundles_collecting_key",
            "cluster_key",
            unique=True,
            sqlite_where=text("status = 'collecting'"),
            postgresql_where=text("status = 'collecting'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_key: Mapped[str] = mapped_column(String(200), index=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[BundleStatus] = mapped_column(string_enum(BundleStatus), default=BundleStatus.COLLECTING)
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    summary_template_id: Mapped[str | None] = mapped_column(String(100))
    summary_draft: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict] = mapped_column(default=dict)
    member_count: Mapped[int] = mapped_column(default=0)
    # The case whose reply answers every member: its first response counts for all of them.
    answer_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", use_alter=True))
    answered_at: Mapped[datetime | None]
