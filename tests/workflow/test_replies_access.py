"""Who may use each mandate, approval and outbox page: every role, and anonymous visitors."""

import pytest

from tests.workflow.reply_support import LATER, allow, open_case
from webcare.auth.models import Role
from webcare.mandates.models import Permission
from webcare.replies.services import draft_reply

A, L, M, AD = Role.AGENT, Role.LEAD, Role.MANAGER, Role.ADMIN
RM, PO = Role.RECORDS_MANAGER, Role.PRIVACY_OFFICER
# (method, path, roles allowed in); a role outside gets 403, an anonymous visitor the login page.
ENDPOINTS = [
    ("GET", "/mandates", {A, L, M, AD, RM, PO}),
    ("POST", "/mandates", {L}),
    ("GET", "/mandates/{rule}/edit", {L}),
    ("POST", "/mandates/{rule}/edit", {L}),
    ("POST", "/mandates/{rule}/remove", {L}),
    ("GET", "/cases/{case}/reply", {A, L}),
    ("POST", "/cases/{case}/replies", {A, L}),
    ("GET", "/approvals", {A, L, M}),
    ("GET", "/approvals/{reply}", {A, L, M}),
    ("POST", "/approvals/{reply}/approve", {A, L}),
    ("POST", "/approvals/{reply}/reject", {A, L}),
    ("GET", "/outbox/failed", {A, L, M, AD, RM, PO}),
    ("POST", "/outbox/{reply}/retry", {A, L, AD}),
]


@pytest.fixture
def objects(app, make_user):
    author = make_user(Role.AGENT)
    rule = allow(Role.ADMIN, Permission.MAY_NOT)
    case = open_case(app)
    reply = draft_reply(case, "Tekst", by=author, now=LATER)
    return {"rule": rule.id, "case": case.id, "reply": reply.id}


def _request(client, method, path, csrf_from, *, logged_in: bool):
    if method == "GET":
        return client.get(path)
    token = csrf_from(client.get("/mandates" if logged_in else "/login").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def test_anonymous_visitors_are_sent_to_the_login_page_everywhere(client, csrf_from, objects):
    for method, path, _allowed in ENDPOINTS:
        response = _request(client, method, path.format(**objects), csrf_from, logged_in=False)

        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/login"), (method, path)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_in_only_where_it_is_allowed(client, auth, make_user, csrf_from, objects, role):
    auth.login_as(make_user(role))
    wrong = []
    for method, path, allowed in ENDPOINTS:
        response = _request(client, method, path.format(**objects), csrf_from, logged_in=True)
        if role in allowed and (response.status_code == 403 or response.status_code >= 500):
            wrong.append((method, path, response.status_code, "should be let in"))
        if role not in allowed and response.status_code != 403:
            wrong.append((method, path, response.status_code, "should get 403"))

    assert wrong == []
