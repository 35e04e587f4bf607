"""The reports page, its exports and the weekly digest, through the app and a real local SMTP server."""

from __future__ import annotations

import csv
import io
import socket
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.reports.builders import make_case
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.reports.digest import last_complete_week, send_weekly_digest
from webcare.reports.models import ReportDigest
from webcare.timeutil import UTC, utcnow


def _log_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def _recent_cases() -> None:
    start = utcnow() - timedelta(days=2)
    for minutes in (5, 15, 45):
        make_case(
            start + timedelta(hours=minutes),
            response_seconds=minutes * 60,
            priority="high",
            due_in=timedelta(minutes=30),
            topic="afval",
        )
    make_case(start, priority="normal", due_in=timedelta(hours=1), topic="parkeren")
    db.session.commit()


def test_agents_may_not_see_the_reports(app, client, make_user):
    _log_in(client, make_user(Role.AGENT))

    assert client.get("/reports").status_code == 403
    assert client.get("/reports/export/cases.csv").status_code == 403


def test_managers_see_the_reports_page_with_a_link_in_the_navigation(app, client, make_user):
    _log_in(client, make_user(Role.MANAGER))

    page = client.get("/reports")

    assert page.status_code == 200
    assert 'href="/reports" aria-current="page"' in page.get_data(as_text=True)


def test_reports_page_shows_attainment_topics_and_the_previous_period(app, client, make_user):
    _recent_cases()
    _log_in(client, make_user(Role.LEAD))

    page = client.get("/reports?by=topic&clock=staffed").get_data(as_text=True)

    assert 'id="by-priority"' in page and 'id="breakdown"' in page and 'id="volume-heatmap"' in page
    assert "afval" in page and "parkeren" in page
    assert "66,7%" in page  # high: two of three answered within 30 minutes
    assert '<span title="15 min">15 min</span>' in page  # high: median of 5, 15 and 45 minutes
    assert "data-chart=" in page and "<script>" not in page
    assert "Geen gegevens: de besluiten van het reactieprotocol in deze periode bevatten geen sentiment." in page


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"from": "2026-03-02", "to": "2026-03-01"}, "De periode eindigt voordat hij begint"),
        ({"from": "gisteren"}, "Van: geef een datum als JJJJ-MM-DD"),
        ({"from": "2020-01-01", "to": "2026-03-01"}, "Een periode is hoogstens 1098 dagen"),
    ],
)
def test_an_invalid_period_shows_the_form_again_with_what_to_change(app, client, make_user, period, message):
    _log_in(client, make_user(Role.MANAGER))

    response = client.get("/reports", query_string={**period, "clock": "staffed"})
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert message in page and 'role="alert"' in page
    assert '<form method="get" class="filters report-period"' in page
    assert f'name="from" type="date" required value="{period["from"]}"' in page
    assert '<option value="staffed" selected>' in page
    assert 'id="overview"' not in page and "Ongeldig verzoek" not in page


def test_case_export_for_excel_uses_semicolons_a_bom_dutch_headers_and_local_times(app, client, make_user):
    asked = datetime(2026, 3, 2, 8, 5, tzinfo=UTC)  # 09:05 in Amsterdam
    make_case(asked, response_seconds=2730, priority="high", due_in=timedelta(hours=1), topic="=afval")
    db.session.commit()
    _log_in(client, make_user(Role.MANAGER))

    response = client.get("/reports/export/cases.csv?from=2026-03-01&to=2026-03-31")
    streamed = response.is_streamed
    raw = response.get_data()

    assert response.status_code == 200 and streamed
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert raw.startswith(b"\xef\xbb\xbf")
    (row,) = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert row["Kanaal"] == "X" and row["Prioriteit"] == "Hoog" and row["Binnen de norm"] == "ja"
    assert row["Eerste bericht"] == "02-03-2026 09:05" and row["Eerste reactie om"] == "02-03-2026 09:50"
    assert row["Eerste reactie (seconden)"] == "2730"
    assert row["Onderwerp"] == "'=afval"  # never a formula in Excel


def test_case_export_for_tools_is_comma_separated_utf8_with_english_keys_and_utc(app, client, make_user):
    _recent_cases()
    _log_in(client, make_user(Role.MANAGER))
    today = utcnow().date()

    response = client.get(f"/reports/export/cases.csv?from={today - timedelta(days=7)}&to={today}&variant=machine")
    raw = response.get_data()

    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert len(rows) == 4
    assert sorted(row["within_norm"] for row in rows) == ["no", "no", "yes", "yes"]
    assert sorted(int(row["first_response_seconds"] or 0) for row in rows) == [0, 300, 900, 2700]
    assert {row["priority"] for row in rows} == {"high", "normal"}
    assert all(row["first_inbound_at"].endswith("Z") for row in rows)


def test_xlsx_export_holds_the_cases_and_every_breakdown_as_real_dates_and_numbers(app, client, make_user):
    _recent_cases()
    _log_in(client, make_user(Role.ADMIN))

    response = client.get("/reports/export/report.xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames[:3] == ["Zaken", "Kanaal", "Prioriteit"]
    cases = list(workbook["Zaken"].iter_rows())
    assert len(cases) == 1 + 4
    header = [cell.value for cell in cases[0]]
    first_message = cases[1][header.index("Eerste bericht")]
    assert isinstance(first_message.value, datetime) and first_message.number_format == "dd-mm-yyyy hh:mm"
    priority_rows = list(workbook["Prioriteit"].iter_rows(values_only=True))
    assert priority_rows[0][:3] == ("Prioriteit", "Zaken", "Beantwoord")
    assert {row[0]: row[1] for row in priority_rows[1:]} == {"Hoog": 3, "Normaal": 1}
    high = next(row for row in priority_rows[1:] if row[0] == "Hoog")
    assert high[3] == pytest.approx(2 / 3)  # attainment as a number, shown as a percentage


def test_group_csv_export_follows_the_breakdown_with_decimal_commas(app, client, make_user):
    _recent_cases()
    _log_in(client, make_user(Role.MANAGER))

    text = client.get("/reports/export/groups.csv?by=priority").get_data().decode("utf-8-sig")
    machine = client.get("/reports/export/groups.csv?by=topic&variant=machine").get_data(as_text=True)

    rows = {row["Prioriteit"]: row for row in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert rows["Hoog"]["Binnen de norm (%)"] == "66,67%"
    assert rows["Hoog"]["Eerste reactie, mediaan (min)"] == "15,00"
    lines = machine.splitlines()
    assert lines[0].startswith("topic,count,responded,attainment")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["afval", "parkeren"]


def test_last_complete_week_runs_monday_to_sunday_in_amsterdam(app):
    # Monday 2 March 2026 00:30 local is Sunday 1 March 23:30 UTC: the week before is 23 Feb – 1 Mar.
    period = last_complete_week(datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    assert (period.first, period.last) == (date(2026, 2, 23), date(2026, 3, 1))


def test_weekly_digest_goes_to_each_manager_once_per_week(app, make_user, smtp):
    manager = make_user(Role.MANAGER)
    other_manager = make_user(Role.MANAGER)
    make_user(Role.AGENT)
    monday = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    make_case(datetime(2026, 3, 3, 9, 0, tzinfo=UTC), response_seconds=600, priority="high", due_in=timedelta(hours=1))
    db.session.commit()

    digest = send_weekly_digest(monday)
    again = send_weekly_digest(monday + timedelta(hours=5))

    assert digest.recipients == 2 and digest.week_start == date(2026, 3, 2)
    assert again is None
    assert db.session.scalar(select(func.count()).select_from(ReportDigest)) == 1
    assert sorted(envelope.rcpt_tos[0] for envelope in smtp.messages) == sorted([manager.email, other_manager.email])
    body = smtp.messages[0].content.decode("utf-8", "replace")
    assert "2 mrt 2026" in body and "8 mrt 2026" in body
    assert "100,0%" in body  # the one case was answered within its norm
    assert "mediaan 10 min" in body and "Hoog: 1 zaken" in body


def test_weekly_digest_records_a_failed_delivery_and_is_not_resent(app, make_user):
    make_user(Role.MANAGER)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port)
    monday = datetime(2026, 3, 16, 7, 0, tzinfo=UTC)

    digest = send_weekly_digest(monday)

    assert digest.recipients == 0 and "ConnectionRefusedError" in digest.failures
    assert send_weekly_digest(monday) is None
