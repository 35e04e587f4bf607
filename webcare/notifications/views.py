"""The notifications page and the unread count in the header."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webcare.auth.access import ANY_STAFF, role_required
from webcare.extensions import db
from webcare.notifications import services
from webcare.notifications.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def unread_count():
    if not current_user or not current_user.is_authenticated:
        return {}
    return {"unread_notifications": services.unread_count(current_user)}


@bp.get("/")
@role_required(*ANY_STAFF)
def index():
    return render_template(
        "notifications/index.html",
        notifications=services.recent_for(current_user),
        email_choices=services.EMAIL_CHOICES,
    )


@bp.post("/settings")
@role_required(*ANY_STAFF)
def settings():
    """What reaches this person by e-mail: everything, only urgent things, or nothing (the app keeps it all)."""
    choice = request.form.get("email_notifications")
    if choice not in services.EMAIL_CHOICES:
        abort(400)
    current_user.email_notifications = choice
    db.session.commit()
    flash(_("Your e-mail setting has been saved."), "success")
    return redirect(url_for("notifications.index"), 303)


@bp.post("/<int:notification_id>/read")
@role_required(*ANY_STAFF)
def read(notification_id: int):
    notification = db.get_or_404(Notification, notification_id)
    try:
        services.mark_read([notification], by=current_user)
    except services.NotYours:
        abort(404)
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@role_required(*ANY_STAFF)
def read_all():
    services.mark_read(services.unread_for(current_user, limit=None), by=current_user)
    return redirect(url_for("notifications.index"))
