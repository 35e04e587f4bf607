"""The admin's pages: people (add, roles, disable) and API tokens (made and shown once, revoked); banner links."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from webcare.auth import admin
from webcare.auth.models import ApiToken, Role, User
from webcare.auth.services import authenticate, token_for
from webcare.extensions import db


def test_the_last_active_admin_can_be_neither_demoted_nor_disabled(make_user):
    only_admin = make_user(Role.ADMIN)

    with pytest.raises(admin.LastAdmin):
        admin.set_roles(only_admin, {Role.AGENT})
    with pytest.raises(admin.LastAdmin):
        admin.set_active(only_admin, False)

    make_user(Role.ADMIN)
    admin.set_roles(only_admin, {Role.LEAD, Role.AGENT})
    assert only_admin.roles == {Role.LEAD, Role.AGENT}


def test_an_admin_adds_a_person_changes_their_roles_and_disables_them(client, auth, make_user, csrf_from):
    auth.login_as(make_user(Role.ADMIN))
    token = csrf_from(client.get("/admin/users").get_data(as_text=True))

    added = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "Nina@Lindeburg.example",
            "name": "Nina Bos",
            "roles": ["agent"],
            "password": "een-lang-wachtwoord",
        },
    )
    assert added.status_code == 303
    nina = db.session.scalar(select(User).where(User.email == "nina@lindeburg.example"))
    assert nina.roles == {Role.AGENT} and authenticate("nina@lindeburg.example", "een-lang-wachtwoord") == nina

    twice = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "nina@lindeburg.example",
            "name": "Nina",
            "roles": ["agent"],
            "password": "een-lang-wachtwoord",
        },
    )
    assert twice.status_code == 409
    short = client.post(
        "/admin/users",
        data={"csrf_token": token, "email": "x@y.nl", "name": "X", "roles": ["agent"], "password": "kort"},
    )
    assert short.status_code == 400

    client.post(f"/admin/users/{nina.id}/roles", data={"csrf_token": token, f"user-{nina.id}-roles": ["agent", "lead"]})
    db.session.refresh(nina)
    assert nina.roles == {Role.AGENT, Role.LEAD}

    client.post(f"/admin/users/{nina.id}/active", data={"csrf_token": token})
    db.session.refresh(nina)
    assert not nina.is_active_account and authenticate("nina@lindeburg.example", "een-lang-wachtwoord") is None


def test_a_token_is_shown_once_works_and_stops_working_when_revoked(client, auth, make_user, csrf_from):
    auth.login_as(make_user(Role.ADMIN))
    token = csrf_from(client.get("/admin/tokens").get_data(as_text=True))

    made = client.post("/admin/tokens", data={"csrf_token": token, "name": "facebook-koppeling"})

    plain = re.search(r'id="new-token" readonly value="(wc_[^"]+)"', made.get_data(as_text=True)).group(1)
    assert made.headers["Cache-Control"] == "no-store"
    assert token_for(plain) is not None
    assert plain not in client.get("/admin/tokens").get_data(as_text=True)
    assert client.post("/admin/tokens", data={"csrf_token": token, "name": "facebook-koppeling"}).status_code == 409

    stored = db.session.scalar(select(ApiToken).where(ApiToken.name == "facebook-koppeling"))
    client.post(f"/admin/tokens/{stored.id}/revoke", data={"csrf_token": token})
    assert token_for(plain) is None


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_every_link_in_the_banner_works_for_every_role(client, auth, make_user, role):
    auth.login_as(make_user(role))
    page = client.get("/inbox").get_data(as_text=True)
    header = page[page.index("<header") : page.index("</header>")]
    links = set(re.findall(r'<a [^>]*href="(/[^"#]*)"', header))

    assert links
    answers = {link: client.get(link, follow_redirects=True).status_code for link in links}
    broken = {link: status for link, status in answers.items() if status != 200}
    assert broken == {}
    assert ("/admin/users" in links) == (role == Role.ADMIN)
