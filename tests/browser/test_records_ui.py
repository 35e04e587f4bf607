"""The records manager in a real browser: proposes a destruction list, reviews it and approves it; a11y checked."""

from __future__ import annotations

import io
import json
import os
import time
import uuid
from contextlib import contextmanager
from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import message_line
from webcare.timeutil import UTC

pytestmark = pytest.mark.browser
RECORDS_PASSWORD = "archief-wachtwoord"
LONG_AGO = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)


@contextmanager
def _app_on(live_server):
    from webcare.app import create_app
    from webcare.extensions import db

    previous = os.environ.get("WEBCARE_INSTANCE_PATH")
    os.environ["WEBCARE_INSTANCE_PATH"] = live_server.env["WEBCARE_INSTANCE_PATH"]
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": live_server.env["WEBCARE_DATABASE_URL"]})
    finally:
        if previous is None:
            os.environ.pop("WEBCARE_INSTANCE_PATH")
        else:
            os.environ["WEBCARE_INSTANCE_PATH"] = previous
    with app.app_context():
        yield
        db.session.remove()
        db.engine.dispose()


def _closed_case_from_long_ago(live_server, key: str) -> int:
    """A question from 2024, threaded by the server's worker and resolved by a lead: its term has long passed."""
    from webcare.auth.models import Role
    from webcare.auth.services import create_user
    from webcare.extensions import db
    from webcare.inbox.models import Case, Message
    from webcare.inbox.services import resolve_case
    from webcare.intake.services import import_jsonl

    line = message_line(
        f"old-{key}",
        base=LONG_AGO,
        text="Wanneer wordt het oud papier opgehaald?",
        author={"id": f"old-{key}", "handle": f"oudbewoner{key}", "name": "Oude Bewoner"},
    )
    with _app_on(live_server):
        import_jsonl(io.BytesIO(json.dumps(line).encode() + b"\n"), source="browser-records")
        deadline = time.monotonic() + 20
        while (
            case_id := db.session.scalar(select(Message.case_id).where(Message.external_id == f"old-{key}"))
        ) is None:
            assert time.monotonic() < deadline, "the server's worker did not thread the message"
            db.session.rollback()
            time.sleep(0.2)
        lead = create_user(f"lead-{key}@lindeburg.example", "Lotte Lead", "lead-wachtwoord-1", {Role.LEAD})
        resolve_case(db.session.get(Case, case_id), "answered", by=lead, now=LONG_AGO)
    return case_id


@pytest.fixture
def records_page(page, live_server):
    email = f"archief-{uuid.uuid4().hex[:8]}@lindeburg.example"
    live_server.cli(
        "user", "create", email, "--name", "Ria Records", "--role", "records_manager", "--password", RECORDS_PASSWORD
    )
    log_in(page, email, RECORDS_PASSWORD)
    return page


def test_the_records_manager_reviews_and_approves_a_destruction_list(records_page, live_server):
    page = records_page
    case_id = _closed_case_from_long_ago(live_server, uuid.uuid4().hex[:8])

    page.goto("/records/destruction-lists")
    expect(page.get_by_role("heading", name="Bewaren en vernietigen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Nu een vernietigingslijst opstellen").click()

    expect(page.get_by_role("heading", name="Vernietigingslijst", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name=f"#{case_id}")).to_be_visible()
    expect(page.locator("#list-status")).to_have_text("Voorgesteld, wacht op goedkeuring")
    assert_accessible(page)

    page.locator("#approve-form textarea").fill("Akkoord na controle door het archief")
    page.get_by_role("button", name="Goedkeuren en vernietigen").click()

    expect(page.locator("#list-status")).to_have_text("Goedgekeurd, vernietigd")
    expect(page.locator(".flash")).to_contain_text("zaken vernietigd")
    expect(page.get_by_role("button", name="Goedkeuren en vernietigen")).to_have_count(0)
    assert_accessible(page)

    page.goto(f"/cases/{case_id}")
    expect(page.get_by_text("Wanneer wordt het oud papier opgehaald?")).to_have_count(0)
