"""Checking and translating the rules of a protocol file into engine rule specs."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from webcare.protocol.conditions import ALWAYS
from webcare.protocol.engine import Action, HitPolicy, Outcome, Priority, RuleSpec
from webcare.protocol.features import FEATURE_SPECS, FeatureSpec

DEPARTMENT_TARGET = "department"
DURATION_PATTERN = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
Report = Callable[[Sequence[str | int], str], None]


def parse_duration(text: str) -> timedelta:
    """`30m`, `4h`, `1h30m`, `2d` as a timedelta (the schema has checked the form)."""
    days, hours, minutes = (int(part or 0) for part in DURATION_PATTERN.match(text).groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


@dataclass(frozen=True)
class RuleContext:
    """What rules may refer to: declared topics, lexicons, teams and templates."""

    topic_ids: frozenset[str]
    lexicon_names: frozenset[str]
    teams: frozenset[str]
    templates: Mapping[str, str]


def team_list(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """`notify: teamleider` and `notify: [teamleider, communicatie]` alike."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _known_values(name: str, spec: FeatureSpec, context: RuleContext) -> frozenset[str] | None:
    if name in ("topic", "topics"):
        return context.topic_ids
    if name == "lexicons":
        return context.lexicon_names
    if name == "department":
        return context.teams
    return frozenset(spec.choices) if spec.choices else None


def _check_value_kind(name: str, spec: FeatureSpec, op: str, value: Any) -> str | None:
    if op == "exists":
        return None if isinstance(value, bool) else f'"exists" takes true or false, not {value!r}'
    if op in ("<", "<=", ">", ">="):
        if spec.kind != "number":
            return f'"{op}" compares numbers, but {name} is {spec.kind}'
        return (
            None
            if isinstance(value, (int, float)) and not isinstance(value, bool)
            else f'"{op}" needs a number, not {value!r}'
        )
    if op in ("in", "not_in"):
        return None if isinstance(value, list) and value else f'"{op}" needs a non-empty list of values'
    if op == "contains":
        if spec.kind not in ("list", "text"):
            return f'"contains" works on lists and text, but {name} is {spec.kind}'
        return None if isinstance(value, str) else f'"contains" needs a text value, not {value!r}'
    if op == "matches":
        if spec.kind != "text" or not isinstance(value, str):
            return f'"matches" tests text against a regular expression; {name} is {spec.kind}'
        try:
            re.compile(value)
        except re.error as error:
            return f"the regular expression is invalid: {error}"
        return None
    if spec.kind == "list":
        return f'{name} is a list: use "contains" instead of "{op}"'
    expected = {"bool": (bool,), "number": (int, float), "text": (str, type(None))}[spec.kind]
    if not isinstance(value, expected) or (spec.kind == "number" and isinstance(value, bool)):
        return f"{name} is {spec.kind}; {value!r} can never be equal to it"
    return None


def check_condition(tree: Any, path: list[str | int], context: RuleContext, report: Report) -> None:
    """Report every unknown feature, wrong operator, wrong value and malformed branch in a `when` tree."""
    if tree == ALWAYS:
        return
    branches = [key for key in ("all", "any", "not", "feature") if key in tree]
    if len(branches) != 1:
        report(path, "a condition needs exactly one of: all, any, not, feature")
        return
    branch = branches[0]
    if branch in ("all", "any"):
        for index, child in enumerate(tree[branch]):
            check_condition(child, path + [branch, index], context, report)
        return
    if branch == "not":
        check_condition(tree["not"], path + ["not"], context, report)
        return
    if set(tree) - {"feature", "op", "value"}:
        report(path, "a feature test takes only feature, op and value")
    name = tree["feature"]
    spec = FEATURE_SPECS.get(name)
    if spec is None:
        report(path + ["feature"], f'unknown feature "{name}"{_suggest(name, list(FEATURE_SPECS))}')
        return
    op = tree.get("op", "==")
    value = tree.get("value", True)
    problem = _check_value_kind(name, spec, op, value)
    if problem:
        report(path, problem)
        return
    known = _known_values(name, spec, context)
    if known is not None and op in ("==", "!=", "in", "not_in", "contains"):
        for item in value if isinstance(value, list) else [value]:
            if item is not None and item not in known:
                report(
                    path + ["value"],
                    f'{name} is never "{item}"; known values: {", ".join(sorted(known))}{_suggest(str(item), sorted(known))}',
                )


def _outcome(action: Mapping[str, Any], path: list[str | int], context: RuleContext, report: Report) -> Outcome | None:
    kind, settings = next(iter(action.items()))
    where = path + ["action", kind]
    template = settings.get("template")
    if template is not None and template not in context.templates:
        report(where + ["template"], f'unknown template "{template}"{_suggest(template, list(context.templates))}')
    for team in team_list(settings.get("notify")):
        if team not in context.teams:
            report(where + ["notify"], f'unknown team "{team}"; declare it under vocabulary → teams')
    if kind == "reply":
        return Outcome(
            Action.REPLY, Priority(settings["priority"]), template_id=template, visibility=settings["visibility"]
        )
    if kind == "escalate":
        to, fallback = settings["to"], settings.get("fallback")
        to_department = to == DEPARTMENT_TARGET
        if to_department and fallback is None:
            report(where, 'escalating to "department" needs a fallback team for messages without a department')
        for team in [fallback] if to_department else [to, fallback]:
            if team is not None and team not in context.teams:
                report(
                    where,
                    f'unknown team "{team}"; declare it under vocabulary → teams{_suggest(team, sorted(context.teams))}',
                )
        return Outcome(
            Action.ESCALATE,
            Priority(settings["urgency"]),
            escalate_to=fallback if to_department else to,
            is_escalated_to_department=to_department,
            note=settings.get("note"),
        )
    if kind == "summarise":
        return Outcome(
            Action.SUMMARISE,
            Priority(settings.get("priority", "normal")),
            template_id=template,
            visibility="public",
            summary_window=parse_duration(settings["window"]),
            summary_threshold=settings["threshold"],
        )
    return Outcome(
        Action.IGNORE, Priority.LOW, is_monitored=settings["monitor"], notify=team_list(settings.get("notify"))
    )


def build_rules(rules: Sequence[Mapping[str, Any]], context: RuleContext, report: Report) -> tuple[RuleSpec, ...]:
    """Engine rule specs, reporting duplicates, missing or misplaced actions and an absent default rule."""
    specs = []
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        path: list[str | int] = ["rules", index]
        if rule["id"] in seen:
            report(path + ["id"], f'the rule id "{rule["id"]}" is used twice')
        seen.add(rule["id"])
        hit_policy = HitPolicy(rule.get("hit", "first"))
        check_condition(rule["when"], path + ["when"], context, report)
        for team in team_list(rule.get("notify")):
            if team not in context.teams:
                report(path + ["notify"], f'unknown team "{team}"; declare it under vocabulary → teams')
        outcome = None
        if hit_policy == HitPolicy.COLLECT:
            if "action" in rule:
                report(path + ["action"], "a collect rule only adds tags and notify; it cannot have an action")
            if not rule.get("tags") and not rule.get("notify"):
                report(path, "a collect rule needs tags or notify, or it does nothing")
        elif "action" not in rule:
            report(path, "a first rule needs an action (reply, escalate, summarise or ignore)")
        else:
            outcome = _outcome(rule["action"], path, context, report)
        if rule["when"] == ALWAYS and hit_policy == HitPolicy.FIRST and index < len(rules) - 1:
            report(path + ["when"], "this rule always matches, so the rules after it can never be reached")
        specs.append(
            RuleSpec(
                rule["id"],
                rule["when"],
                hit_policy,
                outcome,
                tuple(rule.get("tags", ())),
                team_list(rule.get("notify")),
            )
        )
    last = rules[-1]
    if last["when"] != ALWAYS or last.get("hit", "first") != "first":
        report(["rules", len(rules) - 1], "the last rule must be the default: a first rule with `when: always`")
    return tuple(specs)
