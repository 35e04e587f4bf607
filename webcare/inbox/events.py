"""Appending case events: the audit trail every change goes through."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import insert

from webcare.auth.models import User
from webcare.extensions import db
from webcare.inbox.models import Case, CaseEvent, CaseStatus
from webcare.timeutil import utcnow

CollectedEvent = tuple[Case, str, User | None, datetime, dict]
_collected: ContextVar[list[CollectedEvent] | None] = ContextVar("collected_case_events", default=None)


def record(case: Case, kind: str, *, by: User | None, at: datetime | None = None, **details: Any) -> CaseEvent | None:
    """Append one event to the case's timeline; flushes nothing, the service commits.

    Inside `recorded_in_bulk()` the event is collected instead and None is returned.
    """
    collected = _collected.get()
    if collected is not None:
        collected.append((case, kind, by, at or utcnow(), details))
        return None
    event = CaseEvent(case=case, kind=kind, actor=by, at=at or utcnow(), details=details)
    db.session.add(event)
    return event


@contextmanager
def recorded_in_bulk() -> Iterator[None]:
    """Collect the events recorded in the block and append them, in order, with one INSERT at its end.

    For the worker's batches: thousands of ORM inserts (one statement each on SQLite) cost more than
    the threading itself. The session is flushed first, so new cases have their ids.
    """
    collected: list[CollectedEvent] = []
    token = _collected.set(collected)
    try:
        yield
    finally:
        _collected.reset(token)
    if not collected:
        return
    db.session.flush()
    db.session.execute(
        insert(CaseEvent.__table__),
        [
            {"case_id": case.id, "kind": kind, "actor_id": by.id if by else None, "at": at, "details": details}
            for case, kind, by, at, details in collected
        ],
    )


def move_case(
    case: Case,
    wanted: CaseStatus,
    *,
    by: User | None,
    at: datetime | None = None,
    kind: str = "status_changed",
    **details: Any,
) -> CaseStatus | None:
    """Move a case along an allowed transition and record it; the one place a case's status changes.

    Returns the previous status, or None when the case already had it. Raises InvalidTransition.
    """
    if case.status == wanted:
        return None
    previous = case.move_to(wanted)
    record(case, kind, by=by, at=at, before=previous.value, after=wanted.value, **details)
    return previous


def case_link(case_id: int) -> str:
    """The path of a case's page, for notifications and e-mails (built without a request)."""
    return f"/cases/{case_id}"
