"""Logs: one line per event, JSON on request, a request id on every web line and kept with the message."""

from __future__ import annotations

import io
import json
import logging

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from tests.conftest import message_line
from webcare.auth.models import Role
from webcare.auth.services import create_api_token
from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.logcontext import request_id_context
from webcare.ops.logs import configure_logging
from webcare.worker import run_worker


@pytest.fixture
def captured_logs():
    """Webcare's own log setup writing into a buffer; the root logger is put back afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()

    def configure(log_format: str = "text", level: str = "INFO") -> io.StringIO:
        configure_logging(log_format=log_format, level=level, stream=stream)
        return stream

    yield configure
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def test_json_lines_carry_the_request_id_from_the_header_and_the_response_names_it(client, captured_logs):
    stream = captured_logs("json")

    response = client.get("/login", headers={"X-Request-ID": "lb-7f3a-0001"})
    generated = client.get("/healthz", headers={"X-Request-ID": "not acceptable: forged line"})

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    login_line = next(line for line in lines if line.get("endpoint") == "auth.login")
    health_line = next(line for line in lines if line.get("endpoint") == "ops.healthz")
    assert response.headers["X-Request-ID"] == "lb-7f3a-0001"
    assert login_line["request_id"] == "lb-7f3a-0001" and login_line["status"] == 200 and login_line["level"] == "INFO"
    assert health_line["request_id"] == generated.headers["X-Request-ID"]
    assert len(generated.headers["X-Request-ID"]) == 32 and "forged" not in stream.getvalue()


def test_text_lines_are_readable_and_name_the_request(client, captured_logs):
    stream = captured_logs()

    client.get("/healthz", headers={"X-Request-ID": "abc-123"})

    assert "INFO webcare.requests [abc-123] GET /healthz 200" in stream.getvalue()


def test_a_message_taken_in_by_the_api_keeps_its_request_id_for_the_worker(app, client, captured_logs):
    stream = captured_logs("json")
    token = create_api_token("intake")

    client.post(
        "/api/v1/messages",
        json=message_line("api-1"),
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "intake-42"},
    )
    message = db.session.scalar(select(Message).where(Message.external_id == "api-1"))
    with request_id_context(message.request_id):
        logging.getLogger("webcare.worker").warning("message %s could not be processed", message.id)

    assert message.request_id == "intake-42"
    worker_line = json.loads(stream.getvalue().splitlines()[-1])
    assert worker_line["request_id"] == "intake-42" and worker_line["logger"] == "webcare.worker"


def test_no_resident_text_password_or_token_reaches_the_log_even_at_debug(app, client, make_user, auth, captured_logs):
    stream = captured_logs("json", level="DEBUG")
    resident_text = "Mijn buurman Jan de Vries op Lindelaan 12 maakt ruzie"
    token = create_api_token("intake")
    user = make_user(Role.AGENT, password="a very secret password 7")

    client.post(
        "/api/v1/messages",
        json=message_line("secret-1", text=resident_text),
        headers={"Authorization": f"Bearer {token}"},
    )
    client.post(
        "/api/v1/messages",
        json={**message_line("bad"), "created_at": resident_text},
        headers={"Authorization": f"Bearer {token}"},
    )
    run_worker(app, drain=True)
    auth.login_as(user, password="wrong but secret password 8")
    auth.login_as(user, password="a very secret password 7")
    case_id = db.session.scalar(select(Message.case_id).where(Message.external_id == "secret-1"))
    client.get(f"/cases/{case_id}?q={resident_text}")

    logged = stream.getvalue()
    assert "POST /api/v1/messages 202" in logged and "GET /cases/<int:case_id> 200" in logged
    for secret in (
        resident_text,
        "Jan de Vries",
        "a very secret password 7",
        "wrong but secret",
        token,
        app.config["SECRET_KEY"],
    ):
        assert secret not in logged, secret


def test_apscheduler_routine_lines_are_debug_lines(app, captured_logs):
    from webcare.jobs import install_jobs

    stream = captured_logs(level="INFO")
    install_jobs(app, BackgroundScheduler(timezone="UTC"))
    quiet = stream.getvalue()
    captured_logs(level="DEBUG")
    install_jobs(app, BackgroundScheduler(timezone="UTC"))

    assert "Adding job tentatively" not in quiet
    assert "DEBUG apscheduler.scheduler [-] Adding job tentatively" in stream.getvalue()
