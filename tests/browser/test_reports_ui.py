"""The reports page in a real browser: a manager picks a period, sees tables and charts, downloads CSV; a11y."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser
MANAGER_PASSWORD = "rapportage-wachtwoord"


@pytest.fixture
def manager_page(page, live_server):
    email = f"manager-{uuid.uuid4().hex[:8]}@lindeburg.example"
    live_server.cli("user", "create", email, "--name", "Mirjam Manager", "--role", "manager", "--password", MANAGER_PASSWORD)
    log_in(page, email, MANAGER_PASSWORD)
    return page


def test_manager_changes_the_period_sees_tables_and_charts_and_downloads_csv(manager_page):
    page = manager_page
    page.goto("/reports")
    expect(page.locator("#by-priority")).to_be_visible()

    page.locator("#report-from").fill("2026-11-01")
    page.locator("#report-to").fill("2026-11-30")
    page.locator("#report-by").select_option("channel")
    page.locator("form.report-period button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"from=2026-11-01.*to=2026-11-30"))
    expect(page.locator("#overview")).to_be_visible()
    breakdown = page.locator("#breakdown tbody tr")
    expect(breakdown.filter(has_text="whatsapp")).to_have_count(1)
    expect(page.locator("#by-day tbody tr").first).to_be_visible()
    for chart in ("#trend-chart", "#attainment-chart"):
        expect(page.locator(chart)).to_be_visible()
        page.wait_for_function(f"() => document.querySelector('{chart}').chart !== undefined")

    with page.expect_download() as download_info:
        page.locator("a[href*='/reports/export/cases.csv']").click()
    download = download_info.value
    assert download.suggested_filename == "webcare-cases-2026-11-01-2026-11-30.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert rows and {"case_id", "channel", "first_response_seconds"} <= set(rows[0])
    assert "whatsapp" in {row["channel"] for row in rows}

    assert_accessible(page)
