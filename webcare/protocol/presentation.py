"""Readable forms of a protocol for the protocol page: conditions as syntax, actions in one translated line, diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from webcare.formatting import duration
from webcare.labels import label
from webcare.protocol.conditions import describe_leaf
from webcare.protocol.engine import Outcome, RuleSpec


def describe_condition(tree: Any) -> str:
    """A condition tree as one line: `all(...)`, `any(...)`, `not ...` around leaves like `topic == afval`."""
    if tree in (None, "always", True):
        return "always"
    if isinstance(tree, dict):
        if "all" in tree:
            return "all of (" + "; ".join(describe_condition(child) for child in tree["all"]) + ")"
        if "any" in tree:
            return "any of (" + "; ".join(describe_condition(child) for child in tree["any"]) + ")"
        if "not" in tree:
            return "not " + describe_condition(tree["not"])
        if "feature" in tree:
            return describe_leaf(tree["feature"], tree.get("op", "=="), tree.get("value", True))
    return str(tree)


def describe_outcome(outcome: Outcome | None) -> str:
    """What a rule does, in one line in the reader's language: "Escaleren, prioriteit urgent, naar teamleider"."""
    if outcome is None:
        return ""
    parts = [
        label("action", outcome.action),
        gettext("priority %(priority)s", priority=label("priority", outcome.priority).lower()),
    ]
    if outcome.template_id:
        parts.append(gettext("template %(template)s", template=outcome.template_id))
    if outcome.escalate_to:
        parts.append(gettext("to %(department)s", department=outcome.escalate_to))
    if outcome.summary_window:
        parts.append(gettext("window %(window)s", window=duration(outcome.summary_window)))
    if outcome.is_monitored:
        parts.append(gettext("monitor"))
    return ", ".join(parts)


@dataclass(frozen=True)
class RuleRow:
    position: int
    id: str
    description: str
    hit_policy: str
    condition: str
    outcome: str
    tags: tuple[str, ...]
    notify: tuple[str, ...]


def rule_rows(rules: tuple[RuleSpec, ...], descriptions: dict[str, str]) -> list[RuleRow]:
    return [
        RuleRow(
            position=index,
            id=rule.id,
            description=descriptions.get(rule.id, ""),
            hit_policy=rule.hit_policy.value,
            condition=describe_condition(rule.when),
            outcome=describe_outcome(rule.outcome),
            tags=rule.tags,
            notify=rule.notify,
        )
        for index, rule in enumerate(rules, start=1)
    ]


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "context", "hunk"
    text: str


def diff_lines(old_text: str, new_text: str, old_name: str, new_name: str) -> list[DiffLine]:
    lines = []
    for line in difflib.unified_diff(
        old_text.splitlines(), new_text.splitlines(), fromfile=old_name, tofile=new_name, lineterm="", n=3
    ):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "context")
        lines.append(DiffLine(kind, line))
    return lines
