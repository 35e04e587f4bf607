"""The case page: decision and trace, actions through the UI, the timeline in words, conflicts as 409/403/400."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from sqlalchemy import select

from tests.conftest import message_line
from tests.workflow.inbox_builders import new_case
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox import services
from webcare.inbox.models import Case, CaseStatus
from webcare.inbox.presence import heartbeat
from webcare.intake.services import import_jsonl
from webcare.worker import run_worker


def page_of(client, case) -> str:
    return client.get(f"/cases/{case.id}").get_data(as_text=True)


def post(client, csrf_from, case, path, **fields):
    token = csrf_from(page_of(client, case))
    return client.post(f"/cases/{case.id}/{path}", data={"csrf_token": token, **fields})


def test_the_page_shows_the_protocol_decision_with_its_rule_version_and_trace(app, client, auth, make_user):
    from webcare.protocol.services import activate_file

    activate_file(Path(app.root_path) / "protocols" / "gemeente.yaml")
    record = message_line("q1", text="Mijn kliko is al twee weken niet geleegd, wanneer komen jullie?")
    import_jsonl(io.BytesIO(json.dumps(record).encode()), source="test")
    run_worker(app, drain=True)
    case = db.session.scalar(select(Case))
    decision = case.applied_decision
    assert decision is not None
    auth.login_as(make_user(Role.AGENT))

    html = page_of(client, case)

    section = html[html.index('id="decision-heading"') : html.index('id="timeline-heading"')]
    assert decision.rule_id in section
    assert decision.protocol_version.label in section
    assert "trace-heading" in section and section.count("<li>") == len(decision.trace) >= 1


def test_a_case_without_a_decision_says_none_yet(client, auth, make_user):
    case = new_case()
    auth.login_as(make_user(Role.AGENT))

    html = page_of(client, case)

    section = html[html.index('id="decision-heading"') : html.index('id="timeline-heading"')]
    assert "None yet." in section or "Nog geen." in section


def in_english(app, client, csrf_from, case):
    """Switch the session to English; pages must then be fetched in a fresh app context (Flask-Babel caches in g)."""
    client.post("/locale", data={"locale": "en", "csrf_token": csrf_from(page_of(client, case))})


def test_an_agent_works_a_case_through_the_page_and_the_timeline_tells_it(app, client, auth, make_user, csrf_from):
    agent = make_user(Role.AGENT, name="Sanne Bakker")
    case = new_case()
    auth.login_as(agent)
    in_english(app, client, csrf_from, case)

    assert post(client, csrf_from, case, "claim").status_code == 303
    assert post(client, csrf_from, case, "notes", **{"note-text": "Belt morgen terug <b>echt</b>"}).status_code == 303
    assert (
        post(
            client, csrf_from, case, "escalate", **{"escalate-department": "afval", "escalate-note": "Container vol"}
        ).status_code
        == 303
    )
    assert (
        post(client, csrf_from, case, "department-answer", **{"answer-text": "Wordt vrijdag geleegd"}).status_code
        == 303
    )
    assert (
        post(client, csrf_from, case, "resolve", **{"resolve-outcome": "referred", "resolve-note": ""}).status_code
        == 303
    )
    with app.app_context():
        html = page_of(client, case)

    db.session.refresh(case)
    assert case.status == CaseStatus.RESOLVED and case.outcome == "referred" and case.owner == agent
    timeline = html[html.index('id="timeline-heading"') :]
    for words in [
        "Claimed",
        "Owner: nobody → Sanne Bakker",
        "Internal note",
        "Escalated",
        "Department: none → Afval",
        "Note: Container vol",
        "Department answered",
        "Wordt vrijdag geleegd",
        "Resolved",
        "Status: Open → Resolved",
        "Outcome: none → Referred elsewhere",
    ]:
        assert words in timeline, words
    assert "Belt morgen terug &lt;b&gt;echt&lt;/b&gt;" in html
    assert html.count("Sanne Bakker") >= 5


def test_claiming_a_case_a_colleague_already_claimed_answers_409_with_their_name(client, auth, make_user, csrf_from):
    colleague = make_user(Role.AGENT, name="Mehmet Yilmaz")
    case = new_case()
    auth.login_as(make_user(Role.AGENT))
    token = csrf_from(page_of(client, case))
    services.claim_case(case, by=colleague)

    response = client.post(f"/cases/{case.id}/claim", data={"csrf_token": token})

    assert response.status_code == 409
    assert "Mehmet Yilmaz" in response.get_data(as_text=True) and 'role="alert"' in response.get_data(as_text=True)


def test_an_action_that_no_longer_applies_answers_409(client, auth, make_user, csrf_from):
    lead = make_user(Role.LEAD)
    case = new_case(status=CaseStatus.OPEN)
    auth.login_as(make_user(Role.AGENT))
    token = csrf_from(page_of(client, case))
    services.resolve_case(case, "answered", "", by=lead)

    response = client.post(f"/cases/{case.id}/ignore", data={"csrf_token": token, "ignore-reason": "spam"})

    assert response.status_code == 409
    assert db.session.get(Case, case.id).status == CaseStatus.RESOLVED


def test_a_missing_reason_or_outcome_note_is_shown_on_the_field_with_400(client, auth, make_user, csrf_from):
    case = new_case()
    auth.login_as(make_user(Role.AGENT))

    no_reason = post(client, csrf_from, case, "ignore", **{"ignore-reason": ""})
    other_without_note = post(client, csrf_from, case, "resolve", **{"resolve-outcome": "other", "resolve-note": ""})
    unknown_department = post(
        client, csrf_from, case, "escalate", **{"escalate-department": "brandweer", "escalate-note": "x"}
    )

    assert no_reason.status_code == other_without_note.status_code == unknown_department.status_code == 400
    assert 'aria-invalid="true"' in no_reason.get_data(as_text=True)
    assert re.search(r'id="resolve-panel"\s+open', other_without_note.get_data(as_text=True))
    assert db.session.get(Case, case.id).status == CaseStatus.NEW


def test_a_post_without_csrf_token_is_refused(client, auth, make_user):
    case = new_case()
    auth.login_as(make_user(Role.AGENT))

    assert client.post(f"/cases/{case.id}/claim").status_code == 400
    assert db.session.get(Case, case.id).owner is None


def test_managers_see_the_case_without_workflow_controls(client, auth, make_user):
    case = new_case()
    auth.login_as(make_user(Role.MANAGER))

    html = page_of(client, case)

    assert 'id="claim-button"' not in html and "/notes" not in html and "/resolve" not in html


def test_the_presence_fragment_names_a_colleague_who_is_typing(app, client, auth, make_user, csrf_from):
    colleague = make_user(Role.AGENT, name="Sanne Bakker")
    case = new_case()
    heartbeat(case, by=colleague, is_typing=True)
    auth.login_as(make_user(Role.AGENT))
    in_english(app, client, csrf_from, case)
    token = csrf_from(page_of(client, case))

    with app.app_context():
        response = client.post(f"/cases/{case.id}/presence", data={"typing": "true"}, headers={"X-CSRFToken": token})

    assert response.status_code == 200
    assert "Sanne Bakker is typing" in response.get_data(as_text=True)
    assert 'role="status"' in page_of(client, case)


def test_the_reply_section_holds_the_composer_or_says_replies_cannot_be_sent_yet(client, auth, make_user):
    case = new_case()
    auth.login_as(make_user(Role.AGENT))

    html = page_of(client, case)

    reply = html[html.index('id="reply-heading"') : html.index('id="notes-heading"')]
    assert "<form" in reply or "no-composer" in reply
