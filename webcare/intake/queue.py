"""The intake queue: claiming batches under a lease, writing their outcome, fencing late finishers.

What happens to a claimed message (threading, triage) is the inbox's; the worker (webcare.worker) joins
the two. A message waits in the queue, not claimable before `available_at`, while its parent is still on
its way; finishing a message wakes the replies that wait for it.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Select,
    and_,
    any_,
    bindparam,
    func,
    or_,
    select,
    union_all,
    update,
)

from webcare.extensions import db
from webcare.inbox.models import Message, MessageStatus
from webcare.inbox.processing import BatchResult
from webcare.intake.services import dead_letter
from webcare.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_WAIT = timedelta(seconds=0.5)
LONGEST_WAIT = timedelta(seconds=60)


@dataclass(frozen=True)
class Claim:
    token: str
    message_ids: tuple[int, ...]
    lease_expires_at: datetime


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _claimable_ids(size: int, now: datetime) -> Select:
    """The lowest `size` ids of queued messages due now and of ones whose lease ran out.

    Each kind is read from the (status, id) index in id order and cut at `size`; one OR of the two reads
    and sorts every queued row, which makes each claim slower the longer the queue.
    """
    queued = select(Message.id).where(
        Message.status == MessageStatus.QUEUED, or_(Message.available_at.is_(None), Message.available_at <= now)
    )
    lapsed = select(Message.id).where(Message.status == MessageStatus.PROCESSING, Message.lease_expires_at < now)
    parts = [part.order_by(Message.id).limit(size) for part in (queued, lapsed)]
    if _is_postgresql():
        parts = [part.with_for_update(skip_locked=True) for part in parts]
    both = union_all(*(select(part.subquery().c.id) for part in parts)).subquery()
    return select(both.c.id).order_by(both.c.id).limit(size)


def claim_batch(*, size: int, lease: timedelta, now: datetime | None = None) -> Claim | None:
    """Claim up to `size` due messages (or ones whose lease ran out) in one committed transaction."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    candidates = _claimable_ids(size, now).scalar_subquery()
    if _is_postgresql():
        # ARRAY(...) runs the locking subquery exactly once; a plain IN may rescan it and claim more.
        still_claimable = or_(
            Message.status == MessageStatus.QUEUED,
            and_(Message.status == MessageStatus.PROCESSING, Message.lease_expires_at < now),
        )
        chosen = and_(Message.id == any_(func.array(candidates)), still_claimable)
    else:
        # One statement under SQLite's single write lock: the rows chosen are still claimable, and checking
        # again would lead SQLite to walk every queued row through the status index.
        chosen = Message.id.in_(candidates)
    claimed = db.session.scalars(
        update(Message)
        .where(chosen)
        .values(
            status=MessageStatus.PROCESSING,
            claim_token=token,
            lease_expires_at=now + lease,
            attempts=Message.attempts + 1,
        )
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    if not claimed:
        return None
    return Claim(token, tuple(sorted(claimed)), now + lease)


def load_claimed(claim: Claim) -> list[Message] | None:
    """The claim's messages in the order they were written, or None when another worker has taken them over."""
    messages = list(
        db.session.scalars(
            select(Message).where(Message.id.in_(claim.message_ids)).order_by(Message.created_at, Message.id)
        )
    )
    if any(message.claim_token != claim.token for message in messages):
        db.session.rollback()
        return None
    return messages


def wait_before_retry(deferrals: int) -> timedelta:
    """Half a second, a second, two, … up to a minute: a parent in flight is usually done within a batch."""
    return min(FIRST_WAIT * 2**deferrals, LONGEST_WAIT)


def finish_claim(claim: Claim, messages: list[Message], result: BatchResult, now: datetime) -> bool:
    """Write the batch's outcome, release our claim and wake the replies waiting for what was done.

    Flushes the inbox's pending changes first. Each message is written only while it still carries our
    claim token; returns whether every one did (if not, the lease was lost and the caller rolls back).
    Expiring the messages drops their pending changes from the unit of work, which would compare every
    attribute of every message; they are reloaded when read.
    """
    rows = []
    for message in messages:
        deferred = message.id in result.deferred
        case = result.cases.get(message.id)
        rows.append(
            {
                "message_id": message.id,
                "new_status": MessageStatus.QUEUED if deferred else MessageStatus.DONE,
                "new_processed_at": None if deferred else now,
                "new_case": case,
                "new_deferrals": message.deferrals + 1 if deferred else message.deferrals,
                "new_available_at": now + wait_before_retry(message.deferrals) if deferred else None,
            }
        )
        db.session.expire(message)
    db.session.flush()
    for row in rows:
        case = row.pop("new_case")
        row["new_case_id"] = case.id if case is not None else None
    table = Message.__table__
    written = db.session.execute(
        update(table)
        .where(table.c.id == bindparam("message_id"), table.c.claim_token == claim.token)
        .values(
            status=bindparam("new_status"),
            processed_at=bindparam("new_processed_at"),
            case_id=func.coalesce(bindparam("new_case_id"), table.c.case_id),
            deferrals=bindparam("new_deferrals"),
            available_at=bindparam("new_available_at"),
            claim_token=None,
            lease_expires_at=None,
        ),
        rows,
    ).rowcount
    if written != len(rows):
        return False
    _wake_replies_to(result.done_keys)
    return True


def _wake_replies_to(keys: list[tuple]) -> None:
    """Replies waiting for a message finished now become claimable at once instead of after their wait."""
    by_channel: dict = defaultdict(list)
    for channel, external_id in keys:
        by_channel[channel].append(external_id)
    for channel, external_ids in by_channel.items():
        db.session.execute(
            update(Message)
            .where(
                Message.available_at.is_not(None),
                Message.channel == channel,
                Message.in_reply_to.in_(external_ids),
                Message.status == MessageStatus.QUEUED,
            )
            .values(available_at=None)
            .execution_options(synchronize_session=False)
        )


def commit_unless_lease_lost(still_ours: bool, batch_size: int) -> bool:
    """Commit the batch if we still held every message of it; otherwise roll it back: another worker has it."""
    if not still_ours:
        db.session.rollback()
        log.warning("lease lost on a batch of %d messages; another worker has it", batch_size)
        return False
    db.session.commit()
    return True


def record_failure(message_id: int, error: Exception, now: datetime) -> None:
    """A message that failed: tried again after a wait, or after MAX_ATTEMPTS claims kept in the dead letter."""
    message = db.session.get(Message, message_id)
    message.last_error = f"{type(error).__name__}: {error}"
    message.claim_token = message.lease_expires_at = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
        dead_letter(
            source="worker",
            reference=f"message {message.id}",
            reason=f"processing failed {message.attempts} times: {message.last_error}",
            raw=message.raw,
        )
    else:
        message.status = MessageStatus.QUEUED
        message.available_at = now + wait_before_retry(message.attempts)
    db.session.commit()


def has_work_in_flight(now: datetime | None = None) -> bool:
    """Whether another worker holds messages under a live lease (their replies may be woken when it is done)."""
    now = now or utcnow()
    return (
        db.session.scalar(
            select(Message.id)
            .where(Message.status == MessageStatus.PROCESSING, Message.lease_expires_at >= now)
            .limit(1)
        )
        is not None
    )


def queue_depth() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Message)
        .where(Message.status.in_([MessageStatus.QUEUED, MessageStatus.PROCESSING]))
    )
