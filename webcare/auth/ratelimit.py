"""Log-in throttling as OWASP advises: a growing delay, never a lock-out by name; sprays alert the admins.

Failed log-ins are kept briefly in the database, so the limits hold across processes. The delay grows with
the failures of one account from one address (someone guessing there) and of one address over all accounts
(someone spraying from there), each up to a quarter of an hour. Failures of one account from everywhere
slow it down by at most `ACCOUNT_MAX_DELAY`: the person who knows the password, from an address with no
failures of its own, always gets in after that short wait, so naming the team's e-mail addresses locks no
one out. Many accounts failing at once is reported as a Spray, for the admins (`notifications.alerts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select

from webcare.auth.models import LoginFailure
from webcare.extensions import db
from webcare.timeutil import utcnow

WINDOW = timedelta(minutes=15)
MAX_DELAY = timedelta(minutes=15)
PAIR_FREE_FAILURES = 3  # failures of one account from one address before the first delay (a few typos)
ADDRESS_FREE_FAILURES = 20  # failures from one address over all accounts (a shared office address)
ACCOUNT_FREE_FAILURES = 10  # failures of one account from all addresses together
ACCOUNT_MAX_DELAY = timedelta(seconds=30)
SPRAY_ACCOUNTS_PER_ADDRESS = 5  # distinct accounts failing from one address within the window
SPRAY_ACCOUNTS_OVERALL = 10  # distinct accounts failing from anywhere within the window


@dataclass(frozen=True)
class Spray:
    """Log-ins failing for many accounts within the window: from one address, or from anywhere."""

    address: str
    accounts_from_address: int
    accounts_overall: int
    at: datetime


@dataclass(frozen=True)
class Delay:
    """Log-ins for this account from this address are refused until `until`."""

    until: datetime

    def retry_after_seconds(self, now: datetime) -> int:
        return max(1, int((self.until - now).total_seconds()) + 1)


def _key(account: str) -> str:
    return (account or "").strip().lower()[:254]


def growing_delay(failures: int, free: int, cap: timedelta) -> timedelta:
    """No delay for the first `free` failures, then 1 s, 2 s, 4 s … up to `cap` (pure)."""
    if failures < free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - free, 20)), cap)


def _until(condition: ColumnElement[bool], free: int, cap: timedelta, now: datetime) -> datetime | None:
    failures, latest = db.session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(condition, LoginFailure.at > now - WINDOW)
    ).one()
    wait = growing_delay(failures, free, cap)
    return latest + wait if wait else None


def delay_for(account: str, address: str, *, now: datetime | None = None) -> Delay | None:
    """Whether a log-in for `account` from `address` must wait, and until when."""
    now = now or utcnow()
    key = _key(account)
    candidates = [
        _until((LoginFailure.account == key) & (LoginFailure.address == address), PAIR_FREE_FAILURES, MAX_DELAY, now),
        _until(LoginFailure.address == address, ADDRESS_FREE_FAILURES, MAX_DELAY, now),
        _until(LoginFailure.account == key, ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_DELAY, now),
    ]
    latest = max((until for until in candidates if until is not None and until > now), default=None)
    return Delay(until=latest) if latest is not None else None


def record_failure(account: str, address: str, *, now: datetime | None = None) -> Spray | None:
    """Remember one failed log-in; failures older than the window are dropped on the way.

    Returns a Spray when this failure makes many accounts fail (the admins are to be told), else None.
    """
    now = now or utcnow()
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
    db.session.add(LoginFailure(account=_key(account), address=address[:64], at=now))
    db.session.flush()
    spray = _spray(_key(account), address[:64], now)
    db.session.commit()
    return spray


def record_success(account: str, address: str) -> None:
    """A successful log-in clears the failures of this account from this address; others keep counting."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.account == _key(account), LoginFailure.address == address[:64])
    )
    db.session.commit()


def failure_count(account: str, *, now: datetime | None = None) -> int:
    now = now or utcnow()
    return db.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.account == _key(account), LoginFailure.at > now - WINDOW)
    )


def _failed_accounts(now: datetime, address: str | None = None) -> int:
    query = select(func.count(func.distinct(LoginFailure.account))).where(LoginFailure.at > now - WINDOW)
    if address is not None:
        query = query.where(LoginFailure.address == address)
    return db.session.scalar(query)


def _spray(account: str, address: str, now: datetime) -> Spray | None:
    """A spray when this failure makes the number of failing accounts reach a threshold: once per crossing."""
    earlier = (
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.account == account, LoginFailure.at > now - WINDOW)
    )
    is_new_overall = db.session.scalar(earlier) == 1
    is_new_here = db.session.scalar(earlier.where(LoginFailure.address == address)) == 1
    from_address, overall = _failed_accounts(now, address), _failed_accounts(now)
    from_one_address = is_new_here and from_address == SPRAY_ACCOUNTS_PER_ADDRESS
    # Spread over many addresses; one address spraying them all was reported when it crossed its own threshold.
    from_many = is_new_overall and overall == SPRAY_ACCOUNTS_OVERALL and from_address < SPRAY_ACCOUNTS_PER_ADDRESS
    if from_one_address or from_many:
        return Spray(address=address, accounts_from_address=from_address, accounts_overall=overall, at=now)
    return None
