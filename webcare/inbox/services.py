"""Case workflow services: claim, assign, note, escalate, department answer, resolve, reopen, ignore.

Each public service is one transaction: it locks the case row, checks who may act (`may`), changes the case
along its allowed transitions and appends one event with actor, time and the values before and after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from webcare.auth.access import ANY_STAFF
from webcare.auth.models import Role, User, UserRole
from webcare.extensions import db
from webcare.inbox.events import record
from webcare.inbox.models import (
    ACTIVE_STATUSES,
    ALLOWED_TRANSITIONS,
    Case,
    CaseEvent,
    CaseStatus,
    InvalidTransition,
    Message,
)
from webcare.inbox.timing import record_first_response, record_resolution
from webcare.protocol.services import active_protocol
from webcare.timeutil import utcnow

__all__ = [
    "CaseAlreadyClaimed",
    "DEPARTMENTS",
    "InvalidChoice",
    "InvalidTransition",
    "NotAllowed",
    "OUTCOMES",
    "WORKFLOW_ACTIONS",
    "add_note",
    "allowed_actions",
    "assign_case",
    "assignable_users",
    "claim_case",
    "departments",
    "escalate_case",
    "ignore_case",
    "may",
    "record_department_answer",
    "reopen_case",
    "resolve_case",
]

# The departments a case can be escalated to: ids as in the protocol's vocabulary → teams.
DEPARTMENTS: dict[str, str] = {
    "afval": "Afval",
    "openbare-ruimte": "Openbare ruimte",
    "parkeren": "Parkeren",
    "burgerzaken": "Burgerzaken",
    "belastingen": "Belastingen",
    "zorg": "Zorg / Wmo",
    "communicatie": "Communicatie",
    "teamleider": "Teamleider",
}
OUTCOMES = ("answered", "referred", "no_action_needed", "duplicate", "other")
WORKFLOW_ACTIONS = ("claim", "assign", "note", "escalate", "answer", "resolve", "reopen", "ignore")
WORKING_ROLES = (Role.AGENT, Role.LEAD)
NOTE_MAX_LENGTH = 5000


class CaseAlreadyClaimed(Exception):
    def __init__(self, case_id: int, owner: User | None):
        super().__init__(f"case {case_id} is already claimed by {owner.name if owner else 'someone else'}")
        self.case_id = case_id
        self.owner = owner


class NotAllowed(Exception):
    def __init__(self, user: User, action: str, case: Case):
        super().__init__(f"{user.name} may not {action} case {case.id}")
        self.action = action


class InvalidChoice(ValueError):
    """A department, outcome, assignee or text that the workflow does not accept."""


def departments() -> dict[str, str]:
    """Escalation targets: the fixed municipal list plus the departments the active protocol's topics name."""
    choices = dict(DEPARTMENTS)
    protocol = active_protocol()
    if protocol is not None:
        for topic in protocol.vocabulary.topics:
            if topic.department and topic.department not in choices:
                choices[topic.department] = topic.department.replace("-", " ").capitalize()
    return choices


def may(user: User, action: str, case: Case) -> bool:
    """Who may do what to a case: agents and leads work cases, managers and admins only read them.

    Leads may (re)assign any case; an agent may reassign only a case they own, and claim only unowned ones.
    """
    if action == "view":
        return user.has_role(*ANY_STAFF)
    if not user.has_role(*WORKING_ROLES):
        return False
    if action == "assign":
        return user.has_role(Role.LEAD) or case.owner_id == user.id
    if action == "claim":
        return case.owner_id is None
    return action in WORKFLOW_ACTIONS


def allowed_actions(user: User, case: Case) -> frozenset[str]:
    """The actions `user` may take on `case` now, for showing only the controls that will work."""
    next_statuses = ALLOWED_TRANSITIONS[case.status]
    possible = {
        "claim": case.is_active,
        "assign": case.is_active,
        "note": True,
        "escalate": CaseStatus.WAITING_ON_DEPARTMENT in next_statuses,
        "answer": case.status == CaseStatus.WAITING_ON_DEPARTMENT,
        "resolve": CaseStatus.RESOLVED in next_statuses,
        "reopen": CaseStatus.REOPENED in next_statuses,
        "ignore": CaseStatus.IGNORED in next_statuses,
    }
    return frozenset(action for action in WORKFLOW_ACTIONS if possible[action] and may(user, action, case))


def assignable_users() -> list[User]:
    """Active people who work cases (agents and leads), by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role.in_(WORKING_ROLES), User.is_active_account.is_(True))
            .distinct()
            .order_by(User.name, User.id)
        )
    )


def _check(user: User, action: str, case: Case) -> None:
    if not may(user, action, case):
        db.session.rollback()
        raise NotAllowed(user, action, case)


def lock_case(case: Case) -> None:
    """Re-read the case under a row lock, so concurrent changes queue up instead of overwriting each other."""
    db.session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    db.session.refresh(case)


def record_sent_reply(case: Case, message: Message, *, at: datetime, **details: Any) -> None:
    """Our reply went out: count it on the case, take it as the first response, record it. The caller commits."""
    lock_case(case)
    case.outbound_count += 1
    case.last_message_at = max(case.last_message_at, at)
    record_first_response(case, at)
    record(case, "reply_sent", by=None, at=at, message_id=message.id, **details)


def _text(value: str | None, what: str, *, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        db.session.rollback()
        raise InvalidChoice(_l("%(what)s is required", what=what))
    if len(cleaned) > NOTE_MAX_LENGTH:
        db.session.rollback()
        raise InvalidChoice(_l("%(what)s is longer than %(limit)d characters", what=what, limit=NOTE_MAX_LENGTH))
    return cleaned


def _person(user: User | None) -> dict[str, Any]:
    return {"id": user.id, "name": user.name} if user else None


def _move(case: Case, wanted: CaseStatus) -> CaseStatus:
    try:
        return case.move_to(wanted)
    except InvalidTransition:
        db.session.rollback()
        raise


def _event(case: Case, kind: str, *, by: User, at: datetime, before: dict, after: dict, **details: Any) -> CaseEvent:
    return record(case, kind, by=by, at=at, before=before, after=after, **details)


def claim_case(case: Case, *, by: User, now: datetime | None = None) -> None:
    """Make `by` the owner of an unowned active case; raises CaseAlreadyClaimed when someone else owns it."""
    now = now or utcnow()
    if not by.has_role(*WORKING_ROLES):
        raise NotAllowed(by, "claim", case)
    lock_case(case)
    if case.owner_id == by.id:
        db.session.rollback()
        return
    if case.owner_id is not None:
        owner = case.owner
        db.session.rollback()
        raise CaseAlreadyClaimed(case.id, owner)
    if not case.is_active:
        db.session.rollback()
        raise InvalidTransition(case.status, CaseStatus.OPEN)
    before_status = case.status
    # Conditional update: of two agents claiming at once, exactly one changes the row.
    taken = db.session.execute(
        update(Case).where(Case.id == case.id, Case.owner_id.is_(None)).values(owner_id=by.id)
    ).rowcount
    if taken != 1:
        db.session.rollback()
        db.session.refresh(case)
        raise CaseAlreadyClaimed(case.id, case.owner)
    db.session.refresh(case)
    if case.status in {CaseStatus.NEW, CaseStatus.REOPENED}:
        case.move_to(CaseStatus.OPEN)
    _event(
        case,
        "claimed",
        by=by,
        at=now,
        before={"owner": None, "status": before_status.value},
        after={"owner": _person(by), "status": case.status.value},
    )
    db.session.commit()


def assign_case(case: Case, assignee: User, *, by: User, now: datetime | None = None) -> None:
    """Give an active case to `assignee` (an agent or lead); leads may assign any case, owners their own."""
    now = now or utcnow()
    lock_case(case)
    _check(by, "assign", case)
    if not case.is_active:
        db.session.rollback()
        raise InvalidTransition(case.status, case.status)
    if not assignee.is_active or not assignee.has_role(*WORKING_ROLES):
        db.session.rollback()
        raise InvalidChoice(_l("%(name)s does not work cases", name=assignee.name))
    if case.owner_id == assignee.id:
        db.session.rollback()
        return
    previous = case.owner
    case.owner = assignee
    _event(
        case,
        "assigned" if previous is None else "reassigned",
        by=by,
        at=now,
        before={"owner": _person(previous)},
        after={"owner": _person(assignee)},
    )
    db.session.commit()


def add_note(case: Case, text: str, *, by: User, now: datetime | None = None) -> CaseEvent:
    """Add an internal note (never sent, never editable) to the case's timeline."""
    now = now or utcnow()
    _check(by, "note", case)
    event = record(case, "note", by=by, at=now, text=_text(text, "a note"))
    db.session.commit()
    return event


def escalate_case(case: Case, department: str, note: str, *, by: User, now: datetime | None = None) -> None:
    """Hand the case to a department with a note; it waits on the department until its answer is recorded."""
    now = now or utcnow()
    lock_case(case)
    _check(by, "escalate", case)
    if department not in departments():
        db.session.rollback()
        raise InvalidChoice(_l("unknown department %(department)s", department=department))
    note = _text(note, "a note for the department")
    before = {"status": case.status.value, "escalated_to": case.escalated_to}
    _move(case, CaseStatus.WAITING_ON_DEPARTMENT)
    case.escalated_to = department
    _event(
        case,
        "escalated",
        by=by,
        at=now,
        before=before,
        after={"status": case.status.value, "escalated_to": department},
        department=department,
        note=note,
    )
    db.session.commit()


def record_department_answer(case: Case, text: str, *, by: User, now: datetime | None = None) -> None:
    """Record what the department answered; the case is open again for the webcare team."""
    now = now or utcnow()
    lock_case(case)
    _check(by, "answer", case)
    if case.status != CaseStatus.WAITING_ON_DEPARTMENT:
        db.session.rollback()
        raise InvalidTransition(case.status, CaseStatus.OPEN)
    text = _text(text, "the department's answer")
    before = {"status": case.status.value, "escalated_to": case.escalated_to}
    department = case.escalated_to
    _move(case, CaseStatus.OPEN)
    case.escalated_to = None
    _event(
        case,
        "department_answered",
        by=by,
        at=now,
        before=before,
        after={"status": case.status.value, "escalated_to": None},
        department=department,
        text=text,
    )
    db.session.commit()


def resolve_case(case: Case, outcome: str, note: str = "", *, by: User, now: datetime | None = None) -> None:
    """Resolve the case with an outcome (and a note, required for "other"); sets its resolution time."""
    now = now or utcnow()
    lock_case(case)
    _check(by, "resolve", case)
    if outcome not in OUTCOMES:
        db.session.rollback()
        raise InvalidChoice(_l("unknown outcome %(outcome)s", outcome=outcome))
    note = _text(note, "a note saying what happened", required=outcome == "other")
    before = {"status": case.status.value, "outcome": case.outcome}
    _move(case, CaseStatus.RESOLVED)
    case.outcome = outcome
    record_resolution(case, now)
    _event(
        case,
        "resolved",
        by=by,
        at=now,
        before=before,
        after={"status": case.status.value, "outcome": outcome},
        note=note,
    )
    db.session.commit()


def reopen_case(case: Case, reason: str, *, by: User, now: datetime | None = None) -> None:
    """Reopen a resolved, closed or ignored case, saying why."""
    now = now or utcnow()
    lock_case(case)
    _check(by, "reopen", case)
    reason = _text(reason, "a reason")
    before = {"status": case.status.value, "outcome": case.outcome}
    if case.status in ACTIVE_STATUSES:
        db.session.rollback()
        raise InvalidTransition(case.status, CaseStatus.REOPENED)
    _move(case, CaseStatus.REOPENED)
    case.outcome = None
    _event(
        case,
        "reopened",
        by=by,
        at=now,
        before=before,
        after={"status": case.status.value, "outcome": None},
        reason=reason,
    )
    db.session.commit()


def ignore_case(case: Case, reason: str, *, by: User, now: datetime | None = None) -> None:
    """Close the case as ignored (kept for audit and monitoring), saying why."""
    now = now or utcnow()
    lock_case(case)
    _check(by, "ignore", case)
    reason = _text(reason, "a reason")
    before = {"status": case.status.value}
    _move(case, CaseStatus.IGNORED)
    _event(case, "ignored", by=by, at=now, before=before, after={"status": case.status.value}, reason=reason)
    db.session.commit()
