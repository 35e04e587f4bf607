"""The inbox opens on the work that needs us: its view, sorts, case-number search, counts and live arrivals."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.workflow.inbox_builders import BASE, minutes, new_case
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox import counts
from webcare.inbox.models import CaseStatus
from webcare.inbox.queries import CaseFilter, case_page

NOW = BASE + timedelta(hours=3)


def subjects(case_filter, **kwargs):
    kwargs.setdefault("now", NOW)
    return [case.subject for case in case_page(case_filter, **kwargs).cases]


def test_the_default_view_leaves_out_cases_waiting_on_the_resident_or_a_department(app):
    new_case("new", due_at=NOW + minutes(30))
    new_case("waiting on resident", status=CaseStatus.WAITING_ON_RESIDENT, due_at=NOW - minutes(500))
    new_case("waiting on department", status=CaseStatus.WAITING_ON_DEPARTMENT, escalated_to="afval")
    new_case("approval", status=CaseStatus.WAITING_ON_APPROVAL, due_at=NOW + minutes(5))
    new_case("resolved", status=CaseStatus.RESOLVED)

    assert subjects(CaseFilter()) == ["approval", "new"]
    assert subjects(CaseFilter(view="all")) == ["waiting on resident", "waiting on department", "approval", "new"]


def test_sorting_by_arrival_and_by_latest_activity_pages_through_every_case_once(app):
    for number in range(7):
        case = new_case(f"case {number}", arrived_at=BASE + minutes(number))
        case.last_message_at = BASE + minutes(100 - 10 * (number % 3) - number)
    db.session.commit()

    for sort, expected in (
        ("arrival", [f"case {number}" for number in reversed(range(7))]),
        ("activity", ["case 0", "case 3", "case 6", "case 1", "case 4", "case 2", "case 5"]),
    ):
        seen, after = [], None
        while True:
            page = case_page(CaseFilter(sort=sort), after=after, size=3, now=NOW)
            seen += [case.subject for case in page.cases]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert seen == expected, sort


def test_search_by_case_number_finds_the_case_in_any_status(app):
    resolved = new_case("Afgehandelde vraag over parkeren", status=CaseStatus.RESOLVED)
    new_case("Nog een vraag", author=("parkeerder", "Piet Parkeer"))

    assert subjects(CaseFilter(search=f"#{resolved.id}")) == ["Afgehandelde vraag over parkeren"]
    assert subjects(CaseFilter(search=str(resolved.id))) == ["Afgehandelde vraag over parkeren"]
    assert subjects(CaseFilter(search="Piet")) == ["Nog een vraag"]
    assert subjects(CaseFilter(search="#999999")) == []


def test_counts_per_view_cover_the_work_in_hand(make_user):
    sanne = make_user(Role.AGENT)
    new_case("mine, late", owner=sanne, status=CaseStatus.OPEN, due_at=NOW - minutes(5))
    new_case("nobody's, due soon", due_at=NOW + minutes(20))
    new_case("waiting on resident", status=CaseStatus.WAITING_ON_RESIDENT)
    new_case("resolved", status=CaseStatus.RESOLVED)

    found = counts.view_counts(sanne, NOW)

    assert found["attention"] == 2
    assert found["all"] == 3
    assert found["mine"] == 1
    assert found["unassigned"] == 2
    assert found["breached"] == 1
    assert found["due_soon"] == 1
    assert found["team"] == 0
    assert "ignored" not in found


def _rows(client, query):
    return client.get(f"/inbox/rows{query}").get_data(as_text=True)


def test_the_polled_rows_show_cases_arrived_since_the_page_opened_even_when_they_sort_later(
    client, auth, make_user, app
):
    auth.login_as(make_user(Role.AGENT))
    for number in range(4):
        new_case(f"overdue {number}", due_at=BASE + minutes(number))
    page = client.get("/inbox").get_data(as_text=True)
    since = re.search(r'hx-get="[^"]*since=(\d+)', page).group(1)
    assert f"since={since}" in page
    app.config["WEBCARE_INBOX_PAGE_SIZE"] = 2

    arrived = [new_case(f"arrived later {number}", due_at=BASE + timedelta(days=30)) for number in range(7)]
    html = _rows(client, f"?since={since}")

    new_rows = [row for row in html.split("<tr") if "is-new" in row]
    assert len(new_rows) == 5
    assert all(f"arrived later {number}" in row for number, row in zip(range(6, 1, -1), new_rows))
    assert "overdue 0" in html and "overdue 1" in html and "overdue 2" not in html
    announced = re.search(r'<p id="new-arrivals"[^>]*hx-swap-oob="true">(.*?)</p>', html, re.DOTALL).group(1)
    assert re.search(r"\b2\b", announced) and "sort=arrival" in announced
    assert arrived[0].id > int(since)
    assert _rows(client, f"?since={arrived[-1].id}").count("is-new") == 0


def test_assign_to_starts_at_the_current_owner(client, auth, make_user):
    lead = make_user(Role.LEAD, name="Aart Eerst")
    owner = make_user(Role.AGENT, name="Zoë Zuid")
    case = new_case("van Zoë", owner=owner, status=CaseStatus.OPEN)
    auth.login_as(lead)

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)

    assert re.search(rf'<option selected value="{owner.id}">|<option value="{owner.id}" selected', page)
