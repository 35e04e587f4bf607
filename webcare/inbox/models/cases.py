"""Cases (one conversation about one matter, tracked to resolution), their events and who has them open."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.accounts.models import Account, Channel
from webcare.auth.models import Team, User
from webcare.extensions import BigId, db, string_enum
from webcare.inbox.models.messages import Author
from webcare.protocol.engine import Priority
from webcare.timeutil import utcnow

if TYPE_CHECKING:
    from webcare.inbox.models.decisions import CaseDecision


class CaseStatus(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING_ON_APPROVAL = "waiting_on_approval"
    WAITING_ON_RESIDENT = "waiting_on_resident"
    WAITING_ON_DEPARTMENT = "waiting_on_department"
    RESOLVED = "resolved"
    CLOSED = "closed"
    IGNORED = "ignored"
    REOPENED = "reopened"


_S = CaseStatus
ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    _S.NEW: frozenset(
        {_S.OPEN, _S.WAITING_ON_APPROVAL, _S.WAITING_ON_RESIDENT, _S.WAITING_ON_DEPARTMENT, _S.RESOLVED, _S.IGNORED}
    ),
    _S.OPEN: frozenset(
        {_S.WAITING_ON_APPROVAL, _S.WAITING_ON_RESIDENT, _S.WAITING_ON_DEPARTMENT, _S.RESOLVED, _S.IGNORED}
    ),
    _S.WAITING_ON_APPROVAL: frozenset({_S.OPEN, _S.WAITING_ON_RESIDENT, _S.RESOLVED}),
    _S.WAITING_ON_RESIDENT: frozenset({_S.OPEN, _S.WAITING_ON_APPROVAL, _S.WAITING_ON_DEPARTMENT, _S.RESOLVED}),
    _S.WAITING_ON_DEPARTMENT: frozenset({_S.OPEN, _S.WAITING_ON_APPROVAL, _S.WAITING_ON_RESIDENT, _S.RESOLVED}),
    _S.RESOLVED: frozenset({_S.REOPENED, _S.CLOSED}),
    _S.CLOSED: frozenset({_S.REOPENED}),
    _S.IGNORED: frozenset({_S.REOPENED}),
    _S.REOPENED: frozenset(
        {_S.OPEN, _S.WAITING_ON_APPROVAL, _S.WAITING_ON_RESIDENT, _S.WAITING_ON_DEPARTMENT, _S.RESOLVED, _S.IGNORED}
    ),
}
ACTIVE_STATUSES = frozenset(
    {_S.NEW, _S.OPEN, _S.WAITING_ON_APPROVAL, _S.WAITING_ON_RESIDENT, _S.WAITING_ON_DEPARTMENT, _S.REOPENED}
)


class InvalidTransition(Exception):
    def __init__(self, current: CaseStatus, wanted: CaseStatus):
        super().__init__(f"a case cannot go from {current.value} to {wanted.value}")
        self.current = current
        self.wanted = wanted


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_queue", "status", "queue_at", "id"),
        Index("ix_cases_queue", "queue_at", "id"),
        Index("ix_cases_owner_status", "owner_id", "status"),
        Index("ix_cases_channel_conversation", "channel", "conversation_id"),
        Index("ix_cases_account_author", "account_id", "author_id", "last_message_at"),
        Index("ix_cases_first_inbound", "first_inbound_at"),
        Index("ix_cases_author_first_inbound", "author_id", "first_inbound_at"),
        Index("ix_cases_channel_queue", "channel", "queue_at", "id"),
        # The inbox views: mine/unassigned, my team, due soon and breached.
        Index("ix_cases_owner_status_queue", "owner_id", "status", "queue_at", "id"),
        Index("ix_cases_team_status_queue", "team_id", "status", "queue_at", "id"),
        Index("ix_cases_status_first_response_due", "status", "first_response_due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    status: Mapped[CaseStatus] = mapped_column(string_enum(CaseStatus), default=CaseStatus.NEW)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"))
    conversation_id: Mapped[str | None] = mapped_column(String(255))
    is_public: Mapped[bool]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    topic: Mapped[str | None] = mapped_column(String(80))
    priority: Mapped[Priority | None] = mapped_column(string_enum(Priority))
    action: Mapped[str | None] = mapped_column(String(16))
    escalated_to: Mapped[str | None] = mapped_column(String(100))
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundles.id"), index=True)
    applied_decision_id: Mapped[int | None] = mapped_column(ForeignKey("case_decisions.id", use_alter=True))
    subject: Mapped[str] = mapped_column(String(200), default="")
    # How the case was resolved (answered, referred, ...); None while it is not resolved.
    outcome: Mapped[str | None] = mapped_column(String(32))

    first_inbound_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    first_response_due_at: Mapped[datetime | None] = mapped_column(index=True)
    resolution_due_at: Mapped[datetime | None] = mapped_column(index=True)
    # The moment the case asks for attention: its response due time once triaged, its arrival before.
    queue_at: Mapped[datetime]
    # Maintained at the moment they become known, so reports aggregate columns instead of replaying time.
    arrival_band: Mapped[str | None] = mapped_column(String(16))
    arrival_hour_of_week: Mapped[int | None]
    first_response_seconds: Mapped[int | None]
    first_response_staffed_seconds: Mapped[int | None]
    resolution_seconds: Mapped[int | None]
    resolution_staffed_seconds: Mapped[int | None]
    inbound_count: Mapped[int] = mapped_column(default=0)
    outbound_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship(lazy="joined")
    author: Mapped[Author | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship()
    applied_decision: Mapped[CaseDecision | None] = relationship(
        foreign_keys=[applied_decision_id], post_update=True, lazy="select"
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def move_to(self, wanted: CaseStatus) -> CaseStatus:
        """Change status along an allowed transition; returns the previous status."""
        if wanted not in ALLOWED_TRANSITIONS[self.status]:
            raise InvalidTransition(self.status, wanted)
        previous, self.status = self.status, wanted
        return previous


class CaseEvent(db.Model):
    """One change to a case: who, when, what, before and after. Never updated, never deleted."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_at", "case_id", "at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined")
    case: Mapped[Case] = relationship()


class CasePresence(db.Model):
    """Who has a case open (and is typing) right now: one row per person and case, refreshed by heartbeats."""

    __tablename__ = "case_presence"
    __table_args__ = (Index("ix_case_presence_seen", "last_seen_at"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_seen_at: Mapped[datetime]
    is_typing: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(lazy="joined")


class AppendOnlyViolation(Exception):
    pass


@event.listens_for(CaseEvent, "before_update")
@event.listens_for(CaseEvent, "before_delete")
def _refuse_changing_events(mapper, connection, target):
    raise AppendOnlyViolation("case events are append-only")
