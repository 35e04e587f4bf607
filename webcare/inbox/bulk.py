"""One action on many cases at once: each case goes through its own service, under its own lock, with its own event.

A case that cannot take the action (claimed by someone else meanwhile, already resolved) is skipped and
reported; the others go ahead. Each case is its own transaction, so one refusal never undoes another case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from webcare.auth.models import User
from webcare.extensions import db
from webcare.inbox import services
from webcare.inbox.events import record
from webcare.inbox.models import Bundle, BundleStatus, Case, InvalidTransition
from webcare.timeutil import utcnow

BULK_ACTIONS = ("claim", "assign", "escalate", "ignore", "resolve", "bundle")
BULK_MAX_CASES = 200


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    # (case id, why): "taken", "not_allowed", "changed", "invalid" or "missing".
    skipped: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class BulkRequest:
    action: str
    assignee: User | None = None
    department: str | None = None
    note: str = ""
    reason: str = ""
    outcome: str | None = None
    bundle: Bundle | None = None


def _count_members(bundle_id: int, added: int) -> None:
    db.session.execute(
        update(Bundle)
        .where(Bundle.id == bundle_id)
        .values(member_count=Bundle.member_count + added)
        .execution_options(synchronize_session=False)
    )


def add_to_bundle(case: Case, bundle: Bundle, *, by: User, now: datetime | None = None) -> None:
    """Put an active case into an open bundle (a wave answered once), counted and recorded on the case."""
    now = now or utcnow()
    services.lock_case(case)
    if not services.may(by, "note", case) or not case.is_active:
        db.session.rollback()
        raise services.NotAllowed(by, "bundle", case) if case.is_active else InvalidTransition(case.status, case.status)
    if bundle.status not in (BundleStatus.COLLECTING, BundleStatus.READY):
        db.session.rollback()
        raise services.InvalidChoice(_("bundle %(id)s is no longer open", id=bundle.id))
    if case.bundle_id == bundle.id:
        db.session.rollback()
        return
    previous = case.bundle_id
    if previous is not None:
        _count_members(previous, -1)
    _count_members(bundle.id, 1)
    case.bundle_id = bundle.id
    record(
        case,
        "bundled",
        by=by,
        at=now,
        bundle_id=bundle.id,
        before={"bundle_id": previous},
        after={"bundle_id": bundle.id},
    )
    db.session.commit()


def _apply(case: Case, request: BulkRequest, by: User, now: datetime) -> None:
    match request.action:
        case "claim":
            services.claim_case(case, by=by, now=now)
        case "assign":
            if request.assignee is None:
                raise services.InvalidChoice(_("nobody to assign to"))
            services.assign_case(case, request.assignee, by=by, now=now)
        case "escalate":
            services.escalate_case(case, request.department or "", request.note, by=by, now=now)
        case "ignore":
            services.ignore_case(case, request.reason, by=by, now=now)
        case "resolve":
            services.resolve_case(case, request.outcome or "", request.note, by=by, now=now)
        case "bundle":
            if request.bundle is None:
                raise services.InvalidChoice(_("no bundle chosen"))
            add_to_bundle(case, request.bundle, by=by, now=now)
        case _:
            raise services.InvalidChoice(_("unknown bulk action %(action)s", action=request.action))


def apply_in_bulk(case_ids: list[int], request: BulkRequest, *, by: User, now: datetime | None = None) -> BulkResult:
    """Take `request` on every case in `case_ids` (at most BULK_MAX_CASES), in id order, one transaction each."""
    if request.action not in BULK_ACTIONS:
        raise services.InvalidChoice(_("unknown bulk action %(action)s", action=request.action))
    now = now or utcnow()
    result = BulkResult()
    wanted = sorted(set(case_ids))[:BULK_MAX_CASES]
    found = {case.id: case for case in db.session.scalars(select(Case).where(Case.id.in_(wanted)))}
    for case_id in wanted:
        case = found.get(case_id)
        if case is None:
            result.skipped.append((case_id, "missing"))
            continue
        try:
            _apply(case, request, by, now)
        except services.CaseAlreadyClaimed:
            result.skipped.append((case_id, "taken"))
        except services.NotAllowed:
            result.skipped.append((case_id, "not_allowed"))
        except InvalidTransition:
            result.skipped.append((case_id, "changed"))
        except services.InvalidChoice:
            db.session.rollback()
            result.skipped.append((case_id, "invalid"))
        else:
            result.done.append(case_id)
    return result
