"""The public contact form in a real browser: works without JavaScript, labelled, errors announced, axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_the_contact_form_is_accessible_and_explains_what_is_missing(browser, live_server):
    # The seeded web form account is "contact". The form must work as plain HTML, so the submission
    # runs with JavaScript off; axe-core needs JavaScript, so the audit runs in a second context.
    plain = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    audited = browser.new_context(base_url=live_server.url)
    try:
        for page in (plain.new_page(), audited.new_page()):
            page.goto("/contact/contact")
            expect(page.locator("html")).to_have_attribute("lang", "nl")
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            honeypot = page.locator("#f-website").bounding_box()
            assert honeypot["x"] + honeypot["width"] <= 0  # the honeypot is off screen, out of people's way

            page.locator("#f-email").fill("geen-adres")
            page.locator("form.stacked button[type=submit]").click()

            expect(page.locator("#f-email")).to_have_attribute("aria-invalid", "true")
            expect(page.locator("#f-message")).to_have_attribute("aria-invalid", "true")
            expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page)
        page.goto("/contact/contact")
        assert_accessible(page)
    finally:
        plain.close()
        audited.close()
