"""Replies in the browser: a lead sets mandates; an agent sends within the mandate; outside it a lead approves."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    LiveServer,
    _free_port,
    _open_page,
    _wait_until_serving,
    _webcare_command,
    assert_accessible,
    log_in,
)
from tests.conftest import message_line
from webcare.timeutil import UTC

pytestmark = pytest.mark.browser

TOPIC_LINK = "https://www.lindeburg.example/burgerzaken"  # the protocol's information link for the passport topic
AGENT = ("priya@lindeburg.example", "Priya Ramdin", "browser-agent-wachtwoord")
LEAD = ("joost@lindeburg.example", "Joost Bakker", "browser-lead-wachtwoord")


def _prepare(env: dict[str, str]) -> str:
    """Users, the active protocol and an API token, written straight into the server's database."""
    from webcare.app import create_app
    from webcare.auth.models import Role
    from webcare.auth.services import create_api_token, create_user
    from webcare.demo import ensure_demo_accounts
    from webcare.extensions import db
    from webcare.protocol.services import activate_file
    from webcare.resources import resource_dir

    previous = os.environ.get("WEBCARE_INSTANCE_PATH")
    os.environ["WEBCARE_INSTANCE_PATH"] = env["WEBCARE_INSTANCE_PATH"]
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": env["WEBCARE_DATABASE_URL"]})
    finally:
        if previous is None:
            os.environ.pop("WEBCARE_INSTANCE_PATH")
        else:
            os.environ["WEBCARE_INSTANCE_PATH"] = previous
    with app.app_context():
        create_user(AGENT[0], AGENT[1], AGENT[2], {Role.AGENT})
        create_user(LEAD[0], LEAD[1], LEAD[2], {Role.LEAD, Role.AGENT})
        activate_file(resource_dir("protocols") / "gemeente.yaml")
        token = create_api_token("approval-flow")
        ensure_demo_accounts()
        db.session.remove()
        db.engine.dispose()
    return token


@pytest.fixture(scope="module")
def approval_server(tmp_path_factory, browser) -> Iterator[LiveServer]:
    """Its own `webcare serve` with the municipal protocol active, so the shared server's cases stay untriaged."""
    folder = tmp_path_factory.mktemp("approval-server")
    env = {
        **os.environ,
        "WEBCARE_INSTANCE_PATH": str(folder / "instance"),
        "WEBCARE_DATABASE_URL": f"sqlite:///{folder / 'webcare.sqlite'}",
        "WEBCARE_SECRET_KEY": "browser-tests-only",
        "WEBCARE_LOG_LEVEL": "WARNING",
        "WEBCARE_DEMO_TRICKLE_SECONDS": "0",
    }
    env.pop("FLASK_APP", None)
    port = _free_port()
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, api_token="", log_path=folder / "server.log")
    server.cli("db", "upgrade")
    server.api_token = _prepare(env)
    with server.log_path.open("wb") as log:
        server.process = subprocess.Popen(
            [_webcare_command(), "serve", "--port", str(port), "--threads", "4"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_serving(server)
        yield server
    finally:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture(autouse=True, scope="module")
def patient_expectations() -> Iterator[None]:
    """On a machine busy with another full test run every page is slower: expectations keep waiting on the
    state for up to 30 s (they return as soon as it shows) instead of Playwright's 5 s."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


@contextmanager
def _patient_page(browser, server: LiveServer) -> Iterator:
    with _open_page(browser, server) as page:
        page.set_default_timeout(30_000)
        yield page


def _post_question(server: LiveServer, **fields) -> str:
    phrase = f"paspoort-{uuid.uuid4().hex[:8]}"
    server.post_messages(
        message_line(
            f"flow-{phrase}",
            base=datetime.now(UTC),
            text=f"Hoe vraag ik een nieuw paspoort aan? ({phrase})",
            author={"id": f"resident-{phrase}", "handle": f"bewoner_{phrase[-8:]}", "name": "Fatima El Amrani"},
            **fields,
        )
    )
    return phrase


# How long the server's worker may take on a machine busy with other test runs; a test waits only as long as
# the state takes to arrive, so the bound costs nothing when the machine is quiet.
STATE_TIMEOUT = 180.0


def _wait_for_state(server: LiveServer, query: str, phrase: str, wanted: str) -> None:
    """Wait until `query` (one `?` for the phrase) answers `wanted` in the server's database."""
    path = server.env["WEBCARE_DATABASE_URL"].removeprefix("sqlite:///")
    deadline = time.monotonic() + STATE_TIMEOUT
    found = None
    while time.monotonic() < deadline:
        with closing(sqlite3.connect(path, timeout=30)) as database:
            row = database.execute(query, (f"%{phrase}%",)).fetchone()
        found = row[0] if row else None
        if found == wanted:
            return
        time.sleep(0.1)  # polling the state, not waiting for time to pass: returns as soon as it is there
    pytest.fail(f"after {STATE_TIMEOUT:.0f} s the state is still {found!r}, not {wanted!r}")


MESSAGE_STATUS = "SELECT status FROM messages WHERE text LIKE ? ORDER BY id DESC LIMIT 1"
REPLY_STATUS = (
    "SELECT replies.status FROM replies JOIN messages ON messages.case_id = replies.case_id "
    "WHERE messages.text LIKE ? ORDER BY replies.id DESC LIMIT 1"
)


def _open_case(page, phrase: str) -> None:
    page.goto(f"/inbox?q={phrase}")
    link = page.locator("#case-rows a", has_text=phrase)
    expect(link).to_have_count(1, timeout=15000)
    link.click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))


def _reply_with_the_suggested_template(page) -> None:
    template = page.locator("#reply-template")
    expect(template).to_have_value("antwoord-vraag")
    text = page.locator("#reply-text")
    expect(text).to_have_value(re.compile(r"^Hoi Fatima, dank je voor je vraag"))
    assert TOPIC_LINK in text.input_value() and "{" not in text.input_value()


@pytest.fixture(scope="module")
def mandates_set(browser, approval_server) -> None:
    """The lead sets the matrix through the mandate page: agents send private low-risk replies; leads send all."""
    warm_up = _post_question(approval_server)
    with _open_page(browser, approval_server) as page:
        # The server compiles the protocol (and runs its examples) once, on first use: give that time here.
        page.set_default_timeout(60000)
        log_in(page, LEAD[0], LEAD[2])
        page.goto(f"/inbox?q={warm_up}")
        expect(page.locator("#case-rows a", has_text=warm_up)).to_have_count(1, timeout=60000)
        page.set_default_timeout(10000)
        page.goto("/mandates")
        for subject, risk, visibility in (("role:agent", "low", "private"), ("role:lead", "", "")):
            page.locator("#add-subject").select_option(subject)
            page.locator("#add-risk").select_option(risk)
            page.locator("#add-visibility").select_option(visibility)
            page.locator("#add-permission").select_option("may_send")
            page.locator("form.rule-form button[type=submit]").click()
            expect(page.locator(".flash")).to_be_visible()
        expect(page.locator("table.mandates tbody tr")).to_have_count(2)
        assert_accessible(page)


def test_an_agent_replies_privately_with_the_protocols_template_within_the_mandate_and_it_is_sent(
    browser, approval_server, mandates_set
):
    phrase = _post_question(approval_server, channel="whatsapp", account="+31600000123", is_public=False)
    _wait_for_state(approval_server, MESSAGE_STATUS, phrase, "done")
    with _patient_page(browser, approval_server) as page:
        log_in(page, AGENT[0], AGENT[2])
        _open_case(page, phrase)
        expect(page.locator("#reply-mandate")).to_contain_text(re.compile("direct|directly"))
        _reply_with_the_suggested_template(page)
        page.locator(".reply-form button[type=submit]").click()

        expect(page).to_have_url(re.compile(r"/cases/\d+$"))
        _wait_for_state(approval_server, REPLY_STATUS, phrase, "sent")
        page.reload()
        expect(page.locator(".reply-state.reply-sent")).to_contain_text(TOPIC_LINK)
        expect(page.locator(".message-outbound").last).to_contain_text("Hoi Fatima")
        assert_accessible(page)


def test_a_reply_outside_the_mandate_waits_until_a_lead_approves_it_and_is_then_sent(
    browser, approval_server, mandates_set
):
    phrase = _post_question(approval_server)
    _wait_for_state(approval_server, MESSAGE_STATUS, phrase, "done")
    with _patient_page(browser, approval_server) as agent:
        log_in(agent, AGENT[0], AGENT[2])
        _open_case(agent, phrase)
        case_url = agent.url
        expect(agent.locator("label[for=reply-visibility-public]")).to_contain_text(re.compile("goedkeuren|approve"))
        _reply_with_the_suggested_template(agent)
        agent.locator(".reply-form button[type=submit]").click()
        expect(agent.locator(".reply-state.reply-pending_approval")).to_be_visible()

        with _patient_page(browser, approval_server) as lead:
            log_in(lead, LEAD[0], LEAD[2])
            lead.goto("/approvals")
            row = lead.locator("table.approvals tbody tr", has_text=phrase)
            expect(row).to_have_count(1)
            assert_accessible(lead)
            row.locator("td a").nth(1).click()
            expect(lead.locator("h1")).to_contain_text("#")
            assert_accessible(lead)
            lead.get_by_role("button", name=re.compile("Goedkeuren|Approve")).click()
            expect(lead.locator(".flash")).to_contain_text(re.compile("verzendwachtrij|outbox"))

        _wait_for_state(approval_server, REPLY_STATUS, phrase, "sent")
        agent.goto(case_url)
        sent = agent.locator(".reply-state.reply-sent")
        expect(sent).to_contain_text(LEAD[1])
        expect(agent.locator(".message-outbound").last).to_contain_text(TOPIC_LINK)


def test_a_reply_by_slash_template_fills_every_placeholder_and_is_sent_without_leaving_the_page(
    browser, approval_server, mandates_set
):
    phrase = _post_question(approval_server, channel="whatsapp", account="+31600000123", is_public=False)
    with _open_page(browser, approval_server) as page:
        log_in(page, AGENT[0], AGENT[2])
        _open_case(page, phrase)
        page.evaluate("window.__samePage = true")
        page.locator("#claim-button").click()
        expect(page.locator("#case-owner")).to_have_text(AGENT[1])
        expect(page.locator("#reply-send")).to_have_text("Versturen")

        text = page.locator("#reply-text")
        text.fill("")
        text.type("/feiten")
        expect(page.locator("#template-suggestions li").first).to_have_text("/feiten-met-bron")
        text.press("Enter")
        # The passport topic has an information link but no source for corrections: {bron} is left, marked.
        expect(page.locator("#reply-unfilled")).to_contain_text("Nog in te vullen: {bron}")
        expect(page.locator("#reply-preview mark")).to_have_text("{bron}")

        text.fill("")
        text.type("/antwoord")
        text.press("Enter")
        expect(text).to_have_value(re.compile(r"^Hoi Fatima, dank je voor je vraag over .*" + re.escape(TOPIC_LINK)))
        expect(page.locator("#reply-unfilled")).to_be_empty()
        expect(page.locator("#reply-template")).to_have_value("antwoord-vraag")
        assert_accessible(page)
        text.press("Control+Enter")

        expect(page.locator(".flash-success")).to_be_visible()
        expect(page.locator(".reply-state").last).to_contain_text(TOPIC_LINK)
        assert page.evaluate("window.__samePage") is True


def test_a_lead_approves_from_the_queue_list_and_sees_the_conversation_and_rule_on_the_review_page(
    browser, approval_server, mandates_set
):
    phrase = _post_question(approval_server)
    with _open_page(browser, approval_server) as agent:
        log_in(agent, AGENT[0], AGENT[2])
        _open_case(agent, phrase)
        expect(agent.locator("#reply-send")).to_have_text("Ter goedkeuring aanbieden")
        _reply_with_the_suggested_template(agent)
        agent.locator("#reply-send").click()
        expect(agent.locator(".reply-state.reply-pending_approval")).to_be_visible()

    with _open_page(browser, approval_server) as lead:
        log_in(lead, LEAD[0], LEAD[2])
        lead.goto("/approvals")
        row = lead.locator("table.approvals tbody tr", has_text=phrase)
        expect(row).to_have_count(1)
        row.locator("td a").nth(1).click()
        expect(lead.locator(".messages")).to_contain_text(phrase)
        expect(lead.locator("#approval-rule")).not_to_be_empty()
        expect(lead.locator("#approval-clock")).to_contain_text(re.compile("nog|te laat"))
        assert_accessible(lead)

        lead.goto("/approvals")
        assert_accessible(lead)
        row.get_by_role("button", name=re.compile("^Goedkeuren")).click()
        expect(lead.locator(".flash")).to_contain_text(re.compile("verzendwachtrij|outbox"))
        expect(lead.locator("table.approvals tbody tr", has_text=phrase)).to_have_count(0)
