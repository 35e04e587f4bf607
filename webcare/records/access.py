"""The access log: one INSERT per case view or export, and the privacy officer's queries over it."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, request
from flask_login import current_user
from sqlalchemy import column, insert, literal, select, table

from webcare.extensions import db
from webcare.records.models import AccessKind, AccessLogEntry
from webcare.timeutil import utcnow

# Pages whose successful GET is an access to a case's contents (the case page shows payloads inline).
LOGGED_ENDPOINTS: dict[str, AccessKind] = {
    "inbox.case": AccessKind.CASE_VIEW,
    "reports.cases_csv": AccessKind.EXPORT,
    "reports.groups_csv": AccessKind.EXPORT,
    "reports.report_xlsx": AccessKind.EXPORT,
}
_cases = table("cases", column("id"), column("author_id"))


def log_access(
    kind: AccessKind,
    *,
    user_id: int | None,
    address: str,
    case_id: int | None = None,
    author_id: int | None = None,
    what: str = "",
    at: datetime | None = None,
) -> None:
    """Append one entry; with a case and no resident given, the case's resident is taken in the same statement."""
    values = {"at": at or utcnow(), "user_id": user_id, "kind": kind.value, "what": what[:200], "address": address[:64]}
    log = AccessLogEntry.__table__
    if case_id is not None and author_id is None:
        selected = select(
            *(literal(value, type_=log.c[name].type).label(name) for name, value in values.items()),
            _cases.c.id.label("case_id"),
            _cases.c.author_id.label("author_id"),
        ).where(_cases.c.id == case_id)
        db.session.execute(insert(log).from_select([*values, "case_id", "author_id"], selected))
    else:
        db.session.execute(insert(log).values(**values, case_id=case_id, author_id=author_id))


def install_access_logging(app: Flask) -> None:
    """Log successful GETs of the pages in LOGGED_ENDPOINTS after they are rendered."""

    @app.after_request
    def log_logged_pages(response):
        kind = LOGGED_ENDPOINTS.get(request.endpoint or "")
        if kind is None or request.method != "GET" or response.status_code != 200 or not current_user.is_authenticated:
            return response
        log_access(
            kind,
            user_id=current_user.id,
            address=request.remote_addr or "",
            case_id=(request.view_args or {}).get("case_id"),
            what=request.full_path.rstrip("?"),
        )
        db.session.commit()
        return response


def entries_by_user(user_id: int, limit: int = 500) -> list[AccessLogEntry]:
    """What one staff member opened, newest first."""
    return list(
        db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.user_id == user_id)
            .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
            .limit(limit)
        )
    )


def entries_about_resident(author_ids: list[int], limit: int = 500) -> list[AccessLogEntry]:
    """Who opened cases or exports about one resident (all their platform identities), newest first."""
    return list(
        db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.author_id.in_(author_ids))
            .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
            .limit(limit)
        )
    )
