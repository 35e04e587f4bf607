"""The notifications page and the unread count in the header."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
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
    return render_template("notifications/index.html", notifications=services.recent_for(current_user))


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
