"""Fixtures: an app on a real database (SQLite, and PostgreSQL when a server answers), clients, factories."""

from __future__ import annotations

import os
import re
import shutil
import socket
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from flask import Flask, g
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from sqlalchemy import and_, or_, text, update
from sqlalchemy.engine import make_url

from webcare.accounts.models import Account
from webcare.app import create_app
from webcare.auth.models import Role
from webcare.auth.services import create_user
from webcare.demo import DEMO_ACCOUNTS
from webcare.extensions import db
from webcare.timeutil import UTC

# Property-based tests: a bounded, reproducible run in `make test`; HYPOTHESIS_PROFILE=release explores far
# more (and differently each run) before a release, see docs/deploy.md.
settings.register_profile(
    "suite",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("release", settings.get_profile("suite"), max_examples=500, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES_REQUIRED = bool(os.environ.get("WEBCARE_TEST_DATABASE_URL"))
POSTGRES_URL = os.environ.get("WEBCARE_TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)


def _admin_dsn(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL server for this test session, dropped afterwards."""
    try:
        with psycopg.connect(_admin_dsn(POSTGRES_URL), autocommit=True, connect_timeout=3) as connection:
            name = f"webcare_test_{uuid.uuid4().hex[:10]}"
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        if POSTGRES_REQUIRED:
            pytest.fail(f"WEBCARE_TEST_DATABASE_URL is set but PostgreSQL does not answer: {error}")
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_URL} (set WEBCARE_TEST_DATABASE_URL to require it)")
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with psycopg.connect(_admin_dsn(POSTGRES_URL), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite database file that each test copies."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def migrated_postgres(postgres_url) -> str:
    app = create_app({"SQLALCHEMY_DATABASE_URI": postgres_url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return postgres_url


def _truncate_postgres(url: str) -> None:
    with psycopg.connect(_admin_dsn(url), autocommit=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            connection.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "webcare.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("migrated_postgres")
    _truncate_postgres(url)
    return url


@pytest.fixture
def app(database_url, tmp_path, monkeypatch) -> Iterator[Flask]:
    monkeypatch.setenv("WEBCARE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": True,
        }
    )

    @app.teardown_request
    def forget_request_state(error):
        # Requests in a test share the fixture's app context and so its `g`; in production each request has
        # its own. Flask-WTF caches the CSRF token in `g`, which would outlive the session it belongs to.
        for name in ("csrf_token", "babel_locale", "babel_tzinfo", "babel_translations", "_login_user"):
            g.pop(name, None)

    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(*roles: Role, name: str | None = None, password: str = "correct horse battery"):
        number = next(counter)
        return create_user(f"user{number}@example.org", name or f"User {number}", password, set(roles) or {Role.AGENT})

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login_as(self, user, password: str = "correct horse battery"):
        token = _csrf_from(self.client.get("/login").get_data(as_text=True))
        return self.client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})


def _csrf_from(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def csrf_from():
    return _csrf_from


def send_demo_accounts_to_the_log() -> None:
    """The demo municipality's accounts send through the log connector (their account setting), as in the demo."""
    demo = [(channel, handle) for channel, handle, _name, _is_general in DEMO_ACCOUNTS]
    db.session.execute(
        update(Account)
        .where(or_(*(and_(Account.channel == channel, Account.handle == handle) for channel, handle in demo)))
        .values(sends_to_log=True)
    )
    db.session.commit()


def message_line(external_id: str, *, minutes: float = 0, base: datetime | None = None, **fields) -> dict:
    """An intake record in the JSONL format, `minutes` after a fixed base time."""
    base = base or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    record = {
        "channel": "x",
        "account": "gemeentelindeburg",
        "external_id": external_id,
        "direction": "inbound",
        "created_at": (base + timedelta(minutes=minutes)).isoformat(),
        "text": f"bericht {external_id}",
        "author": {"id": "u1", "handle": "inwoner1", "name": "Inwoner Een", "followers": 10, "verified": False},
        "is_public": True,
    }
    record.update(fields)
    return record


@pytest.fixture
def db_dialect(app) -> str:
    return db.engine.dialect.name


def count(statement: str) -> int:
    return db.session.execute(text(statement)).scalar_one()


class Mailbox:
    """What the local SMTP server received: aiosmtpd envelopes."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(app):
    """A real SMTP server on a free local port, with the app sending to it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_USERNAME=None,
        MAIL_SENDER="webcare@lindeburg.nl",
    )
    yield mailbox
    controller.stop()
