"""The app as a whole: schema from migrations, configuration, security headers, access, CLI, demo."""

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from tests.conftest import message_line
from webcare.auth.models import Role
from webcare.extensions import db


def test_migrations_build_exactly_the_schema_the_models_describe(app):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)

    assert differences == []


def test_db_upgrade_brings_an_older_database_to_the_current_schema(app):
    downgrade(revision="base")
    assert "cases" not in inspect(db.engine).get_table_names()

    upgrade()

    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []


def test_sqlite_runs_with_wal_and_foreign_keys(app, db_dialect):
    if db_dialect != "sqlite":
        pytest.skip("SQLite pragmas only")
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_configuration_comes_from_the_environment(tmp_path):
    from config import settings_from_env

    settings = settings_from_env(
        str(tmp_path),
        {"WEBCARE_DATABASE_URL": "postgresql://db/webcare", "WEBCARE_SECRET_KEY": "s3", "WEBCARE_TIMEZONE": "UTC"},
    )

    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql://db/webcare"
    assert settings["SECRET_KEY"] == "s3"
    assert settings["WEBCARE_TIMEZONE"] == "UTC"


def test_without_configuration_the_database_is_sqlite_in_the_instance_folder_and_the_key_persists(tmp_path):
    from config import settings_from_env

    first = settings_from_env(str(tmp_path), {})
    second = settings_from_env(str(tmp_path), {})

    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'webcare.sqlite'}"
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/login")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite(client, make_user, auth):
    user = make_user(Role.AGENT)
    response = auth.login_as(user)

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_behind_https_the_session_cookie_is_marked_secure(app, client, make_user, auth, tmp_path):
    from config import settings_from_env

    settings = settings_from_env(str(tmp_path), {"WEBCARE_SECURE_COOKIES": "1"})
    assert settings["SESSION_COOKIE_SECURE"] is settings["REMEMBER_COOKIE_SECURE"] is True
    app.config["SESSION_COOKIE_SECURE"] = settings["SESSION_COOKIE_SECURE"]
    client.environ_base["wsgi.url_scheme"] = "https"

    response = auth.login_as(make_user(Role.AGENT))
    cookie = response.headers["Set-Cookie"]

    assert response.status_code == 302 and client.get("/inbox").status_code == 200
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


STAFF_PAGES = ["/inbox", "/inbox/rows", "/cases/{case_id}"]


@pytest.fixture
def a_case(app):
    import io
    import json

    from webcare.inbox.models import Case
    from webcare.intake.services import import_jsonl
    from webcare.worker import run_worker

    import_jsonl(io.BytesIO(json.dumps(message_line("q")).encode()), source="test")
    run_worker(app, drain=True)
    return db.session.scalar(select(Case))


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, a_case, path):
    response = client.get(path.format(case_id=a_case.id))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_every_role_can_read_the_inbox_and_cases(client, make_user, auth, a_case, role, path):
    auth.login_as(make_user(role))

    assert client.get(path.format(case_id=a_case.id)).status_code == 200


def test_every_view_declares_who_may_use_it(app):
    public = {
        "static",
        "ops.healthz",
        "ops.readyz",
        "ops.readyz_worker",
        "ops.metrics",
        "auth.sso_start",
        "auth.sso_callback",
        "auth.login",
        "auth.logout",
        "auth.set_locale",
        "inbox.index",
        "api.post_messages",
        "roster.person_feed",
        "roster.team_feed",
        "api.openapi",
        "channels.meta_verify",
        "channels.meta_receive",
        "channels.x_crc",
        "channels.x_receive",
        "channels.contact",
        "channels.contact_sent",
    }
    for endpoint, view in app.view_functions.items():
        if endpoint in public:
            continue
        assert getattr(view, "allowed_roles", None), f"{endpoint} has no role_required"


def test_login_refuses_a_post_without_csrf_token(client, make_user):
    user = make_user(Role.AGENT)

    response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})

    assert response.status_code == 400


def test_login_with_a_wrong_password_fails_and_says_so(client, make_user, auth):
    user = make_user(Role.AGENT)

    response = auth.login_as(user, password="wrong")

    assert response.status_code == 401
    assert client.get("/inbox").status_code == 302


def test_login_does_not_redirect_to_another_site(client, make_user, csrf_from):
    user = make_user(Role.AGENT)
    token = csrf_from(client.get("/login").get_data(as_text=True))

    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )

    assert response.headers["Location"] == "/inbox"


def test_resident_text_is_escaped_on_the_case_page(app, client, make_user, auth):
    import io
    import json

    from webcare.inbox.models import Case
    from webcare.intake.services import import_jsonl
    from webcare.worker import run_worker

    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    import_jsonl(io.BytesIO(json.dumps(message_line("xss", text=payload)).encode()), source="test")
    run_worker(app, drain=True)
    auth.login_as(make_user(Role.AGENT))

    page = client.get(f"/cases/{db.session.scalar(select(Case.id))}").get_data(as_text=True)

    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_inbox_pages_forward_with_a_cursor_and_rejects_a_forged_one(app, client, make_user, auth):
    import io
    import json

    from webcare.intake.services import import_jsonl
    from webcare.worker import run_worker

    lines = b"".join(
        json.dumps(message_line(f"m{i}", minutes=i, author={"id": f"a{i}"})).encode() + b"\n" for i in range(60)
    )
    import_jsonl(io.BytesIO(lines), source="test")
    run_worker(app, drain=True)
    auth.login_as(make_user(Role.AGENT))

    first = client.get("/inbox").get_data(as_text=True)
    cursor = re.search(r'after=([^"&]+)"', first).group(1)
    second = client.get(f"/inbox?after={cursor}").get_data(as_text=True)

    assert first.count('href="/cases/') == 50
    assert second.count('href="/cases/') == 10
    assert client.get("/inbox?after=not-a-cursor").status_code == 400
    assert client.get("/inbox?status=bogus").status_code == 400


def test_every_command_has_a_one_line_help(runner):
    result = runner.invoke(args=["--help"])
    assert result.exit_code == 0
    for command in ["serve", "worker", "scheduler", "demo", "import", "user", "token", "db"]:
        assert re.search(rf"^\s+{command}\s+\S", result.output, re.MULTILINE), command


def test_user_create_command_makes_a_user_who_can_log_in(runner, client, csrf_from):
    result = runner.invoke(
        args=["user", "create", "lead@example.org", "--name", "Lead", "--role", "lead", "--role", "agent"],
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    token = csrf_from(client.get("/login").get_data(as_text=True))

    response = client.post(
        "/login", data={"email": "lead@example.org", "password": "a long password", "csrf_token": token}
    )

    assert response.status_code == 302


def test_the_demo_builds_a_municipality_with_weeks_of_traffic(app, runner):
    from webcare.accounts.models import Account
    from webcare.inbox.models import Case, CaseStatus, Direction, Message, MessageStatus
    from webcare.replies.models import Reply, ReplyStatus
    from webcare.timeutil import as_utc, zone

    result = runner.invoke(args=["demo", "--weeks", "2"])

    assert result.exit_code == 0, result.output
    assert "Welkom-sanne-2026" in result.output
    assert db.session.scalar(select(func.count()).select_from(Account)) >= 8
    messages = db.session.scalars(select(Message)).all()
    assert {m.status for m in messages} == {MessageStatus.DONE}
    outbound = [m for m in messages if m.direction == Direction.OUTBOUND]
    assert 0.2 < len(outbound) / len(messages) < 0.6
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.first_response_at.is_not(None))) > 50
    hours = [as_utc(m.created_at).astimezone(zone()).hour for m in messages if m.direction == Direction.INBOUND]
    office = sum(9 <= hour < 17 for hour in hours)
    night = sum(hour < 6 for hour in hours)
    evening = sum(18 <= hour < 23 for hour in hours)
    assert office > 2 * evening > 0 and evening > 3 * night
    pending = db.session.scalars(select(Reply).where(Reply.status == ReplyStatus.PENDING_APPROVAL)).all()
    assert len(pending) == 3 and all(reply.case.status == CaseStatus.WAITING_ON_APPROVAL for reply in pending)
    # A team that keeps up: history answered and resolved, a day's work in hand, one threat among it.
    cases = db.session.scalars(select(Case)).all()
    active = [case for case in cases if case.is_active]
    answered = [case for case in cases if case.first_response_at is not None]
    assert len(answered) > 0.75 * len(cases) and len(active) < 0.15 * len(cases)
    assert any("weet waar je woont" in case.subject and case.is_active for case in cases)

    again = runner.invoke(args=["demo", "--weeks", "2", "--if-empty"])
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Message)) == len(messages)


# --- The access matrix: every endpoint of the URL map, every role, anonymous visitors ----------------------------

MACHINE_ENDPOINTS = {"api.post_messages", "channels.meta_receive", "channels.x_receive"}  # bearer token / signature
MISSING_ID = 987_654_321


def _routes(app):
    """(endpoint, method, url, allowed roles or None for public) for every rule and method of the URL map."""
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        values = {
            name: MISSING_ID if type(converter).__name__ == "IntegerConverter" else "x"
            for name, converter in rule._converters.items()
        }
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = adapter.build(rule.endpoint, values, method=method)
            routes.append((rule.endpoint, method, url, getattr(view, "allowed_roles", None)))
    return routes


def _call(client, method, url, token):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, headers={"X-CSRFToken": token})


def _token(client, csrf_from):
    return csrf_from(client.get("/login").get_data(as_text=True))


def test_the_access_matrix_covers_every_rule_of_the_url_map(app):
    routes = _routes(app)
    protected = [route for route in routes if route[3]]

    assert len({route[0] for route in routes}) == len(app.view_functions)
    assert len(protected) > 50
    assert {method for _endpoint, method, _url, _roles in protected} == {"GET", "POST"}


# Boundaries decided in issue 15 (docs/workflow.md, "Who may do what"); the view adds a finer check to each.
DECIDED = {
    # agents: only their own feed address (the view refuses the team's); the team's: leads of that team
    "roster.regenerate_feed": {Role.AGENT, Role.LEAD},
    # leads and admins judge whether a failed reply should go out again
    "replies.retry": {Role.LEAD, Role.ADMIN},
    # leads and managers see the whole queue; agents only with a mandate to send (the view refuses others)
    "replies.queue": {Role.AGENT, Role.LEAD, Role.MANAGER},
    "replies.review": {Role.AGENT, Role.LEAD, Role.MANAGER},
    # approving needs a mandate covering the reply, checked by the service; managers and admins never approve
    "replies.approve": {Role.AGENT, Role.LEAD},
    "replies.reject": {Role.AGENT, Role.LEAD},
}
# Agents let in by role but refused by the view without a mandate to send (the matrix's database has none).
NEEDS_AN_APPROVING_MANDATE = {"replies.queue", "replies.review"}


def test_the_decided_role_boundaries_hold(app):
    assert {endpoint: set(app.view_functions[endpoint].allowed_roles) for endpoint in DECIDED} == DECIDED


def test_anonymous_visitors_get_the_login_page_from_every_protected_endpoint(app, client, csrf_from):
    token = _token(client, csrf_from)
    wrong = []
    for endpoint, method, url, allowed in _routes(app):
        if not allowed:
            continue
        response = _call(client, method, url, token)
        if response.status_code != 302 or not response.headers["Location"].startswith("/login"):
            wrong.append((endpoint, method, url, response.status_code))

    assert wrong == []


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_each_role_gets_403_from_every_endpoint_not_meant_for_it_and_in_everywhere_else(
    app, client, auth, make_user, csrf_from, role
):
    assert auth.login_as(make_user(role)).status_code == 302
    token = csrf_from(client.get("/mandates").get_data(as_text=True))
    wrong = []
    for endpoint, method, url, allowed in _routes(app):
        if not allowed:
            continue
        if role == Role.AGENT and endpoint in NEEDS_AN_APPROVING_MANDATE:
            allowed = allowed - {Role.AGENT}
        response = _call(client, method, url, token)
        redirected_to_login = response.status_code == 302 and response.headers["Location"].startswith("/login")
        if role in allowed and (
            response.status_code in (401, 403) or response.status_code >= 500 or redirected_to_login
        ):
            wrong.append((endpoint, method, url, response.status_code, "should be let in"))
        if role not in allowed and response.status_code != 403:
            wrong.append((endpoint, method, url, response.status_code, "should get 403"))

    assert wrong == []


def test_every_form_post_without_a_csrf_token_is_refused(app, client, auth, make_user):
    assert auth.login_as(make_user(*Role)).status_code == 302
    accepted = []
    for endpoint, method, url, _allowed in _routes(app):
        if method == "GET" or endpoint in MACHINE_ENDPOINTS:
            continue
        response = client.open(url, method=method)
        if response.status_code != 400:
            accepted.append((endpoint, method, url, response.status_code))

    assert accepted == []


# --- Templates and scripts keep to the Content-Security-Policy, put a CSRF token in every form, escape text ---------


def _templates():
    from webcare.resources import resource_dir

    folder = resource_dir("templates")
    return [(path.relative_to(folder).as_posix(), path.read_text()) for path in sorted(folder.rglob("*.html"))]


def test_no_template_has_inline_script_event_handler_or_style_attribute():
    found = []
    for name, source in _templates():
        for tag in re.findall(r"<script\b[^>]*>", source, re.IGNORECASE):
            if "src=" not in tag:
                found.append((name, tag))
        found += [(name, match) for match in re.findall(r"<[^>]*\s(on[a-z]+\s*=|style\s*=)", source, re.IGNORECASE)]
        found += [(name, match) for match in re.findall(r"javascript:", source, re.IGNORECASE)]

    assert found == []


def test_every_post_form_in_the_templates_carries_a_csrf_token():
    missing = []
    for name, source in _templates():
        for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", source, re.IGNORECASE | re.DOTALL):
            if "csrf_token" not in form and "hidden_tag()" not in form:
                missing.append((name, form[:120]))

    assert missing == []


def test_htmx_requests_carry_the_csrf_token_from_the_page_body(client, make_user, auth):
    auth.login_as(make_user(Role.AGENT))

    page = client.get("/inbox").get_data(as_text=True)

    assert re.search(r'<body hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'>', page)


def test_no_template_or_script_switches_escaping_off():
    from webcare.resources import resource_dir

    found = [(name, m) for name, source in _templates() for m in re.findall(r"\|\s*safe\b|autoescape\s+false", source)]
    for script in sorted((resource_dir("static")).glob("*.js")):
        found += [
            (script.name, m)
            for m in re.findall(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", script.read_text())
        ]

    assert found == []
