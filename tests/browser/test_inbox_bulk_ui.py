"""Bulk actions in the browser: tick twenty cases with a shift-click and resolve them in one go."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.conftest import message_line
from webcare.timeutil import UTC

pytestmark = pytest.mark.browser


def test_an_agent_resolves_twenty_cases_with_one_action(live_server, agent_page):
    page = agent_page
    phrase = f"container-{uuid.uuid4().hex[:8]}"
    live_server.post_messages(
        [
            message_line(
                f"bulk-{phrase}-{number}",
                base=datetime.now(UTC),
                text=f"Mijn {phrase} is niet geleegd (huisnummer {number})",
                author={"id": f"bulk-{phrase}-{number}", "handle": f"buur{number}", "name": f"Buurman {number}"},
            )
            for number in range(20)
        ]
    )
    rows = page.locator("#case-rows tr.case-row")
    for _attempt in range(30):
        page.goto(f"/inbox?q={phrase}")
        if rows.count() == 20:
            break
        page.wait_for_timeout(500)
    expect(rows).to_have_count(20)
    assert_accessible(page)

    rows.nth(0).locator("input.case-select").click()
    rows.nth(19).locator("input.case-select").click(modifiers=["Shift"])
    expect(page.locator("#bulk-count")).to_contain_text("20")
    page.locator("#bulk-action").select_option("resolve")
    page.locator("#bulk-outcome").select_option("duplicate")
    page.get_by_role("button", name="Uitvoeren voor aangevinkte zaken").click()

    expect(page.locator(".flash-success")).to_contain_text("20")
    expect(page).to_have_url(re.compile(re.escape(phrase)))
    expect(rows).to_have_count(0)
    page.goto(f"/inbox?view=all&status=resolved&q={phrase}")
    expect(rows).to_have_count(20)
