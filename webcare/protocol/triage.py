"""Triage in the worker: compute a message's features, let the active protocol decide, apply the decision."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select

from webcare.extensions import db
from webcare.inbox.models import Case
from webcare.inbox.timing import staffed_clock
from webcare.intake.models import Direction, Message, MessageStatus
from webcare.protocol import MessageFacts, compute_features
from webcare.protocol.actions import apply_decision, gather_wave
from webcare.protocol.cluster import ClusterTracker
from webcare.protocol.engine import Action
from webcare.protocol.loader import Protocol
from webcare.protocol.models import CaseDecision, ProtocolVersion

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
        self.contacts = self._recent_contacts(messages)
        self.decided = set(
            db.session.scalars(
                select(CaseDecision.message_id).where(CaseDecision.message_id.in_([m.id for m in messages]))
            )
        )

    def _recent_contacts(self, messages: Sequence[Message]) -> dict[int, int]:
        authors = list({m.author_id for m in messages if m.author_id is not None})
        if not authors:
            return {}
        since = min(m.created_at for m in messages) - timedelta(days=REPEAT_CONTACT_DAYS)
        rows = db.session.execute(
            select(Case.author_id, func.count())
            .where(Case.author_id.in_(authors), Case.first_inbound_at >= since)
            .group_by(Case.author_id)
        )
        return dict(rows.all())

    def facts(self, message: Message, case: Case, cluster_size: int) -> MessageFacts:
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
            our_replies_so_far=case.outbound_count,
            author_contacts_last_n_days=max(self.contacts.get(message.author_id, 1) - 1, 0),
            cluster_size=cluster_size,
        )

    def triage(self, message: Message, case: Case | None) -> CaseDecision | None:
        """Decide and apply for one inbound message; a message decided before is left alone."""
        if case is None or message.direction != Direction.INBOUND or message.id in self.decided:
            return None
        with self.memory.lock:
            assignment = self.clusters.add(str(message.id), message.created_at, message.text)
            self.memory.remember(message.id, message.external_id)
        features = compute_features(self.facts(message, case, assignment.size), self.protocol)
        decision = self.protocol.decide(features, message.created_at, staffed_clock(message.created_at, message.created_at))
        self.decided.add(message.id)
        row = apply_decision(case, message, decision, features, self.version, assignment.cluster_id, self.now)
        if decision.action == Action.SUMMARISE and case.bundle_id is not None:
            with self.memory.lock:
                earlier = self.clusters.members_of(assignment.cluster_id)
            gather_wave(case.bundle_id, [int(message_id) for message_id in earlier], self.now)
        return row
