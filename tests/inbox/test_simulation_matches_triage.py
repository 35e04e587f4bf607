"""Triage and the simulator build facts in one way: the active protocol replayed over history changes nothing."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from webcare.extensions import db
from webcare.inbox.models import CaseDecision
from webcare.inbox.simulation import simulate
from webcare.intake.services import import_jsonl
from webcare.protocol.services import activate_file, active_protocol
from webcare.resources import resource_dir
from webcare.timeutil import UTC
from webcare.worker import run_worker

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import generate  # noqa: E402  (the benchmark's realistic message generator)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_the_active_protocol_replayed_over_its_own_history_changes_no_decision(app, tmp_path):
    activate_file(resource_dir("protocols") / "gemeente.yaml")
    path = tmp_path / "history.jsonl"
    generate.write(3000, path, seed=5, per_day=1500, now=NOW)
    with path.open("rb") as stream:
        import_jsonl(stream, source="test")
    run_worker(app, drain=True, batch_size=250)

    report = simulate(active_protocol(), since=NOW - timedelta(days=30), until=NOW)

    decided = db.session.scalar(select(func.count()).select_from(CaseDecision))
    assert report.messages == decided > 1000
    assert report.actions_after.get("ignore", 0) > 0, "the history should hold something the protocol ignores"
    assert report.changed == 0, report.as_dict()["examples"]
