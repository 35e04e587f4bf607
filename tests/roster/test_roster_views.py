"""Roster pages: who may open what, forms with CSRF, the on-duty partial, and the iCal feeds."""

from __future__ import annotations

from datetime import datetime

import icalendar
import pytest
from sqlalchemy import select

from tests.roster.conftest import PASSWORD
from webcare.extensions import db
from webcare.roster.models import OverrideEntry, RosterConfig, RosterPerson, SwapEntry
from webcare.timeutil import UTC


def _login(client, csrf_from, user):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 303)


PAGES = ["week", "month", "coverage", "hours", "swaps", "edit"]
# role -> expected status per page, for the team's own roster
EXPECTED = {
    "agent": {"week": 200, "month": 200, "coverage": 200, "hours": 200, "swaps": 200, "edit": 403},
    "lead": {"week": 200, "month": 200, "coverage": 200, "hours": 200, "swaps": 200, "edit": 200},
    "manager": {"week": 200, "month": 200, "coverage": 200, "hours": 200, "swaps": 200, "edit": 403},
    "outsider": {page: 403 for page in PAGES},
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_the_roster_pages_it_may_see(team_setup, client, csrf_from, who):
    user = {
        "agent": team_setup.anna,
        "lead": team_setup.lead,
        "manager": team_setup.manager,
        "outsider": team_setup.outsider,
    }[who]
    _login(client, csrf_from, user)
    team_id = team_setup.team.id
    for page in PAGES:
        assert client.get(f"/roster/{team_id}/{page}").status_code == EXPECTED[who][page], page


def test_anonymous_visitors_are_sent_to_the_login_page(team_setup, client):
    for page in PAGES:
        assert client.get(f"/roster/{team_setup.team.id}/{page}").status_code == 302


def test_agents_may_not_post_lead_only_edits(team_setup, client, csrf_from):
    _login(client, csrf_from, team_setup.anna)
    token = csrf_from(client.get(f"/roster/{team_setup.team.id}/swaps").get_data(as_text=True))
    team_id = team_setup.team.id
    for path in (
        "overrides",
        "leave",
        "settings",
        "rotations/1",
        "overrides/1/delete",
        "leave/1/delete",
        "swaps/1/approve",
        "swaps/1/reject",
    ):
        assert client.post(f"/roster/{team_id}/{path}", data={"csrf_token": token}).status_code == 403, path


def test_the_week_view_names_people_and_gaps_in_text(team_setup, client, csrf_from):
    _login(client, csrf_from, team_setup.anna)
    page = client.get(f"/roster/{team_setup.team.id}/week?start=2026-11-02").get_data(as_text=True)
    assert "09:00–17:00 Anna Smit, Bram Jansen, Cees Mulder" in page
    assert "Gat: niemand van dienst" in page


def test_the_heatmap_and_staffing_advice_are_tables_with_text(team_setup, client, csrf_from):
    _login(client, csrf_from, team_setup.manager)
    page = client.get(f"/roster/{team_setup.team.id}/coverage?start=2026-11-02").get_data(as_text=True)
    assert "GAT" in page and 'scope="row">10:00' in page
    assert "Erlang C" in page


def test_a_lead_adds_an_override_through_the_form_and_it_needs_csrf(team_setup, client, csrf_from):
    _login(client, csrf_from, team_setup.lead)
    team_id = team_setup.team.id
    anna = db.session.scalar(select(RosterPerson).where(RosterPerson.key == "anna"))
    data = {
        "override-action": "add",
        "override-person": anna.id,
        "override-replacement": 0,
        "override-kind": "weekend",
        "override-start": "2026-11-07T10:00",
        "override-end": "2026-11-07T16:00",
        "override-reason": "extra",
    }
    assert client.post(f"/roster/{team_id}/overrides", data=data).status_code == 400
    token = csrf_from(client.get(f"/roster/{team_id}/edit").get_data(as_text=True))
    response = client.post(f"/roster/{team_id}/overrides", data={**data, "override-csrf_token": token})
    assert response.status_code == 303
    entry = db.session.scalar(select(OverrideEntry))
    assert (entry.start_at, entry.end_at) == (
        datetime(2026, 11, 7, 9, tzinfo=UTC),
        datetime(2026, 11, 7, 15, tzinfo=UTC),
    )
    week = client.get(f"/roster/{team_id}/week?start=2026-11-02").get_data(as_text=True)
    assert "10:00–16:00 Anna Smit" in week


def test_an_agent_requests_a_swap_and_a_colleague_takes_it(team_setup, client, csrf_from):
    team_id = team_setup.team.id
    _login(client, csrf_from, team_setup.bram)
    token = csrf_from(client.get(f"/roster/{team_id}/swaps").get_data(as_text=True))
    response = client.post(
        f"/roster/{team_id}/swaps",
        data={
            "swap-csrf_token": token,
            "swap-start": "2030-11-04T17:00",
            "swap-end": "2030-11-04T21:00",
            "swap-reason": "tandarts",
        },
    )
    assert response.status_code == 303
    swap = db.session.scalar(select(SwapEntry))
    client.post("/logout", data={"csrf_token": token})
    _login(client, csrf_from, team_setup.anna)
    token = csrf_from(client.get(f"/roster/{team_id}/swaps").get_data(as_text=True))
    assert client.post(f"/roster/{team_id}/swaps/{swap.id}/take", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(SwapEntry, swap.id).status.value == "taken"


def test_the_inbox_shows_who_is_on_duty_now_and_next(team_setup, client, csrf_from):
    _login(client, csrf_from, team_setup.anna)
    page = client.get("/inbox").get_data(as_text=True)
    assert "On duty now and next" in page or "Nu en straks van dienst" in page


def test_a_person_feed_with_the_right_token_is_an_icalendar_in_utc(team_setup, client):
    anna = db.session.scalar(select(RosterPerson).where(RosterPerson.key == "anna"))
    response = client.get(f"/roster/feeds/person/{anna.feed_token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert events
    assert all(event.decoded("dtstart").utcoffset().total_seconds() == 0 for event in events)
    assert b"DTSTART:" in response.data and b"Z\r\n" in response.data


def test_the_team_feed_works_and_a_wrong_or_old_token_is_not_found(team_setup, client):
    config = db.session.scalar(select(RosterConfig))
    old = config.team_feed_token
    assert client.get(f"/roster/feeds/team/{old}.ics").status_code == 200
    assert client.get("/roster/feeds/team/not-the-token-at-all-000.ics").status_code == 404
    assert client.get("/roster/feeds/person/not-the-token-at-all-000.ics").status_code == 404
    from webcare.roster.services import regenerate_feed_token

    regenerate_feed_token(config)
    assert client.get(f"/roster/feeds/team/{old}.ics").status_code == 404


def test_a_person_may_renew_their_own_feed_address_but_only_the_lead_the_team_s(team_setup, client, csrf_from):
    config = db.session.scalar(select(RosterConfig))
    team_id = team_setup.team.id
    team_token = config.team_feed_token
    anna = db.session.scalar(select(RosterPerson).where(RosterPerson.key == "anna"))
    anna_token = anna.feed_token
    _login(client, csrf_from, team_setup.anna)
    token = csrf_from(client.get(f"/roster/{team_id}/week").get_data(as_text=True))

    refused = client.post(f"/roster/{team_id}/feeds/regenerate", data={"csrf_token": token, "scope": "team"})
    renewed = client.post(f"/roster/{team_id}/feeds/regenerate", data={"csrf_token": token})

    assert refused.status_code == 403 and renewed.status_code == 303
    db.session.expire_all()
    assert config.team_feed_token == team_token and anna.feed_token != anna_token
    client.post("/logout", data={"csrf_token": token})
    _login(client, csrf_from, team_setup.lead)
    token = csrf_from(client.get(f"/roster/{team_id}/week").get_data(as_text=True))
    assert (
        client.post(f"/roster/{team_id}/feeds/regenerate", data={"csrf_token": token, "scope": "team"}).status_code
        == 303
    )
    db.session.expire_all()
    assert config.team_feed_token != team_token


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("hours?from=2026-11-30&to=2026-11-01", "Kies een periode die op of na de eerste dag eindigt"),
        ("hours?from=gisteren", "“gisteren” is geen datum"),
        ("week?start=31-11-2026", "“31-11-2026” is geen datum"),
        ("month?month=november", "“november” is geen maand"),
    ],
)
def test_an_invalid_period_keeps_the_page_and_says_what_to_change(team_setup, client, csrf_from, query, message):
    _login(client, csrf_from, team_setup.manager)

    response = client.get(f"/roster/{team_setup.team.id}/{query}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page and "flash-error" in page
    assert "<table" in page  # the page itself, not an error page


def test_an_out_of_range_handling_time_is_named_on_the_coverage_page(team_setup, client, csrf_from):
    _login(client, csrf_from, team_setup.lead)
    team_id = team_setup.team.id
    token = csrf_from(client.get(f"/roster/{team_id}/coverage").get_data(as_text=True))

    response = client.post(
        f"/roster/{team_id}/settings",
        data={"average_handling_minutes": "0", "csrf_token": token},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "flash-error" in response.get_data(as_text=True)
