"""Login, logout and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from webcare.auth import ratelimit
from webcare.auth.forms import LoginForm
from webcare.auth.models import User
from webcare.auth.services import authenticate
from webcare.extensions import db, login_manager
from webcare.notifications.alerts import tell_admins_of_spray
from webcare.timeutil import utcnow

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.cases")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    form = LoginForm()
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        delay = ratelimit.delay_for(form.email.data, address)
        if delay is not None:
            seconds = delay.retry_after_seconds(utcnow())
            flash(_("Too many failed log-in attempts. Wait %(seconds)d seconds and try again.", seconds=seconds), "error")
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(seconds)
            return response
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            ratelimit.record_success(form.email.data, address)
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        spray = ratelimit.record_failure(form.email.data, address)
        if spray is not None:
            tell_admins_of_spray(spray)
        flash(_("Unknown e-mail address or wrong password."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/locale")
def set_locale():
    from webcare.app import LOCALES

    chosen = request.form.get("locale")
    if chosen not in LOCALES:
        abort(400)
    session["locale"] = chosen
    return redirect(_safe_next(request.form.get("next")))
