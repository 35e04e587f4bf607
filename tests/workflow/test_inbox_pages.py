"""The inbox pages over HTTP: views and filters from the query string, the polled rows, SLA countdown text."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.workflow.inbox_builders import minutes, new_case
from webcare.auth.models import Role
from webcare.inbox.models import CaseStatus
from webcare.timeutil import utcnow


def rows(client, query: str = "") -> str:
    return client.get(f"/inbox/rows{query}").get_data(as_text=True)


@pytest.mark.parametrize(
    "view",
    [
        "attention",
        "all",
        "mine",
        "unassigned",
        "team",
        "escalated",
        "approval",
        "bundles",
        "due_soon",
        "breached",
        "ignored",
    ],
)
def test_every_view_renders_and_the_polled_fragment_keeps_it(client, auth, make_user, view):
    auth.login_as(make_user(Role.AGENT))

    page = client.get(f"/inbox?view={view}")

    assert page.status_code == 200
    polled = re.search(r'hx-get="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert ("view=" + view in polled) == (view != "attention")
    assert client.get(polled.replace("&amp;", "&")).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?view=nope",
        "?status=bogus",
        "?channel=telex",
        "?priority=asap",
        "?action=shout",
        "?account=x",
        "?q=" + "x" * 101,
        "?after=not-a-cursor",
        "?sort=random",
    ],
)
def test_bad_filters_are_refused_with_400(client, auth, make_user, query):
    auth.login_as(make_user(Role.AGENT))

    assert client.get(f"/inbox{query}").status_code == 400


def test_filters_and_search_come_from_the_query_string(client, auth, make_user):
    agent = make_user(Role.AGENT)
    new_case("Afvalbak vol", topic="afval", owner=agent)
    new_case("Parkeervergunning", topic="parkeren", author=("p.jansen", "Piet Jansen"))
    auth.login_as(agent)

    assert "Afvalbak vol" in rows(client, "?topic=afval") and "Parkeervergunning" not in rows(client, "?topic=afval")
    assert "Parkeervergunning" in rows(client, "?q=jansen") and "Afvalbak vol" not in rows(client, "?q=jansen")
    assert "Afvalbak vol" in rows(client, "?view=mine") and "Parkeervergunning" not in rows(client, "?view=mine")


def test_each_row_shows_the_due_time_and_how_long_is_left_or_how_late_in_words(client, auth, make_user):
    now = utcnow()
    new_case("Due later", arrived_at=now - minutes(10), due_at=now + minutes(50))
    new_case("Too late", arrived_at=now - minutes(200), due_at=now - timedelta(hours=2, minutes=5))
    auth.login_as(make_user(Role.AGENT))

    html = rows(client)

    late_row = next(row for row in html.split("<tr") if "Too late" in row)
    due_row = next(row for row in html.split("<tr") if "Due later" in row)
    assert "sla-overdue" in late_row and re.search(r"2 u 0[45] min", late_row)
    assert "sla-due" in due_row and re.search(r"(49|50) ?m", due_row)


def test_new_cases_appear_in_the_polled_fragment(client, auth, make_user):
    auth.login_as(make_user(Role.AGENT))
    assert "Nieuw bericht over de kermis" not in rows(client)

    new_case("Nieuw bericht over de kermis")

    assert "Nieuw bericht over de kermis" in rows(client)


def test_the_inbox_has_the_on_duty_slot_views_nav_and_shortcut_help(client, auth, make_user):
    auth.login_as(make_user(Role.AGENT))

    html = client.get("/inbox").get_data(as_text=True)

    assert 'id="shortcuts-help"' in html and 'id="shortcuts-enabled"' in html
    assert html.count('aria-current="page"') >= 1
    assert "inbox.js" in html and "<script>" not in html


def test_ignored_cases_show_in_the_ignored_view_only(client, auth, make_user):
    new_case("Spam", status=CaseStatus.IGNORED)
    auth.login_as(make_user(Role.AGENT))

    assert "Spam" in rows(client, "?view=ignored")
    assert "Spam" not in rows(client)
