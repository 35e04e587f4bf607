"""The intake queue: claiming batches under a lease, processing them, fencing late finishers."""

from __future__ import annotations

import logging
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, any_, bindparam, func, or_, select, union_all, update
from sqlalchemy.exc import OperationalError

from webcare.extensions import db
from webcare.inbox.events import recorded_in_bulk
from webcare.inbox.threading import BatchThreader
from webcare.protocol.services import active_version_cached, compiled
from webcare.protocol.triage import BatchTriage
from webcare.intake.models import Message, MessageStatus
from webcare.intake.services import dead_letter
from webcare.roster.store import roster_heads_read_once
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


def _claimable_ids(size: int, now: datetime) -> Select:
    """The lowest `size` ids of queued messages and ones whose lease ran out.

    Each kind is read from the (status, id) index in id order and cut at `size`; one OR of the two reads
    and sorts every queued row, which makes each claim slower the longer the queue.
    """
    queued = select(Message.id).where(Message.status == MessageStatus.QUEUED)
    lapsed = select(Message.id).where(Message.status == MessageStatus.PROCESSING, Message.lease_expires_at < now)
    parts = [part.order_by(Message.id).limit(size) for part in (queued, lapsed)]
    if _is_postgresql():
        parts = [part.with_for_update(skip_locked=True) for part in parts]
    both = union_all(*(select(part.subquery().c.id) for part in parts)).subquery()
    return select(both.c.id).order_by(both.c.id).limit(size)


def claim_batch(*, size: int, lease: timedelta, now: datetime | None = None) -> Claim | None:
    """Claim up to `size` queued messages (or ones whose lease ran out) in one committed transaction."""
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


def _release_if_still_ours(claim: Claim, message_ids: set[int]) -> bool:
    """Clear our claim on the messages we worked on, if we still hold every one of them.

    Runs after the batch is flushed, so on PostgreSQL the rows stay locked to commit; a worker that took
    the batch over after our lease ran out has its own token on them, and we hold fewer than we worked on.
    """
    released = db.session.execute(
        update(Message)
        .where(Message.id.in_(message_ids), Message.claim_token == claim.token)
        .values(claim_token=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    return released == len(message_ids)


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


class _BatchRun:
    """One batch being threaded in memory, each parent before its replies."""

    def __init__(self, claim: Claim, messages: list[Message], quiet_period: timedelta, now: datetime):
        self.claim = claim
        self.now = now
        self.outcome = BatchOutcome()
        self.pending = {message.id: message for message in messages}
        self.held = list(messages)
        self.threader = BatchThreader(messages, quiet_period=quiet_period)
        self.triage = _triage_for(messages, now)

    def process(self, message: Message) -> None:
        if self.pending.pop(message.id, None) is None:
            return
        parent = self.threader.parent_of(message)
        if parent is not None and parent.status != MessageStatus.DONE:
            if parent.status == MessageStatus.QUEUED and parent not in self.held and _adopt(parent, self.claim):
                self.held.append(parent)
                self.pending[parent.id] = parent
            self.process(parent)
            if parent.status != MessageStatus.DONE and message.attempts <= MAX_DEFERRALS:
                _defer(message)
                self.outcome.deferred += 1
                return
        case = self.threader.thread(message)
        if self.triage is not None:
            self.triage.triage(message, case)
        message.status = MessageStatus.DONE
        message.processed_at = self.now
        self.outcome.processed += 1


def _thread_batch(claim: Claim, messages: list[Message], quiet_period: timedelta, now: datetime) -> tuple[BatchOutcome, bool]:
    """Thread the messages in memory (parents first) and write the batch, releasing our claim on it.

    Returns the outcome and whether we still held every message; the caller commits only then.
    """
    with db.session.no_autoflush, roster_heads_read_once():
        run = _BatchRun(claim, messages, quiet_period, now)
        # Without a protocol nothing reads or flushes mid-batch, so messages and events can be written in
        # bulk; the unit of work compares every attribute of every message and inserts events one by one.
        in_bulk = run.triage is None
        with recorded_in_bulk() if in_bulk else nullcontext():
            for message in messages:
                run.process(message)
            if in_bulk:
                still_ours = _write_messages_in_bulk(claim, run.held)
            else:
                held_ids = {message.id for message in run.held}
                db.session.flush()
                still_ours = _release_if_still_ours(claim, held_ids)
    return run.outcome, still_ours


def _write_messages_in_bulk(claim: Claim, held: list[Message]) -> bool:
    """Flush the session, then write each held message's outcome and release our claim on it in one
    statement; returns whether we still held every one of them.

    Expiring the messages drops their pending changes from the unit of work; they are reloaded when read.
    """
    outcomes = []
    for message in held:
        case = message.case if message.status == MessageStatus.DONE else None
        outcomes.append((message.id, message.status, message.processed_at, case, message.case_id))
        db.session.expire(message)
    db.session.flush()
    table = Message.__table__
    written = db.session.execute(
        update(table)
        .where(table.c.id == bindparam("message_id"), table.c.claim_token == claim.token)
        .values(
            status=bindparam("new_status"),
            processed_at=bindparam("new_processed_at"),
            case_id=bindparam("new_case_id"),
            claim_token=None,
            lease_expires_at=None,
        ),
        [
            {
                "message_id": message_id,
                "new_status": status,
                "new_processed_at": processed_at,
                "new_case_id": case.id if case else case_id,
            }
            for message_id, status, processed_at, case, case_id in outcomes
        ],
    ).rowcount
    return written == len(outcomes)


def _triage_for(messages: list[Message], now: datetime) -> BatchTriage | None:
    """Triage with the protocol active now; without one, cases wait for a person (never a made-up decision)."""
    version = active_version_cached()
    if version is None:
        return None
    return BatchTriage(messages, compiled(version), version, now)


def _commit_unless_lease_lost(still_ours: bool, batch_size: int) -> bool:
    """Commit the batch if we still held every message of it; otherwise roll it back: another worker has it."""
    if not still_ours:
        db.session.rollback()
        log.warning("lease lost on a batch of %d messages; another worker has it", batch_size)
        return False
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
        outcome, still_ours = _thread_batch(claim, messages, quiet_period, now)
    except OperationalError:
        raise
    except Exception:
        db.session.rollback()
        log.exception("a batch of %d messages failed; retrying them one by one", len(messages))
        return _process_one_by_one(claim, quiet_period, now)
    if not _commit_unless_lease_lost(still_ours, len(messages)):
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
            outcome, still_ours = _thread_batch(claim, messages, quiet_period, now)
        except OperationalError:
            raise
        except Exception as error:  # one bad message must not hold up the queue
            db.session.rollback()
            log.exception("message %s could not be processed", message_id)
            _record_failure(message_id, error)
            total.failed += 1
            continue
        if not _commit_unless_lease_lost(still_ours, len(messages)):
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
