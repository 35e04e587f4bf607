"""Through the worker on a real database: threats escalate, abuse is not answered, harmless text is not escalated."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from tests.conftest import message_line
from webcare.extensions import db
from webcare.inbox.models import Case, Message
from webcare.intake.services import import_jsonl
from webcare.protocol.services import activate_file
from webcare.resources import resource_dir
from webcare.worker import run_worker


@pytest.fixture
def protocol(app):
    return activate_file(resource_dir("protocols") / "gemeente.yaml")


def _ingest(app, *records):
    import_jsonl(io.BytesIO(b"".join(json.dumps(record).encode() + b"\n" for record in records)), source="test")
    run_worker(app, drain=True)


def _case(external_id: str) -> Case:
    return db.session.scalar(
        select(Case).join(Message, Message.case_id == Case.id).where(Message.external_id == external_id)
    )


def test_threats_abuse_and_look_alikes_get_their_actions_through_triage(app, protocol):
    messages = {
        "threat": "ik ga je v3rm00rden als ik je zie",
        "norm": "die ambtenaren zouden allemaal opgehangen moeten worden",
        "reported": "iemand schreef 'ik maak je af' onder jullie post",
        "hate": "die asielzoekers zijn ratten, waarom doen jullie niks?",
        "negated": "ik zou nooit iemand iets aandoen, maar ik ben wel boos",
        "dead-plant": "de plant in de bloembak is dood, wie ruimt die op?",
    }
    _ingest(
        app,
        *(
            message_line(key, minutes=index, author={"id": key}, text=text)
            for index, (key, text) in enumerate(messages.items())
        ),
    )
    decided = {key: _case(key).applied_decision for key in messages}
    assert (_case("threat").action, decided["threat"].rule_id) == ("escalate", "dreiging")
    assert (_case("norm").action, decided["norm"].rule_id) == ("escalate", "dreiging")
    assert (_case("reported").action, decided["reported"].rule_id) == ("escalate", "dreiging-gemeld")
    assert (_case("hate").action, decided["hate"].rule_id) == ("ignore", "haat")
    assert _case("negated").action != "escalate" and _case("dead-plant").action == "reply"
    assert any("safety" in line or "dreiging" in line for line in decided["threat"].trace)


def test_a_threat_inside_a_wave_is_escalated_and_not_summarised(app, protocol):
    wave = [
        message_line(
            f"w{index}",
            minutes=index * 3,
            author={"id": f"a{index}"},
            text="Waarom wordt de markt verplaatst naar het parkeerterrein? Slecht plan",
        )
        for index in range(14)
    ]
    wave.insert(
        12,
        message_line(
            "t",
            minutes=12 * 3 + 1,
            author={"id": "t"},
            text="Waarom wordt de markt verplaatst naar het parkeerterrein? Slecht plan, ik maak die wethouder af",
        ),
    )
    _ingest(app, *wave)
    threat = _case("t")
    assert (threat.action, threat.applied_decision.rule_id) == ("escalate", "dreiging")
    assert _case("w13").action == "summarise"
