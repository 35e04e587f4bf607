"""The access log: case views are logged with who, what, which resident and from where; the log cannot change."""

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DatabaseError

from tests.conftest import AuthActions
from tests.workflow.inbox_builders import new_case
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.records.models import AccessKind, AccessLogEntry


def test_opening_a_case_writes_one_entry_with_the_viewer_the_resident_and_the_address(app, client, auth, make_user):
    agent = make_user(Role.AGENT, name="Sanne")
    case = new_case(author=("fatima", "Fatima El Amrani"))
    auth.login_as(agent)

    assert client.get(f"/cases/{case.id}", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200

    entries = db.session.scalars(select(AccessLogEntry)).all()
    assert [(e.kind, e.user_id, e.case_id, e.author_id, e.address) for e in entries] == [
        (AccessKind.CASE_VIEW, agent.id, case.id, case.author_id, "10.1.2.3")
    ]


def test_a_missing_case_or_an_inbox_page_is_not_logged(app, client, auth, make_user):
    auth.login_as(make_user(Role.AGENT))

    client.get("/cases/987654")
    client.get("/inbox")

    assert db.session.scalars(select(AccessLogEntry)).all() == []


def test_the_privacy_officer_finds_accesses_per_person_and_per_resident(app, client, auth, make_user):
    agent = make_user(Role.AGENT, name="Sanne")
    officer = make_user(Role.PRIVACY_OFFICER)
    case = new_case(author=("fatima.elamrani", "Fatima El Amrani"))
    other = new_case(author=("kees", "Kees Smit"))
    auth.login_as(agent)
    client.get(f"/cases/{case.id}")
    client.get(f"/cases/{other.id}")
    officer_client = app.test_client()
    AuthActions(officer_client).login_as(officer)

    by_person = officer_client.get(f"/records/access-log?user={agent.id}").get_data(as_text=True)
    by_resident = officer_client.get("/records/access-log?resident=Fatima").get_data(as_text=True)

    assert f"#{case.id}" in by_person and f"#{other.id}" in by_person
    assert f"#{case.id}" in by_resident and f"#{other.id}" not in by_resident


def test_agents_may_not_read_the_access_log(app, client, auth, make_user):
    auth.login_as(make_user(Role.AGENT))

    assert client.get("/records/access-log").status_code == 403


@pytest.mark.parametrize("change", ["UPDATE access_log SET address = 'x'", "DELETE FROM access_log"])
def test_the_database_refuses_to_change_or_remove_log_entries(app, client, auth, make_user, change):
    auth.login_as(make_user(Role.AGENT))
    client.get(f"/cases/{new_case().id}")

    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(change))
    db.session.rollback()
    assert db.session.scalar(select(AccessLogEntry.address)) != "x"


def test_logging_a_case_view_costs_the_case_page_one_insert_that_finds_the_resident_itself(
    app, client, auth, make_user
):
    case = new_case()
    auth.login_as(make_user(Role.AGENT))
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert client.get(f"/cases/{case.id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)

    touching_the_log = [statement for statement in statements if "access_log" in statement]
    assert len(touching_the_log) == 1
    insert = touching_the_log[0].upper()
    assert insert.lstrip().startswith("INSERT") and "SELECT" in insert and "FROM CASES" in insert
