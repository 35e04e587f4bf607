"""The records manager's destruction list pages: propose, approve with CSRF, reject with a reason, holds."""

from sqlalchemy import select

from tests.records.builders import closed_history
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.jobs import scheduled_jobs
from webcare.records.models import DestructionList, DestructionListStatus, LegalHold


def test_the_records_manager_proposes_and_approves_a_list_in_the_pages(app, client, auth, make_user, csrf_from):
    cases = closed_history(app, make_user)
    auth.login_as(make_user(Role.RECORDS_MANAGER))
    token = csrf_from(client.get("/records/destruction-lists").get_data(as_text=True))

    proposed = client.post("/records/destruction-lists/propose", data={"propose-csrf_token": token})
    page = client.get(proposed.headers["Location"]).get_data(as_text=True)
    approved = client.post(
        proposed.headers["Location"] + "/approve", data={"approve-csrf_token": token, "approve-note": "Akkoord archief"}
    )

    assert proposed.status_code == 303 and f"#{cases['a'].id}" in page
    assert approved.status_code == 303
    assert db.session.scalar(select(DestructionList.status)) == DestructionListStatus.APPROVED
    assert db.session.scalar(select(Message.text).where(Message.case_id == cases["a"].id)) == ""


def test_rejecting_needs_a_reason_and_keeps_the_cases(app, client, auth, make_user, csrf_from):
    cases = closed_history(app, make_user)
    auth.login_as(make_user(Role.RECORDS_MANAGER))
    token = csrf_from(client.get("/records/destruction-lists").get_data(as_text=True))
    location = client.post("/records/destruction-lists/propose", data={"propose-csrf_token": token}).headers["Location"]

    without_reason = client.post(location + "/reject", data={"reject-csrf_token": token, "reject-note": ""})
    with_reason = client.post(location + "/reject", data={"reject-csrf_token": token, "reject-note": "Nog in gebruik"})

    assert without_reason.status_code == 400 and with_reason.status_code == 303
    assert db.session.scalar(select(DestructionList.status)) == DestructionListStatus.REJECTED
    assert db.session.scalar(select(Message.text).where(Message.case_id == cases["a"].id)) != ""


def test_a_hold_is_placed_on_an_existing_case_only(app, client, auth, make_user, csrf_from):
    cases = closed_history(app, make_user)
    auth.login_as(make_user(Role.RECORDS_MANAGER))
    token = csrf_from(client.get("/records/destruction-lists").get_data(as_text=True))

    missing = client.post(
        "/records/holds", data={"hold-csrf_token": token, "hold-case_id": "987654", "hold-reason": "WOO"}
    )
    placed = client.post(
        "/records/holds",
        data={"hold-csrf_token": token, "hold-case_id": str(cases["a"].id), "hold-reason": "WOO-verzoek"},
    )

    assert missing.status_code == 400 and placed.status_code == 303
    assert db.session.scalar(select(LegalHold.case_id)) == cases["a"].id


def test_agents_and_managers_may_not_open_the_destruction_lists(app, client, auth, make_user):
    auth.login_as(make_user(Role.MANAGER, Role.LEAD, Role.AGENT, Role.ADMIN))

    assert client.get("/records/destruction-lists").status_code == 403


def test_the_scheduler_proposes_destruction_lists_and_pseudonymises_daily(app):
    jobs = {job.id: job for job in scheduled_jobs(app)}

    assert jobs["destruction-list"].seconds == jobs["pseudonymise-authors"].seconds == 86400
