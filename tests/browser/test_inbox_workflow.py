"""The case workflow in the browser: keyboard to a case, claim, note, escalate, resolve; a colleague's presence; a11y."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AGENT_NAME, _open_page, assert_accessible, log_in
from tests.conftest import message_line
from webcare.timeutil import UTC

pytestmark = pytest.mark.browser

COLLEAGUE_EMAIL = "mehmet@lindeburg.example"
COLLEAGUE_NAME = "Mehmet Yilmaz"
COLLEAGUE_PASSWORD = "browser-test-collega"


@pytest.fixture(scope="module")
def colleague(live_server) -> str:
    live_server.cli(
        "user", "create", COLLEAGUE_EMAIL, "--name", COLLEAGUE_NAME, "--role", "agent", "--password", COLLEAGUE_PASSWORD
    )
    return COLLEAGUE_EMAIL


@pytest.fixture
def fresh_case(live_server, agent_page) -> str:
    """A new case posted through the API for this test only; returns a phrase unique to its text."""
    phrase = f"kermis-{uuid.uuid4().hex[:8]}"
    live_server.post_messages(
        message_line(
            f"workflow-{phrase}",
            base=datetime.now(UTC),
            text=f"Wie ruimt het afval van de {phrase} op de Markt op?",
            author={"id": f"resident-{phrase}", "handle": f"markt_{phrase}", "name": "Anouk de Markt"},
        )
    )
    return phrase


def _english(page) -> None:
    english = page.get_by_role("button", name="English")
    if english.count():
        english.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _open_case_with_keys(page, phrase: str) -> None:
    page.goto(f"/inbox?q={phrase}")
    expect(page.locator("#case-rows a", has_text=phrase)).to_have_count(1, timeout=15000)
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(page.locator("#case-rows a", has_text=phrase)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))


def test_an_agent_works_a_case_with_keys_and_forms_and_a_colleague_sees_it(
    browser, live_server, agent_page, fresh_case, colleague
):
    page = agent_page
    _english(page)
    _open_case_with_keys(page, fresh_case)
    case_url = page.url

    page.locator("h1").click()
    page.keyboard.press("c")
    expect(page.get_by_role("status").filter(has_text="You have claimed this case.")).to_be_visible()
    expect(page.locator("#case-owner")).to_have_text(AGENT_NAME)

    page.locator("h1").click()
    page.keyboard.press("n")
    expect(page.locator("#note-text")).to_be_focused()
    page.keyboard.type("Navragen bij de evenementenorganisatie")
    page.keyboard.press("c")  # typed into the note, not a shortcut
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".note-list")).to_contain_text("Navragen bij de evenementenorganisatiec")

    with _open_page(browser, live_server) as colleague_page:
        log_in(colleague_page, COLLEAGUE_EMAIL, COLLEAGUE_PASSWORD)
        colleague_page.goto(case_url)
        expect(page.locator("#presence")).to_contain_text(f"{COLLEAGUE_NAME}", timeout=12000)
        colleague_page.locator("#note-text").click()
        colleague_page.keyboard.type("Ik kijk ook even mee")
        expect(page.locator("#presence")).to_contain_text("is typing", timeout=12000)
        expect(colleague_page.locator("#presence")).to_contain_text(AGENT_NAME, timeout=12000)

    page.locator("h1").click()
    page.keyboard.press("e")
    expect(page.locator("#escalate-department")).to_be_focused()
    page.locator("#escalate-department").select_option(label="Afval")
    page.locator("#escalate-note").fill("Graag laten opruimen voor maandag")
    page.get_by_role("button", name="Escalate", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("Waiting on department")
    page.locator("#answer-text").fill("Wordt zondag opgeruimd")
    page.get_by_role("button", name="Record answer").click()
    expect(page.locator("#case-status")).to_have_text("Open")

    page.locator("h1").click()
    page.keyboard.press("r")
    page.get_by_label("Answered").check()
    page.locator("#resolve-panel").get_by_role("button", name="Resolve").click()
    expect(page.locator("#case-status")).to_have_text("Resolved")
    timeline = page.locator("ol.timeline")
    for words in [
        "Claimed",
        "Internal note",
        "Escalated",
        "Department answered",
        "Resolved",
        "Outcome: none → Answered",
    ]:
        expect(timeline).to_contain_text(words)
    assert_accessible(page)


def test_j_and_k_move_through_the_rows_and_shortcuts_can_be_switched_off(agent_page):
    page = agent_page
    _english(page)
    links = page.locator("#case-rows a[id^='case-link-']")
    page.locator("h1").click()

    page.keyboard.press("j")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(links.nth(0)).to_be_focused()

    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_have_attribute("open", "")
    page.get_by_label("Use single-key shortcuts").uncheck()
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(links.nth(0)).not_to_be_focused()
    page.reload()
    page.locator("#shortcuts-help summary").click()
    expect(page.get_by_label("Use single-key shortcuts")).not_to_be_checked()
    page.get_by_label("Use single-key shortcuts").check()
    assert_accessible(page)


def test_the_inbox_views_and_the_case_page_pass_axe(agent_page):
    page = agent_page
    page.goto("/inbox?view=unassigned")
    expect(page.locator("nav.inbox-views a[aria-current='page']")).to_be_visible()
    assert_accessible(page)
    page.goto("/inbox?view=breached")
    assert_accessible(page)
    page.locator("nav.inbox-views a").first.click()
    page.locator("#case-rows a").first.click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    for panel in ("#escalate-panel", "#resolve-panel"):
        page.locator(f"{panel} summary").click()
        expect(page.locator(panel)).to_have_attribute("open", "")
    page.locator("#shortcuts-help summary").click()
    assert_accessible(page)
