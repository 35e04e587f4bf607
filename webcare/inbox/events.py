"""Appending case events: the audit trail every change goes through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from webcare.auth.models import User
from webcare.extensions import db
from webcare.inbox.models import Case, CaseEvent
from webcare.timeutil import utcnow


def record(case: Case, kind: str, *, by: User | None, at: datetime | None = None, **details: Any) -> CaseEvent:
    """Append one event to the case's timeline; flushes nothing, the service commits."""
    event = CaseEvent(case=case, kind=kind, actor=by, at=at or utcnow(), details=details)
    db.session.add(event)
    return event
