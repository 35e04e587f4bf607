"""The mandate page: the matrix as a table, with add, edit and remove for leads, and its change history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from webcare.auth.access import ANY_STAFF, role_required
from webcare.auth.models import Role, User
from webcare.extensions import db
from webcare.mandates import services
from webcare.mandates.forms import ROLE_LABELS, MandateRuleForm
from webcare.mandates.models import MandateRule, Permission, Risk, Visibility
from webcare.protocol.services import active_protocol

bp = Blueprint("mandates", __name__)
EDITORS = (Role.LEAD,)


def _topics(rules: list[MandateRule]) -> list[tuple[str, str]]:
    protocol = active_protocol()
    topics = {topic.id: topic.label for topic in protocol.vocabulary.topics} if protocol is not None else {}
    for rule in rules:
        if rule.topic and rule.topic not in topics:
            topics[rule.topic] = rule.topic
    return [("", _("any topic"))] + sorted(topics.items(), key=lambda item: item[1].lower())


def _form(rules: list[MandateRule], rule: MandateRule | None = None) -> MandateRuleForm:
    form = MandateRuleForm(
        data=None
        if rule is None
        else {
            "subject": f"user:{rule.user_id}" if rule.user_id else f"role:{rule.role.value}",
            "topic": rule.topic or "",
            "risk": rule.risk.value if rule.risk else "",
            "visibility": rule.visibility.value if rule.visibility else "",
            "permission": rule.permission.value,
        }
    )
    people = db.session.scalars(select(User).where(User.is_active_account.is_(True)).order_by(User.name))
    form.subject.choices = [
        SelectChoice(f"role:{role.value}", _("Role: %(role)s", role=ROLE_LABELS[role.value])) for role in Role
    ]
    form.subject.choices += [SelectChoice(f"user:{user.id}", _("Person: %(name)s", name=user.name)) for user in people]
    form.topic.choices = [SelectChoice(value, label) for value, label in _topics(rules)]
    return form


def _values(form: MandateRuleForm) -> dict:
    kind, _sep, value = form.subject.data.partition(":")
    return {
        "role": Role(value) if kind == "role" else None,
        "user": db.session.get(User, int(value)) if kind == "user" else None,
        "topic": form.topic.data or None,
        "risk": Risk(form.risk.data) if form.risk.data else None,
        "visibility": Visibility(form.visibility.data) if form.visibility.data else None,
        "permission": Permission(form.permission.data),
    }


def _page(form: MandateRuleForm, rules: list[MandateRule], status: int = 200):
    topics = dict(_topics(rules))
    return render_template(
        "mandates/index.html",
        rules=rules,
        form=form,
        topics=topics,
        history=services.history(),
        may_edit=current_user.has_role(*EDITORS),
    ), status


@bp.get("/mandates")
@role_required(*ANY_STAFF)
def index():
    rules = services.matrix()
    return _page(_form(rules), rules)


@bp.post("/mandates")
@role_required(*EDITORS)
def add():
    rules = services.matrix()
    form = _form(rules)
    if not form.validate_on_submit():
        return _page(form, rules, 400)
    try:
        services.add_rule(**_values(form), by=current_user)
    except services.MandateError as error:
        flash(_("The rule was not added: %(reason)s", reason=str(error)), "error")
        return _page(form, services.matrix(), 409)
    flash(_("The rule was added."), "success")
    return redirect(url_for("mandates.index"))


@bp.route("/mandates/<int:rule_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(rule_id: int):
    rule = db.get_or_404(MandateRule, rule_id)
    rules = services.matrix()
    form = _form(rules, rule if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.change_rule(rule, **_values(form), by=current_user)
        except services.MandateError as error:
            flash(_("The rule was not changed: %(reason)s", reason=str(error)), "error")
            return render_template("mandates/edit.html", rule=db.get_or_404(MandateRule, rule_id), form=form), 409
        flash(_("The rule was changed."), "success")
        return redirect(url_for("mandates.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("mandates/edit.html", rule=rule, form=form), status


@bp.post("/mandates/<int:rule_id>/remove")
@role_required(*EDITORS)
def remove(rule_id: int):
    rule = db.get_or_404(MandateRule, rule_id)
    services.remove_rule(rule, by=current_user)
    flash(_("The rule was removed."), "success")
    return redirect(url_for("mandates.index"))
