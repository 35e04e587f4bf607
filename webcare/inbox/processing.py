"""Processing a claimed batch: each message threaded into its case and triaged, under the locks of its threads.

Many workers may process at once (PostgreSQL). Everything that changes a case happens under its row lock,
and two workers never open a case for the same thread: a batch first takes a transaction lock on each
thread it touches (conversation, private thread) and only then looks cases up, so what it finds is what
the worker before it committed; then it locks the cases it found, all at once in id order. Locks are
always taken in that order (threads by key, then cases by id), so workers wait for each other instead
of deadlocking. SQLite has one writer at a time and needs none of this.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, text

from webcare.extensions import db
from webcare.inbox.events import recorded_in_bulk
from webcare.inbox.models import Case, Direction, Message, MessageStatus
from webcare.inbox.threading import BatchThreader, conversation_key, private_key
from webcare.inbox.triage import BatchTriage
from webcare.protocol.services import active_version_cached, compiled
from webcare.roster.store import roster_heads_read_once

# A reply whose parent is still on its way waits for it, but not for ever: after this many waits it is
# threaded without its parent (see webcare.intake.queue for how the waits are spaced).
MAX_DEFERRALS = 20
_LOCK_THREADS = text(
    "SELECT pg_advisory_xact_lock(key) FROM (SELECT unnest(CAST(:keys AS bigint[])) AS key ORDER BY key) AS ordered"
).bindparams(bindparam("keys"))


@dataclass
class BatchResult:
    """What became of each message: its case (None for our reply to nothing known), or put back to wait."""

    cases: dict[int, Case | None] = field(default_factory=dict)
    deferred: set[int] = field(default_factory=set)
    done_keys: list[tuple] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return len(self.cases)


def _lock_number(key: tuple) -> int:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_threads(messages: list[Message]) -> None:
    keys = {key for message in messages for key in (conversation_key(message), private_key(message)) if key}
    if keys:
        db.session.execute(_LOCK_THREADS, {"keys": sorted({_lock_number(key) for key in keys})})


def _lock_cases(threader: BatchThreader) -> None:
    """Lock every case the batch found, in id order, and re-read them: they are what we change."""
    case_ids = sorted(threader.known_case_ids())
    if not case_ids:
        return
    db.session.execute(select(Case.id).where(Case.id.in_(case_ids)).order_by(Case.id).with_for_update())
    db.session.execute(select(Case).where(Case.id.in_(case_ids)).execution_options(populate_existing=True)).all()


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


class _Batch:
    """One batch being threaded in memory, each parent before its replies."""

    def __init__(self, messages: list[Message], quiet_period: timedelta, now: datetime):
        self.now = now
        self.result = BatchResult()
        self.pending = {message.id: message for message in messages}
        if _is_postgresql():
            _lock_threads(messages)
        self.threader = BatchThreader(messages, quiet_period=quiet_period)
        if _is_postgresql():
            _lock_cases(self.threader)
        self.triage = _triage_for(messages, now)

    def _must_wait(self, message: Message) -> bool:
        """A reply waits while its parent is queued or in another worker's hands, and our own reply (outbound)
        also while its parent is not known yet: history can list an answer before the message it answers."""
        if message.in_reply_to is None or message.deferrals >= MAX_DEFERRALS:
            return False
        parent = self.threader.parent_of(message)
        if parent is None:
            return message.direction == Direction.OUTBOUND and self.threader.case_of_conversation(message) is None
        if parent.id in self.pending:
            self.process(parent)
        if parent.id in self.result.cases:
            return False
        return parent.status in (MessageStatus.QUEUED, MessageStatus.PROCESSING)

    def process(self, message: Message) -> None:
        if self.pending.pop(message.id, None) is None:
            return
        if self._must_wait(message):
            self.result.deferred.add(message.id)
            return
        case = self.threader.thread(message)
        if self.triage is not None:
            self.triage.triage(message, case)
        self.result.cases[message.id] = case
        self.result.done_keys.append((message.channel, message.external_id))


def process_messages(messages: list[Message], *, quiet_period: timedelta, now: datetime) -> BatchResult:
    """Thread and triage a claimed batch (parents first) inside `batch_scope`; the queue writes the outcome."""
    batch = _Batch(messages, quiet_period, now)
    for message in messages:
        batch.process(message)
    return batch.result


@contextmanager
def batch_scope() -> Iterator[None]:
    """What a batch keeps open from its first lookup to its last write: no autoflush (lookups are set-based),
    the roster read once, and without a protocol the events written in bulk (nothing reads them mid-batch;
    thousands of ORM inserts cost more than the threading)."""
    with db.session.no_autoflush, roster_heads_read_once():
        with recorded_in_bulk() if active_version_cached() is None else nullcontext():
            yield


def _triage_for(messages: list[Message], now: datetime) -> BatchTriage | None:
    """Triage with the protocol active now; without one, cases wait for a person (never a made-up decision)."""
    version = active_version_cached()
    if version is None:
        return None
    return BatchTriage(messages, compiled(version), version, now)
