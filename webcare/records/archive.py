"""Archive export: closed cases as an MDTO package (per case a PDF/A rendition, a JSON file and their metadata)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from webcare.auth.models import User
from webcare.extensions import db
from webcare.inbox.events import record
from webcare.inbox.models import Case
from webcare.protocol.services import active_protocol
from webcare.records.access import log_access
from webcare.records.dossier import dossier, dossier_json
from webcare.records.mdto import ArchivedCase, ArchivedFile, Creator, bestand_xml, informatieobject_xml
from webcare.records.models import AccessKind, DestructionListItem
from webcare.records.rendition import rendition_pdf
from webcare.records.services import CLOSED_STATUSES, case_outcome, closed_at, retention_schedule
from webcare.timeutil import utcnow, zone

OUTCOME_LABELS = {
    "answered": "Beantwoord",
    "referred": "Doorverwezen",
    "no_action_needed": "Geen actie nodig",
    "duplicate": "Dubbel",
    "other": "Anders",
    "ignored": "Genegeerd",
    None: "Afgesloten",
}


@dataclass(frozen=True)
class ExportedCase:
    case_id: int
    directory: Path
    checksums: dict[str, str]  # file name → SHA-256


def creator() -> Creator:
    config = current_app.config
    return Creator(
        config["WEBCARE_ARCHIVE_CREATOR_NAME"],
        config["WEBCARE_ARCHIVE_CREATOR_ID"],
        config["WEBCARE_ARCHIVE_CREATOR_SOURCE"],
    )


def closed_cases(first: date, last: date, limit: int | None = None) -> list[Case]:
    """Cases closed on the local days first..last (inclusive), not destroyed, oldest first."""
    tz = zone(current_app.config["WEBCARE_TIMEZONE"])
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    closed = func.coalesce(Case.resolved_at, Case.last_message_at)
    destroyed = select(DestructionListItem.case_id).where(DestructionListItem.destroyed_at.is_not(None))
    statement = (
        select(Case)
        .where(Case.status.in_(CLOSED_STATUSES), closed >= start, closed < end, Case.id.not_in(destroyed))
        .order_by(closed, Case.id)
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def _topic_labels() -> tuple[dict[str, str], str]:
    protocol = active_protocol()
    if protocol is None:
        return {}, "Onderwerpen webcare"
    labels = {topic.id: topic.label for topic in protocol.vocabulary.topics}
    return labels, "Onderwerpen reactieprotocol"


def _file(identifier: str, name: str, kind: str, content: bytes) -> ArchivedFile:
    return ArchivedFile(identifier, name, kind, len(content), hashlib.sha256(content).hexdigest())


def export_case(case: Case, directory: Path, *, now: datetime) -> ExportedCase:
    """Write one case's package into `directory`/case-<id>/; the same case gives the same files every time."""
    organisation = creator()
    ends = closed_at(case)
    found = dossier(case, ends)
    pdf, document = rendition_pdf(found, organisation.name), dossier_json(found)
    identifier = f"webcare-zaak-{case.id}"
    files = (
        _file(f"{identifier}-weergave", f"zaak-{case.id}.pdf", "pdf", pdf),
        _file(f"{identifier}-gegevens", f"zaak-{case.id}.json", "json", document),
    )
    labels, classification_list = _topic_labels()
    outcome = case_outcome(case)
    schedule = retention_schedule()
    archived = ArchivedCase(
        identifier=identifier,
        name=f"Webcarezaak {case.id} ({case.channel.value}, {labels.get(case.topic or '', case.topic or 'geen onderwerp')})",
        topic_id=case.topic,
        topic_label=labels.get(case.topic or "", case.topic),
        classification_list=classification_list,
        description=f"Webcaregesprek via {case.channel.value} met account {case.account.handle}; "
        f"uitkomst: {OUTCOME_LABELS.get(outcome, outcome)}.",
        started_on=(case.first_inbound_at or case.created_at).date(),
        closed_at=ends,
        created_at=case.first_inbound_at or case.created_at,
        outcome_label=OUTCOME_LABELS.get(outcome, outcome or "Afgesloten"),
        category=schedule.category_for(case.topic, outcome),
        schedule_version=schedule.version,
        files=files,
    )
    folder = directory / f"zaak-{case.id}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / files[0].name).write_bytes(pdf)
    (folder / files[1].name).write_bytes(document)
    (folder / f"zaak-{case.id}.mdto.xml").write_bytes(informatieobject_xml(archived, organisation))
    for file in files:
        (folder / f"{file.name}.mdto.xml").write_bytes(bestand_xml(file, archived, organisation, now))
    return ExportedCase(case.id, folder, {file.name: file.sha256 for file in files})


def export_closed_cases(
    first: date,
    last: date,
    directory: Path,
    *,
    by: User | None,
    address: str = "",
    limit: int | None = None,
    now: datetime | None = None,
) -> list[ExportedCase]:
    """Export the cases closed in the period; each case records its transfer (when, by whom), and the export is logged."""
    now = now or utcnow()
    exported = []
    for case in closed_cases(first, last, limit):
        done = export_case(case, directory, now=now)
        record(case, "transferred", by=by, at=now, files=done.checksums)
        log_access(
            AccessKind.EXPORT,
            user_id=by.id if by else None,
            address=address,
            case_id=case.id,
            author_id=case.author_id,
            what=f"archive export {first.isoformat()}..{last.isoformat()}",
            at=now,
        )
        exported.append(done)
    db.session.commit()
    return exported
