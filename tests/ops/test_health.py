"""/healthz and /readyz: the process answers; the database answers at the newest schema; the queue moves."""

from __future__ import annotations

import io
import json
import shutil
import uuid
from datetime import timedelta

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import update
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL, _admin_dsn, message_line
from webcare.app import create_app
from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.intake.services import import_jsonl
from webcare.ops import health
from webcare.ops.heartbeat import WORKER, beat, forget_local_throttle
from webcare.timeutil import utcnow


def test_healthz_and_readyz_answer_without_log_in(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}

    ready = client.get("/readyz")

    assert ready.status_code == 200
    assert ready.get_json() == {"ready": True, "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_fails_while_the_schema_is_behind_the_migrations(app, client):
    from flask_migrate import downgrade

    downgrade(revision="-1")
    behind = client.get("/readyz")
    upgrade()

    assert behind.status_code == 503
    assert behind.get_json()["checks"]["migrations"].startswith("at ")
    assert client.get("/readyz").status_code == 200


def _app_on(url: str, tmp_path):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})


def test_readyz_fails_while_the_sqlite_volume_is_gone_and_recovers_when_it_returns(
    sqlite_template, tmp_path, monkeypatch
):
    monkeypatch.setenv("WEBCARE_INSTANCE_PATH", str(tmp_path / "instance"))
    volume = tmp_path / "volume"
    volume.mkdir()
    shutil.copy(sqlite_template, volume / "webcare.sqlite")
    app = _app_on(f"sqlite:///{volume / 'webcare.sqlite'}", tmp_path)
    client = app.test_client()
    with app.app_context():
        assert client.get("/readyz").status_code == 200

        volume.rename(tmp_path / "unmounted")
        db.engine.dispose()  # a pooled connection keeps the old file open; an unmounted volume would not
        down = client.get("/readyz")
        (tmp_path / "unmounted").rename(volume)
        back = client.get("/readyz")
        db.engine.dispose()

    assert down.status_code == 503
    assert down.get_json()["checks"]["database"].startswith("unreachable")
    assert back.status_code == 200


@pytest.mark.postgres
def test_readyz_fails_while_the_postgresql_database_is_gone_and_recovers_when_it_returns(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBCARE_INSTANCE_PATH", str(tmp_path / "instance"))
    name = f"webcare_ready_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(_admin_dsn(POSTGRES_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server answers: {error}")
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        app = _app_on(url, tmp_path)
        client = app.test_client()
        try:
            with app.app_context():
                upgrade()
                assert client.get("/readyz").status_code == 200

                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                down = client.get("/readyz")
                admin.execute(f'CREATE DATABASE "{name}"')
                empty = client.get("/readyz")
                upgrade()
                back = client.get("/readyz")
                db.engine.dispose()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    assert down.status_code == 503 and down.get_json()["checks"]["database"].startswith("unreachable")
    assert empty.status_code == 503 and empty.get_json()["checks"]["migrations"] == (
        f"at nothing, expected {', '.join(sorted(health._migration_heads()))}"
    )
    assert back.status_code == 200


def _queue_one(received_minutes_ago: float) -> None:
    import_jsonl(io.BytesIO(json.dumps(message_line("waiting")).encode()), source="test")
    db.session.execute(update(Message).values(received_at=utcnow() - timedelta(minutes=received_minutes_ago)))
    db.session.commit()


def test_the_worker_is_not_ready_while_the_oldest_queued_message_waits_too_long(app, client):
    _queue_one(received_minutes_ago=20)
    now = utcnow()

    fresh = health.worker_readiness(stuck_after=timedelta(minutes=30), stale_after=timedelta(minutes=5), now=now)
    stuck = health.worker_readiness(stuck_after=timedelta(minutes=15), stale_after=timedelta(minutes=5), now=now)

    assert fresh.ready and fresh.checks["queue"][1].startswith("ok")
    assert not stuck.ready and stuck.checks["queue"][1].startswith("stuck")
    assert client.get("/readyz").status_code == 200  # the web process itself can still serve
    assert client.get("/readyz/worker").status_code == 503  # 15 minutes by default


def test_the_worker_is_not_ready_when_its_heartbeat_is_stale(app):
    forget_local_throttle()
    now = utcnow()
    beat(WORKER, now=now - timedelta(minutes=10))

    stale = health.worker_readiness(stuck_after=timedelta(minutes=15), stale_after=timedelta(minutes=5), now=now)
    forget_local_throttle()
    beat(WORKER, now=now)
    alive = health.worker_readiness(stuck_after=timedelta(minutes=15), stale_after=timedelta(minutes=5), now=now)

    assert not stale.ready and stale.checks["worker"][1].startswith("stale")
    assert alive.ready


def test_a_drained_worker_command_records_its_heartbeat(app, runner):
    import logging

    from webcare.ops.heartbeat import last_successes

    forget_local_throttle()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        result = runner.invoke(args=["worker", "--drain"])
    finally:  # the command sets up logging for its process; this one is pytest's
        root.handlers[:] = handlers
        root.setLevel(level)

    assert result.exit_code == 0, result.output
    assert WORKER in last_successes()
