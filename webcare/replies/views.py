"""Reply pages: writing a reply on a case, the approval queue and its review page, the failed outbox view."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webcare.auth.access import role_required
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox import queries as inbox_queries
from webcare.inbox.models import Case
from webcare.mandates.services import mandate_for
from webcare.replies import services
from webcare.replies.composer import WRITERS, composer_for
from webcare.replies.forms import ActionForm, ApproveForm, RejectForm, ReplyForm
from webcare.replies.models import Reply
from webcare.replies.placeholders import unfilled
from webcare.timeutil import utcnow

bp = Blueprint("replies", __name__)
# Agents read the approval queue only while a mandate lets them approve (see _approvers_only); managers
# read it to watch the approval SLA but cannot approve.
QUEUE_READERS = (Role.AGENT, Role.LEAD, Role.MANAGER)
# Sending a failed reply again is a judgement about the platform and the text: leads and admins.
RETRIERS = (Role.LEAD, Role.ADMIN)


@bp.record_once
def _register_composer(state) -> None:
    state.app.jinja_env.globals["composer_for"] = composer_for
    state.app.jinja_env.globals["may_see_approval_queue"] = _may_see_queue
    state.app.jinja_env.globals["unfilled_in"] = lambda text: unfilled(text or "")


def _case_page(case_id: int) -> str:
    return url_for("inbox.case", case_id=case_id)


@bp.get("/cases/<int:case_id>/reply")
@role_required(*WRITERS)
def compose(case_id: int):
    case = db.get_or_404(Case, case_id)
    return render_template("replies/compose.html", case=case, composer=composer_for(case))


@bp.post("/cases/<int:case_id>/replies")
@role_required(*WRITERS)
def draft(case_id: int):
    case = db.get_or_404(Case, case_id)
    form = ReplyForm()
    if form.validate_on_submit():
        is_public = {"public": True, "private": False}.get(form.visibility.data)
        try:
            reply = services.draft_reply(
                case, form.text.data, by=current_user, template_id=form.template_id.data or None, is_public=is_public
            )
        except services.UnfilledPlaceholders as refused:
            db.session.rollback()
            flash(
                _(
                    "Not sent: fill in %(placeholders)s in the text first (marked below).",
                    placeholders=", ".join(refused.placeholders),
                ),
                "error",
            )
            return render_template("replies/compose.html", case=case, composer=composer_for(case, form=form)), 409
        except services.NotPermitted as refused:
            db.session.rollback()
            flash(_("Not sent: %(reason)s", reason=str(refused)), "error")
            return render_template("replies/compose.html", case=case, composer=composer_for(case, form=form)), 403
        except services.ReplyRefused as refused:
            db.session.rollback()
            flash(_("Not sent: %(reason)s", reason=str(refused)), "error")
            return render_template("replies/compose.html", case=case, composer=composer_for(case, form=form)), 409
        if reply.is_pending:
            flash(_("Your reply waits for approval."), "success")
        else:
            flash(_("Your reply is in the outbox and will be sent in a moment."), "success")
        return redirect(_case_page(case.id))
    return render_template("replies/compose.html", case=case, composer=composer_for(case, form=form)), 400


def _sees_whole_queue() -> bool:
    return current_user.has_role(Role.LEAD, Role.MANAGER)


def _may_see_queue() -> bool:
    """Leads and managers; an agent only while some mandate lets them send directly (and so approve)."""
    if _sees_whole_queue():
        return True
    return current_user.has_role(Role.AGENT) and services.holds_approving_mandate(current_user)


def _approvers_only() -> None:
    if not _may_see_queue():
        abort(403)


@bp.get("/approvals")
@role_required(*QUEUE_READERS)
def queue():
    _approvers_only()
    items = services.approval_queue(current_user)
    if not _sees_whole_queue():
        items = [item for item in items if item.may_decide or item.reply.author_id == current_user.id]
    return render_template(
        "replies/queue.html", items=items, sla=services.approval_sla(), form=RejectForm(formdata=None)
    )


def _review(
    reply: Reply, approve_form: ApproveForm | None = None, reject_form: RejectForm | None = None, status: int = 200
):
    verdict = (
        None if reply.author_id == current_user.id else mandate_for(current_user, reply.case, is_public=reply.is_public)
    )
    now = utcnow()
    return render_template(
        "replies/review.html",
        reply=reply,
        verdict=verdict,
        # Why it waits: the author's mandate for this reply (the rule that asked for approval).
        author_verdict=mandate_for(reply.author, reply.case, is_public=reply.is_public),
        messages=inbox_queries.thread(reply.case),
        clock=inbox_queries.response_clock(reply.case, now),
        now=now,
        approve_form=approve_form or ApproveForm(formdata=None, data={"text": reply.text}),
        reject_form=reject_form or RejectForm(formdata=None),
        due_at=reply.submitted_at + services.approval_sla(),
    ), status


@bp.get("/approvals/<int:reply_id>")
@role_required(*QUEUE_READERS)
def review(reply_id: int):
    _approvers_only()
    return _review(db.get_or_404(Reply, reply_id))


@bp.post("/approvals/<int:reply_id>/approve")
@role_required(*WRITERS)
def approve(reply_id: int):
    reply = db.get_or_404(Reply, reply_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _review(reply, approve_form=form, status=400)
    try:
        services.approve_reply(reply, by=current_user, edited_text=form.text.data)
    except services.ReplyRefused as refused:
        db.session.rollback()
        flash(_("Not approved: %(reason)s", reason=str(refused)), "error")
        reply = db.get_or_404(Reply, reply_id)
        return _review(reply, approve_form=form, status=403 if isinstance(refused, services.NotPermitted) else 409)
    flash(_("Approved: the reply on case #%(case)d is in the outbox.", case=reply.case_id), "success")
    return redirect(url_for("replies.queue"), 303)


@bp.post("/approvals/<int:reply_id>/reject")
@role_required(*WRITERS)
def reject(reply_id: int):
    reply = db.get_or_404(Reply, reply_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _review(reply, reject_form=form, status=400)
    try:
        services.reject_reply(reply, form.reason.data, by=current_user)
    except services.ReplyRefused as refused:
        db.session.rollback()
        flash(_("Not rejected: %(reason)s", reason=str(refused)), "error")
        reply = db.get_or_404(Reply, reply_id)
        return _review(reply, reject_form=form, status=403 if isinstance(refused, services.NotPermitted) else 409)
    flash(_("Rejected: the author of the reply on case #%(case)d is told why.", case=reply.case_id), "success")
    return redirect(url_for("replies.queue"), 303)


@bp.get("/outbox/failed")
@role_required(Role.AGENT, Role.LEAD, Role.MANAGER, Role.ADMIN)
def failed():
    return render_template(
        "replies/failed.html",
        replies=services.failed_replies(),
        form=ActionForm(),
        may_retry=current_user.has_role(*RETRIERS),
    )


@bp.post("/outbox/<int:reply_id>/retry")
@role_required(*RETRIERS)
def retry(reply_id: int):
    reply = db.get_or_404(Reply, reply_id)
    try:
        services.retry_reply(reply, by=current_user)
    except services.ReplyRefused as refused:
        db.session.rollback()
        flash(_("Not sent again: %(reason)s", reason=str(refused)), "error")
        return redirect(url_for("replies.failed"))
    flash(_("The reply on case #%(case)d is back in the outbox.", case=reply.case_id), "success")
    return redirect(url_for("replies.failed"))
