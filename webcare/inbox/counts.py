"""How many cases each inbox view holds, and which cases arrived since an agent opened the page.

Both run on every poll of every agent's inbox, so both stay cheap: the counts are one pass over the work in
hand (the status index; history is never counted) kept for a few seconds, the arrivals a primary-key range.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from webcare.auth.models import User
from webcare.extensions import db
from webcare.inbox.models import ACTIVE_STATUSES, Case, CaseStatus
from webcare.inbox.queries import DUE_SOON, NEEDS_US, CaseFilter, filtered_cases

COUNT_SECONDS = 10.0
NEW_ROWS_SHOWN = 5
_cache: dict[tuple, tuple[float, dict[str, int]]] = {}
_cache_lock = threading.Lock()


def view_counts(viewer: User | None, now: datetime, due_soon: timedelta = DUE_SOON) -> dict[str, int]:
    """Cases per inbox view ("all" = active) in one pass over the active cases; "ignored" is history, not counted."""
    unanswered = Case.first_response_at.is_(None)
    team_id = viewer.team_id if viewer else None
    columns = {
        "attention": Case.status.in_(NEEDS_US),
        "all": None,
        "mine": Case.owner_id == (viewer.id if viewer else None),
        "unassigned": Case.owner_id.is_(None),
        "team": Case.team_id == team_id if team_id else None,
        "escalated": Case.escalated_to.is_not(None),
        "approval": Case.status == CaseStatus.WAITING_ON_APPROVAL,
        "bundles": Case.bundle_id.is_not(None),
        "due_soon": and_(unanswered, Case.first_response_due_at >= now, Case.first_response_due_at < now + due_soon),
        "breached": and_(unanswered, Case.first_response_due_at < now),
    }
    counted = {view: condition for view, condition in columns.items() if view != "team" or team_id}
    row = db.session.execute(
        select(
            *(
                (func.count(Case.id) if condition is None else func.count(Case.id).filter(condition)).label(view)
                for view, condition in counted.items()
            )
        ).where(Case.status.in_(ACTIVE_STATUSES))
    ).one()
    counts = dict(row._mapping)
    counts.setdefault("team", 0)
    return counts


def cached_view_counts(viewer: User | None, now: datetime, due_soon: timedelta = DUE_SOON) -> dict[str, int]:
    """`view_counts`, kept for COUNT_SECONDS per person, so fifty polling agents cost a few passes a minute."""
    key = (viewer.id if viewer else None, viewer.team_id if viewer else None, due_soon)
    moment = time.monotonic()
    with _cache_lock:
        cached = _cache.get(key)
        if cached and cached[0] > moment:
            return cached[1]
    counts = view_counts(viewer, now, due_soon)
    with _cache_lock:
        if len(_cache) > 1000:
            _cache.clear()
        _cache[key] = (moment + COUNT_SECONDS, counts)
    return counts


def newest_case_id() -> int:
    return db.session.scalar(select(func.max(Case.id))) or 0


@dataclass(frozen=True)
class Arrivals:
    """Cases of a view that arrived after the page was opened and are not on it: the first few, and how many."""

    cases: list[Case]
    count: int


def arrivals_since(
    case_filter: CaseFilter,
    since_id: int,
    *,
    shown_ids: set[int],
    viewer: User | None,
    now: datetime,
    due_soon: timedelta = DUE_SOON,
    limit: int = NEW_ROWS_SHOWN,
) -> Arrivals:
    query = filtered_cases(case_filter, viewer, now, due_soon).where(Case.id > since_id)
    if shown_ids:
        query = query.where(Case.id.not_in(shown_ids))
    cases = list(db.session.scalars(query.order_by(Case.id.desc()).limit(limit)))
    if len(cases) < limit:
        return Arrivals(cases, len(cases))
    count = db.session.scalar(select(func.count()).select_from(query.with_only_columns(Case.id).subquery()))
    return Arrivals(cases, count or 0)
