"""Login, logout and the language switch."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from joserfc.errors import JoseError
from requests import RequestException

from webcare.auth import oidc, ratelimit
from webcare.auth.forms import LoginForm
from webcare.auth.models import Role, User
from webcare.auth.services import authenticate
from webcare.extensions import db, login_manager
from webcare.locales import LOCALES
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
            flash(
                _("Too many failed log-in attempts. Wait %(seconds)d seconds and try again.", seconds=seconds), "error"
            )
            response = make_response(render_template("auth/login.html", form=form, **_login_options()), 429)
            response.headers["Retry-After"] = str(seconds)
            return response
        user = authenticate(form.email.data, form.password.data)
        if user is not None and not _may_use_a_password(user):
            user = None  # the same answer as a wrong password: it tells nobody which password was right
        if user is not None:
            ratelimit.record_success(form.email.data, address)
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        spray = ratelimit.record_failure(form.email.data, address)
        if spray is not None:
            tell_admins_of_spray(spray)
        flash(_("Unknown e-mail address or wrong password."), "error")
        return render_template("auth/login.html", form=form, **_login_options()), 401
    return render_template("auth/login.html", form=form, **_login_options())


def _may_use_a_password(user: User) -> bool:
    """With WEBCARE_LOCAL_LOGIN=admin-only, passwords are the administrators' break-glass access only."""
    return current_app.config["WEBCARE_LOCAL_LOGIN"] != "admin-only" or user.has_role(Role.ADMIN)


def _login_options() -> dict:
    return {
        "single_sign_on": oidc.current_settings() is not None,
        "passwords_for_admins_only": current_app.config["WEBCARE_LOCAL_LOGIN"] == "admin-only",
    }


@bp.post("/logout")
@login_required
def logout():
    signed_in_with_provider = session.get("signed_in_with") == "oidc"
    logout_user()
    session.clear()
    end_session = _provider_end_session() if signed_in_with_provider else None
    if end_session:
        return redirect(
            end_session
            + "?"
            + urlencode(
                {
                    "client_id": oidc.current_settings().client_id,
                    "post_logout_redirect_uri": url_for("auth.login", _external=True),
                }
            )
        )
    return redirect(url_for("auth.login"))


def _provider_end_session() -> str | None:
    """The provider's end-session endpoint, if it has one; signing out here never waits on a provider that is down."""
    if oidc.current_settings() is None:
        return None
    try:
        return oidc.provider_metadata().get("end_session_endpoint")
    except (oidc.SignInRefused, RequestException, ValueError) as error:
        current_app.logger.warning("sign-out: the provider's metadata could not be read (%s)", type(error).__name__)
        return None


@bp.get("/login/sso")
def sso_start():
    """Off to the identity provider (authorization code flow with PKCE, state and nonce)."""
    if oidc.current_settings() is None:
        abort(404)
    session["sso_next"] = _safe_next(request.args.get("next"))
    try:
        return oidc.client().authorize_redirect(url_for("auth.sso_callback", _external=True))
    except (RequestException, ValueError) as error:  # discovery failed: no answer, or no JSON
        current_app.logger.warning("single sign-on: the identity provider did not answer (%s)", type(error).__name__)
        return _sso_failed(_("The identity provider does not answer. Try again later."), 502)


@bp.get("/login/sso/callback")
def sso_callback():
    """Back from the identity provider: verify, then sign the person in with the roles their groups give."""
    settings = oidc.current_settings()
    if settings is None:
        abort(404)
    try:
        claims = oidc.verified_claims()
        user = oidc.sign_in(claims, settings)
    except oidc.NoMappedGroup:
        return _sso_failed(
            _(
                "Your account has no access to Webcare: you are in none of the groups that give access. "
                "Ask your administrator to add you to a Webcare group."
            ),
            403,
        )
    except oidc.SignInRefused as refused:
        current_app.logger.warning("single sign-on refused: %s", refused.reason)
        return _sso_failed(
            _("Signing in through your organisation failed: the identity provider's answer could not be verified."), 400
        )
    except MismatchingStateError:
        return _sso_failed(_("This sign-in was already used or has expired. Sign in again."), 400)
    except (OAuthError, JoseError) as error:
        current_app.logger.warning("single sign-on refused: %s", type(error).__name__)
        return _sso_failed(
            _("Signing in through your organisation failed: the identity provider's answer could not be verified."), 400
        )
    except RequestException as error:
        current_app.logger.warning("single sign-on: the identity provider did not answer (%s)", type(error).__name__)
        return _sso_failed(_("The identity provider does not answer. Try again later."), 502)
    if not user.is_active:
        return _sso_failed(
            _(
                "Your account has no access to Webcare: you are in none of the groups that give access. "
                "Ask your administrator to add you to a Webcare group."
            ),
            403,
        )
    target = session.pop("sso_next", None)
    session.clear()
    login_user(user)
    session["signed_in_with"] = "oidc"
    return redirect(_safe_next(target))


def _sso_failed(message: str, status: int):
    session.pop("sso_next", None)
    flash(message, "error")
    return render_template("auth/login.html", form=LoginForm(), **_login_options()), status


@bp.post("/locale")
def set_locale():
    chosen = request.form.get("locale")
    if chosen not in LOCALES:
        abort(400)
    session["locale"] = chosen
    return redirect(_safe_next(request.form.get("next")))
