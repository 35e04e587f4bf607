"""Who may use each mandate, approval and outbox page: every role, and anonymous visitors."""

import pytest

from tests.workflow.reply_support import LATER, allow, open_case
from webcare.auth.models import Role
from webcare.mandates.models import Permission, Visibility
from webcare.replies.services import draft_reply

A, L, M, AD = Role.AGENT, Role.LEAD, Role.MANAGER, Role.ADMIN
RM, PO = Role.RECORDS_MANAGER, Role.PRIVACY_OFFICER
# (method, path, roles allowed in); a role outside gets 403, an anonymous visitor the login page.
# Agents read the approval queue only with a mandate to send directly (none here): see the tests below.
ENDPOINTS = [
    ("GET", "/mandates", {A, L, M, AD, RM, PO}),
    ("POST", "/mandates", {L}),
    ("GET", "/mandates/{rule}/edit", {L}),
    ("POST", "/mandates/{rule}/edit", {L}),
    ("POST", "/mandates/{rule}/remove", {L}),
    ("GET", "/cases/{case}/reply", {A, L}),
    ("POST", "/cases/{case}/replies", {A, L}),
    ("GET", "/approvals", {L, M}),
    ("GET", "/approvals/{reply}", {L, M}),
    ("POST", "/approvals/{reply}/approve", {A, L}),
    ("POST", "/approvals/{reply}/reject", {A, L}),
    ("GET", "/outbox/failed", {A, L, M, AD}),
    ("POST", "/outbox/{reply}/retry", {L, AD}),
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


def test_an_agent_with_a_mandate_to_send_sees_only_the_replies_they_may_approve_and_their_own(
    app, client, auth, make_user
):
    from webcare.replies.services import approval_queue

    allow(Role.AGENT, Permission.MAY_SEND, visibility=Visibility.PRIVATE)
    colleague, reviewer = make_user(Role.AGENT), make_user(Role.AGENT)
    public = draft_reply(open_case(app, "pub"), "Openbaar antwoord", by=colleague, now=LATER)
    own = draft_reply(open_case(app, "own"), "Mijn antwoord", by=reviewer, now=LATER)
    assert {item.reply.id for item in approval_queue(reviewer)} == {public.id, own.id}
    auth.login_as(reviewer)

    page = client.get("/approvals")

    assert page.status_code == 200
    assert f"/approvals/{own.id}" in page.get_data(as_text=True)
    assert f"/approvals/{public.id}" not in page.get_data(as_text=True)
    assert client.get(f"/approvals/{public.id}").status_code == 200


def test_an_agent_without_any_mandate_to_send_has_no_approval_queue(app, client, auth, make_user):
    allow(Role.AGENT, Permission.NEEDS_APPROVAL)
    auth.login_as(make_user(Role.AGENT))

    assert client.get("/approvals").status_code == 403


def test_the_approvals_link_shows_only_to_those_who_may_open_the_queue(app, client, auth, make_user):
    allow(Role.AGENT, Permission.NEEDS_APPROVAL)
    auth.login_as(make_user(Role.AGENT))
    assert 'href="/approvals"' not in client.get("/inbox").get_data(as_text=True)

    allow(Role.AGENT, Permission.MAY_SEND, visibility=Visibility.PRIVATE)

    assert 'href="/approvals"' in client.get("/inbox").get_data(as_text=True)
