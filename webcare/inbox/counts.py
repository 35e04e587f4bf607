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
_cache: dict[timedelta, tuple[float, list[dict]]] = {}
_cache_lock = threading.Lock()


_SHARED = ("attention", "all", "escalated", "approval", "bundles", "due_soon", "breached")


def _counts_by_owner_and_team(now: datetime, due_soon: timedelta) -> list[dict]:
    """One pass over the active cases: per (owner, team) the count of each view that does not depend on who asks."""
    unanswered = Case.first_response_at.is_(None)
    conditions = {
        "attention": Case.status.in_(NEEDS_US),
        "all": None,
        "escalated": Case.escalated_to.is_not(None),
        "approval": Case.status == CaseStatus.WAITING_ON_APPROVAL,
        "bundles": Case.bundle_id.is_not(None),
        "due_soon": and_(unanswered, Case.first_response_due_at >= now, Case.first_response_due_at < now + due_soon),
        "breached": and_(unanswered, Case.first_response_due_at < now),
    }
    columns = [
        (func.count(Case.id) if condition is None else func.count(Case.id).filter(condition)).label(view)
        for view, condition in conditions.items()
    ]
    rows = db.session.execute(
        select(Case.owner_id, Case.team_id, *columns)
        .where(Case.status.in_(ACTIVE_STATUSES))
        .group_by(Case.owner_id, Case.team_id)
    )
    return [dict(row._mapping) for row in rows]


def _for_viewer(groups: list[dict], viewer: User | None) -> dict[str, int]:
    counts = {view: sum(group[view] for group in groups) for view in _SHARED}
    viewer_id = viewer.id if viewer else None
    team_id = viewer.team_id if viewer else None
    counts["mine"] = sum(group["all"] for group in groups if viewer_id is not None and group["owner_id"] == viewer_id)
    counts["unassigned"] = sum(group["all"] for group in groups if group["owner_id"] is None)
    counts["team"] = sum(group["all"] for group in groups if team_id is not None and group["team_id"] == team_id)
    return counts


def view_counts(viewer: User | None, now: datetime, due_soon: timedelta = DUE_SOON) -> dict[str, int]:
    """Cases per inbox view ("all" = active) from one pass over the active cases; "ignored" is history, not counted."""
    return _for_viewer(_counts_by_owner_and_team(now, due_soon), viewer)


def cached_view_counts(viewer: User | None, now: datetime, due_soon: timedelta = DUE_SOON) -> dict[str, int]:
    """`view_counts` from a pass shared by everyone and kept COUNT_SECONDS: fifty polling agents cost one query
    per ten seconds, not fifty."""
    moment = time.monotonic()
    with _cache_lock:
        cached = _cache.get(due_soon)
    if cached is None or cached[0] <= moment:
        groups = _counts_by_owner_and_team(now, due_soon)
        with _cache_lock:
            _cache[due_soon] = (moment + COUNT_SECONDS, groups)
    else:
        groups = cached[1]
    return _for_viewer(groups, viewer)


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
