"""Retention services: legal holds, destruction lists (propose, approve, reject) and data minimisation.

Destruction and pseudonymisation change many rows at once with set-based updates; each public service is one
transaction. Cases keep their statistical skeleton, so reports over past periods give the same figures.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import Select, and_, bindparam, exists, func, literal_column, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from webcare.auth.models import Role, User
from webcare.extensions import db
from webcare.inbox.events import record
from webcare.inbox.models import ACTIVE_STATUSES, Author, Case, CaseDecision, CaseEvent, CaseStatus, Message
from webcare.notifications.models import Notification
from webcare.records.models import (
    DestructionList,
    DestructionListItem,
    DestructionListStatus,
    LegalHold,
    PseudonymisedAuthor,
)
from webcare.records.retention import RetentionSchedule, add_months, load_schedule
from webcare.replies.models import Reply
from webcare.timeutil import utcnow

CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.IGNORED)
REDACTED = {"redacted": True}
# Derived features that quote the resident; the scores (sentiment, reach, ...) stay for the reports.
QUOTING_FEATURES = ("text", "author")
CHUNK = 500


class NotAllowed(Exception):
    pass


class ListAlreadyDecided(Exception):
    pass


def retention_schedule() -> RetentionSchedule:
    return load_schedule(current_app.config.get("WEBCARE_RETENTION_FILE"))


def closed_at(case: Case) -> datetime:
    """When the case was closed: its resolution, or its last message for an ignored case."""
    return case.resolved_at or case.last_message_at


def case_outcome(case: Case) -> str | None:
    return "ignored" if case.status == CaseStatus.IGNORED else case.outcome


def _active_holds() -> ColumnElement[bool]:
    """True for a case under a hold of its own or of its resident."""
    return exists().where(
        LegalHold.lifted_at.is_(None),
        or_(
            LegalHold.case_id == Case.id, and_(LegalHold.author_id.is_not(None), LegalHold.author_id == Case.author_id)
        ),
    )


def is_on_hold(case: Case) -> bool:
    return bool(db.session.scalar(select(_active_holds()).where(Case.id == case.id)))


def _require(user: User, *roles: Role) -> None:
    if not user.has_role(*roles):
        db.session.rollback()
        raise NotAllowed(f"{user.email} may not do this")


def place_hold(
    reason: str, *, by: User, case: Case | None = None, author: Author | None = None, now: datetime | None = None
) -> LegalHold:
    """Stop destruction and pseudonymisation of a case, or of every case of a resident, until the hold is lifted."""
    _require(by, Role.RECORDS_MANAGER, Role.PRIVACY_OFFICER)
    if (case is None) == (author is None) or not reason.strip():
        raise ValueError("a hold needs a reason and either a case or a resident")
    hold = LegalHold(
        case_id=case.id if case else None,
        author_id=author.id if author else None,
        reason=reason.strip(),
        placed_by_id=by.id,
        placed_at=now or utcnow(),
    )
    db.session.add(hold)
    if case is not None:
        record(case, "legal_hold_placed", by=by, at=hold.placed_at, reason=hold.reason)
    db.session.commit()
    return hold


def lift_hold(hold: LegalHold, *, by: User, now: datetime | None = None) -> None:
    _require(by, Role.RECORDS_MANAGER, Role.PRIVACY_OFFICER)
    hold.lifted_at, hold.lifted_by_id = now or utcnow(), by.id
    if hold.case_id is not None:
        record(db.session.get(Case, hold.case_id), "legal_hold_lifted", by=by, at=hold.lifted_at, reason=hold.reason)
    db.session.commit()


def _listed_case_ids() -> Select:
    return (
        select(DestructionListItem.case_id)
        .join(DestructionList)
        .where(DestructionList.status != DestructionListStatus.REJECTED)
    )


def due_for_destruction(now: datetime, schedule: RetentionSchedule) -> list[tuple[Case, str, datetime, datetime]]:
    """Closed cases, not on hold and not on a list yet, whose category says destroy and whose term has passed."""
    candidates = db.session.scalars(
        select(Case)
        .where(Case.status.in_(CLOSED_STATUSES), ~_active_holds(), Case.id.not_in(_listed_case_ids()))
        .order_by(Case.id)
    )
    due = []
    for case in candidates:
        category = schedule.category_for(case.topic, case_outcome(case))
        ends = category.destroy_after(closed_at(case))
        if ends is not None and ends <= now:
            due.append((case, category.id, closed_at(case), ends))
    return due


def propose_destruction_list(now: datetime | None = None) -> DestructionList | None:
    """The scheduled job: list the cases whose term has passed; nothing is destroyed until the list is approved."""
    now = now or utcnow()
    schedule = retention_schedule()
    due = due_for_destruction(now, schedule)
    if not due:
        return None
    proposal = DestructionList(proposed_at=now, schedule_version=schedule.version)
    proposal.items = [
        DestructionListItem(
            case_id=case.id,
            category=category,
            channel=case.channel.value,
            topic=case.topic,
            closed_at=closed,
            destroy_after=ends,
        )
        for case, category, closed, ends in due
    ]
    db.session.add(proposal)
    db.session.commit()
    return proposal


def reject_destruction_list(proposal: DestructionList, note: str, *, by: User, now: datetime | None = None) -> None:
    """Keep every case on the list; the next proposal may list them again."""
    _require(by, Role.RECORDS_MANAGER)
    _decide(proposal, DestructionListStatus.REJECTED, note, by=by, now=now or utcnow())
    db.session.commit()


def approve_destruction_list(
    proposal: DestructionList, note: str = "", *, by: User, now: datetime | None = None
) -> list[int]:
    """Destroy the listed cases that are still closed and not on hold; returns their ids. The list is kept forever."""
    now = now or utcnow()
    _require(by, Role.RECORDS_MANAGER)
    _decide(proposal, DestructionListStatus.APPROVED, note, by=by, now=now)
    listed = [item.case_id for item in proposal.items]
    destroyable = set(
        db.session.scalars(
            select(Case.id).where(Case.id.in_(listed), Case.status.in_(CLOSED_STATUSES), ~_active_holds())
        )
    )
    remove_contents(sorted(destroyable))
    for item in proposal.items:
        if item.case_id in destroyable:
            item.destroyed_at = now
            record(
                db.session.get(Case, item.case_id),
                "destroyed",
                by=by,
                at=now,
                destruction_list=proposal.id,
                category=item.category,
            )
    db.session.commit()
    return sorted(destroyable)


def _decide(proposal: DestructionList, status: DestructionListStatus, note: str, *, by: User, now: datetime) -> None:
    db.session.execute(select(DestructionList.id).where(DestructionList.id == proposal.id).with_for_update())
    db.session.refresh(proposal)
    if proposal.status != DestructionListStatus.PROPOSED:
        db.session.rollback()
        raise ListAlreadyDecided(proposal.id)
    proposal.status, proposal.decided_by_id, proposal.decided_at, proposal.note = status, by.id, now, note.strip()


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _features_without(names: tuple[str, ...]) -> ColumnElement:
    if db.engine.dialect.name == "postgresql":
        removed = " - ".join(f"'{name}'" for name in names)
        return literal_column(f"(case_decisions.features::jsonb - {removed})::json")
    return func.json_remove(CaseDecision.features, *(f"$.{name}" for name in names))


def remove_contents(case_ids: list[int]) -> None:
    """Remove text, payloads, names and handles; keep times, channel, account, topic, priority, action, outcome.

    Used by approved destruction lists and erasure requests; it does not commit, the calling service does.
    """
    for ids in _chunks(case_ids):
        db.session.execute(
            update(Message.__table__).where(Message.case_id.in_(ids)).values(text="", raw="{}", url=None)
        )
        db.session.execute(update(Case.__table__).where(Case.id.in_(ids)).values(subject=""))
        db.session.execute(
            update(Reply.__table__)
            .where(Reply.case_id.in_(ids))
            .values(text="", drafted_text=None, rejection_reason=None, last_error=None)
        )
        db.session.execute(update(CaseEvent.__table__).where(CaseEvent.case_id.in_(ids)).values(details=REDACTED))
        db.session.execute(
            update(CaseDecision.__table__)
            .where(CaseDecision.case_id.in_(ids))
            .values(features=_features_without(QUOTING_FEATURES))
        )
        db.session.execute(
            update(Notification.__table__)
            .where(Notification.link.in_([f"/cases/{case_id}" for case_id in ids]))
            .values(body="")
        )
    _forget_authors_without_kept_cases(case_ids)


def _forget_authors_without_kept_cases(case_ids: list[int]) -> None:
    """Residents whose every case is now destroyed lose their name and handle; the row stays for the figures."""
    authors = set(db.session.scalars(select(Case.author_id).where(Case.id.in_(case_ids), Case.author_id.is_not(None))))
    destroyed = select(DestructionListItem.case_id).where(DestructionListItem.destroyed_at.is_not(None))
    kept = set(
        db.session.scalars(
            select(Case.author_id).where(
                Case.author_id.in_(authors), Case.id.not_in(case_ids), Case.id.not_in(destroyed)
            )
        )
    )
    gone = sorted(authors - kept)
    if gone:
        db.session.execute(
            update(Author.__table__)
            .where(Author.id == bindparam("author"))
            .values(name=None, handle=None, platform_id=bindparam("placeholder")),
            [{"author": author_id, "placeholder": f"destroyed-{author_id}"} for author_id in gone],
        )


def pseudonym(author_id: int) -> str:
    """Stable per author and secret-keyed: the same author always gets the same pseudonym, nobody can reverse it."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"author:{author_id}".encode(), hashlib.sha256)
    return f"inwoner-{digest.hexdigest()[:12]}"


def pseudonymise_authors(now: datetime | None = None) -> int:
    """Replace name, handle and platform id of residents whose cases all closed long enough ago and are not on hold.

    The handle the protocol derived as a feature goes too; the other features (sentiment, reach) stay for the reports.
    """
    now = now or utcnow()
    months = current_app.config.get("WEBCARE_PSEUDONYMISE_AFTER_MONTHS", 12)
    cutoff = add_months(now, -months)
    recent_or_open = select(Case.author_id).where(
        Case.author_id.is_not(None),
        or_(
            Case.status.in_(ACTIVE_STATUSES),
            func.coalesce(Case.resolved_at, Case.last_message_at) > cutoff,
            _active_holds(),
        ),
    )
    authors = list(
        db.session.scalars(
            select(Author.id)
            .where(
                exists().where(Case.author_id == Author.id),
                Author.id.not_in(recent_or_open),
                Author.id.not_in(select(PseudonymisedAuthor.author_id)),
                Author.name.is_not(None) | Author.handle.is_not(None),
            )
            .order_by(Author.id)
        )
    )
    if not authors:
        return 0
    rows = [{"author": author_id, "pseudonym": pseudonym(author_id)} for author_id in authors]
    db.session.execute(
        update(Author.__table__)
        .where(Author.id == bindparam("author"))
        .values(name=bindparam("pseudonym"), handle=bindparam("pseudonym"), platform_id=bindparam("pseudonym")),
        rows,
    )
    for chunk in _chunks(authors):
        db.session.execute(
            update(CaseDecision.__table__)
            .where(CaseDecision.case_id.in_(select(Case.id).where(Case.author_id.in_(chunk))))
            .values(features=_features_without(("author",)))
        )
    db.session.add_all(PseudonymisedAuthor(author_id=row["author"], pseudonym=row["pseudonym"], at=now) for row in rows)
    db.session.commit()
    return len(rows)
