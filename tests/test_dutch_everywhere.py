"""Every page of every role, the mails and the exports read Dutch: no string of the product's English vocabulary.

The demo organisation supplies real cases, decisions, approvals, a roster and mandates; the access matrix's
walk over the URL map supplies the pages. Resident text and other stored data are blanked first, so only
the product's own words are judged.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from tests.dutch_text import calendar_text, english_words, readable_text, without
from tests.test_app import _routes
from webcare.auth.models import Role, Team, User
from webcare.channels.models import Account
from webcare.demo import load_demo, password_for
from webcare.extensions import db
from webcare.inbox.models import Case
from webcare.intake.models import Author, Message
from webcare.mandates.models import MandateRule
from webcare.protocol.models import Bundle, ProtocolVersion
from webcare.replies.models import Reply
from webcare.roster.models import RosterConfig, RosterPerson
from webcare.timeutil import UTC

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
NOT_PAGES = {"static", "channels.meta_verify", "channels.x_crc", "reports.report_xlsx"}
DEMO_LOGINS = {
    Role.AGENT: "sanne@lindeburg.example",
    Role.LEAD: "joost@lindeburg.example",
    Role.MANAGER: "els@lindeburg.example",
    Role.ADMIN: "beheer@lindeburg.example",
}


@pytest.fixture
def demo(app):
    load_demo(weeks=1, now=NOW)
    db.session.commit()


def _first(column, *where):
    return db.session.scalar(select(column).where(*where).order_by(column).limit(1))


def _path_values() -> dict[str, object]:
    """A real id or key for each URL parameter, so item pages render with content."""
    decided = _first(Case.id, Case.action.is_not(None))
    person = db.session.scalar(select(RosterPerson).limit(1))
    config = db.session.scalar(select(RosterConfig).limit(1))
    return {
        "case_id": decided,
        "rule_id": _first(MandateRule.id),
        "reply_id": _first(Reply.id),
        "version_id": _first(ProtocolVersion.id),
        "bundle_id": _first(Bundle.id),
        "account_id": _first(Account.id),
        "team_id": config.team_id,
        "handle": _first(Account.handle, Account.channel == "webform") or _first(Account.handle),
        "person_token": person.feed_token,
        "team_token": config.team_feed_token,
    }


def _stored_data() -> set[str]:
    """Text that people or the organisation wrote, not the product: it is not judged."""
    columns = (Message.text, Author.handle, Author.name, Case.subject, Case.topic, User.name, User.email, Team.name,
               Account.handle, Account.name, Reply.text)
    data: set[str] = set()
    for column in columns:
        data.update(value for value in db.session.scalars(select(column).distinct()) if value)
    data.update(version.label for version in db.session.scalars(select(ProtocolVersion)))
    return data


def _url(app, endpoint: str, values: dict) -> str:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    arguments = {}
    for name in rule.arguments:
        key = name
        if name == "token":
            key = "team_token" if endpoint.endswith("team_feed") else "person_token"
        arguments[name] = values[key]
    query = {
        "protocol.diff": {"from": values["version_id"], "to": values["version_id"]},
        "reports.index": {"from": "2026-11-01", "to": "2026-11-30", "by": "priority"},
        "reports.cases_csv": {"from": "2026-11-01", "to": "2026-11-30"},
        "reports.groups_csv": {"from": "2026-11-01", "to": "2026-11-30", "by": "action"},
    }.get(endpoint, {})
    from flask import url_for

    return url_for(endpoint, **arguments, **query)


@pytest.mark.parametrize("role", list(DEMO_LOGINS), ids=[role.value for role in DEMO_LOGINS])
def test_every_page_a_role_opens_reads_dutch(app, client, auth, demo, role):
    user = db.session.scalar(select(User).where(User.email == DEMO_LOGINS[role]))
    assert auth.login_as(user, password_for(user.email)).status_code == 302
    values = _path_values()
    data = _stored_data()
    english: dict[str, list[str]] = {}
    opened = 0
    for endpoint, method, _url_template, allowed in _routes(app):
        if method != "GET" or endpoint in NOT_PAGES or (allowed and not user.has_role(*allowed)):
            continue
        with app.test_request_context():
            url = _url(app, endpoint, values)
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code != 200:
            continue
        opened += 1
        body = response.get_data(as_text=True)
        if response.mimetype == "text/calendar":
            text = calendar_text(body)
        elif response.mimetype == "text/csv":
            text = body
        else:
            text = readable_text(body)
        found = english_words(without(text, data))
        if found:
            english[url] = found

    assert opened > 10
    assert english == {}, "English in the Dutch UI:\n" + "\n".join(
        f"{url}: {words}" for url, words in english.items()
    )
