"""Case workflow services: who may do what, which transitions are allowed, and the events they leave."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.workflow.inbox_builders import BASE, minutes, new_case
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox import services
from webcare.inbox.models import CaseEvent, CaseStatus, InvalidTransition
from webcare.inbox.services import CaseAlreadyClaimed, InvalidChoice, NotAllowed


def events_of(case, kind):
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)))


def only_event(case, kind):
    found = events_of(case, kind)
    assert len(found) == 1, f"expected one {kind} event, found {len(found)}"
    return found[0]


def test_an_agent_claims_an_unowned_case_which_opens_it_and_records_who_and_when(make_user):
    agent = make_user(Role.AGENT, name="Sanne")
    case = new_case()

    services.claim_case(case, by=agent, now=BASE + minutes(5))

    assert case.owner == agent and case.status == CaseStatus.OPEN
    event = only_event(case, "claimed")
    assert event.actor == agent and event.at == BASE + minutes(5)
    assert event.details["before"] == {"owner": None, "status": "new"}
    assert event.details["after"] == {"owner": {"id": agent.id, "name": "Sanne"}, "status": "open"}


def test_claiming_a_case_someone_else_owns_fails_and_changes_nothing(make_user):
    sanne, joost = make_user(Role.AGENT, name="Sanne"), make_user(Role.AGENT, name="Joost")
    case = new_case()
    services.claim_case(case, by=sanne)

    with pytest.raises(CaseAlreadyClaimed) as taken:
        services.claim_case(case, by=joost)

    assert taken.value.owner == sanne
    assert case.owner == sanne and len(events_of(case, "claimed")) == 1


def test_claiming_your_own_case_again_is_harmless(make_user):
    agent = make_user(Role.AGENT)
    case = new_case()
    services.claim_case(case, by=agent)

    services.claim_case(case, by=agent)

    assert len(events_of(case, "claimed")) == 1


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_only_read_cases(make_user, role):
    reader = make_user(role)
    case = new_case()

    with pytest.raises(NotAllowed):
        services.claim_case(case, by=reader)
    with pytest.raises(NotAllowed):
        services.add_note(case, "kijk hiernaar", by=reader)
    with pytest.raises(NotAllowed):
        services.resolve_case(case, "answered", "", by=reader)
    with pytest.raises(NotAllowed):
        services.escalate_case(case, "afval", "graag oppakken", by=reader)
    assert services.allowed_actions(reader, case) == frozenset()
    assert db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all() == []


def test_a_resolved_case_cannot_be_claimed(make_user):
    agent = make_user(Role.AGENT)
    case = new_case(status=CaseStatus.RESOLVED)

    with pytest.raises(InvalidTransition):
        services.claim_case(case, by=agent)

    assert case.owner is None


def test_a_lead_assigns_and_reassigns_and_both_owners_are_recorded(make_user):
    lead = make_user(Role.LEAD, name="Joost")
    sanne, mehmet = make_user(Role.AGENT, name="Sanne"), make_user(Role.AGENT, name="Mehmet")
    case = new_case()

    services.assign_case(case, sanne, by=lead)
    services.assign_case(case, mehmet, by=lead)

    assert case.owner == mehmet
    assert only_event(case, "assigned").details["after"]["owner"]["name"] == "Sanne"
    reassigned = only_event(case, "reassigned")
    assert reassigned.actor == lead
    assert reassigned.details["before"]["owner"]["name"] == "Sanne"
    assert reassigned.details["after"]["owner"]["name"] == "Mehmet"


def test_an_owner_may_hand_their_case_over_but_another_agent_may_not(make_user):
    sanne, mehmet, eva = make_user(Role.AGENT), make_user(Role.AGENT), make_user(Role.AGENT)
    case = new_case()
    services.claim_case(case, by=sanne)

    with pytest.raises(NotAllowed):
        services.assign_case(case, eva, by=mehmet)
    services.assign_case(case, mehmet, by=sanne)

    assert case.owner == mehmet


def test_an_agent_may_not_assign_an_unowned_case_but_may_claim_it(make_user):
    sanne, mehmet = make_user(Role.AGENT), make_user(Role.AGENT)
    case = new_case()

    with pytest.raises(NotAllowed):
        services.assign_case(case, mehmet, by=sanne)
    assert services.allowed_actions(sanne, case) >= {"claim", "note", "escalate", "resolve", "ignore"}
    assert "assign" not in services.allowed_actions(sanne, case)


def test_cases_go_only_to_people_who_work_cases(make_user):
    lead, manager = make_user(Role.LEAD), make_user(Role.MANAGER)
    case = new_case()

    with pytest.raises(InvalidChoice):
        services.assign_case(case, manager, by=lead)

    assert case.owner is None
    assert manager not in services.assignable_users()


def test_a_note_is_an_event_with_its_text_and_a_blank_note_is_refused(make_user):
    agent = make_user(Role.AGENT, name="Sanne")
    case = new_case(status=CaseStatus.RESOLVED)

    services.add_note(case, "Inwoner belde ook al", by=agent, now=BASE + minutes(1))
    with pytest.raises(InvalidChoice):
        services.add_note(case, "   ", by=agent)

    note = only_event(case, "note")
    assert note.details == {"text": "Inwoner belde ook al"} and note.actor == agent


def test_escalating_waits_on_the_department_until_its_answer_reopens_the_case(make_user):
    agent = make_user(Role.AGENT)
    case = new_case(status=CaseStatus.OPEN)

    services.escalate_case(case, "afval", "Container staat er al een week", by=agent)
    assert (case.status, case.escalated_to) == (CaseStatus.WAITING_ON_DEPARTMENT, "afval")
    escalated = only_event(case, "escalated")
    assert escalated.details["before"] == {"status": "open", "escalated_to": None}
    assert escalated.details["after"] == {"status": "waiting_on_department", "escalated_to": "afval"}
    assert escalated.details["note"] == "Container staat er al een week"

    services.record_department_answer(case, "Wordt morgen geleegd", by=agent)
    assert (case.status, case.escalated_to) == (CaseStatus.OPEN, None)
    answered = only_event(case, "department_answered")
    assert answered.details["department"] == "afval" and answered.details["text"] == "Wordt morgen geleegd"
    assert answered.details["before"]["status"] == "waiting_on_department"
    assert answered.details["after"]["status"] == "open"


def test_escalation_needs_a_known_department_and_a_note(make_user):
    agent = make_user(Role.AGENT)
    case = new_case()

    with pytest.raises(InvalidChoice):
        services.escalate_case(case, "brandweer", "graag oppakken", by=agent)
    with pytest.raises(InvalidChoice):
        services.escalate_case(case, "afval", "", by=agent)

    assert case.status == CaseStatus.NEW and events_of(case, "escalated") == []


def test_a_case_cannot_be_escalated_twice_nor_answered_without_escalation(make_user):
    agent = make_user(Role.AGENT)
    case = new_case()

    with pytest.raises(InvalidTransition):
        services.record_department_answer(case, "antwoord", by=agent)
    services.escalate_case(case, "parkeren", "vraag over vergunning", by=agent)
    with pytest.raises(InvalidTransition):
        services.escalate_case(case, "afval", "nog een keer", by=agent)

    assert case.escalated_to == "parkeren"


def test_resolving_sets_the_outcome_and_the_resolution_time(make_user):
    agent = make_user(Role.AGENT)
    case = new_case(arrived_at=BASE)

    services.resolve_case(case, "answered", "Uitgelegd hoe het werkt", by=agent, now=BASE + minutes(90))

    assert case.status == CaseStatus.RESOLVED and case.outcome == "answered"
    assert case.resolved_at == BASE + minutes(90) and case.resolution_seconds == 90 * 60
    resolved = only_event(case, "resolved")
    assert resolved.details["after"] == {"status": "resolved", "outcome": "answered"}
    assert resolved.details["before"] == {"status": "new", "outcome": None}
    assert resolved.details["note"] == "Uitgelegd hoe het werkt"


def test_the_outcome_other_needs_a_note_and_unknown_outcomes_are_refused(make_user):
    agent = make_user(Role.AGENT)
    case = new_case()

    with pytest.raises(InvalidChoice):
        services.resolve_case(case, "other", "", by=agent)
    with pytest.raises(InvalidChoice):
        services.resolve_case(case, "opgelost", "", by=agent)
    services.resolve_case(case, "other", "Doorgestuurd naar de wijkagent", by=agent)

    assert case.outcome == "other"


def test_a_resolved_case_is_reopened_with_a_reason_and_cannot_be_resolved_twice(make_user):
    agent = make_user(Role.AGENT)
    case = new_case()
    services.resolve_case(case, "duplicate", "", by=agent)

    with pytest.raises(InvalidTransition):
        services.resolve_case(case, "answered", "", by=agent)
    with pytest.raises(InvalidChoice):
        services.reopen_case(case, "", by=agent)
    services.reopen_case(case, "Inwoner is niet tevreden", by=agent)

    assert case.status == CaseStatus.REOPENED and case.outcome is None
    reopened = only_event(case, "reopened")
    assert reopened.details["reason"] == "Inwoner is niet tevreden"
    assert reopened.details["before"] == {"status": "resolved", "outcome": "duplicate"}


def test_an_active_case_cannot_be_reopened(make_user):
    agent = make_user(Role.AGENT)
    case = new_case(status=CaseStatus.OPEN)

    with pytest.raises(InvalidTransition):
        services.reopen_case(case, "waarom niet", by=agent)


def test_ignoring_needs_a_reason_and_is_kept_in_the_timeline(make_user):
    lead = make_user(Role.LEAD)
    case = new_case()

    with pytest.raises(InvalidChoice):
        services.ignore_case(case, " ", by=lead)
    services.ignore_case(case, "Spam", by=lead)

    assert case.status == CaseStatus.IGNORED
    ignored = only_event(case, "ignored")
    assert ignored.details == {"before": {"status": "new"}, "after": {"status": "ignored"}, "reason": "Spam"}


def test_a_case_waiting_on_the_resident_cannot_be_ignored(make_user):
    agent = make_user(Role.AGENT)
    case = new_case(status=CaseStatus.WAITING_ON_RESIDENT)

    with pytest.raises(InvalidTransition):
        services.ignore_case(case, "geen reactie meer", by=agent)
    assert "ignore" not in services.allowed_actions(agent, case)


def test_the_controls_offered_follow_the_status(make_user):
    agent = make_user(Role.AGENT)
    waiting = new_case(status=CaseStatus.WAITING_ON_DEPARTMENT, escalated_to="afval")
    resolved = new_case(status=CaseStatus.RESOLVED)

    assert "answer" in services.allowed_actions(agent, waiting)
    assert "escalate" not in services.allowed_actions(agent, waiting)
    assert services.allowed_actions(agent, resolved) == {"note", "reopen"}


def test_departments_are_the_municipal_list_plus_those_of_the_active_protocol(app):
    from pathlib import Path

    from webcare.protocol.services import activate_file, active_protocol

    assert set(services.DEPARTMENTS) == {
        "afval",
        "openbare-ruimte",
        "parkeren",
        "burgerzaken",
        "belastingen",
        "zorg",
        "communicatie",
        "teamleider",
    }
    activate_file(Path(app.root_path) / "protocols" / "gemeente.yaml")
    named = {topic.department for topic in active_protocol().vocabulary.topics if topic.department}

    assert named and named <= set(services.departments())
