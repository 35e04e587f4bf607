"""The inbox's records: messages and authors, cases and their events, decisions applied and bundles."""

from webcare.inbox.models.cases import (
    ACTIVE_STATUSES,
    ALLOWED_TRANSITIONS,
    AppendOnlyViolation,
    Case,
    CaseEvent,
    CasePresence,
    CaseStatus,
    InvalidTransition,
    Priority,
)
from webcare.inbox.models.decisions import Bundle, BundleStatus, CaseDecision
from webcare.inbox.models.messages import Author, Direction, Message, MessageStatus

__all__ = [
    "ACTIVE_STATUSES",
    "ALLOWED_TRANSITIONS",
    "AppendOnlyViolation",
    "Author",
    "Bundle",
    "BundleStatus",
    "Case",
    "CaseDecision",
    "CaseEvent",
    "CasePresence",
    "CaseStatus",
    "Direction",
    "InvalidTransition",
    "Message",
    "MessageStatus",
    "Priority",
]
