"""The engine: hit policies, operators, traces and SLA due times on calendar and staffed clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from webcare.protocol.conditions import compile_condition
from webcare.protocol.engine import (
    Action,
    Engine,
    HitPolicy,
    Outcome,
    Priority,
    RuleSpec,
    ServiceTargets,
    SlaClock,
)
from webcare.timeutil import UTC, OfficeHours, StaffedClock, office_intervals, zone

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
REPLY = Outcome(Action.REPLY, Priority.NORMAL, template_id="antwoord", visibility="public")
IGNORE = Outcome(Action.IGNORE, Priority.LOW)
TARGETS = ServiceTargets(
    first_response={
        (Priority.NORMAL, None): timedelta(hours=4),
        (Priority.NORMAL, "whatsapp"): timedelta(hours=1),
        (Priority.URGENT, None): timedelta(hours=1),
        (Priority.LOW, None): timedelta(days=1),
    },
    resolution={
        (Priority.NORMAL, None): timedelta(days=2),
        (Priority.URGENT, None): timedelta(hours=4),
        (Priority.LOW, None): timedelta(days=5),
    },
)
DEFAULT = RuleSpec("standaard", "always", outcome=IGNORE)


def features(**values) -> SimpleNamespace:
    base = dict(
        threat=False,
        question=False,
        topic=None,
        topics=(),
        sentiment=0.0,
        channel="x",
        department=None,
        text="",
        followers=0,
        cluster_size=1,
    )
    return SimpleNamespace(**{**base, **values})


def engine(*rules: RuleSpec, targets: ServiceTargets = TARGETS, **options) -> Engine:
    return Engine([*rules, DEFAULT], targets, "test-1", **options)


def test_the_first_matching_rule_decides_and_later_rules_are_not_tried():
    decide = engine(
        RuleSpec("vraag", {"feature": "question"}, outcome=REPLY),
        RuleSpec("ook-vraag", {"feature": "question"}, outcome=IGNORE),
    ).decide
    decision = decide(features(question=True), NOW)
    assert (decision.action, decision.rule_id) == (Action.REPLY, "vraag")
    assert decision.protocol_version == "test-1"
    assert decision.trace == ("vraag: matched — question == true holds",)


def test_collect_rules_add_tags_and_notify_without_stopping_evaluation():
    decide = engine(
        RuleSpec("label-afval", {"feature": "topic", "op": "==", "value": "afval"}, HitPolicy.COLLECT, tags=("afval",)),
        RuleSpec(
            "label-groot",
            {"feature": "followers", "op": ">=", "value": 1000},
            HitPolicy.COLLECT,
            tags=("groot-bereik",),
            notify=("communicatie",),
        ),
        RuleSpec("vraag", {"feature": "question"}, outcome=REPLY, tags=("vraag",)),
    ).decide
    decision = decide(features(topic="afval", followers=5000, question=True), NOW)
    assert decision.rule_id == "vraag"
    assert decision.tags == ("afval", "groot-bereik", "vraag")
    assert decision.notify == ("communicatie",)
    assert decision.trace[0] == 'label-afval: matched — topic == "afval" holds'


def test_collect_rules_that_do_not_match_add_nothing():
    decide = engine(
        RuleSpec("label-afval", {"feature": "topic", "op": "==", "value": "afval"}, HitPolicy.COLLECT, tags=("afval",))
    ).decide
    decision = decide(features(topic="parkeren"), NOW)
    assert decision.rule_id == "standaard" and decision.tags == ()


@pytest.mark.parametrize(
    ("condition", "matching", "other"),
    [
        ({"feature": "topic", "op": "==", "value": "afval"}, {"topic": "afval"}, {"topic": "parkeren"}),
        ({"feature": "topic", "op": "!=", "value": "afval"}, {"topic": "parkeren"}, {"topic": "afval"}),
        ({"feature": "sentiment", "op": "<", "value": -0.3}, {"sentiment": -0.5}, {"sentiment": -0.3}),
        ({"feature": "sentiment", "op": "<=", "value": -0.3}, {"sentiment": -0.3}, {"sentiment": 0.0}),
        ({"feature": "followers", "op": ">", "value": 1000}, {"followers": 1001}, {"followers": 1000}),
        ({"feature": "followers", "op": ">=", "value": 1000}, {"followers": 1000}, {"followers": 999}),
        ({"feature": "topic", "op": "in", "value": ["afval", "parkeren"]}, {"topic": "parkeren"}, {"topic": "zorg"}),
        ({"feature": "topic", "op": "not_in", "value": ["afval"]}, {"topic": None}, {"topic": "afval"}),
        (
            {"feature": "topics", "op": "contains", "value": "afval"},
            {"topics": ("zorg", "afval")},
            {"topics": ("zorg",)},
        ),
        ({"feature": "text", "op": "contains", "value": "kliko"}, {"text": "mijn kliko is vol"}, {"text": "mijn bak"}),
        (
            {"feature": "text", "op": "matches", "value": r"\b\d{4} ?[a-z]{2}\b"},
            {"text": "in 1234 ab"},
            {"text": "geen postcode"},
        ),
        ({"feature": "topic", "op": "exists"}, {"topic": "afval"}, {"topic": None}),
        ({"feature": "topic", "op": "exists", "value": False}, {"topic": None}, {"topic": "afval"}),
        ({"feature": "threat"}, {"threat": True}, {"threat": False}),
    ],
    ids=lambda value: value.get("op", "==") if isinstance(value, dict) and "feature" in value else None,
)
def test_each_operator_matches_exactly_what_it_says(condition, matching, other):
    evaluate = compile_condition(condition)
    assert evaluate(features(**matching))[0] is True
    assert evaluate(features(**other))[0] is False


def test_comparing_a_missing_value_does_not_match_instead_of_failing():
    assert compile_condition({"feature": "topic", "op": ">", "value": 3})(features(topic=None))[0] is False
    assert compile_condition({"feature": "topic", "op": "contains", "value": "a"})(features(topic=None))[0] is False


def test_all_any_and_not_combine_and_explain_the_deciding_condition():
    condition = {
        "all": [
            {"feature": "question"},
            {"not": {"any": [{"feature": "threat"}, {"feature": "topic", "op": "exists"}]}},
        ]
    }
    evaluate = compile_condition(condition)
    assert evaluate(features(question=True)) == (True, "all 2 conditions hold")
    assert evaluate(features(question=False)) == (False, "question == true does not hold")
    assert evaluate(features(question=True, topic="afval")) == (False, "not: topic exists holds")


def test_an_engine_without_a_default_rule_is_refused():
    with pytest.raises(ValueError, match="last rule"):
        Engine([RuleSpec("vraag", {"feature": "question"}, outcome=REPLY)], TARGETS, "1")


def test_calendar_sla_adds_the_target_to_now_with_a_per_channel_override():
    decide = engine(RuleSpec("vraag", {"feature": "question"}, outcome=REPLY)).decide
    on_x = decide(features(question=True), NOW)
    on_whatsapp = decide(features(question=True, channel="whatsapp"), NOW)
    assert on_x.first_response_due_at == NOW + timedelta(hours=4)
    assert on_x.resolution_due_at == NOW + timedelta(days=2)
    assert on_whatsapp.first_response_due_at == NOW + timedelta(hours=1)


def test_a_calendar_protocol_ignores_a_staffed_clock_passed_in():
    decide = engine(RuleSpec("vraag", {"feature": "question"}, outcome=REPLY)).decide
    decision = decide(features(question=True), NOW, staffed_clock=weekday_clock())
    assert decision.first_response_due_at == NOW + timedelta(hours=4)


def test_ignored_messages_have_no_due_times():
    decision = engine().decide(features(), NOW)
    assert decision.action == Action.IGNORE
    assert decision.first_response_due_at is None and decision.resolution_due_at is None


def weekday_clock() -> StaffedClock:
    hours = OfficeHours.weekdays(time(9, 0), time(17, 0))
    return StaffedClock(office_intervals(hours, date(2026, 3, 1), date(2026, 3, 31), tz=zone()))


def test_staffed_sla_on_friday_afternoon_runs_on_after_the_weekend():
    staffed = ServiceTargets(TARGETS.first_response, TARGETS.resolution, SlaClock.STAFFED)
    decide = engine(
        RuleSpec("vraag", {"feature": "question"}, outcome=REPLY),
        targets=staffed,
        staffed_clock_for=lambda now: weekday_clock(),
    ).decide
    friday_afternoon = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # 16:00 in Amsterdam, one office hour left
    decision = decide(features(question=True), friday_afternoon)
    assert decision.first_response_due_at == datetime(2026, 3, 9, 11, 0, tzinfo=UTC)  # Monday 12:00 local


def test_a_staffed_clock_passed_in_replaces_the_office_hours():
    staffed = ServiceTargets(TARGETS.first_response, TARGETS.resolution, SlaClock.STAFFED)
    decide = engine(
        RuleSpec("vraag", {"feature": "question"}, outcome=REPLY),
        targets=staffed,
        staffed_clock_for=lambda now: weekday_clock(),
    ).decide
    saturday = datetime(2026, 3, 7, 9, 0, tzinfo=UTC)
    from webcare.timeutil import Interval

    roster = StaffedClock([Interval(saturday, saturday + timedelta(hours=8))])
    decision = decide(features(question=True), saturday, staffed_clock=roster)
    assert decision.first_response_due_at == saturday + timedelta(hours=4)


def test_escalation_to_department_uses_the_topic_department_or_the_fallback():
    to_department = Outcome(
        Action.ESCALATE, Priority.NORMAL, escalate_to="klantcontact", is_escalated_to_department=True
    )
    decide = engine(RuleSpec("klacht", {"feature": "threat"}, outcome=to_department)).decide
    assert decide(features(threat=True, department="afval"), NOW).escalate_to == "afval"
    assert decide(features(threat=True, department=None), NOW).escalate_to == "klantcontact"


@dataclass(frozen=True)
class SlottedFeatures:
    question: bool
    channel: str = "x"


def test_the_engine_reads_any_object_with_the_feature_attributes():
    decision = engine(RuleSpec("vraag", {"feature": "question"}, outcome=REPLY)).decide(SlottedFeatures(True), NOW)
    assert decision.rule_id == "vraag"


def test_the_default_protocol_decides_a_threat_urgently_and_notifies_security(gemeente):
    from webcare.protocol import MessageFacts, compute_features, decide

    facts = MessageFacts("ik weet waar je woont, pas maar op", created_at=NOW)
    decision = decide(gemeente, compute_features(facts, gemeente), NOW)
    assert (decision.action, decision.priority, decision.escalate_to) == (
        Action.ESCALATE,
        Priority.URGENT,
        "teamleider",
    )
    assert "beveiliging" in decision.notify
    assert decision.trace[-1] == "dreiging: matched — threat == true holds"
