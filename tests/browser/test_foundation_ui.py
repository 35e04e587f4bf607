"""The foundation UI in a real browser: login, inbox list, filters, paging, case thread, safety, language, a11y."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AGENT_NAME, PAGED_X_CASES, XSS_TEXT, assert_accessible, log_in
from tests.conftest import message_line
from webcare.timeutil import UTC

pytestmark = pytest.mark.browser

SEEDED_ACTIVE_CASES = PAGED_X_CASES + 4  # facebook thread, whatsapp, e-mail, web form


def case_rows(page):
    return page.locator("#case-rows tr")


def case_link(page, text: str):
    return page.locator("#case-rows a", has_text=text)


def test_agent_logs_in_and_sees_the_dutch_inbox(page):
    page.goto("/inbox")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")

    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_label("E-mailadres")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Wachtwoord")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-error")).to_be_visible()

    page.get_by_label("E-mailadres").fill("sanne@lindeburg.example")
    page.get_by_label("Wachtwoord").fill("wrong password!")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("status")).to_have_text("Onbekend e-mailadres of verkeerd wachtwoord.")
    page.console_errors.clear()  # the browser logs the 401 of the refused login

    log_in(page)
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.locator("header .who").get_by_text(AGENT_NAME)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Inwoner")).to_be_visible()
    expect(case_rows(page)).to_have_count(50)
    expect(case_link(page, "Wanneer wordt de kapotte lantaarnpaal")).to_be_visible()


def test_filters_narrow_the_list_by_channel_and_status(agent_page):
    page = agent_page
    page.get_by_role("link", name=re.compile("^Alle zaken")).click()
    page.get_by_label("Kanaal").select_option(label="WhatsApp")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"channel=whatsapp"))
    expect(case_rows(page)).to_have_count(1)
    expect(case_rows(page).first).to_contain_text("Wacht op inwoner")
    expect(case_rows(page).first).to_contain_text("Kees Smit")

    page.get_by_label("Kanaal").select_option(label="Alle kanalen")
    page.get_by_label("Status").select_option(label="Open")
    page.get_by_role("button", name="Filteren").click()
    expect(case_rows(page)).to_have_count(1)
    expect(case_rows(page).first).to_contain_text("Fatima El Amrani")
    expect(page.get_by_label("Status")).to_have_value("open")

    page.get_by_label("Status").select_option(label="Gesloten")
    page.get_by_role("button", name="Filteren").click()
    expect(case_rows(page)).to_have_count(1)
    expect(case_rows(page).first).to_have_text("Er zijn geen zaken die bij deze filters passen.")


def test_next_page_continues_the_list_without_overlap(agent_page):
    page = agent_page
    page.goto("/inbox?view=all")
    expect(case_rows(page)).to_have_count(50)
    first_page = set(case_rows(page).locator("a").all_inner_texts())

    page.get_by_role("link", name="Volgende pagina").click()
    expect(page).to_have_url(re.compile(r"after="))
    second_page = set(case_rows(page).locator("a").all_inner_texts())

    assert len(first_page) == 50
    assert SEEDED_ACTIVE_CASES - 50 <= len(second_page) <= 50  # other tests may add newer cases
    assert not first_page & second_page
    assert any(f"Vraag {PAGED_X_CASES} over" in link for link in second_page)  # the newest seeded case
    expect(page.get_by_role("link", name="Volgende pagina")).to_have_count(0)
    page.get_by_role("link", name="Eerste pagina").click()
    expect(case_rows(page)).to_have_count(50)


def test_case_page_shows_the_whole_thread_both_ways_with_the_raw_payload(agent_page):
    page = agent_page
    case_link(page, "Wanneer wordt de kapotte lantaarnpaal").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Zaak #")
    messages = page.locator("ol.messages > li")
    expect(messages).to_have_count(3)
    expect(messages.nth(0)).to_contain_text("Wanneer wordt de kapotte lantaarnpaal")
    expect(messages.nth(0)).to_contain_text("ontvangen")
    expect(messages.nth(1)).to_contain_text("We hebben de aannemer gevraagd")
    expect(messages.nth(1)).to_contain_text("onze reactie")
    expect(messages.nth(2)).to_contain_text("Krijg ik bericht als het klaar is?")
    expect(page.locator("dl.facts").first).to_contain_text("Open")
    expect(page.locator("ol.timeline")).to_contain_text("Zaak geopend")
    expect(page.locator("ol.timeline")).to_contain_text("Status gewijzigd: Wacht op inwoner")
    expect(page.locator("ol.timeline")).not_to_contain_text("case_opened")

    raw = messages.nth(1).locator("details pre")
    expect(raw).to_be_hidden()
    messages.nth(1).get_by_text("Ruwe gegevens").click()
    expect(raw).to_be_visible()
    expect(raw).to_contain_text('"external_id": "fb-a"')
    expect(raw).to_contain_text('"direction": "outbound"')


def test_html_in_a_message_is_shown_as_inert_text(agent_page):
    page = agent_page
    page.get_by_label("Kanaal").select_option(label="Webformulier")
    page.get_by_role("button", name="Filteren").click()
    expect(case_rows(page)).to_have_count(1)
    expect(case_rows(page).first).to_contain_text("Test <i>Tester</i>")
    expect(case_rows(page).first.locator("a")).to_contain_text('<img src=x onerror="window.__xss=1">')
    assert page.evaluate("() => window.__xss") is None

    case_rows(page).locator("a").click()
    expect(page.locator(".message-text")).to_have_text(XSS_TEXT)
    expect(page.get_by_text(XSS_TEXT, exact=True)).to_be_visible()
    expect(page.locator("main img, main i, main b, main script:not([src])")).to_have_count(0)
    page.get_by_text("Ruwe gegevens").click()
    page.wait_for_timeout(200)  # give an injected onerror handler the chance to run
    assert page.evaluate("() => window.__xss") is None


def test_language_switch_turns_the_page_english_and_keeps_the_filter(agent_page):
    page = agent_page
    page.goto("/inbox?channel=email")
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/inbox\?.*channel=email"))
    expect(page.get_by_role("link", name="Skip to main content")).to_be_attached()
    expect(page.get_by_role("columnheader", name="Resident")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_label("Channel")).to_have_value("email")

    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_new_message_appears_in_the_open_inbox_without_a_reload(agent_page, live_server):
    page = agent_page
    page.goto("/inbox?channel=email")
    expect(case_link(page, "kopie van mijn vergunning")).to_be_visible()
    rows_before = case_rows(page).count()
    page.evaluate("() => { window.__loadedOnce = true }")
    existing = case_rows(page).locator("a").first
    existing.focus()
    text = f"Mijn paspoort is verlopen, kan ik met spoed een afspraak maken? ({uuid.uuid4().hex[:6]})"

    live_server.post_messages(
        message_line(
            f"mail-{uuid.uuid4().hex}",
            base=datetime.now(UTC),
            channel="email",
            account="info@lindeburg.example",
            is_public=False,
            text=text,
            author={"id": "m.bakker@example.nl", "handle": "m.bakker@example.nl", "name": "Mila Bakker"},
        )
    )

    # The queue worker inside `webcare serve` threads it; htmx polls the rows every 10 s.
    expect(case_link(page, text[:40])).to_be_visible(timeout=15_000)
    expect(case_rows(page)).to_have_count(rows_before + 1)
    assert page.evaluate("() => window.__loadedOnce") is True
    expect(existing).to_be_focused()  # a keyboard user keeps their place when the rows refresh


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(agent_page):
    page = agent_page
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["skip-link", "Naar de hoofdinhoud"]
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link must be on screen"

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_accessibility_check_reports_what_it_finds(page):
    page.goto("/login")
    page.evaluate("() => document.querySelectorAll('label').forEach(label => label.remove())")

    with pytest.raises(AssertionError, match=r"\[critical\] label: (.|\n)*at #email"):
        assert_accessible(page)


def test_login_page_meets_wcag_aa(page):
    page.goto("/login")
    assert_accessible(page)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert_accessible(page)


def test_inbox_meets_wcag_aa(agent_page):
    assert_accessible(agent_page)
    agent_page.goto("/inbox?status=all&channel=facebook")
    assert_accessible(agent_page)


def test_case_page_meets_wcag_aa(agent_page):
    page = agent_page
    case_link(page, "Wanneer wordt de kapotte lantaarnpaal").click()
    page.get_by_text("Ruwe gegevens").first.click()
    assert_accessible(page)


def test_pages_reflow_at_320_pixels_without_sideways_scrolling(agent_page):
    page = agent_page
    page.set_viewport_size({"width": 320, "height": 700})
    for path in ("/inbox", case_link(page, "Wanneer wordt de kapotte lantaarnpaal").get_attribute("href")):
        page.goto(path)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{path} is {widths[0]} px wide in a 320 px window (WCAG 1.4.10)"
    assert_accessible(page)
