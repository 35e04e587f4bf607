"""The records manager's pages for destruction lists and legal holds."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from webcare.auth.access import role_required
from webcare.extensions import db
from webcare.inbox.models import Case
from webcare.records import forms, services
from webcare.records.models import DestructionList, DestructionListStatus, LegalHold
from webcare.records.views import HOLDERS, RECORDS, bp

LIST_STATUSES = {
    "proposed": _l("Proposed, waiting for approval"),
    "approved": _l("Approved, destroyed"),
    "rejected": _l("Rejected"),
}


def _index(status: int = 200, hold_form=None):
    lists = db.session.scalars(
        select(DestructionList).order_by(DestructionList.proposed_at.desc(), DestructionList.id.desc())
    ).all()
    holds = db.session.scalars(select(LegalHold).where(LegalHold.lifted_at.is_(None)).order_by(LegalHold.id)).all()
    schedule = services.retention_schedule()
    return render_template(
        "records/destruction_lists.html",
        lists=lists,
        holds=holds,
        schedule=schedule,
        propose_form=forms.ProposeForm(prefix="propose"),
        hold_form=hold_form or forms.HoldForm(prefix="hold"),
        lift_form=forms.LiftForm(prefix="lift"),
        list_statuses=LIST_STATUSES,
    ), status


@bp.get("/destruction-lists")
@role_required(*RECORDS)
def destruction_lists():
    return _index()


@bp.post("/destruction-lists/propose")
@role_required(*RECORDS)
def propose_list():
    if not forms.ProposeForm(prefix="propose").validate_on_submit():
        abort(400)
    proposal = services.propose_destruction_list()
    if proposal is None:
        flash(_("No case has passed its retention term."), "success")
        return redirect(url_for("records.destruction_lists"), 303)
    return redirect(url_for("records.destruction_list", list_id=proposal.id), 303)


def _list_page(proposal: DestructionList, status: int = 200, **submitted):
    built = {"approve_form": forms.ApproveForm(prefix="approve"), "reject_form": forms.RejectForm(prefix="reject")}
    built.update(submitted)
    schedule = services.retention_schedule()
    return render_template(
        "records/destruction_list.html",
        proposal=proposal,
        schedule=schedule,
        is_open=proposal.status == DestructionListStatus.PROPOSED,
        list_statuses=LIST_STATUSES,
        **built,
    ), status


@bp.get("/destruction-lists/<int:list_id>")
@role_required(*RECORDS)
def destruction_list(list_id: int):
    return _list_page(db.get_or_404(DestructionList, list_id))


@bp.post("/destruction-lists/<int:list_id>/approve")
@role_required(*RECORDS)
def approve_list(list_id: int):
    proposal = db.get_or_404(DestructionList, list_id)
    form = forms.ApproveForm(prefix="approve")
    if not form.validate_on_submit():
        return _list_page(proposal, 400, approve_form=form)
    try:
        destroyed = services.approve_destruction_list(proposal, form.note.data or "", by=current_user)
    except services.ListAlreadyDecided:
        return _list_page(proposal, 409)
    flash(_("List approved: %(count)d cases destroyed.", count=len(destroyed)), "success")
    return redirect(url_for("records.destruction_list", list_id=list_id), 303)


@bp.post("/destruction-lists/<int:list_id>/reject")
@role_required(*RECORDS)
def reject_list(list_id: int):
    proposal = db.get_or_404(DestructionList, list_id)
    form = forms.RejectForm(prefix="reject")
    if not form.validate_on_submit():
        return _list_page(proposal, 400, reject_form=form)
    try:
        services.reject_destruction_list(proposal, form.note.data, by=current_user)
    except services.ListAlreadyDecided:
        return _list_page(proposal, 409)
    flash(_("List rejected; the cases are kept."), "success")
    return redirect(url_for("records.destruction_list", list_id=list_id), 303)


@bp.post("/holds")
@role_required(*HOLDERS)
def place_hold():
    form = forms.HoldForm(prefix="hold")
    case = db.session.get(Case, form.case_id.data) if form.validate_on_submit() else None
    if case is None:
        if form.case_id.data and not form.case_id.errors:
            form.case_id.errors = [_("There is no case with this number.")]
        return _index(400, hold_form=form)
    services.place_hold(form.reason.data, by=current_user, case=case)
    flash(_("Case #%(id)d is on hold.", id=case.id), "success")
    return redirect(url_for("records.destruction_lists"), 303)


@bp.post("/holds/<int:hold_id>/lift")
@role_required(*HOLDERS)
def lift_hold(hold_id: int):
    if not forms.LiftForm(prefix="lift").validate_on_submit():
        abort(400)
    services.lift_hold(db.get_or_404(LegalHold, hold_id), by=current_user)
    flash(_("Hold lifted."), "success")
    return redirect(url_for("records.destruction_lists"), 303)
