"""The privacy officer's pages: find a resident across channels, register and handle AVG requests."""

from __future__ import annotations

import io
from datetime import datetime, time

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from webcare.auth.access import role_required
from webcare.extensions import db
from webcare.inbox.models import Author
from webcare.records import forms, services, subjects
from webcare.records.models import SubjectRequest, SubjectRequestKind, SubjectRequestStatus
from webcare.records.residents import find_identities
from webcare.records.views import PRIVACY, bp
from webcare.timeutil import utcnow, zone

REQUEST_STATUSES = {"open": _l("Open"), "done": _l("Handled"), "refused": _l("Refused")}
REQUEST_KINDS = {"access": _l("Access (art. 15)"), "erasure": _l("Erasure (art. 17)")}


def _residents_page(query: str, form, status: int = 200):
    identities = find_identities(query) if query else []
    form.identities.choices = [
        SelectChoice(identity.id, f"{identity.display_name} ({identity.channel.value})") for identity in identities
    ]
    if not form.identities.data and request.method == "GET":
        form.identities.data = [identity.id for identity in identities]
    author_ids = [identity.id for identity in identities]
    open_requests = db.session.scalars(select(SubjectRequest).order_by(SubjectRequest.due_at, SubjectRequest.id)).all()
    return render_template(
        "records/residents.html",
        query=query,
        identities=identities,
        form=form,
        cases=subjects.cases_of(author_ids) if author_ids else [],
        messages=subjects.messages_of(author_ids) if author_ids else [],
        requests=open_requests,
        statuses=REQUEST_STATUSES,
        kinds=REQUEST_KINDS,
        now=utcnow(),
    ), status


@bp.get("/residents")
@role_required(*PRIVACY)
def residents():
    form = forms.RequestForm(prefix="request")
    if not form.received_on.data:
        form.received_on.data = utcnow().astimezone(zone()).date()
    return _residents_page((request.args.get("q") or "").strip(), form)


@bp.post("/requests")
@role_required(*PRIVACY)
def register_request():
    query = (request.args.get("q") or "").strip()
    form = forms.RequestForm(prefix="request")
    form.identities.choices = [SelectChoice(identity.id, identity.display_name) for identity in find_identities(query)]
    if not form.validate_on_submit():
        return _residents_page(query, form, 400)
    identities = list(db.session.scalars(select(Author).where(Author.id.in_(form.identities.data))))
    received_at = datetime.combine(form.received_on.data, time(9), zone())
    registered = subjects.register_request(
        SubjectRequestKind(form.kind.data), form.resident.data, identities, by=current_user, received_at=received_at
    )
    return redirect(url_for("records.subject_request", request_id=registered.id), 303)


@bp.get("/requests/<int:request_id>")
@role_required(*PRIVACY)
def subject_request(request_id: int):
    found = db.get_or_404(SubjectRequest, request_id)
    return render_template(
        "records/subject_request.html",
        subject=found,
        identities=subjects.identities_of(found),
        cases=subjects.cases_of(found.author_ids),
        messages=subjects.messages_of(found.author_ids),
        form=forms.HandleForm(),
        hold_form=forms.ResidentHoldForm(prefix="hold"),
        statuses=REQUEST_STATUSES,
        kinds=REQUEST_KINDS,
        now=utcnow(),
        is_open=found.status == SubjectRequestStatus.OPEN,
    )


@bp.post("/requests/<int:request_id>/package")
@role_required(*PRIVACY)
def access_package(request_id: int):
    found = db.get_or_404(SubjectRequest, request_id)
    if not forms.HandleForm().validate_on_submit():
        abort(400)
    package = subjects.access_package(found, by=current_user, address=request.remote_addr or "")
    return send_file(
        io.BytesIO(package),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"inzage-verzoek-{found.id}.zip",
    )


@bp.post("/requests/<int:request_id>/erase")
@role_required(*PRIVACY)
def erase(request_id: int):
    found = db.get_or_404(SubjectRequest, request_id)
    if not forms.HandleForm().validate_on_submit():
        abort(400)
    try:
        outcome = subjects.carry_out_erasure(found, by=current_user)
    except ValueError:
        abort(409)
    flash(
        _(
            "%(erased)d cases erased, %(refused)d kept with the reason recorded.",
            erased=len(outcome.erased),
            refused=len(outcome.refused),
        ),
        "success",
    )
    return redirect(url_for("records.subject_request", request_id=found.id), 303)


@bp.post("/requests/<int:request_id>/hold")
@role_required(*PRIVACY)
def hold_resident(request_id: int):
    found = db.get_or_404(SubjectRequest, request_id)
    form = forms.ResidentHoldForm(prefix="hold")
    if not form.validate_on_submit():
        abort(400)
    for identity in subjects.identities_of(found):
        services.place_hold(form.reason.data, by=current_user, author=identity)
    flash(_("Every identity of this resident is on hold."), "success")
    return redirect(url_for("records.subject_request", request_id=found.id), 303)
