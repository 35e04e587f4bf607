"""The backlog now: active cases by age since their first inbound message, and how many are past due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, case, func, literal, select

from webcare.extensions import db
from webcare.inbox.models import ACTIVE_STATUSES, Case
from webcare.reports.metrics import BACKLOG_AGE_BUCKETS
from webcare.reports.sql import epoch_seconds
from webcare.timeutil import as_utc


@dataclass(frozen=True)
class Backlog:
    total: int
    overdue: int
    oldest_seconds: int | None
    by_age: list[tuple[str, int]]


def backlog(now: datetime) -> Backlog:
    """The active cases now, by age since their first inbound message, and how many are past due."""
    now = as_utc(now)
    age = literal(int(now.timestamp()), BigInteger) - epoch_seconds(Case.first_inbound_at)
    whens = []
    for index, (_, upper) in enumerate(BACKLOG_AGE_BUCKETS):
        if upper is not None:
            whens.append((age < upper, index))
    bucket = case(*whens, else_=len(BACKLOG_AGE_BUCKETS) - 1)
    active = Case.status.in_(ACTIVE_STATUSES)
    by_bucket = dict(
        db.session.execute(
            select(bucket, func.count()).where(active, Case.first_inbound_at.is_not(None)).group_by(bucket)
        ).all()
    )
    overdue, oldest = db.session.execute(
        select(
            func.count(Case.first_response_due_at).filter(
                Case.first_response_at.is_(None), Case.first_response_due_at < now
            ),
            func.max(age),
        ).where(active)
    ).one()
    by_age = [(str(name), int(by_bucket.get(index, 0))) for index, (name, _) in enumerate(BACKLOG_AGE_BUCKETS)]
    return Backlog(
        sum(count for _, count in by_age), int(overdue or 0), None if oldest is None else int(oldest), by_age
    )
