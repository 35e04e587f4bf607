"""The intake queue: claiming batches under a lease, processing them, fencing late finishers."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, any_, func, or_, select, update
from sqlalchemy.exc import OperationalError

from webcare.extensions import db
from webcare.inbox.threading import BatchThreader
from webcare.protocol.services import active_version_cached, compiled
from webcare.protocol.triage import BatchTriage
from webcare.intake.models import Message, MessageStatus
from webcare.intake.services import dead_letter
from webcare.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A reply whose parent is still queued waits for it, but not for ever.
MAX_DEFERRALS = 20


@dataclass(frozen=True)
class Claim:
    token: str
    message_ids: tuple[int, ...]
    lease_expires_at: datetime


@dataclass
class BatchOutcome:
    processed: int = 0
    deferred: int = 0
    failed: int = 0
    lease_lost: bool = False


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def claim_batch(*, size: int, lease: timedelta, now: datetime | None = None) -> Claim | None:
    """Claim up to `size` queued messages (or ones whose lease ran out) in one committed transaction."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    claimable = or_(
        Message.status == MessageStatus.QUEUED,
        and_(Message.status == MessageStatus.PROCESSING, Message.lease_expires_at < now),
    )
    candidates = select(Message.id).where(claimable).order_by(Message.id).limit(size)
    if _is_postgresql():
        # ARRAY(...) runs the locking subquery exactly once; a plain IN may rescan it and claim more.
        chosen = Message.id == any_(func.array(candidates.with_for_update(skip_locked=True).scalar_subquery()))
    else:
        chosen = Message.id.in_(candidates.scalar_subquery())
    claimed = db.session.scalars(
        update(Message)
        .where(chosen, claimable)
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


def _still_ours(claim: Claim, message_ids: set[int]) -> bool:
    """Whether we still hold every message we worked on; on PostgreSQL the rows stay locked to commit."""
    query = select(Message.id).where(Message.id.in_(message_ids), Message.claim_token == claim.token)
    if _is_postgresql():
        query = query.with_for_update()
    return len(db.session.scalars(query).all()) == len(message_ids)


def _adopt(message: Message, claim: Claim) -> bool:
    """Take a still-queued message (a parent we need first) into our claim."""
    adopted = db.session.execute(
        update(Message)
        .where(Message.id == message.id, Message.status == MessageStatus.QUEUED)
        .values(
            status=MessageStatus.PROCESSING,
            claim_token=claim.token,
            lease_expires_at=claim.lease_expires_at,
            attempts=Message.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(message)
    return adopted == 1


def _defer(message: Message) -> None:
    # The claim token stays until the fence check; a queued message's old token is never looked at.
    message.status = MessageStatus.QUEUED


def _thread_batch(claim: Claim, messages: list[Message], quiet_period: timedelta, now: datetime) -> tuple[BatchOutcome, list[Message]]:
    """Thread the messages in memory (parents first); returns the outcome and every message held."""
    outcome = BatchOutcome()
    pending = {message.id: message for message in messages}
    held = list(messages)
    threader = BatchThreader(messages, quiet_period=quiet_period)
    triage = _triage_for(messages, now)

    def process(message: Message) -> None:
        if pending.pop(message.id, None) is None:
            return
        parent = threader.parent_of(message)
        if parent is not None and parent.status != MessageStatus.DONE:
            if parent.status == MessageStatus.QUEUED and parent not in held and _adopt(parent, claim):
                held.append(parent)
                pending[parent.id] = parent
            process(parent)
            if parent.status != MessageStatus.DONE and message.attempts <= MAX_DEFERRALS:
                _defer(message)
                outcome.deferred += 1
                return
        case = threader.thread(message)
        if triage is not None:
            triage.triage(message, case)
        message.status = MessageStatus.DONE
        message.processed_at = now
        outcome.processed += 1

    with db.session.no_autoflush:
        for message in messages:
            process(message)
    return outcome, held


def _triage_for(messages: list[Message], now: datetime) -> BatchTriage | None:
    """Triage with the protocol active now; without one, cases wait for a person (never a made-up decision)."""
    version = active_version_cached()
    if version is None:
        return None
    return BatchTriage(messages, compiled(version), version, now)


def _commit_if_still_ours(claim: Claim, held: list[Message]) -> bool:
    if not _still_ours(claim, {message.id for message in held}):
        db.session.rollback()
        log.warning("lease lost on a batch of %d messages; another worker has it", len(held))
        return False
    for message in held:
        message.claim_token = None
        message.lease_expires_at = None
    db.session.commit()
    return True


def _record_failure(message_id: int, error: Exception) -> None:
    message = db.session.get(Message, message_id)
    message.last_error = f"{type(error).__name__}: {error}"
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
        dead_letter(
            source="worker",
            reference=f"message {message.id}",
            reason=f"processing failed {message.attempts} times: {message.last_error}",
            raw=message.raw,
        )
    else:
        _defer(message)
    db.session.commit()


def _load(message_ids) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message).where(Message.id.in_(message_ids)).order_by(Message.created_at, Message.id)
        )
    )


def process_claim(claim: Claim, *, quiet_period: timedelta, now: datetime | None = None) -> BatchOutcome:
    """Thread every message of the claim in one transaction; nothing is committed if the lease was lost.

    When something in the batch fails, the batch is rolled back and its messages are taken one at a
    time, so one bad message cannot hold up the others.
    """
    now = now or utcnow()
    messages = _load(claim.message_ids)
    if any(message.claim_token != claim.token for message in messages):
        db.session.rollback()
        return BatchOutcome(lease_lost=True)
    try:
        outcome, held = _thread_batch(claim, messages, quiet_period, now)
    except OperationalError:
        raise
    except Exception:
        db.session.rollback()
        log.exception("a batch of %d messages failed; retrying them one by one", len(messages))
        return _process_one_by_one(claim, quiet_period, now)
    if not _commit_if_still_ours(claim, held):
        return BatchOutcome(lease_lost=True)
    return outcome


def _process_one_by_one(claim: Claim, quiet_period: timedelta, now: datetime) -> BatchOutcome:
    total = BatchOutcome()
    for message_id in claim.message_ids:
        messages = _load([message_id])
        if not messages or messages[0].claim_token != claim.token or messages[0].status != MessageStatus.PROCESSING:
            db.session.rollback()
            continue
        try:
            outcome, held = _thread_batch(claim, messages, quiet_period, now)
        except OperationalError:
            raise
        except Exception as error:  # one bad message must not hold up the queue
            db.session.rollback()
            log.exception("message %s could not be processed", message_id)
            _record_failure(message_id, error)
            total.failed += 1
            continue
        if not _commit_if_still_ours(claim, held):
            total.lease_lost = True
            return total
        total.processed += outcome.processed
        total.deferred += outcome.deferred
    return total


def queue_depth() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Message).where(
            Message.status.in_([MessageStatus.QUEUED, MessageStatus.PROCESSING])
        )
    )
