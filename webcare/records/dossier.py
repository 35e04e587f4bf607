"""A closed case as a dossier: everything the archive keeps about it, gathered once for the PDF and the JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from webcare.extensions import db
from webcare.inbox.models import Case, CaseDecision, CaseEvent, Message
from webcare.inbox.queries import thread
from webcare.replies.models import Reply

# Events about the package itself: left out, so exporting again gives the same files.
PACKAGE_EVENTS = frozenset({"transferred"})


@dataclass(frozen=True)
class Dossier:
    case: Case
    messages: list[Message]
    events: list[CaseEvent]
    decisions: list[CaseDecision]
    replies: list[Reply]
    closed_at: datetime


def dossier(case: Case, closed_at: datetime) -> Dossier:
    events = db.session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind.not_in(PACKAGE_EVENTS))
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    decisions = db.session.scalars(
        select(CaseDecision).where(CaseDecision.case_id == case.id).order_by(CaseDecision.decided_at, CaseDecision.id)
    ).all()
    replies = db.session.scalars(select(Reply).where(Reply.case_id == case.id).order_by(Reply.id)).all()
    return Dossier(case, thread(case), list(events), list(decisions), list(replies), closed_at)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _payload(raw: str):
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def dossier_json(found: Dossier) -> bytes:
    """The raw payloads, events, decisions and replies, as stable UTF-8 JSON (same case → same bytes)."""
    case = found.case
    document = {
        "case": {
            "id": case.id,
            "channel": case.channel.value,
            "account": case.account.handle,
            "status": case.status.value,
            "topic": case.topic,
            "priority": case.priority.value if case.priority else None,
            "action": case.action,
            "outcome": case.outcome,
            "subject": case.subject,
            "first_inbound_at": _iso(case.first_inbound_at),
            "first_response_at": _iso(case.first_response_at),
            "resolved_at": _iso(case.resolved_at),
            "closed_at": _iso(found.closed_at),
            "first_response_seconds": case.first_response_seconds,
            "first_response_staffed_seconds": case.first_response_staffed_seconds,
            "resolution_seconds": case.resolution_seconds,
            "resolution_staffed_seconds": case.resolution_staffed_seconds,
            "author": None
            if case.author is None
            else {
                "channel": case.author.channel.value,
                "platform_id": case.author.platform_id,
                "handle": case.author.handle,
                "name": case.author.name,
            },
        },
        "messages": [
            {
                "id": message.id,
                "external_id": message.external_id,
                "direction": message.direction.value,
                "created_at": _iso(message.created_at),
                "received_at": _iso(message.received_at),
                "text": message.text,
                "url": message.url,
                "is_public": message.is_public,
                "payload": _payload(message.raw),
            }
            for message in found.messages
        ],
        "events": [
            {
                "id": event.id,
                "at": _iso(event.at),
                "kind": event.kind,
                "actor": event.actor.name if event.actor else None,
                "details": event.details,
            }
            for event in found.events
        ],
        "decisions": [
            {
                "id": decision.id,
                "decided_at": _iso(decision.decided_at),
                "action": decision.action,
                "rule_id": decision.rule_id,
                "priority": decision.priority,
                "topic": decision.topic,
                "protocol_version": decision.protocol_version.version,
                "trace": decision.trace,
            }
            for decision in found.decisions
        ],
        "replies": [
            {
                "id": reply.id,
                "status": reply.status.value,
                "text": reply.text,
                "submitted_at": _iso(reply.submitted_at),
                "author": reply.author.name,
                "mandate_rule": reply.mandate_rule,
                "approved_by": reply.approved_by.name if reply.approved_by else None,
                "approved_at": _iso(reply.approved_at),
                "sent_at": _iso(reply.sent_at),
            }
            for reply in found.replies
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode()
