"""/metrics: the deployment's state from the database and the events counted in the processes, for a token."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from tests.conftest import message_line
from webcare.extensions import db
from webcare.inbox.models import Case, Message
from webcare.inbox.timing import record_first_response
from webcare.intake.services import import_jsonl
from webcare.ops import metrics
from webcare.ops.heartbeat import SCHEDULER, beat, forget_local_throttle
from webcare.protocol.services import activate_file
from webcare.resources import resource_dir
from webcare.worker import run_worker

TOKEN = "metrics-secret-for-tests"


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.fixture
def scrape(app, client):
    app.config["WEBCARE_METRICS_TOKEN"] = TOKEN

    def scrape() -> dict[tuple[str, tuple], float]:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200 and response.content_type.startswith("text/plain")
        return _samples(response.get_data(as_text=True))

    return scrape


def test_metrics_need_the_token_and_are_off_without_one(app, client):
    assert client.get("/metrics").status_code == 404
    app.config["WEBCARE_METRICS_TOKEN"] = TOKEN

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def _import(*records: dict, bad_lines: int = 0) -> None:
    data = b"".join(json.dumps(record).encode() + b"\n" for record in records) + b"{not json\n" * bad_lines
    import_jsonl(io.BytesIO(data), source="test")


def test_metrics_show_intake_queue_dead_letters_cases_and_request_latency_after_import_and_triage(app, client, scrape):
    activate_file(resource_dir("protocols") / "gemeente.yaml")
    _import(
        message_line("x1", text="Hoe vraag ik een nieuw paspoort aan?"),
        message_line("x2", minutes=5, text="Wanneer wordt het grofvuil opgehaald?", author={"id": "u2"}),
        message_line(
            "f1",
            minutes=9,
            channel="facebook",
            account="gemeentelindeburg",
            text="Waar kan ik parkeren?",
            author={"id": "fb1"},
        ),
        bad_lines=1,
    )
    queued = scrape()
    run_worker(app, drain=True)
    client.get("/login")
    triaged = scrape()

    assert queued[("webcare_queue_depth", ())] == 3
    assert queued[("webcare_queue_oldest_age_seconds", ())] >= 0
    assert queued[("webcare_messages", (("status", "queued"),))] == 3
    assert triaged[("webcare_database_up", ())] == 1
    assert triaged[("webcare_queue_depth", ())] == 0
    assert triaged[("webcare_queue_oldest_age_seconds", ())] == 0
    assert triaged[("webcare_messages", (("status", "done"),))] == 3
    assert triaged[("webcare_messages_by_channel", (("channel", "x"),))] == 2
    assert triaged[("webcare_messages_by_channel", (("channel", "facebook"),))] == 1
    assert triaged[("webcare_dead_letters", ())] == 1
    open_cases = {labels: value for (name, labels), value in triaged.items() if name == "webcare_cases_open"}
    assert sum(open_cases.values()) == db.session.scalar(select(db.func.count()).select_from(Case)) == 3
    assert triaged[("webcare_request_duration_seconds_count", (("endpoint", "auth.login"), ("method", "GET")))] >= 1


def test_first_responses_inside_and_outside_the_norm_and_the_last_runs(app):
    activate_file(resource_dir("protocols") / "gemeente.yaml")
    _import(
        message_line("q1", text="Hoe vraag ik een nieuw paspoort aan?"),
        message_line("q2", minutes=1, text="Hoe vraag ik een rijbewijs aan?", author={"id": "u2"}),
        message_line("q3", minutes=2, text="Hoe vraag ik een parkeervergunning aan?", author={"id": "u3"}),
    )
    run_worker(app, drain=True)
    on_time, late, waiting = db.session.scalars(
        select(Case).join(Message, Message.case_id == Case.id).order_by(Message.external_id)
    ).all()
    assert None not in (on_time.first_response_due_at, late.first_response_due_at, waiting.first_response_due_at)
    record_first_response(on_time, on_time.first_response_due_at - timedelta(minutes=1))
    record_first_response(late, late.first_response_due_at + timedelta(hours=1))
    db.session.commit()
    now = max(late.first_response_at, waiting.first_response_due_at) + timedelta(hours=1)
    forget_local_throttle()
    beat(SCHEDULER, now=now - timedelta(minutes=2))

    samples = _samples(metrics.exposition(now=now)[0].decode())

    assert samples[("webcare_first_responses_24h", (("within_norm", "yes"),))] == 1
    assert samples[("webcare_first_responses_24h", (("within_norm", "no"),))] == 1
    assert samples[("webcare_first_responses_overdue", ())] == 1
    assert samples[("webcare_last_success_timestamp_seconds", (("process", "scheduler"),))] == pytest.approx(
        (now - timedelta(minutes=2)).timestamp()
    )


def test_event_counters_add_to_what_the_process_reported(app):
    def value(name: str, **labels: str) -> float:
        return _samples(metrics.exposition()[0].decode()).get((name, tuple(sorted(labels.items()))), 0.0)

    before_sent = value("webcare_outbox_replies_total", outcome="sent")
    before_failed = value("webcare_triage_messages_total", outcome="failed")
    metrics.record_outbox({"sent": 3, "retrying": 1, "failed": 0})
    metrics.record_triaged(10, failed=2)

    assert value("webcare_outbox_replies_total", outcome="sent") == before_sent + 3
    assert value("webcare_triage_messages_total", outcome="failed") == before_failed + 2


def test_the_scheduler_counts_its_job_runs_and_beats(app):
    from webcare.jobs import Job, _in_app_context
    from webcare.ops.heartbeat import last_successes

    forget_local_throttle()
    _in_app_context(app, Job("a-test-job", lambda: None, 60))()
    failing = _in_app_context(app, Job("a-failing-job", lambda: 1 / 0, 60))
    with pytest.raises(ZeroDivisionError):
        failing()

    text = metrics.exposition()[0].decode()
    assert re.search(r'webcare_scheduler_job_runs_total\{job="a-test-job",outcome="ok"\} [1-9]', text)
    assert re.search(r'webcare_scheduler_job_runs_total\{job="a-failing-job",outcome="failed"\} [1-9]', text)
    assert SCHEDULER in last_successes()


def test_in_multiprocess_mode_the_counters_of_every_process_add_up(tmp_path, sqlite_template):
    import os
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "metrics"
    folder.mkdir()
    database = tmp_path / "webcare.sqlite"
    shutil.copy(sqlite_template, database)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "WEBCARE_INSTANCE_PATH": str(tmp_path / "instance")}
    for sent in (2, 5):  # two worker processes, each counting what its outbox sent
        subprocess.run(
            [sys.executable, "-c", f"from webcare.ops.metrics import record_outbox; record_outbox({{'sent': {sent}}})"],
            env=env,
            check=True,
        )
    scrape = (
        "import sys; from webcare.app import create_app; from webcare.ops.metrics import exposition; "
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{database}'}}); app.app_context().push(); "
        "sys.stdout.write(exposition()[0].decode())"
    )
    text = subprocess.run([sys.executable, "-c", scrape], env=env, check=True, capture_output=True, text=True).stdout

    samples = _samples(text)
    assert samples[("webcare_outbox_replies_total", (("outcome", "sent"),))] == 7
    assert samples[("webcare_database_up", ())] == 1 and samples[("webcare_queue_depth", ())] == 0
