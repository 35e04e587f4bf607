"""The admin in the browser: adds a colleague and makes an API token that then works on the API."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

ADMIN = ("beheer@lindeburg.example", "Bart Beheer", "browser-admin-wachtwoord")


@pytest.fixture(scope="module")
def admin_user(live_server) -> tuple[str, str, str]:
    live_server.cli("user", "create", ADMIN[0], "--name", ADMIN[1], "--role", "admin", "--password", ADMIN[2])
    return ADMIN


def test_the_admin_adds_a_person_and_makes_a_token_from_the_menu(live_server, page, admin_user):
    log_in(page, admin_user[0], admin_user[2])
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Medewerkers").click()
    assert_accessible(page)
    page.get_by_label("E-mailadres").fill("nina@lindeburg.example")
    page.get_by_label("Naam", exact=True).fill("Nina Bos")
    page.locator("form.stacked").get_by_label("Medewerker", exact=True).check()
    page.get_by_label("Wachtwoord (minstens 12 tekens)").fill("een-lang-wachtwoord")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator(".flash-success")).to_have_text("Nina Bos kan nu inloggen.")
    expect(page.locator("table.people")).to_contain_text("nina@lindeburg.example")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="API-tokens").click()
    page.get_by_label("Naam van het token (wat het gebruikt)").fill("instagram-koppeling")
    page.get_by_role("button", name="Token maken").click()
    token = page.locator("#new-token").input_value()
    assert token.startswith("wc_")
    page.wait_for_load_state()
    assert_accessible(page)

    request = urllib.request.Request(
        f"{live_server.url}/api/v1/messages",
        data=json.dumps([]).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        status = urllib.request.urlopen(request, timeout=10).status
    except urllib.error.HTTPError as refused:
        status = refused.code
    assert status != 401

    page.goto("/admin/tokens")
    expect(page.locator("table.tokens")).to_contain_text("instagram-koppeling")
    expect(page.locator("#new-token")).to_have_count(0)
