"""Running a protocol's own examples: each message must get the action and rule the file expects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from webcare.protocol.engine import Decision
from webcare.protocol.features import MessageFacts, compute_features
from webcare.protocol.source import Problem, SourceDocument
from webcare.timeutil import as_utc

# A Wednesday morning in office hours, for examples that do not say when they were written.
DEFAULT_EXAMPLE_MOMENT = "2026-03-04T10:00:00+01:00"
PRIVATE_CHANNELS = frozenset({"whatsapp", "email", "webform"})


def parse_moment(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


def facts_from_example(example: Mapping[str, Any]) -> MessageFacts:
    """The message facts an example describes; unspecified facts take everyday defaults."""
    author = example.get("author", {})
    channel = example.get("channel", "x")
    return MessageFacts(
        text=example["text"],
        created_at=parse_moment(example.get("created_at", DEFAULT_EXAMPLE_MOMENT)),
        channel=channel,
        account=example.get("account", ""),
        is_public=example.get("is_public", channel not in PRIVATE_CHANNELS),
        author_handle=author.get("handle"),
        author_name=author.get("name"),
        author_followers=author.get("followers"),
        author_verified=author.get("verified", False),
        our_replies_so_far=example.get("our_replies_so_far", 0),
        author_contacts_last_n_days=example.get("author_contacts_last_n_days", 0),
        cluster_size=example.get("cluster_size", 1),
    )


@dataclass(frozen=True)
class ExampleResult:
    index: int
    text: str
    decision: Decision
    failure: str | None

    @property
    def has_passed(self) -> bool:
        return self.failure is None


def _failure(expected: Mapping[str, Any], decision: Decision) -> str | None:
    wrong = []
    if decision.action != expected["action"] or decision.rule_id != expected["rule"]:
        wrong.append(
            f'expected {expected["action"]} by rule "{expected["rule"]}", got {decision.action} by rule "{decision.rule_id}"'
        )
    if "escalate_to" in expected and decision.escalate_to != expected["escalate_to"]:
        wrong.append(f'expected escalation to "{expected["escalate_to"]}", got "{decision.escalate_to}"')
    missing_tags = [tag for tag in expected.get("tags", ()) if tag not in decision.tags]
    if missing_tags:
        wrong.append(f"expected tags {', '.join(missing_tags)}, got {', '.join(decision.tags) or 'none'}")
    if not wrong:
        return None
    return "; ".join(wrong) + f" (deciding step: {decision.trace[-1]})"


def unreadable_examples(protocol: Any) -> list[tuple[int, str]]:
    """Examples whose moment is not a real date and time, with the reason."""
    found = []
    for index, example in enumerate(protocol.examples):
        try:
            parse_moment(example.get("created_at", DEFAULT_EXAMPLE_MOMENT))
        except ValueError as error:
            found.append((index, f"created_at is not a real moment: {error}"))
    return found


def run_examples(protocol: Any) -> list[ExampleResult]:
    """Every readable example of the protocol with the decision it got and, when it disagrees, why."""
    unreadable = {index for index, _ in unreadable_examples(protocol)}
    results = []
    for index, example in enumerate(protocol.examples):
        if index in unreadable:
            continue
        facts = facts_from_example(example)
        decision = protocol.decide(compute_features(facts, protocol), facts.created_at)
        results.append(ExampleResult(index, example["text"], decision, _failure(example["expect"], decision)))
    return results


def example_problems(protocol: Any, document: SourceDocument) -> list[Problem]:
    """One problem for every example that cannot be read or that the protocol contradicts."""
    problems = [
        document.problem(["examples", index, "created_at"], reason) for index, reason in unreadable_examples(protocol)
    ]
    problems += [
        document.problem(["examples", result.index], result.failure)
        for result in run_examples(protocol)
        if result.failure is not None
    ]
    return sorted(problems, key=lambda problem: problem.line or 0)
