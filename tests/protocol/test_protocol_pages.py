"""The protocol page for leads: rules, examples, history and diff, upload, activation, simulator."""

import re

import pytest
from sqlalchemy import select

from webcare.auth.models import Role
from webcare.extensions import db
from webcare.protocol.models import ProtocolVersion
from webcare.protocol.services import activate_file, active_version
from webcare.resources import resource_dir

GEMEENTE = resource_dir("protocols") / "gemeente.yaml"


@pytest.fixture
def active(app):
    return activate_file(GEMEENTE)


def _changed_text(old: str) -> str:
    return (
        old.replace("version:", "version: '2.0'\n# previous version:", 1)
        if False
        else re.sub(r"^version: .*$", "version: 2.0-test", old, count=1, flags=re.MULTILINE)
    )


def test_every_staff_member_sees_the_rules_and_the_examples_passing(client, make_user, auth, active):
    auth.login_as(make_user(Role.AGENT))

    page = client.get("/protocol/").get_data(as_text=True)

    assert "dreiging" in page and "aanval-op-medewerker" in page
    passed, total = map(int, re.search(r"(\d+) (?:of|van de) (\d+)", page).groups())
    assert passed == total >= 40
    assert "activeren" not in page and "/protocol/upload" not in page


def test_a_lead_uploads_a_new_version_sees_the_diff_and_activates_it(client, make_user, auth, csrf_from, active):
    auth.login_as(make_user(Role.LEAD))
    token = csrf_from(client.get("/protocol/").get_data(as_text=True))
    new_text = _changed_text(GEMEENTE.read_text(encoding="utf-8"))

    stored = client.post("/protocol/upload", data={"text": new_text, "csrf_token": token})

    assert stored.status_code == 302, stored.get_data(as_text=True)[-600:]
    new = db.session.scalar(select(ProtocolVersion).where(ProtocolVersion.id != active.id))
    assert active_version().id == active.id
    diff = client.get(f"/protocol/diff?from={active.id}&to={new.id}").get_data(as_text=True)
    assert "+version: 2.0-test" in diff
    client.post(f"/protocol/versions/{new.id}/activate", data={"csrf_token": token})
    db.session.expire_all()
    assert active_version().id == new.id
    client.post(f"/protocol/versions/{active.id}/activate", data={"csrf_token": token})
    db.session.expire_all()
    assert active_version().id == active.id


def test_an_invalid_upload_is_refused_with_line_numbers_and_nothing_is_stored(
    client, make_user, auth, csrf_from, active
):
    auth.login_as(make_user(Role.LEAD))
    token = csrf_from(client.get("/protocol/").get_data(as_text=True))
    broken = GEMEENTE.read_text(encoding="utf-8").replace("feature: threat", "feature: threatt", 1)

    response = client.post("/protocol/upload", data={"text": broken, "csrf_token": token})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r"line \d+", page) and "threatt" in page
    assert len(db.session.scalars(select(ProtocolVersion)).all()) == 1


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER])
def test_only_leads_and_admins_change_or_simulate(client, make_user, auth, csrf_from, active, role):
    auth.login_as(make_user(role))
    token = csrf_from(client.get("/protocol/").get_data(as_text=True))

    assert client.post(f"/protocol/versions/{active.id}/activate", data={"csrf_token": token}).status_code == 403
    assert client.post("/protocol/upload", data={"text": "x", "csrf_token": token}).status_code == 403
    assert client.get("/protocol/simulate").status_code == 403


def test_the_simulator_page_reports_counts(client, make_user, auth, csrf_from, active):
    auth.login_as(make_user(Role.LEAD))
    page = client.get("/protocol/simulate").get_data(as_text=True)

    response = client.post(
        "/protocol/simulate", data={"version_id": active.id, "text": "", "days": 30, "csrf_token": csrf_from(page)}
    )

    assert response.status_code == 200
    assert re.search(r"0 (messages replayed|berichten)", response.get_data(as_text=True))


def test_an_empty_upload_shows_what_is_missing_instead_of_a_bare_error(client, make_user, auth, csrf_from, active):
    auth.login_as(make_user(Role.LEAD))
    token = csrf_from(client.get("/protocol/").get_data(as_text=True))

    response = client.post("/protocol/upload", data={"text": "", "csrf_token": token})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Reactieprotocol (YAML): Dit veld is vereist." in page and "Er is niets opgeslagen" in page
    assert len(db.session.scalars(select(ProtocolVersion)).all()) == 1
