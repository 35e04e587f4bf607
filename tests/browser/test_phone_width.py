"""Every main page at 360 px (a small phone), for every role: no sideways scrolling of the page itself."""

from __future__ import annotations

import pytest

from tests.browser.conftest import AGENT_EMAIL, AGENT_PASSWORD, _open_page, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
PASSWORD = "browser-telefoon-wachtwoord"
PEOPLE = {
    "agent": (AGENT_EMAIL, AGENT_PASSWORD),
    "lead": ("telefoon-lead@lindeburg.example", PASSWORD),
    "manager": ("telefoon-manager@lindeburg.example", PASSWORD),
    "admin": ("telefoon-admin@lindeburg.example", PASSWORD),
}
MAIN_PAGES = [
    "/inbox",
    "/inbox?view=all",
    "/approvals",
    "/mandates",
    "/protocol/",
    "/roster/",
    "/reports",
    "/notifications/",
    "/admin/channels",
    "/admin/users",
    "/admin/tokens",
    "/outbox/failed",
]


# Names the widest elements, so a failure says what to fix.
WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(element => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1
    || element.getBoundingClientRect().left < -1)
  .slice(-3).map(element => element.tagName + '.' + element.className + '#' + element.id
    + ' ' + Math.round(element.getBoundingClientRect().left) + '..' + Math.round(element.getBoundingClientRect().right))"""


@pytest.fixture(scope="module")
def people(live_server) -> dict[str, tuple[str, str]]:
    for role, (email, password) in PEOPLE.items():
        if role != "agent":
            live_server.cli(
                "user", "create", email, "--name", f"Telefoon {role}", "--role", role, "--password", password
            )
    return PEOPLE


@pytest.mark.parametrize("role", list(PEOPLE))
def test_every_main_page_fits_a_phone_without_sideways_scrolling(browser, live_server, people, role):
    with _open_page(browser, live_server) as page:
        page.set_viewport_size(PHONE)
        log_in(page, *people[role])
        case_link = page.locator("#case-rows a[id^='case-link-']").first.get_attribute("href")
        too_wide = {}
        for path in [*MAIN_PAGES, case_link]:
            response = page.goto(path)
            if response.status == 403:
                page.console_errors.clear()  # the browser logs the refusal of a page not meant for this role
                continue
            assert response.status == 200, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[path] = (width, page.evaluate(WIDEST))
        assert too_wide == {}
        if role == "agent":
            page.goto("/inbox")
            first_case = page.locator("#case-rows tr.case-row").first.bounding_box()
            assert first_case["y"] < PHONE["height"], "the first case is below the fold"
