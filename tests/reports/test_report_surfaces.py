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
        make_case(start + timedelta(hours=minutes), response_seconds=minutes * 60, priority="high",
                  due_in=timedelta(minutes=30), topic="afval")
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
    assert 'data-chart=' in page and "<script>" not in page
    assert "Geen gegevens: de besluiten van het reactieprotocol in deze periode bevatten geen sentiment." in page


def test_bad_dates_are_refused_with_400(app, client, make_user):
    _log_in(client, make_user(Role.MANAGER))

    assert client.get("/reports?from=gisteren").status_code == 400
    assert client.get("/reports?from=2026-03-02&to=2026-03-01").status_code == 400


def test_case_export_streams_one_csv_row_per_case(app, client, make_user):
    _recent_cases()
    _log_in(client, make_user(Role.MANAGER))
    today = utcnow().date()

    response = client.get(f"/reports/export/cases.csv?from={today - timedelta(days=7)}&to={today}")

    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 4
    assert sorted(row["within_norm"] for row in rows) == ["no", "no", "yes", "yes"]
    assert sorted(int(row["first_response_seconds"] or 0) for row in rows) == [0, 300, 900, 2700]


def test_xlsx_export_holds_the_cases_and_every_breakdown(app, client, make_user):
    _recent_cases()
    _log_in(client, make_user(Role.ADMIN))

    response = client.get("/reports/export/report.xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    assert workbook.sheetnames[:3] == ["cases", "by channel", "by priority"]
    assert len(list(workbook["cases"].iter_rows(values_only=True))) == 1 + 4
    priority_rows = list(workbook["by priority"].iter_rows(values_only=True))
    assert priority_rows[0][:3] == ("priority", "count", "responded")
    assert {row[0]: row[1] for row in priority_rows[1:]} == {"high": 3, "normal": 1}


def test_group_csv_export_follows_the_breakdown(app, client, make_user):
    _recent_cases()
    _log_in(client, make_user(Role.MANAGER))

    text = client.get("/reports/export/groups.csv?by=topic").get_data(as_text=True)

    lines = text.splitlines()
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
