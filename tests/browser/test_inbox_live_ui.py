"""The inbox in the browser: a case posted through the API shows up on the open page within one poll."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.conftest import message_line
from webcare.timeutil import UTC

pytestmark = pytest.mark.browser
POLL_SECONDS = 10


def test_a_case_posted_through_the_api_appears_on_the_open_first_page_without_a_reload(live_server, agent_page):
    page = agent_page
    expect(page.locator("#case-rows tr.case-row").first).to_be_visible()
    page.evaluate("window.__stillThisPage = true")
    phrase = f"lantaarn-{uuid.uuid4().hex[:8]}"

    live_server.post_messages(
        message_line(
            f"live-{phrase}",
            base=datetime.now(UTC),
            text=f"De {phrase} bij het station is kapot",
            author={"id": f"resident-{phrase}", "handle": f"station_{phrase}", "name": "Ria Station"},
        )
    )

    # The server's worker threads the message; the next poll (every 10 s) brings the row in, marked new.
    new_row = page.locator("#case-rows tr.is-new", has_text=phrase)
    expect(new_row).to_be_visible(timeout=(POLL_SECONDS + 5) * 1000)
    assert page.evaluate("window.__stillThisPage") is True
    expect(page.locator("#view-count-attention")).not_to_have_text("0")
    assert_accessible(page)
