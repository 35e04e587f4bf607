"""Builders for the inbox and case workflow tests: cases with the columns the worker would have set."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from sqlalchemy import select

from webcare.accounts.models import Account, Channel
from webcare.extensions import db
from webcare.inbox.models import Author, Case, CaseStatus
from webcare.timeutil import UTC

BASE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_numbers = count(1)


def account(channel: Channel = Channel.X, handle: str = "gemeentelindeburg") -> Account:
    found = db.session.scalar(select(Account).where(Account.channel == channel, Account.handle == handle))
    if found is None:
        found = Account(channel=channel, handle=handle, name=f"Gemeente ({handle})")
        db.session.add(found)
        db.session.flush()
    return found


def new_case(
    subject: str = "Mijn container is niet geleegd",
    *,
    channel: Channel = Channel.X,
    account_handle: str = "gemeentelindeburg",
    author: tuple[str, str] | None = ("inwoner", "Inwoner Een"),
    arrived_at: datetime = BASE,
    due_at: datetime | None = None,
    status: CaseStatus = CaseStatus.NEW,
    **fields,
) -> Case:
    """A committed case; `queue_at` is the due time when there is one, else the arrival (as the worker sets it)."""
    number = next(_numbers)
    resident = None
    if author is not None:
        resident = Author(channel=channel, platform_id=f"author-{number}", handle=author[0], name=author[1])
        db.session.add(resident)
    case = Case(
        status=status,
        channel=channel,
        account_id=account(channel, account_handle).id,
        author=resident,
        is_public=True,
        subject=subject,
        first_inbound_at=arrived_at,
        last_message_at=arrived_at,
        first_response_due_at=due_at,
        queue_at=due_at or arrived_at,
        inbound_count=1,
        outbound_count=0,
        **fields,
    )
    db.session.add(case)
    db.session.commit()
    return case


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
