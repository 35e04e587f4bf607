"""The protocol page: the active version, rules, examples, history with diffs, upload, and the simulator."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from webcare.auth.access import ANY_STAFF, role_required
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox import bundles as bundle_services
from webcare.inbox.models import Bundle
from webcare.inbox.simulation import simulate
from webcare.protocol import services
from webcare.protocol.examples import run_examples
from webcare.protocol.loader import protocol_from_text
from webcare.protocol.models import ProtocolVersion
from webcare.protocol.presentation import diff_lines, rule_rows
from webcare.protocol.source import ProtocolError
from webcare.replies.bundles import answer_bundle
from webcare.replies.services import ReplyRefused
from webcare.timeutil import utcnow

bp = Blueprint("protocol", __name__, url_prefix="/protocol")
EDITORS = (Role.LEAD, Role.ADMIN)


class UploadForm(FlaskForm):
    text = TextAreaField(_l("Protocol (YAML)"), validators=[DataRequired()])


class SimulateForm(FlaskForm):
    version_id = SelectField(_l("Candidate version"), coerce=int, validators=[Optional()])
    text = TextAreaField(_l("Or paste a candidate protocol (YAML)"), validators=[Optional()])
    days = IntegerField(_l("Days back"), default=30, validators=[NumberRange(min=1, max=365)])


def _version_or_404(version_id: int) -> ProtocolVersion:
    return db.get_or_404(ProtocolVersion, version_id)


@bp.get("/")
@role_required(*ANY_STAFF)
def index():
    version = services.active_version()
    protocol = services.compiled(version) if version else None
    return render_template(
        "protocol/index.html",
        version=version,
        protocol=protocol,
        rules=rule_rows(protocol.rules, dict(protocol.rule_descriptions)) if protocol else [],
        examples=run_examples(protocol) if protocol else [],
        versions=services.versions(),
        upload_form=UploadForm(),
        can_edit=current_user.has_role(*EDITORS),
    )


@bp.get("/versions/<int:version_id>")
@role_required(*ANY_STAFF)
def version(version_id: int):
    stored = _version_or_404(version_id)
    protocol = services.compiled(stored)
    return render_template(
        "protocol/version.html",
        stored=stored,
        rules=rule_rows(protocol.rules, dict(protocol.rule_descriptions)),
        versions=services.versions(),
    )


@bp.get("/diff")
@role_required(*ANY_STAFF)
def diff():
    old = _version_or_404(request.args.get("from", type=int) or 0)
    new = _version_or_404(request.args.get("to", type=int) or 0)
    return render_template(
        "protocol/diff.html", old=old, new=new, lines=diff_lines(old.text, new.text, old.label, new.label)
    )


@bp.post("/versions/<int:version_id>/activate")
@role_required(*EDITORS)
def activate(version_id: int):
    stored = _version_or_404(version_id)
    services.activate_version(stored, by=current_user)
    flash(_("Version %(label)s is now active.", label=stored.label), "success")
    return redirect(url_for("protocol.index"))


@bp.post("/upload")
@role_required(*EDITORS)
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        problems = [
            f"{form[name].label.text}: {error}" if name in form else str(error)
            for name, errors in form.errors.items()
            for error in errors
        ]
        return render_template("protocol/problems.html", problems=problems, form=form), 422
    try:
        stored = services.store_protocol(form.text.data.replace("\r\n", "\n"), "upload.yaml", by=current_user)
    except ProtocolError as error:
        db.session.rollback()
        return render_template("protocol/problems.html", problems=error.problems, form=form), 422
    db.session.commit()
    flash(
        _("Version %(label)s is stored; check it in the simulator before you activate it.", label=stored.label),
        "success",
    )
    return redirect(url_for("protocol.version", version_id=stored.id))


@bp.route("/simulate", methods=["GET", "POST"])
@role_required(*EDITORS)
def simulator():
    form = SimulateForm()
    form.version_id.choices = [(0, _("(paste below)"))] + [(v.id, v.label) for v in services.versions()]
    report = None
    if form.validate_on_submit():
        try:
            if form.text.data and form.text.data.strip():
                candidate = protocol_from_text(form.text.data.replace("\r\n", "\n"), "candidate.yaml")
            elif form.version_id.data:
                candidate = services.compiled(_version_or_404(form.version_id.data))
            else:
                abort(400)
        except ProtocolError as error:
            return render_template("protocol/problems.html", problems=error.problems, form=form), 422
        now = utcnow()
        report = simulate(candidate, since=now - timedelta(days=form.days.data), until=now)
    return render_template("protocol/simulate.html", form=form, report=report)


class BundleAnswerForm(FlaskForm):
    text = TextAreaField(_l("Summary reply"), validators=[DataRequired()])


@bp.get("/bundles")
@role_required(*ANY_STAFF)
def bundles():
    return render_template("protocol/bundles.html", bundles=bundle_services.open_bundles())


@bp.route("/bundles/<int:bundle_id>", methods=["GET", "POST"])
@role_required(Role.AGENT, Role.LEAD)
def bundle(bundle_id: int):
    found = db.get_or_404(Bundle, bundle_id)
    form = BundleAnswerForm(text=found.summary_draft)
    if form.validate_on_submit():
        try:
            answer_bundle(found, form.text.data, by=current_user)
        except bundle_services.BundleNotReady:
            flash(_("This bundle cannot be answered now."), "error")
        except ReplyRefused as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            flash(_("The summary reply is on its way; it answers every case in the bundle."), "success")
            return redirect(url_for("protocol.bundle", bundle_id=found.id))
    return render_template(
        "protocol/bundle.html", bundle=found, members=bundle_services.bundle_members(found), form=form
    )
