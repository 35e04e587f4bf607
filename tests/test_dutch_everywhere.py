"""Every page of every role, the mails and the exports read Dutch: no string of the product's English vocabulary.

The demo organisation supplies real cases, decisions, approvals, a roster and mandates; the access matrix's
walk over the URL map supplies the pages. Resident text and other stored data are blanked first, so only
the product's own words are judged.
"""

from __future__ import annotations

import ast
import email
import email.policy
import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.dutch_text import calendar_text, english_words, readable_text, without
from tests.test_app import _routes
from webcare.accounts.models import Account
from webcare.auth.models import Role, Team, User
from webcare.demo import load_demo, password_for
from webcare.extensions import db
from webcare.inbox.models import Author, Bundle, Case, Message
from webcare.mandates.models import MandateRule
from webcare.protocol.models import ProtocolVersion
from webcare.records.models import DestructionList, SubjectRequest, SubjectRequestKind
from webcare.records.subjects import register_request
from webcare.replies.models import Reply
from webcare.roster.models import RosterConfig, RosterPerson
from webcare.timeutil import UTC

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
NOT_PAGES = {
    "static",
    "channels.meta_verify",
    "channels.x_crc",
    "reports.report_xlsx",
    # Single sign-on only answers when a provider is configured; the operator's endpoints are JSON and text.
    "auth.sso_start",
    "auth.sso_callback",
    "ops.healthz",
    "ops.readyz",
    "ops.readyz_worker",
    "ops.metrics",
    "api.openapi",  # the API description is for developers, in English like the API itself
}
DEMO_LOGINS = {
    Role.AGENT: "sanne@lindeburg.example",
    Role.LEAD: "joost@lindeburg.example",
    Role.MANAGER: "els@lindeburg.example",
    Role.ADMIN: "beheer@lindeburg.example",
    Role.RECORDS_MANAGER: "archief@lindeburg.example",
    Role.PRIVACY_OFFICER: "privacy@lindeburg.example",
}


@pytest.fixture
def demo(app):
    load_demo(weeks=1, now=NOW)
    db.session.commit()


@pytest.fixture
def organisation(app):
    """The demo's users, roster, protocol and mandates without its message history (quicker)."""
    load_demo(now=NOW, messages=False)
    db.session.commit()


def _first(column, *where):
    return db.session.scalar(select(column).where(*where).order_by(column).limit(1))


def _path_values() -> dict[str, object]:
    """A real id or key for each URL parameter, so item pages render with content."""
    decided = _first(Case.id, Case.action.is_not(None))
    person = db.session.scalar(select(RosterPerson).limit(1))
    config = db.session.scalar(select(RosterConfig).limit(1))
    privacy_officer = db.session.scalar(select(User).where(User.email == DEMO_LOGINS[Role.PRIVACY_OFFICER]))
    resident = db.session.scalar(select(Author).limit(1))
    request = (
        _first(SubjectRequest.id)
        or register_request(SubjectRequestKind.ACCESS, "", [resident], by=privacy_officer, received_at=NOW).id
    )
    if _first(DestructionList.id) is None:
        db.session.add(DestructionList(schedule_version="1", proposed_at=NOW))
        db.session.commit()
    return {
        "request_id": request,
        "list_id": _first(DestructionList.id),
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
    columns = (
        Message.text,
        Author.handle,
        Author.name,
        Case.subject,
        Case.topic,
        User.name,
        User.email,
        Team.name,
        Account.handle,
        Account.name,
        Reply.text,
    )
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
    assert english == {}, "English in the Dutch UI:\n" + "\n".join(f"{url}: {words}" for url, words in english.items())


# --- Service errors: every message a person can read is built through the catalogue ----------------------------

USER_FACING_ERRORS = {
    "ReplyRefused",
    "NotPermitted",
    "RosterError",
    "MandateError",
    "InvalidChoice",
    "SendFailed",
    "BadReportRequest",
    "MissingSecret",
    "SwapNotPossible",
}
TRANSLATORS = {"_", "_l", "gettext", "lazy_gettext", "ngettext"}


def _english_literal(node: ast.AST) -> bool:
    """A message argument that holds English text written in place instead of a catalogue call."""
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        return name not in TRANSLATORS and any(_english_literal(arg) for arg in node.args)
    if isinstance(node, ast.IfExp):
        return _english_literal(node.body) or _english_literal(node.orelse)
    if isinstance(node, ast.BinOp):
        return _english_literal(node.left) or _english_literal(node.right)
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def test_every_user_facing_error_message_goes_through_the_catalogue():
    untranslated = []
    for path in sorted(Path("webcare").rglob("*.py")):
        if "engine" in path.parts:
            continue  # pure engines raise for the code that calls them; services translate what reaches people
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = getattr(node.exc.func, "id", getattr(node.exc.func, "attr", ""))
                if name in USER_FACING_ERRORS and node.exc.args and _english_literal(node.exc.args[0]):
                    untranslated.append(f"{path}:{node.lineno} {ast.unparse(node.exc)[:100]}")

    assert untranslated == []


@pytest.mark.parametrize(
    ("raise_it", "dutch"),
    [
        (lambda: _refused_reply("Hallo {naam}, zie {link}"), "vul eerst de invulplekken in: {naam}, {link}"),
        (lambda: _override_without_kind(), "om iemand toe te voegen is een soort dienst nodig"),
        (lambda: _duplicate_mandate(), "er bestaat al een regel voor dit onderwerp"),
    ],
    ids=["placeholders", "shift-kind", "mandate-exists"],
)
def test_service_errors_read_dutch(app, organisation, raise_it, dutch):
    with app.test_request_context():
        message = raise_it()

    assert dutch in message
    assert english_words(message) == []


def _refused_reply(text: str) -> str:
    from webcare.replies.services import ReplyRefused, _check_text

    try:
        _check_text(text)
    except ReplyRefused as refused:
        return str(refused)
    raise AssertionError("not refused")


def _override_without_kind() -> str:
    from webcare.roster.engine import OverrideAction
    from webcare.roster.services import RosterError, add_override

    config = db.session.scalar(select(RosterConfig).limit(1))
    person = db.session.scalar(select(RosterPerson).where(RosterPerson.roster_id == config.id).limit(1))
    lead = db.session.scalar(select(User).where(User.email == DEMO_LOGINS[Role.LEAD]))
    try:
        add_override(
            config,
            action=OverrideAction.ADD,
            person_id=person.id,
            replacement_id=None,
            kind=None,
            start=NOW,
            end=NOW + timedelta(hours=2),
            reason="",
            by=lead,
        )
    except RosterError as error:
        return str(error)
    raise AssertionError("not refused")


def _duplicate_mandate() -> str:
    from webcare.mandates.services import MandateError, add_rule

    rule = db.session.scalar(select(MandateRule).limit(1))
    admin = db.session.scalar(select(User).where(User.email == DEMO_LOGINS[Role.ADMIN]))
    try:
        add_rule(
            role=rule.role,
            user=rule.user,
            topic=rule.topic,
            risk=rule.risk,
            visibility=rule.visibility,
            permission=rule.permission,
            by=admin,
        )
    except MandateError as error:
        return str(error)
    raise AssertionError("not refused")


# --- Mails and the workbook --------------------------------------------------------------------------------------


def _mail_text(raw: bytes) -> str:
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    body = mail.get_body(preferencelist=("plain",))
    return f"{mail['Subject']}\n{body.get_content() if body else ''}"


def test_mails_and_the_workbook_read_dutch(app, client, auth, demo, smtp):
    from webcare.notifications.services import send_pending_emails
    from webcare.reports.digest import send_weekly_digest
    from webcare.roster.duty import warn_about_gaps

    send_weekly_digest(NOW + timedelta(days=7))
    warn_about_gaps(NOW)
    send_pending_emails(limit=500)
    manager = db.session.scalar(select(User).where(User.email == DEMO_LOGINS[Role.MANAGER]))
    assert auth.login_as(manager, password_for(manager.email)).status_code == 302
    workbook = load_workbook(
        io.BytesIO(client.get("/reports/export/report.xlsx?from=2026-11-01&to=2026-11-30").get_data())
    )
    data = _stored_data()

    mails = [_mail_text(envelope.content) for envelope in smtp.messages]
    cells = "\n".join(
        [title for title in workbook.sheetnames]
        + [
            str(value)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if isinstance(value, str)
        ]
    )

    assert any("Webcare-weekrapport" in mail for mail in mails)
    assert {mail: english_words(without(mail, data)) for mail in mails if english_words(without(mail, data))} == {}
    assert english_words(without(cells, data)) == []
