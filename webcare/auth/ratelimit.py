"""Login rate limiting per account and per address, stored in the database so it holds across processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from webcare.auth.models import LoginFailure
from webcare.extensions import db
from webcare.timeutil import utcnow

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


@dataclass(frozen=True)
class Lockout:
    """Log-ins are refused until `until` (for this account or from this address)."""

    until: datetime

    def retry_after_seconds(self, now: datetime) -> int:
        return max(1, int((self.until - now).total_seconds()) + 1)


def _key(account: str) -> str:
    return (account or "").strip().lower()[:254]


def _lockout(column, value: str, limit: int, now: datetime) -> Lockout | None:
    recent = list(
        db.session.scalars(
            select(LoginFailure.at).where(column == value, LoginFailure.at > now - WINDOW).order_by(LoginFailure.at.desc()).limit(limit)
        )
    )
    if len(recent) < limit:
        return None
    # Blocked until the oldest of the last `limit` failures leaves the window.
    return Lockout(until=recent[-1] + WINDOW)


def lockout_for(account: str, address: str, *, now: datetime | None = None) -> Lockout | None:
    """Whether a log-in for `account` from `address` must be refused now (too many recent failures)."""
    now = now or utcnow()
    found = [
        lock
        for lock in (
            _lockout(LoginFailure.account, _key(account), MAX_PER_ACCOUNT, now),
            _lockout(LoginFailure.address, address, MAX_PER_ADDRESS, now),
        )
        if lock is not None
    ]
    return max(found, key=lambda lock: lock.until) if found else None


def record_failure(account: str, address: str, *, now: datetime | None = None) -> None:
    """Remember one failed log-in; failures older than the window are dropped on the way."""
    now = now or utcnow()
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
    db.session.add(LoginFailure(account=_key(account), address=address[:64], at=now))
    db.session.commit()


def record_success(account: str) -> None:
    """A successful log-in clears the account's failures (the address keeps its count)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.account == _key(account)))
    db.session.commit()


def failure_count(account: str, *, now: datetime | None = None) -> int:
    now = now or utcnow()
    return db.session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.account == _key(account), LoginFailure.at > now - WINDOW)
    )
