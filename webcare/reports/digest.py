"""The weekly digest for managers: last week's figures by e-mail, once per week."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webcare.auth.models import Role
from webcare.extensions import db
from webcare.formatting import NOTHING, duration, percent
from webcare.notifications.services import send_mail, users_with_role
from webcare.reports.backlog import backlog
from webcare.reports.breakdowns import group_rows, totals
from webcare.reports.metrics import Clock, GroupRow
from webcare.reports.models import ReportDigest
from webcare.reports.page import shown_label
from webcare.reports.period import Period, ReportQuery, report_zone
from webcare.timeutil import as_utc

log = logging.getLogger(__name__)
DAY = "d MMM yyyy"


def last_complete_week(now: datetime) -> Period:
    """Monday through Sunday of the local week before the one `now` falls in."""
    today = as_utc(now).astimezone(report_zone()).date()
    this_monday = today - timedelta(days=today.weekday())
    return Period(this_monday - timedelta(days=7), this_monday - timedelta(days=1))


def _minutes(seconds: float | None) -> str:
    return duration(seconds, empty=NOTHING)


def _line(row: GroupRow, breakdown: str) -> str:
    return _(
        "%(label)s: %(cases)d cases, attainment %(attainment)s, median %(p50)s, p90 %(p90)s",
        label=shown_label(breakdown, row.key, row.label),
        cases=row.cases,
        attainment=percent(row.attainment),
        p50=_minutes(row.first_response.p50),
        p90=_minutes(row.first_response.p90),
    )


def digest_text(period: Period, now: datetime) -> tuple[str, str]:
    """Subject and plain-text body of the digest for `period`."""
    current = totals(ReportQuery(period, (), Clock.CALENDAR, now))
    previous = totals(ReportQuery(period.previous(), (), Clock.CALENDAR, now))
    staffed = totals(ReportQuery(period, (), Clock.STAFFED, now))
    by_priority = group_rows(ReportQuery(period, ["priority"], Clock.CALENDAR, now))
    by_channel = group_rows(ReportQuery(period, ["channel"], Clock.CALENDAR, now))
    open_now = backlog(now)
    subject = _(
        "Webcare weekly report %(first)s – %(last)s",
        first=format_date(period.first, DAY),
        last=format_date(period.last, DAY),
    )
    lines = [
        subject,
        "",
        _("Cases: %(now)d (previous week %(before)d)", now=current.cases, before=previous.cases),
        _("Answered: %(count)d", count=current.responded),
        _(
            "Attainment of the first-response norm: %(now)s (previous week %(before)s), breached: %(breached)d",
            now=percent(current.attainment),
            before=percent(previous.attainment),
            breached=current.breached,
        ),
        _(
            "First response, calendar time: median %(p50)s, p90 %(p90)s, p95 %(p95)s",
            p50=_minutes(current.first_response.p50),
            p90=_minutes(current.first_response.p90),
            p95=_minutes(current.first_response.p95),
        ),
        _(
            "First response, staffed time: median %(p50)s, p90 %(p90)s",
            p50=_minutes(staffed.first_response.p50),
            p90=_minutes(staffed.first_response.p90),
        ),
        "",
        _("Per priority:"),
        *(f"  {_line(row, 'priority')}" for row in by_priority),
        "",
        _("Per channel:"),
        *(f"  {_line(row, 'channel')}" for row in by_channel),
        "",
        _(
            "Backlog now: %(total)d active cases, %(overdue)d past their first-response due time.",
            total=open_now.total,
            overdue=open_now.overdue,
        ),
    ]
    return subject, "\n".join(lines) + "\n"


def send_weekly_digest(now: datetime) -> ReportDigest | None:
    """Mail last week's digest to every active manager, unless it went out already; None when it had.

    The week is claimed by committing its row before any mail is sent (unique on the week), so two
    runs never both send it and no database lock is held while talking to the SMTP server. Failures
    per recipient are kept on the row and logged.
    """
    period = last_complete_week(now)
    if db.session.scalar(select(ReportDigest.id).where(ReportDigest.week_start == period.first)) is not None:
        return None
    digest = ReportDigest(week_start=period.first, sent_at=as_utc(now), recipients=0)
    db.session.add(digest)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    failures = []
    sent = 0
    for manager in users_with_role(Role.MANAGER):
        with force_locale(manager.locale or "nl"):
            subject, body = digest_text(period, now)
        db.session.rollback()  # end the read transaction before talking to the SMTP server
        try:
            send_mail(manager.email, subject, body)
        except (OSError, smtplib.SMTPException) as error:
            failures.append(f"{manager.email}: {type(error).__name__}: {error}")
            log.warning("could not mail the weekly digest to %s: %s", manager.email, error)
        else:
            sent += 1
    digest = db.session.get(ReportDigest, digest.id)
    digest.recipients = sent
    digest.failures = "\n".join(failures)[:4000] or None
    db.session.commit()
    return digest
