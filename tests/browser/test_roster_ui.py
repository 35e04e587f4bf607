"""The roster in the browser: a lead sees the week and the heatmap, adds an override, and the gap goes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible, log_in
from webcare.app import create_app
from webcare.auth.models import Role, Team
from webcare.auth.services import create_user
from webcare.extensions import db
from webcare.roster.fileformat import parse_roster
from webcare.roster.importing import import_roster

LEAD_EMAIL = "roster-lead@lindeburg.example"
LEAD_PASSWORD = "roster-lead-wachtwoord"
TEAM = "Roosterteam"
ROSTER = f"""
version: 1
team: {TEAM}
people:
  - {{id: lotte, name: Lotte Leider, email: {LEAD_EMAIL}, mandate: 2}}
  - {{id: kees, name: Kees Kantoor, mandate: 1}}
rotations:
  - {{id: kantoor, kind: office, people: [lotte, kees], days: [weekdays], start: "09:00", end: "17:00", anchor: 2026-01-05 09:00}}
targets:
  - {{days: [weekdays], start: "09:00", end: "17:00", minimum: 1}}
  - {{days: [weekend], start: "10:00", end: "16:00", minimum: 1}}
"""


@pytest.fixture(scope="module")
def roster_team(live_server) -> int:
    """A team with a lead and an imported roster, written straight into the live server's database."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": live_server.env["WEBCARE_DATABASE_URL"], "SECRET_KEY": "x"})
    with app.app_context():
        team = Team(name=TEAM)
        db.session.add(team)
        db.session.commit()
        create_user(LEAD_EMAIL, "Lotte Leider", LEAD_PASSWORD, {Role.LEAD, Role.AGENT}, team=team)
        import_roster(parse_roster(ROSTER, "browser.yaml"))
        team_id = db.session.scalar(select(Team.id).where(Team.name == TEAM))
        db.session.remove()
        db.engine.dispose()
    return team_id


def _next_saturday() -> date:
    today = date.today()
    return today + timedelta(days=(5 - today.weekday()) % 7 + 7)


def test_a_lead_adds_an_override_and_the_weekend_gap_disappears(page, roster_team):
    saturday = _next_saturday()
    monday = saturday - timedelta(days=5)
    log_in(page, LEAD_EMAIL, LEAD_PASSWORD)
    page.goto(f"/roster/{roster_team}/week?start={monday.isoformat()}")
    saturday_row = page.locator("table.roster-schedule tbody tr").nth(5)
    expect(saturday_row.locator("td").last).to_contain_text("10:00–16:00")
    gap_text = saturday_row.locator("td").last.inner_text()
    assert "10:00" in gap_text
    assert_accessible(page)

    page.goto(f"/roster/{roster_team}/coverage?start={monday.isoformat()}")
    expect(page.locator("table.roster-heatmap")).to_be_visible()
    expect(page.locator("table.roster-heatmap tbody tr").nth(11).locator("td").nth(5)).to_contain_text("0")
    assert_accessible(page)

    page.goto(f"/roster/{roster_team}/edit")
    assert_accessible(page)
    form = page.locator("#override-form")
    form.locator("select[name='override-action']").select_option("add")
    form.locator("select[name='override-person']").select_option(label="Lotte Leider (lotte)")
    form.locator("select[name='override-kind']").select_option("weekend")
    form.locator("input[name='override-start']").fill(f"{saturday.isoformat()}T10:00")
    form.locator("input[name='override-end']").fill(f"{saturday.isoformat()}T16:00")
    form.locator("input[name='override-reason']").fill("weekenddienst")
    form.locator("button[type=submit]").click()

    page.wait_for_url(f"**/roster/{roster_team}/week**")
    expect(page.get_by_role("status")).to_be_visible()
    saturday_row = page.locator("table.roster-schedule tbody tr").nth(5)
    expect(saturday_row.locator("td").nth(2)).to_contain_text("10:00–16:00 Lotte Leider")
    expect(saturday_row.locator("td").last).not_to_contain_text("10:00–16:00")
    assert_accessible(page)


def test_the_roster_swaps_and_hours_pages_are_accessible(page, roster_team):
    log_in(page, LEAD_EMAIL, LEAD_PASSWORD)
    for path in ("swaps", "hours", "month"):
        page.goto(f"/roster/{roster_team}/{path}")
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
