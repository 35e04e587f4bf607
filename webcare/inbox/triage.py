"""Triage in the worker: a message's facts, the active protocol's decision on them, and the decision applied.

The simulator builds its facts with the same `message_facts` and `AuthorContacts`, so a protocol replayed
over history decides what triage decided.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from webcare.extensions import db
from webcare.inbox.bundles import gather_wave
from webcare.inbox.decisions import apply_decision
from webcare.inbox.models import Case, CaseDecision, Direction, Message, MessageStatus
from webcare.inbox.timing import staffed_clock
from webcare.protocol import MessageFacts, compute_features
from webcare.protocol.cluster import ClusterTracker
from webcare.protocol.engine import Action
from webcare.protocol.loader import Protocol
from webcare.protocol.models import ProtocolVersion

REPEAT_CONTACT_DAYS = 30


class _ClusterMemory:
    """One cluster tracker per process, kept in step with every worker's messages through the database."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tracker: ClusterTracker | None = None
        self.window: timedelta | None = None
        self.last_message_id = 0
        self.last_external_id: str | None = None

    def tracker_for(self, protocol: Protocol, now: datetime) -> ClusterTracker:
        window = protocol.summary_window
        if self.tracker is None or window != self.window or not self._still_same_database():
            self.tracker, self.window = ClusterTracker(window=window), window
            self.last_message_id, self.last_external_id = 0, None
        self._catch_up(now)
        return self.tracker

    def _still_same_database(self) -> bool:
        """A database restored or emptied behind our back invalidates what we remember."""
        if not self.last_message_id:
            return True
        found = db.session.scalar(select(Message.external_id).where(Message.id == self.last_message_id))
        return found == self.last_external_id

    def remember(self, message_id: int, external_id: str) -> None:
        if message_id > self.last_message_id:
            self.last_message_id, self.last_external_id = message_id, external_id

    def _catch_up(self, now: datetime) -> None:
        rows = db.session.execute(
            select(Message.id, Message.external_id, Message.created_at, Message.text)
            .where(
                Message.id > self.last_message_id,
                Message.status == MessageStatus.DONE,
                Message.direction == Direction.INBOUND,
                Message.created_at >= now - self.window,
            )
            .order_by(Message.created_at, Message.id)
            .limit(self.tracker.max_messages)
        ).all()
        for message_id, external_id, created_at, text in rows:
            self.tracker.add(str(message_id), created_at, text)
            self.remember(message_id, external_id)


_cluster_memories: dict[str, _ClusterMemory] = {}


def _cluster_memory() -> _ClusterMemory:
    return _cluster_memories.setdefault(str(db.engine.url), _ClusterMemory())


def message_facts(message: Message, *, replies_so_far: int, author_contacts: int, cluster_size: int) -> MessageFacts:
    """What the protocol decides on for one inbound message: the one way triage and the simulator build facts."""
    author = message.author
    return MessageFacts(
        text=message.text,
        created_at=message.created_at,
        channel=message.channel.value,
        account=message.account.handle,
        is_public=message.is_public,
        author_handle=author.handle if author else None,
        author_name=author.name if author else None,
        author_followers=author.followers if author else None,
        author_verified=author.is_verified if author else False,
        our_replies_so_far=replies_so_far,
        author_contacts_last_n_days=author_contacts,
        cluster_size=cluster_size,
    )


class AuthorContacts:
    """How many other cases each author started in the REPEAT_CONTACT_DAYS before a message.

    Read for a set of messages with one indexed query, then counted in memory; cases opened while a
    batch runs are added as they open.
    """

    def __init__(self, messages: Sequence[Message]):
        self.starts: dict[int, list[tuple[datetime, int]]] = {}
        self.known: set[int] = set()
        authors = list({m.author_id for m in messages if m.author_id is not None and m.direction == Direction.INBOUND})
        if not authors:
            return
        since = min(m.created_at for m in messages) - timedelta(days=REPEAT_CONTACT_DAYS)
        until = max(m.created_at for m in messages)
        rows = db.session.execute(
            select(Case.author_id, Case.first_inbound_at, Case.id)
            .where(Case.author_id.in_(authors), Case.first_inbound_at >= since, Case.first_inbound_at <= until)
            .order_by(Case.author_id, Case.first_inbound_at, Case.id)
        )
        for author_id, started_at, case_id in rows:
            self.starts.setdefault(author_id, []).append((started_at, case_id))
            self.known.add(case_id)

    def add(self, case: Case) -> None:
        """Count a case opened while the batch runs (its id may not be known yet: identified by the object)."""
        if case.id in self.known or id(case) in self.known:
            return
        self.known.add(id(case))
        if case.author_id is not None:
            starts = self.starts.setdefault(case.author_id, [])
            starts.insert(
                bisect_right(starts, case.first_inbound_at, key=lambda start: start[0]),
                (case.first_inbound_at, id(case)),
            )

    def count(self, message: Message, case: Case | None) -> int:
        """Cases of the message's author, other than `case`, started in the days up to the message."""
        return self.count_besides(message, {case.id, id(case)} if case is not None else set())

    def count_besides(self, message: Message, own: set[int]) -> int:
        starts = self.starts.get(message.author_id, [])
        low = bisect_left(starts, message.created_at - timedelta(days=REPEAT_CONTACT_DAYS), key=lambda start: start[0])
        high = bisect_right(starts, message.created_at, key=lambda start: start[0])
        return sum(1 for _at, key in starts[low:high] if key not in own)


class BatchTriage:
    """Decides for the inbound messages of one batch with the protocol active when the batch began."""

    def __init__(self, messages: Sequence[Message], protocol: Protocol, version: ProtocolVersion, now: datetime):
        self.protocol = protocol
        self.version = version
        self.now = now
        newest = max((m.created_at for m in messages), default=now)
        self.memory = _cluster_memory()
        with self.memory.lock:
            self.clusters = self.memory.tracker_for(protocol, newest)
        self.contacts = AuthorContacts(messages)
        self.decided = set(
            db.session.scalars(
                select(CaseDecision.message_id).where(CaseDecision.message_id.in_([m.id for m in messages]))
            )
        )

    def triage(self, message: Message, case: Case | None) -> CaseDecision | None:
        """Decide and apply for one inbound message; a message decided before is left alone."""
        if case is None or message.direction != Direction.INBOUND or message.id in self.decided:
            return None
        with self.memory.lock:
            assignment = self.clusters.add(str(message.id), message.created_at, message.text)
            self.memory.remember(message.id, message.external_id)
        self.contacts.add(case)
        facts = message_facts(
            message,
            replies_so_far=case.outbound_count,
            author_contacts=self.contacts.count(message, case),
            cluster_size=assignment.size,
        )
        features = compute_features(facts, self.protocol)
        decision = self.protocol.decide(
            features, message.created_at, staffed_clock(message.created_at, message.created_at)
        )
        self.decided.add(message.id)
        row = apply_decision(case, message, decision, features, self.version, assignment.cluster_id, self.now)
        if decision.action == Action.SUMMARISE and case.bundle_id is not None:
            with self.memory.lock:
                earlier = self.clusters.members_of(assignment.cluster_id)
            gather_wave(case.bundle_id, [int(message_id) for message_id in earlier], self.now)
        return row
