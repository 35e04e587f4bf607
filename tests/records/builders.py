"""A closed history for the records tests: real import, worker and workflow services, in early 2025."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from flask import current_app

from tests.reports.builders import case_of, conversation, ingest
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox import services as inbox
from webcare.inbox.models import Case
from webcare.protocol.services import activate_file
from webcare.reports.breakdowns import group_rows
from webcare.reports.metrics import BREAKDOWNS, Clock
from webcare.reports.page import report_page
from webcare.reports.period import Period, ReportQuery
from webcare.resources import resource_dir
from webcare.timeutil import UTC

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
PAST = Period(date(2025, 1, 1), date(2025, 3, 31))
LATER = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def closed_history(app, make_user) -> dict[str, Case]:
    """Six conversations on two channels, four residents; resolved, escalated, ignored and one left open."""
    activate_file(resource_dir("protocols") / "gemeente.yaml")
    agent = make_user(Role.AGENT, Role.LEAD, name="Sanne de Vries")
    records = []
    for number, (key, channel) in enumerate(
        [("a", "x"), ("b", "x"), ("c", "facebook"), ("d", "facebook"), ("e", "x"), ("f", "x")]
    ):
        asked = START + timedelta(days=number, hours=number)
        answered = None if key == "d" else asked + timedelta(minutes=30 + 7 * number)
        records += conversation(key, asked, answered, channel=channel, conversation_id=f"thread-{key}")
    ingest(app, records)
    cases = {key: case_of(f"{key}-q") for key in "abcdef"}
    moment = START + timedelta(days=10)
    inbox.resolve_case(cases["a"], "answered", by=agent, now=moment)
    inbox.escalate_case(cases["b"], "afval", "Container niet geleegd bij Fatima", by=agent, now=moment)
    inbox.record_department_answer(cases["b"], "Wordt morgen geleegd", by=agent, now=moment + timedelta(hours=2))
    inbox.resolve_case(cases["b"], "referred", by=agent, now=moment + timedelta(hours=3))
    inbox.add_note(cases["c"], "Inwoner belde ook", by=agent, now=moment)
    inbox.resolve_case(cases["c"], "answered", by=agent, now=moment + timedelta(hours=1))
    inbox.ignore_case(cases["d"], "Spam", by=agent, now=moment)
    inbox.resolve_case(cases["e"], "duplicate", by=agent, now=moment)
    db.session.commit()
    return cases


def _figures(value):
    """A report structure with the residents' names left out: pseudonyms and destruction change labels, not figures."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: _figures(getattr(value, field.name)) for field in dataclasses.fields(value)}
        if type(value).__name__ == "AuthorRow":
            fields.pop("name", None)
            fields.pop("handle", None)
        return fields
    if isinstance(value, dict):
        return {str(key): _figures(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_figures(item) for item in value]
    return value if isinstance(value, (int, float, str, type(None), bool)) else str(value)


def report_figures(now: datetime = LATER) -> dict:
    """Every report over the past period: the page and each breakdown, on both clocks."""
    figures = {}
    with current_app.test_request_context():
        for clock in Clock:
            figures[f"page-{clock.value}"] = _figures(report_page(ReportQuery(PAST, ["channel"], clock, now)))
            for key in BREAKDOWNS:
                figures[f"{key}-{clock.value}"] = _figures(group_rows(ReportQuery(PAST, [key], clock, now)))
    return figures
