"""Records pages: the access log for the privacy officer; archive export and destruction lists for the records manager."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webcare.auth.access import role_required
from webcare.auth.models import Role, User
from webcare.extensions import db
from webcare.records import access
from webcare.records.residents import find_identities

bp = Blueprint("records", __name__, url_prefix="/records")
PRIVACY = (Role.PRIVACY_OFFICER,)
RECORDS = (Role.RECORDS_MANAGER,)
HOLDERS = (Role.RECORDS_MANAGER, Role.PRIVACY_OFFICER)
ACCESS_KINDS = {"case_view": _l("Case opened"), "payload_view": _l("Payload opened"), "export": _l("Export")}


@bp.get("/access-log")
@role_required(*PRIVACY)
def access_log():
    staff = list(db.session.scalars(select(User).order_by(User.name, User.id)))
    person = db.session.get(User, request.args.get("user", type=int) or 0)
    resident_query = (request.args.get("resident") or "").strip()
    identities = find_identities(resident_query) if resident_query else []
    if person is not None:
        entries = access.entries_by_user(person.id)
    elif identities:
        entries = access.entries_about_resident([identity.id for identity in identities])
    else:
        entries = []
    return render_template(
        "records/access_log.html",
        staff=staff,
        person=person,
        resident_query=resident_query,
        identities=identities,
        entries=entries,
        access_kinds=ACCESS_KINDS,
    )
