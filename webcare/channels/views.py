"""Webhook endpoints (Meta, X), the public contact form, and the channel admin pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webcare.accounts.models import Account, Channel
from webcare.auth.access import role_required
from webcare.auth.models import Role
from webcare.channels import accounts, meta, receiving, webform, x
from webcare.channels.base import Delivery
from webcare.channels.forms import (
    CHANNEL_LABELS,
    AccountForm,
    ContactForm,
    SettingsForm,
)
from webcare.channels.models import DeliveryOutcome
from webcare.channels.secrets import secret_states
from webcare.extensions import csrf, db

bp = Blueprint("channels", __name__)
ADMIN = (Role.ADMIN,)


def _delivery() -> Delivery:
    # get_data(cache=True) is the raw body as sent: signatures are computed over these exact bytes.
    return Delivery(body=request.get_data(cache=True), headers=dict(request.headers), query=request.args.to_dict())


def _answer(received: receiving.Received):
    if received.outcome == DeliveryOutcome.BAD_SIGNATURE:
        status = 401 if received.signature_missing else 403
        return jsonify(error="the signature is missing or wrong"), status
    if received.outcome == DeliveryOutcome.MALFORMED:
        # Kept in the dead letter: answered 200 so the platform stops retrying what no retry can mend.
        return jsonify(error=received.detail, dead_letter=received.dead_letter_id), 200
    return jsonify(
        records=received.records,
        accepted=received.accepted,
        duplicates=received.duplicates,
        rejected=received.rejected,
        status_updates=received.status_updates,
    ), 200


@bp.get("/webhooks/meta")
@csrf.exempt
def meta_verify():
    challenge = meta.verify_subscription(request.args.to_dict())
    if challenge is None:
        return jsonify(error="verification failed"), 403
    return challenge, 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.post("/webhooks/meta")
@csrf.exempt
def meta_receive():
    return _answer(receiving.receive_delivery(meta.MetaConnector(), _delivery(), source="webhook:meta"))


@bp.get("/webhooks/x")
@csrf.exempt
def x_crc():
    token = request.args.get("crc_token")
    try:
        answer = x.crc_response(token) if token else None
    except x.InvalidCrcToken as refused:
        return jsonify(error=str(refused)), 400
    if answer is None:
        return jsonify(error="a crc_token and a configured consumer secret are required"), 400 if not token else 503
    return jsonify(answer)


@bp.post("/webhooks/x")
@csrf.exempt
def x_receive():
    return _answer(receiving.receive_delivery(x.XConnector(), _delivery(), source="webhook:x", channel=Channel.X))


@bp.route("/contact/<handle>", methods=["GET", "POST"])
def contact(handle: str):
    account = webform.form_account(handle) or abort(404)
    form = ContactForm()
    if form.validate_on_submit():
        if form.website.data:
            return redirect(url_for("channels.contact_sent", handle=handle))  # a robot: thanked, nothing stored
        try:
            webform.submit_contact_form(
                account,
                name=form.name.data or "",
                email=form.email.data,
                text=form.message.data,
                address=request.remote_addr or "",
            )
        except webform.TooManyMessages as limited:
            minutes = max(1, limited.retry_after_seconds // 60)
            return (
                render_template("channels/contact.html", account=account, form=form, limited_minutes=minutes),
                429,
                {"Retry-After": str(limited.retry_after_seconds)},
            )
        return redirect(url_for("channels.contact_sent", handle=handle))
    status = 422 if form.errors else 200
    return render_template("channels/contact.html", account=account, form=form), status


@bp.get("/contact/<handle>/sent")
def contact_sent(handle: str):
    account = webform.form_account(handle) or abort(404)
    return render_template("channels/contact_sent.html", account=account)


@bp.get("/admin/channels")
@role_required(*ADMIN)
def index():
    return render_template(
        "channels/index.html",
        accounts=accounts.accounts(),
        form=AccountForm(),
        deliveries=accounts.recent_deliveries(limit=50),
        labels=CHANNEL_LABELS,
    )


@bp.post("/admin/channels")
@role_required(*ADMIN)
def add():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            account = accounts.add_account(
                Channel(form.channel.data),
                form.handle.data,
                form.name.data,
                platform_id=form.platform_id.data,
                options=form.options(),
                by=current_user,
            )
        except accounts.AccountExists:
            form.handle.errors.append(_("This channel already has an account with this handle."))
        else:
            flash(_("Account %(name)s added.", name=account.name), "success")
            return redirect(url_for("channels.account", account_id=account.id))
    return render_template(
        "channels/index.html",
        accounts=accounts.accounts(),
        form=form,
        deliveries=accounts.recent_deliveries(limit=50),
        labels=CHANNEL_LABELS,
    ), 422


def _account_page(account: Account, form: SettingsForm, status: int = 200, check=None):
    return render_template(
        "channels/account.html",
        account=account,
        form=form,
        secrets=secret_states(account),
        check=check,
        settings=receiving.settings_of(account),
        deliveries=accounts.recent_deliveries(account=account, limit=50),
        labels=CHANNEL_LABELS,
    ), status


def _settings_form(account: Account) -> SettingsForm:
    settings = receiving.settings_of(account)
    return SettingsForm(
        data={
            "name": account.name,
            "platform_id": settings.platform_id,
            **{"imap_ssl": True, **(settings.options or {})},
        }
    )


@bp.get("/admin/channels/<int:account_id>")
@role_required(*ADMIN)
def account(account_id: int):
    account = db.get_or_404(Account, account_id)
    return _account_page(account, _settings_form(account))


@bp.post("/admin/channels/<int:account_id>")
@role_required(*ADMIN)
def save(account_id: int):
    account = db.get_or_404(Account, account_id)
    form = SettingsForm()
    if not form.validate_on_submit():
        return _account_page(account, form, 422)
    accounts.update_settings(
        account, name=form.name.data, platform_id=form.platform_id.data, options=form.options(), by=current_user
    )
    flash(_("Settings saved."), "success")
    return redirect(url_for("channels.account", account_id=account.id))


@bp.post("/admin/channels/<int:account_id>/test")
@role_required(*ADMIN)
def test(account_id: int):
    account = db.get_or_404(Account, account_id)  # CSRF is checked for every POST by CSRFProtect
    return _account_page(account, _settings_form(account), check=accounts.test_connection(account))
