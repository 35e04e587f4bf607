"""The mandate matrix (one row per rule) and its append-only change history."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.auth.models import Role, User
from webcare.extensions import db, string_enum
from webcare.labels import label
from webcare.timeutil import utcnow


class Risk(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class Permission(enum.StrEnum):
    """What a rule grants, from most to least permissive."""

    MAY_SEND = "may_send"
    NEEDS_APPROVAL = "needs_approval"
    MAY_NOT = "may_not"


class MandateRule(db.Model):
    """One cell of the matrix: a subject (role or person) × topic × risk × visibility → a permission.

    A column left empty (topic, risk, visibility) means "any".
    """

    __tablename__ = "mandate_rules"
    __table_args__ = (
        CheckConstraint("(role IS NULL) <> (user_id IS NULL)", name="one_subject"),
        Index("ix_mandate_rules_role", "role"),
        Index("ix_mandate_rules_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role | None] = mapped_column(string_enum(Role))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic: Mapped[str | None] = mapped_column(String(80))
    risk: Mapped[Risk | None] = mapped_column(string_enum(Risk))
    visibility: Mapped[Visibility | None] = mapped_column(string_enum(Visibility))
    permission: Mapped[Permission] = mapped_column(string_enum(Permission))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def is_personal(self) -> bool:
        return self.user_id is not None

    @property
    def specificity(self) -> int:
        return sum(value is not None for value in (self.topic, self.risk, self.visibility))

    def snapshot(self) -> dict:
        """The rule as plain data, for the change history and for replies that cite it."""
        return {
            "id": self.id,
            "role": self.role.value if self.role else None,
            "user_id": self.user_id,
            "user": self.user.name if self.user else None,
            "topic": self.topic,
            "risk": self.risk.value if self.risk else None,
            "visibility": self.visibility.value if self.visibility else None,
            "permission": self.permission.value,
        }

    def describe(self) -> str:
        """A short description in the reader's language ("#1 rol Medewerker · afval · laag · elke zichtbaarheid →
        mag versturen"), kept with sent replies as it read when they were sent."""
        subject = (
            gettext("person %(name)s", name=self.user.name)
            if self.user
            else gettext("role %(role)s", role=label("role", self.role))
        )
        parts = [
            subject,
            self.topic or gettext("any topic"),
            label("risk", self.risk) if self.risk else gettext("any risk"),
            label("visibility", self.visibility) if self.visibility else gettext("any visibility"),
        ]
        return f"#{self.id} " + " · ".join(parts) + f" → {label('permission', self.permission)}"


class MandateChange(db.Model):
    """One change to the matrix: who, when, and the rule before and after. Never updated, never deleted."""

    __tablename__ = "mandate_changes"
    __table_args__ = (Index("ix_mandate_changes_at", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: the history outlives a removed rule.
    rule_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    before: Mapped[dict | None]
    after: Mapped[dict | None]

    by: Mapped[User | None] = relationship(lazy="joined")


class MandateHistoryIsAppendOnly(Exception):
    pass


@event.listens_for(MandateChange, "before_update")
@event.listens_for(MandateChange, "before_delete")
def _refuse_changing_history(mapper, connection, target):
    raise MandateHistoryIsAppendOnly("mandate changes are append-only")
