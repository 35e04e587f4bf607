"""The admin's pages for people (add, disable, roles) and API tokens (create, shown once; revoke)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from webcare.auth import admin
from webcare.auth.access import role_required
from webcare.auth.forms import ButtonForm, NewUserForm, RolesForm, TokenForm
from webcare.auth.models import ApiToken, Role, User
from webcare.auth.services import UserExists, create_user
from webcare.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _users_page(new_user_form: NewUserForm | None = None, status: int = 200):
    people = admin.users()
    return render_template(
        "auth/users.html",
        people=people,
        form=new_user_form or NewUserForm(),
        roles_forms={
            person.id: RolesForm(
                formdata=None, prefix=f"user-{person.id}", data={"roles": [role.value for role in person.roles]}
            )
            for person in people
        },
        button=ButtonForm(),
    ), status


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    return _users_page()


@bp.post("/users")
@role_required(Role.ADMIN)
def add_user():
    form = NewUserForm()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    try:
        person = create_user(
            form.email.data, form.name.data.strip(), form.password.data, {Role(role) for role in form.roles.data}
        )
    except UserExists:
        form.email.errors.append(_("Someone with this e-mail address already exists."))
        return _users_page(form, 409)
    flash(_("%(name)s can log in now.", name=person.name), "success")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/roles")
@role_required(Role.ADMIN)
def change_roles(user_id: int):
    person = db.get_or_404(User, user_id)
    form = RolesForm(prefix=f"user-{person.id}")
    if not form.validate_on_submit():
        flash(_("Give %(name)s at least one role.", name=person.name), "error")
        return redirect(url_for("admin.users"), 303)
    try:
        admin.set_roles(person, {Role(role) for role in form.roles.data})
    except admin.LastAdmin:
        flash(_("%(name)s is the last admin and keeps that role.", name=person.name), "error")
        return redirect(url_for("admin.users"), 303)
    flash(_("The roles of %(name)s have been changed.", name=person.name), "success")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def toggle_active(user_id: int):
    person = db.get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("admin.users"), 303)
    try:
        admin.set_active(person, not person.is_active_account)
    except admin.LastAdmin:
        flash(_("%(name)s is the last admin and cannot be disabled.", name=person.name), "error")
        return redirect(url_for("admin.users"), 303)
    if person.is_active_account:
        flash(_("%(name)s can log in again.", name=person.name), "success")
    else:
        flash(_("%(name)s can no longer log in.", name=person.name), "success")
    return redirect(url_for("admin.users"), 303)


def _tokens_page(form: TokenForm | None = None, new_token: str | None = None, status: int = 200):
    return render_template(
        "auth/tokens.html",
        tokens=admin.tokens(),
        form=form or TokenForm(formdata=None),
        button=ButtonForm(),
        new_token=new_token,
    ), status


@bp.get("/tokens")
@role_required(Role.ADMIN)
def tokens():
    return _tokens_page()


@bp.post("/tokens")
@role_required(Role.ADMIN)
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=400)
    try:
        token = admin.create_token(form.name.data)
    except admin.TokenNameTaken:
        form.name.errors.append(_("A token with this name exists; choose another name."))
        return _tokens_page(form, status=409)
    # Shown once, in this response only: it is not stored and never redirected through the session.
    response, status = _tokens_page(new_token=token)
    return response, status, {"Cache-Control": "no-store"}


@bp.post("/tokens/<int:token_id>/revoke")
@role_required(Role.ADMIN)
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if ButtonForm().validate_on_submit():
        admin.revoke_token(token)
        flash(_("The token %(name)s no longer works.", name=token.name), "success")
    return redirect(url_for("admin.tokens"), 303)
