"""Residents' rights under the AVG: find a resident across channels, give access (art. 15), erase (art. 17)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from webcare.auth.models import Role, User
from webcare.extensions import db
from webcare.inbox.events import record
from webcare.inbox.models import ACTIVE_STATUSES, Author, Case, Message
from webcare.records.access import log_access
from webcare.records.archive import creator
from webcare.records.dossier import dossier, dossier_json
from webcare.records.models import (
    AccessKind,
    DestructionList,
    DestructionListItem,
    DestructionListStatus,
    SubjectRequest,
    SubjectRequestKind,
    SubjectRequestStatus,
)
from webcare.records.rendition import rendition_pdf
from webcare.records.retention import add_months
from webcare.records.services import (
    NotAllowed,
    case_outcome,
    closed_at,
    is_on_hold,
    remove_contents,
    retention_schedule,
)
from webcare.timeutil import utcnow

ERASURE_BASIS = "AVG art. 17"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ErasureOutcome:
    erased: list[int]
    refused: dict[int, str]  # case id → reason


def _require_privacy_officer(user: User) -> None:
    if not user.has_role(Role.PRIVACY_OFFICER):
        db.session.rollback()
        raise NotAllowed(f"{user.email} is not a privacy officer")


def register_request(
    kind: SubjectRequestKind, resident: str, identities: list[Author], *, by: User, received_at: datetime | None = None
) -> SubjectRequest:
    """Record a resident's request with the identities it covers; it is due one month after receipt."""
    _require_privacy_officer(by)
    if not identities:
        raise ValueError("a request needs at least one identity of the resident")
    received_at = received_at or utcnow()
    request = SubjectRequest(
        kind=kind,
        resident=resident.strip()[:200] or identities[0].display_name,
        author_ids=sorted(identity.id for identity in identities),
        received_at=received_at,
        due_at=add_months(received_at, 1),
        registered_by_id=by.id,
    )
    db.session.add(request)
    db.session.commit()
    return request


def identities_of(request: SubjectRequest) -> list[Author]:
    return list(db.session.scalars(select(Author).where(Author.id.in_(request.author_ids)).order_by(Author.id)))


def cases_of(author_ids: list[int]) -> list[Case]:
    """Every case of the resident's identities, oldest first."""
    return list(
        db.session.scalars(select(Case).where(Case.author_id.in_(author_ids)).order_by(Case.first_inbound_at, Case.id))
    )


def messages_of(author_ids: list[int]) -> list[Message]:
    """Every message the resident wrote or that belongs to one of their cases, in time order."""
    in_cases = select(Case.id).where(Case.author_id.in_(author_ids))
    return list(
        db.session.scalars(
            select(Message)
            .where((Message.author_id.in_(author_ids)) | (Message.case_id.in_(in_cases)))
            .order_by(Message.created_at, Message.id)
        )
    )


def access_package(request: SubjectRequest, *, by: User, address: str = "", now: datetime | None = None) -> bytes:
    """A ZIP the resident can read: per case a PDF/A rendition and a JSON file; logged and marked as delivered."""
    _require_privacy_officer(by)
    now = now or utcnow()
    organisation = creator().name
    buffer = io.BytesIO()
    cases = cases_of(request.author_ids)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for case in cases:
            found = dossier(case, closed_at(case))
            archive.writestr(zipfile.ZipInfo(f"zaak-{case.id}.pdf", FIXED_ZIP_TIME), rendition_pdf(found, organisation))
            archive.writestr(zipfile.ZipInfo(f"zaak-{case.id}.json", FIXED_ZIP_TIME), dossier_json(found))
            log_access(
                AccessKind.EXPORT,
                user_id=by.id,
                address=address,
                case_id=case.id,
                author_id=case.author_id,
                what=f"subject access request {request.id}",
                at=now,
            )
    if request.status == SubjectRequestStatus.OPEN:
        request.status, request.handled_by_id, request.handled_at = SubjectRequestStatus.DONE, by.id, now
        request.outcome = f"Inzage geleverd: {len(cases)} zaken."
    db.session.commit()
    return buffer.getvalue()


def _refusal(case: Case) -> str | None:
    """Why a case may not be erased now, or None: a hold, an active case or a duty to keep it permanently."""
    if is_on_hold(case):
        return "bevroren (legal hold)"
    if case.status in ACTIVE_STATUSES:
        return "zaak is nog in behandeling"
    category = retention_schedule().category_for(case.topic, case_outcome(case))
    if category.is_kept_permanently:
        return f"blijvend te bewaren volgens het bewaarschema ({category.label})"
    return None


def carry_out_erasure(request: SubjectRequest, *, by: User, now: datetime | None = None) -> ErasureOutcome:
    """Erase the resident's cases where no duty to keep them applies; record the reason where one does."""
    _require_privacy_officer(by)
    now = now or utcnow()
    if request.kind != SubjectRequestKind.ERASURE or request.status != SubjectRequestStatus.OPEN:
        raise ValueError("only an open erasure request can be carried out")
    destroyed = set(
        db.session.scalars(select(DestructionListItem.case_id).where(DestructionListItem.destroyed_at.is_not(None)))
    )
    cases = [case for case in cases_of(request.author_ids) if case.id not in destroyed]
    refused = {case.id: reason for case in cases if (reason := _refusal(case))}
    erasable = [case for case in cases if case.id not in refused]
    if erasable:
        remove_contents([case.id for case in erasable])
        _keep_on_a_destruction_list(erasable, request, by=by, now=now)
    for case in erasable:
        record(
            case,
            "note",
            by=by,
            at=now,
            text=f"Gewist op verzoek van de inwoner ({ERASURE_BASIS}), verzoek {request.id}.",
        )
    for case in cases:
        if case.id in refused:
            record(
                case,
                "note",
                by=by,
                at=now,
                text=f"Verzoek tot wissen ({ERASURE_BASIS}) {request.id} niet uitgevoerd: {refused[case.id]}.",
            )
    request.status = SubjectRequestStatus.DONE if erasable or not cases else SubjectRequestStatus.REFUSED
    request.handled_by_id, request.handled_at = by.id, now
    request.outcome = (
        "; ".join(
            [f"zaak {case.id} gewist" for case in erasable]
            + [f"zaak {case_id} niet gewist: {why}" for case_id, why in refused.items()]
        )
        or "geen zaken gevonden"
    )
    db.session.commit()
    return ErasureOutcome([case.id for case in erasable], refused)


def _keep_on_a_destruction_list(cases: list[Case], request: SubjectRequest, *, by: User, now: datetime) -> None:
    """Erased cases go on an approved list too, so every destruction is accounted for in one place, forever."""
    erasure = DestructionList(
        proposed_at=now,
        schedule_version=f"{ERASURE_BASIS}, verzoek {request.id}",
        status=DestructionListStatus.APPROVED,
        decided_by_id=by.id,
        decided_at=now,
        note=f"Gewist op verzoek van de inwoner ({ERASURE_BASIS}).",
    )
    erasure.items = [
        DestructionListItem(
            case_id=case.id,
            category="avg-verzoek",
            channel=case.channel.value,
            topic=case.topic,
            closed_at=closed_at(case),
            destroy_after=now,
            destroyed_at=now,
        )
        for case in cases
    ]
    db.session.add(erasure)
