"""Applying a protocol decision to a case: record it and set the case's course (reply, escalate, bundle, ignore)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext

from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.bundles import join_bundle
from webcare.inbox.events import case_link, move_case, record
from webcare.inbox.models import (
    ALLOWED_TRANSITIONS,
    Case,
    CaseDecision,
    CaseStatus,
    Message,
    Priority,
)
from webcare.inbox.routing import record_arrival_duty, route_case
from webcare.notifications.services import notify, users_with_role
from webcare.protocol.engine import Action, Decision
from webcare.protocol.features import Features
from webcare.protocol.models import ProtocolVersion

PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
# The roster's mandate level a case needs: escalations go to a lead, urgent and high replies to experienced staff.
TEAM_LEAD_LEVEL = 3
MANDATE_LEVEL_FOR_PRIORITY = {Priority.URGENT: 2, Priority.HIGH: 2, Priority.NORMAL: 1, Priority.LOW: 1}


def needed_mandate_level(decision: Decision) -> int:
    if decision.action == Action.ESCALATE:
        return TEAM_LEAD_LEVEL
    return MANDATE_LEVEL_FOR_PRIORITY[decision.priority]


def _route(case: Case, decision: Decision, now: datetime) -> None:
    """Give a case that asks for a person to whoever is on duty with the mandate; history already answered is left."""
    if case.owner_id is None and case.first_response_at is None:
        route_case(case, needed_mandate_level=needed_mandate_level(decision), topic=case.topic, now=now)


def _record_duty(case: Case, now: datetime) -> None:
    """Every case keeps who was on duty when it arrived (the roster's immutable duty record)."""
    record_arrival_duty(case, now=now)


def _is_first_decision(case: Case) -> bool:
    return case.action is None


def _outranks(decision: Decision, case: Case) -> bool:
    """A later message changes the case's course only when it asks for more: escalation, or higher priority."""
    if decision.action == Action.ESCALATE and case.action != Action.ESCALATE.value:
        return True
    current = PRIORITY_RANK.get(case.priority, 3) if case.priority else 3
    return PRIORITY_RANK[decision.priority] < current


def apply_decision(
    case: Case,
    message: Message,
    decision: Decision,
    features: Features,
    version: ProtocolVersion,
    cluster_id: str,
    now: datetime,
) -> CaseDecision:
    """Record the decision and, when it sets the case's course, act on it. Flushes nothing; the batch commits."""
    row = CaseDecision(
        case_id=case.id,
        message_id=message.id,
        protocol_version_id=version.id,
        action=decision.action.value,
        rule_id=decision.rule_id,
        priority=decision.priority.value,
        topic=features.topic,
        template_id=decision.template_id,
        escalate_to=decision.escalate_to,
        note=decision.note,
        first_response_due_at=decision.first_response_due_at,
        resolution_due_at=decision.resolution_due_at,
        tags=list(decision.tags),
        notify=list(decision.notify),
        trace=list(decision.trace),
        features=features.as_dict(),
        decided_at=now,
    )
    row.case = case
    db.session.add(row)
    record(
        case,
        "decided",
        by=None,
        at=now,
        message_id=message.id,
        action=decision.action.value,
        rule_id=decision.rule_id,
        protocol_version=version.label,
        priority=decision.priority.value,
    )
    if _is_first_decision(case):
        _record_duty(case, now)
    if _is_first_decision(case) or _outranks(decision, case):
        case.applied_decision = row
        _set_course(case, message, decision, features, cluster_id, now)
    if decision.notify:
        _notify_roles(case, decision, kind=f"protocol_{decision.action.value}")
    return row


def _set_course(case: Case, message: Message, decision: Decision, features: Features, cluster_id: str, now) -> None:
    case.action = decision.action.value
    case.priority = decision.priority
    case.topic = features.topic
    if case.first_response_at is None and decision.first_response_due_at is not None:
        case.first_response_due_at = decision.first_response_due_at
    case.resolution_due_at = decision.resolution_due_at or case.resolution_due_at
    if case.first_response_at is None:
        case.queue_at = case.first_response_due_at or case.first_inbound_at or case.queue_at
    if decision.action == Action.REPLY:
        _move(case, CaseStatus.OPEN)
        _route(case, decision, now)
    elif decision.action == Action.ESCALATE:
        _escalate(case, decision, now)
        _route(case, decision, now)
    elif decision.action == Action.SUMMARISE:
        join_bundle(case, message, decision, cluster_id, now)
    elif decision.action == Action.IGNORE:
        _ignore(case, decision, now)


def _move(case: Case, status: CaseStatus) -> None:
    if status in _allowed(case):
        move_case(case, status, by=None)


def _allowed(case: Case) -> frozenset[CaseStatus]:
    return ALLOWED_TRANSITIONS[case.status]


def _escalate(case: Case, decision: Decision, now: datetime) -> None:
    case.escalated_to = decision.escalate_to
    _move(case, CaseStatus.WAITING_ON_DEPARTMENT)
    record(case, "escalated", by=None, at=now, to=decision.escalate_to, note=decision.note, rule_id=decision.rule_id)
    leads = users_with_role(Role.LEAD)
    notify(
        leads,
        kind="escalation",
        subject=gettext(
            "Escalation: case #%(id)s to %(to)s", id=case.id, to=decision.escalate_to or gettext("team lead")
        ),
        body=f"{decision.note or ''}\n\n{case.subject}",
        link=case_link(case.id),
        case_id=case.id,
    )


def _ignore(case: Case, decision: Decision, now: datetime) -> None:
    if CaseStatus.IGNORED in _allowed(case):
        move_case(
            case,
            CaseStatus.IGNORED,
            by=None,
            at=now,
            kind="ignored",
            reason=decision.rule_id,
            is_monitored=decision.is_monitored,
        )


def _notify_roles(case: Case, decision: Decision, *, kind: str) -> None:
    """Protocol notifications name teams (teamleider, communicatie, ...); the team leads receive and route them."""
    notify(
        users_with_role(Role.LEAD),
        kind=kind,
        subject=gettext(
            "Protocol (%(rule)s) for %(whom)s: case #%(id)s",
            rule=decision.rule_id,
            whom=", ".join(decision.notify),
            id=case.id,
        ),
        body=case.subject,
        link=case_link(case.id),
        case_id=case.id,
    )
