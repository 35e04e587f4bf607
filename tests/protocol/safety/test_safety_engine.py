"""Safety wins over volume and rule order: a threat in a wave is escalated on its own, nothing ignores it."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from webcare.protocol import MessageFacts, compute_features, protocol_from_text
from webcare.protocol.cluster import ClusterTracker
from webcare.protocol.engine import Action, Engine, Outcome, Priority, RuleSpec, ServiceTargets
from webcare.timeutil import UTC

START = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
WAVE = [
    "De markt moet in het centrum blijven, verplaatsen naar het parkeerterrein is een slecht plan",
    "markt verplaatsen naar het parkeerterrein is echt een slecht plan, laat de markt in het centrum",
    "Slecht plan om de markt naar het parkeerterrein te verplaatsen, de markt hoort in het centrum",
]
THREAT = "De markt moet in het centrum blijven, slecht plan van de wethouder, ik maak die wethouder af"


def wave_with_a_threat(protocol) -> list[tuple[str, object]]:
    """Fifty similar messages, the threat as the 40th, with cluster sizes counted as triage counts them."""
    tracker = ClusterTracker(window=protocol.summary_window)
    decided = []
    for index in range(50):
        text = THREAT if index == 39 else f"{WAVE[index % len(WAVE)]} #{index}"
        moment = START + timedelta(minutes=index)
        size = tracker.add(str(index), moment, text).size
        facts = MessageFacts(text=text, created_at=moment, author_handle=f"@bewoner{index}", cluster_size=size)
        features = compute_features(facts, protocol)
        decided.append((text, features, protocol.decide(features, moment)))
    return decided


def test_a_threat_inside_a_wave_of_fifty_is_escalated_on_its_own(gemeente):
    decided = wave_with_a_threat(gemeente)
    text, features, decision = decided[39]
    assert text == THREAT and features.cluster_size >= 10, "the wave rule would match on size alone"
    assert (decision.action, decision.rule_id, decision.priority) == (Action.ESCALATE, "dreiging", Priority.URGENT)
    assert features.threat and features.safety[0] == "threat: intent + afmaken → 'ik … maak … af' (target: official)"
    others = [decision for index, (_, _, decision) in enumerate(decided) if index != 39 and index >= 10]
    assert others and all((d.action, d.rule_id) == (Action.SUMMARISE, "golf") for d in others)


def test_a_summarise_rule_above_the_threat_rule_still_cannot_take_a_threat(gemeente):
    text = gemeente.text.replace(
        "  - id: dreiging\n",
        "  - id: golf-eerst\n    description: Golf vooraan.\n"
        '    when: {feature: cluster_size, op: ">=", value: 10}\n    action:\n'
        "      summarise: {window: 2h, threshold: 10, template: samenvatting}\n\n"
        "  - id: dreiging\n",
        1,
    )
    text = (
        text[: text.index("\nexamples:")]
        + '\nexamples:\n  - text: "Druk op de markt vandaag in Lindeburg"\n    expect: {action: ignore, rule: laten-staan}\n'
    )
    protocol = protocol_from_text(text, "golf-eerst.yaml")
    decided = wave_with_a_threat(protocol)
    _, _, decision = decided[39]
    assert (decision.action, decision.rule_id, decision.priority) == (Action.ESCALATE, "dreiging", Priority.URGENT)
    assert "safety: threat is never left to golf-eerst; escalated as by dreiging" in decision.trace
    assert "beveiliging" in decision.notify
    assert decided[45][2].rule_id == "golf-eerst"


TARGETS = ServiceTargets(
    first_response={(Priority.URGENT, None): timedelta(hours=1)},
    resolution={(Priority.URGENT, None): timedelta(hours=4)},
)
IGNORE = Outcome(Action.IGNORE, Priority.LOW)
REPLY = Outcome(Action.REPLY, Priority.NORMAL, template_id="antwoord")


def facts(**values) -> SimpleNamespace:
    return SimpleNamespace(**{"threat": False, "attack_on_named": False, "question": False, "channel": "x", **values})


def test_no_ignore_or_reply_rule_takes_a_threat_or_an_attack_on_a_named_person():
    engine = Engine(
        [
            RuleSpec("vraag", {"feature": "question"}, outcome=REPLY),
            RuleSpec(
                "dreiging",
                {"feature": "threat"},
                outcome=Outcome(Action.ESCALATE, Priority.URGENT, escalate_to="teamleider"),
            ),
            RuleSpec("standaard", "always", outcome=IGNORE),
        ],
        TARGETS,
        "test",
    )
    asked = engine.decide(facts(threat=True, question=True), START)
    assert (asked.action, asked.rule_id, asked.escalate_to) == (Action.ESCALATE, "dreiging", "teamleider")
    attacked = engine.decide(facts(attack_on_named=True), START)
    assert (attacked.action, attacked.priority) == (Action.ESCALATE, Priority.URGENT)
    assert attacked.trace[-1] == "safety: attack_on_named is never left to standaard; escalated as by dreiging"
    harmless = engine.decide(facts(question=True), START)
    assert (harmless.action, harmless.rule_id) == (Action.REPLY, "vraag")


def test_a_protocol_without_an_escalate_rule_still_escalates_a_threat():
    engine = Engine([RuleSpec("standaard", "always", outcome=IGNORE)], TARGETS, "test")
    decision = engine.decide(facts(threat=True), START)
    assert (decision.action, decision.rule_id, decision.priority) == (Action.ESCALATE, "safety", Priority.URGENT)
    assert decision.first_response_due_at == START + timedelta(hours=1)


def test_features_objects_without_safety_facts_decide_as_before():
    engine = Engine([RuleSpec("standaard", "always", outcome=IGNORE)], TARGETS, "test")
    assert engine.decide(SimpleNamespace(channel="x"), START).action == Action.IGNORE
