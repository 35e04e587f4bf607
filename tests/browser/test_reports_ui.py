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
    live_server.cli(
        "user", "create", email, "--name", "Mirjam Manager", "--role", "manager", "--password", MANAGER_PASSWORD
    )
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
    expect(breakdown.filter(has_text="WhatsApp")).to_have_count(1)
    expect(page.locator("#by-day tbody tr").first).to_be_visible()
    for chart in ("#trend-chart", "#attainment-chart"):
        expect(page.locator(chart)).to_be_visible()
        page.wait_for_function(f"() => document.querySelector('{chart}').chart !== undefined")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Zaken (CSV voor Excel)").click()
    download = download_info.value
    assert download.suggested_filename == "webcare-cases-2026-11-01-2026-11-30.csv"
    raw = open(download.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows and {"Zaak", "Kanaal", "Eerste reactie (seconden)"} <= set(rows[0])
    assert "WhatsApp" in {row["Kanaal"] for row in rows}

    assert_accessible(page)


def test_a_reversed_period_shows_the_form_again_with_a_dutch_message(manager_page):
    page = manager_page
    page.goto("/reports")

    page.locator("#report-from").fill("2026-11-30")
    page.locator("#report-to").fill("2026-11-01")
    page.locator("form.report-period button[type=submit]").click()

    expect(page.get_by_role("alert")).to_contain_text("De periode eindigt voordat hij begint")
    expect(page.locator("#report-from")).to_have_value("2026-11-30")
    expect(page.locator("#report-to")).to_have_value("2026-11-01")
    expect(page.locator("form.report-period button[type=submit]")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Rapportages")
    assert_accessible(page)
