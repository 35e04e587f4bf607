"""The safety evaluation set: Dutch sentences labelled with the action they must get, decided by the default protocol.

Run `.venv/bin/python -m tests.protocol.safety.evaluation` for the per-category table in Markdown.
Each line of `data/*.txt` reads `[cluster=N] action[@rule][/action[@rule]…] | text`; `## name` starts a category.
`escalate@bestuurlijk-gevoelig` allows only that rule to escalate: a harmless message about a politically
sensitive topic (asylum, the council, named officials) goes to Communicatie by design, not for safety.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from webcare.protocol import MessageFacts, Protocol, compute_features, load_protocol
from webcare.timeutil import UTC

DATA = Path(__file__).parent / "data"
PROTOCOL = Path(__file__).resolve().parents[3] / "protocols" / "gemeente.yaml"
WEDNESDAY_MORNING = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
SAFETY_RULES = frozenset({"dreiging", "dreiging-gemeld", "aanval-op-medewerker"})


@dataclass(frozen=True)
class Sentence:
    category: str
    text: str
    allowed: frozenset[tuple[str, str | None]]
    cluster_size: int
    source: str

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(action for action, _ in self.allowed)

    def allows(self, action: str, rule_id: str) -> bool:
        return any(action == allowed and rule in (None, rule_id) for allowed, rule in self.allowed)

    @property
    def family(self) -> str:
        return self.category.split(":", 1)[0]


@dataclass(frozen=True)
class Outcome:
    sentence: Sentence
    action: str
    rule_id: str
    safety: tuple[str, ...]

    @property
    def is_correct(self) -> bool:
        return self.sentence.allows(self.action, self.rule_id)

    @property
    def is_wrongly_escalated(self) -> bool:
        return self.action == "escalate" and not self.sentence.allows(self.action, self.rule_id)


def load_sentences() -> list[Sentence]:
    sentences = []
    for path in sorted(DATA.glob("*.txt")):
        category = path.stem
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith("## "):
                category = line[3:].strip()
                continue
            if not line.strip() or line.startswith("#"):
                continue
            label, text = (part.strip() for part in line.split("|", 1))
            cluster_size = 1
            if label.startswith("cluster="):
                size, label = label.split(None, 1)
                cluster_size = int(size.removeprefix("cluster="))
            allowed = frozenset(
                (action, rule or None) for action, _, rule in (choice.partition("@") for choice in label.split("/"))
            )
            sentences.append(Sentence(category, text, allowed, cluster_size, f"{path.name}:{number}"))
    return sentences


def decide_all(protocol: Protocol, sentences: list[Sentence]) -> list[Outcome]:
    """Each sentence through the same path triage takes: compute_features, then the protocol's decision."""
    outcomes = []
    base = MessageFacts(text="", created_at=WEDNESDAY_MORNING, channel="x", is_public=True, author_handle="@bewoner")
    for sentence in sentences:
        facts = replace(base, text=sentence.text, cluster_size=sentence.cluster_size)
        features = compute_features(facts, protocol)
        decision = protocol.decide(features, facts.created_at)
        outcomes.append(Outcome(sentence, decision.action.value, decision.rule_id, features.safety))
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    by_category: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_category[outcome.sentence.category].append(outcome)
    lines = ["| category | sentences | correct | share correct |", "|---|---:|---:|---:|"]
    for category, items in by_category.items():
        correct = sum(item.is_correct for item in items)
        lines.append(f"| {category} | {len(items)} | {correct} | {correct / len(items):.0%} |")
    lines.append(
        f"| **all** | {len(outcomes)} | {sum(o.is_correct for o in outcomes)} | "
        f"{sum(o.is_correct for o in outcomes) / len(outcomes):.0%} |"
    )
    return "\n".join(lines)


def headline(outcomes: list[Outcome]) -> dict[str, float]:
    threats = [o for o in outcomes if o.sentence.family in ("threat", "wave") and o.sentence.actions == {"escalate"}]
    abuse = [
        o
        for o in outcomes
        if o.sentence.family == "abuse"
        or "ignore" in o.sentence.actions
        and "escalate" in o.sentence.actions
        and o.sentence.family == "wave"
    ]
    harmless = [
        o
        for o in outcomes
        if o.sentence.family == "harmless" or (o.sentence.family == "wave" and o.sentence.actions == {"summarise"})
    ]
    return {
        "threats escalated": sum(o.action == "escalate" for o in threats) / len(threats),
        "threats escalated by a safety rule": sum(o.rule_id in SAFETY_RULES for o in threats) / len(threats),
        "abuse with a normal reply": sum(o.action in ("reply", "summarise") for o in abuse) / len(abuse),
        "harmless escalated": sum(o.is_wrongly_escalated for o in harmless) / len(harmless),
        "harmless escalated by a safety rule": sum(o.rule_id in SAFETY_RULES for o in harmless) / len(harmless),
    }


def main() -> None:
    outcomes = decide_all(load_protocol(PROTOCOL), load_sentences())
    print(table(outcomes))
    print()
    for name, share in headline(outcomes).items():
        print(f"- {name}: {share:.1%}")
    for outcome in outcomes:
        if not outcome.is_correct:
            print(
                f"WRONG {outcome.sentence.source} [{outcome.sentence.category}] {outcome.action}/{outcome.rule_id}: "
                f"{outcome.sentence.text} || {'; '.join(outcome.safety)}"
            )


if __name__ == "__main__":
    main()
