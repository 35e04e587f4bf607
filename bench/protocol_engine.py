"""Decisions per second of the protocol engine on gemeente.yaml, against the same rules in `rule-engine`.

Run: .venv/bin/python bench/protocol_engine.py [--messages 3000] [--rounds 5]
Features are computed once beforehand; only deciding is timed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rule_engine  # noqa: E402

from webcare.protocol import compute_features, load_protocol  # noqa: E402
from webcare.protocol.conditions import ALWAYS  # noqa: E402
from webcare.protocol.engine import HitPolicy  # noqa: E402
from webcare.protocol.examples import facts_from_example  # noqa: E402

AUTHORS = [
    (None, 0),
    ("@piet", 40),
    ("@bewoner_ldb", 1_500),
    ("@rtvlindeburg", 15_000),
    ("@waakhond_lb", 300),
    ("@lokaalbelang", 900),
    ("@influencer", 40_000),
]
CHANNELS = ["x", "x", "facebook", "instagram", "whatsapp", "email", "webform"]


def varied_facts(protocol: Any, count: int, seed: int = 7) -> list:
    """Example messages of the protocol with varied authors, channels, moments and thread facts."""
    generator = random.Random(seed)
    base = [facts_from_example(example) for example in protocol.examples]
    varied = []
    for _ in range(count):
        facts = generator.choice(base)
        handle, followers = generator.choice(AUTHORS)
        channel = generator.choice(CHANNELS)
        varied.append(
            replace(
                facts,
                channel=channel,
                is_public=channel not in ("whatsapp", "email", "webform"),
                author_handle=handle,
                author_followers=followers,
                created_at=facts.created_at + timedelta(hours=generator.randrange(0, 24 * 60)),
                our_replies_so_far=generator.choice([0, 0, 0, 1, 2]),
                author_contacts_last_n_days=generator.choice([0, 1, 2, 6]),
                cluster_size=generator.choice([1, 1, 1, 3, 12]),
            )
        )
    return varied


def rule_engine_text(tree: Any) -> str:
    """The same condition in rule-engine's expression language."""
    if tree == ALWAYS:
        return "true"
    if "all" in tree:
        return "(" + " and ".join(rule_engine_text(child) for child in tree["all"]) + ")"
    if "any" in tree:
        return "(" + " or ".join(rule_engine_text(child) for child in tree["any"]) + ")"
    if "not" in tree:
        return "not " + rule_engine_text(tree["not"])
    name, op, value = tree["feature"], tree.get("op", "=="), tree.get("value", True)
    literal = json.dumps(value)
    if op in ("==", "!=", "<", "<=", ">", ">="):
        return f"{name} {op} {literal}"
    if op == "in":
        return f"{name} in {literal}"
    if op == "not_in":
        return f"not ({name} in {literal})"
    if op == "contains":
        return f"{literal} in {name}"
    if op == "matches":
        return f"{name} =~~ {literal}"
    if op == "exists":
        return f"{name} != null" if value else f"{name} == null"
    raise ValueError(op)


def compile_rule_engine(protocol: Any) -> list[tuple[bool, str, Any]]:
    context = rule_engine.Context(default_value=None)
    return [
        (rule.hit_policy == HitPolicy.COLLECT, rule.id, rule_engine.Rule(rule_engine_text(rule.when), context=context))
        for rule in protocol.rules
    ]


def decide_with_rule_engine(rules: list[tuple[bool, str, Any]], values: dict) -> str:
    for is_collect, rule_id, rule in rules:
        if rule.matches(values) and not is_collect:
            return rule_id
    raise AssertionError("no default rule")


def timed(function, items: list, rounds: int) -> float:
    """Best seconds per item over `rounds` passes."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for item in items:
            function(item)
        best = min(best, (time.perf_counter() - started) / len(items))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()

    protocol = load_protocol(ROOT / "protocols" / "gemeente.yaml")
    facts = varied_facts(protocol, arguments.messages)
    started = time.perf_counter()
    feature_sets = [(compute_features(item, protocol), item.created_at) for item in facts]
    feature_seconds = (time.perf_counter() - started) / len(facts)
    dictionaries = [features.as_dict() for features, _ in feature_sets]
    for features, now in feature_sets[:1]:
        protocol.decide(features, now)  # builds the staffed clock for the year once

    ours = timed(lambda pair: protocol.decide(*pair), feature_sets, arguments.rounds)
    rules = compile_rule_engine(protocol)
    theirs = timed(lambda values: decide_with_rule_engine(rules, values), dictionaries, arguments.rounds)

    agreeing = sum(
        protocol.decide(features, now).rule_id == decide_with_rule_engine(rules, values)
        for (features, now), values in zip(feature_sets, dictionaries)
    )
    decided_rules = {protocol.decide(features, now).rule_id for features, now in feature_sets}
    print(
        f"protocol {protocol.organisation} {protocol.version}: {len(protocol.rules)} rules, "
        f"{len(feature_sets)} feature sets, {len(decided_rules)} distinct deciding rules, best of {arguments.rounds}"
    )
    print(f"features (lingua, lexicons, excluded below): {feature_seconds * 1e6:9.1f} µs per message")
    print(
        f"webcare engine (decision, SLA, trace):      {ours * 1e6:9.2f} µs per decision  {1 / ours:12,.0f} per second"
    )
    print(
        f"rule-engine {rule_engine.__version__} (conditions only):     {theirs * 1e6:9.2f} µs per decision  {1 / theirs:12,.0f} per second"
    )
    print(
        f"ratio: webcare engine is {theirs / ours:.1f}x faster; both pick the same rule for {agreeing}/{len(feature_sets)}"
    )


if __name__ == "__main__":
    main()
