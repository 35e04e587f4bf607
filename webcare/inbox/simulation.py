"""Replaying stored messages through a candidate protocol: what would change against what happened.

Facts are built exactly as triage builds them (webcare.inbox.triage), as they stood when each message came in.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from webcare.extensions import db
from webcare.inbox.models import CaseDecision, Direction, Message, MessageStatus
from webcare.inbox.triage import AuthorContacts, message_facts
from webcare.protocol import compute_features
from webcare.protocol.cluster import ClusterTracker
from webcare.protocol.loader import Protocol

NO_DECISION = "none"
EXAMPLES_PER_CHANGE = 5


@dataclass(frozen=True)
class ChangedExample:
    message_id: int
    case_id: int | None
    text: str
    before: str
    after: str
    rule_before: str | None
    rule_after: str


@dataclass
class SimulationReport:
    messages: int = 0
    changed: int = 0
    actions_before: Counter = field(default_factory=Counter)
    actions_after: Counter = field(default_factory=Counter)
    rules_after: Counter = field(default_factory=Counter)
    changed_by_rule: Counter = field(default_factory=Counter)
    transitions: Counter = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[ChangedExample]] = field(default_factory=lambda: defaultdict(list))

    def as_dict(self) -> dict:
        return {
            "messages": self.messages,
            "changed": self.changed,
            "actions_before": dict(self.actions_before),
            "actions_after": dict(self.actions_after),
            "rules_after": dict(self.rules_after),
            "changed_by_rule": dict(self.changed_by_rule),
            "transitions": {f"{before}->{after}": count for (before, after), count in self.transitions.items()},
            "examples": {
                f"{before}->{after}": [example.__dict__ for example in examples]
                for (before, after), examples in self.examples.items()
            },
        }


def simulate(protocol: Protocol, *, since: datetime, until: datetime, batch_size: int = 2000) -> SimulationReport:
    """Decide every stored inbound message in [since, until) with `protocol`; compare with the recorded decision."""
    report = SimulationReport()
    tracker = ClusterTracker(window=protocol.summary_window)
    last_seen = (since, 0)
    reply = aliased(Message)
    replies_before = (
        select(func.count())
        .where(
            reply.case_id == Message.case_id,
            reply.direction == Direction.OUTBOUND,
            reply.created_at < Message.created_at,
        )
        .scalar_subquery()
    )
    while True:
        rows = db.session.execute(
            select(Message, CaseDecision.action, CaseDecision.rule_id, replies_before)
            .options(joinedload(Message.author), joinedload(Message.account))
            .outerjoin(CaseDecision, CaseDecision.message_id == Message.id)
            .where(
                Message.direction == Direction.INBOUND,
                Message.status == MessageStatus.DONE,
                Message.created_at < until,
                (Message.created_at > last_seen[0])
                | ((Message.created_at == last_seen[0]) & (Message.id > last_seen[1])),
            )
            .order_by(Message.created_at, Message.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return report
        contacts = AuthorContacts([row[0] for row in rows])
        for message, action_before, rule_before, replies in rows:
            facts_of = _Facts(contacts, replies or 0)
            _replay(report, protocol, tracker, message, action_before, rule_before, facts_of)
        last_seen = (rows[-1][0].created_at, rows[-1][0].id)
        db.session.expunge_all()


@dataclass(frozen=True)
class _Facts:
    contacts: AuthorContacts
    replies_before: int


def _replay(report, protocol, tracker, message, action_before, rule_before, known: _Facts) -> None:
    cluster = tracker.add(str(message.id), message.created_at, message.text)
    facts = message_facts(
        message,
        replies_so_far=known.replies_before,
        author_contacts=known.contacts.count_besides(message, {message.case_id}),
        cluster_size=cluster.size,
    )
    decision = protocol.decide(compute_features(facts, protocol), message.created_at)
    before = action_before or NO_DECISION
    after = decision.action.value
    report.messages += 1
    report.actions_before[before] += 1
    report.actions_after[after] += 1
    report.rules_after[decision.rule_id] += 1
    if before != after or (rule_before is not None and rule_before != decision.rule_id):
        report.changed += 1
        report.changed_by_rule[decision.rule_id] += 1
        report.transitions[(before, after)] += 1
        examples = report.examples[(before, after)]
        if len(examples) < EXAMPLES_PER_CHANGE:
            examples.append(
                ChangedExample(
                    message.id, message.case_id, message.text[:280], before, after, rule_before, decision.rule_id
                )
            )
