"""Who may use each inbox and case endpoint: every role, and anonymous visitors, for every new endpoint."""

from __future__ import annotations

import pytest

from tests.workflow.inbox_builders import new_case
from webcare.auth.models import Role
from webcare.inbox.models import CaseStatus

# (endpoint path, form fields, the roles that may use it, the case status it needs)
ACTIONS = [
    ("claim", {}, {Role.AGENT, Role.LEAD}, CaseStatus.NEW),
    ("notes", {"note-text": "Even nagevraagd"}, {Role.AGENT, Role.LEAD}, CaseStatus.NEW),
    (
        "escalate",
        {"escalate-department": "afval", "escalate-note": "Graag oppakken"},
        {Role.AGENT, Role.LEAD},
        CaseStatus.OPEN,
    ),
    ("department-answer", {"answer-text": "Is geregeld"}, {Role.AGENT, Role.LEAD}, CaseStatus.WAITING_ON_DEPARTMENT),
    ("resolve", {"resolve-outcome": "answered", "resolve-note": ""}, {Role.AGENT, Role.LEAD}, CaseStatus.OPEN),
    ("reopen", {"reopen-reason": "Inwoner reageert opnieuw"}, {Role.AGENT, Role.LEAD}, CaseStatus.RESOLVED),
    ("ignore", {"ignore-reason": "Spam"}, {Role.AGENT, Role.LEAD}, CaseStatus.NEW),
    ("presence", {"typing": "false"}, set(Role), CaseStatus.NEW),
]


def _post(client, csrf_from, case, path, fields):
    token = csrf_from(client.get(f"/cases/{case.id}").get_data(as_text=True))
    return client.post(f"/cases/{case.id}/{path}", data={"csrf_token": token, **fields})


@pytest.mark.parametrize("path, fields, allowed, status", ACTIONS, ids=[action[0] for action in ACTIONS])
@pytest.mark.parametrize("role", list(Role))
def test_each_case_action_is_open_to_its_roles_only(
    client, auth, make_user, csrf_from, role, path, fields, allowed, status
):
    case = new_case(status=status, escalated_to="afval" if status == CaseStatus.WAITING_ON_DEPARTMENT else None)
    auth.login_as(make_user(role))

    response = _post(client, csrf_from, case, path, fields)

    if role in allowed:
        assert response.status_code in (200, 303), response.get_data(as_text=True)[:500]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("path", [action[0] for action in ACTIONS] + ["assign"])
def test_anonymous_visitors_posting_to_a_case_get_the_login_page(client, path):
    case = new_case()

    response = client.post(f"/cases/{case.id}/{path}")

    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", ["/inbox", "/inbox/rows", "/inbox?view=mine", "/inbox/rows?view=breached"])
def test_anonymous_visitors_reading_the_inbox_get_the_login_page(client, path):
    response = client.get(path)

    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", list(Role))
def test_assigning_is_for_leads_and_the_owner(client, auth, make_user, csrf_from, role):
    colleague = make_user(Role.AGENT, name="Collega")
    actor = make_user(role)
    case = new_case()
    auth.login_as(actor)

    response = _post(client, csrf_from, case, "assign", {"assign-assignee": str(colleague.id)})

    assert response.status_code == (303 if role == Role.LEAD else 403)


def test_the_owner_agent_may_reassign_their_own_case(client, auth, make_user, csrf_from):
    owner, colleague = make_user(Role.AGENT), make_user(Role.AGENT)
    case = new_case(owner=owner)
    auth.login_as(owner)

    response = _post(client, csrf_from, case, "assign", {"assign-assignee": str(colleague.id)})

    assert response.status_code == 303
