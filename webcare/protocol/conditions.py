"""Conditions of protocol rules compiled into closures that answer (matched, why) (pure)."""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

ALWAYS = "always"
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in", "contains", "matches", "exists")
ORDERINGS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}

Verdict = tuple[bool, str]
Evaluator = Callable[[Any], Verdict]


def describe_leaf(name: str, op: str, value: Any) -> str:
    if op == "exists":
        return f"{name} exists" if value else f"{name} does not exist"
    return f"{name} {op} {json.dumps(value, ensure_ascii=False)}"


def _leaf(name: str, op: str, value: Any) -> Evaluator:
    get = operator.attrgetter(name)
    text = describe_leaf(name, op, value)
    holds, fails = (True, text + " holds"), (False, text + " does not hold")
    if op == "==":
        return lambda features: holds if get(features) == value else fails
    if op == "!=":
        return lambda features: holds if get(features) != value else fails
    if op in ORDERINGS:
        compare = ORDERINGS[op]

        def ordered(features: Any) -> Verdict:
            try:
                return holds if compare(get(features), value) else fails
            except TypeError:
                return fails

        return ordered
    if op in ("in", "not_in"):
        choices = frozenset(value)
        if op == "in":
            return lambda features: holds if get(features) in choices else fails
        return lambda features: fails if get(features) in choices else holds
    if op == "contains":

        def contains(features: Any) -> Verdict:
            try:
                return holds if value in get(features) else fails
            except TypeError:
                return fails

        return contains
    if op == "matches":
        pattern = re.compile(value)

        def matches(features: Any) -> Verdict:
            actual = get(features)
            return holds if isinstance(actual, str) and pattern.search(actual) else fails

        return matches
    if op == "exists":
        wanted = bool(value)

        def exists(features: Any) -> Verdict:
            actual = get(features)
            present = actual is not None and actual != "" and actual != ()
            return holds if present is wanted else fails

        return exists
    raise ValueError(f"unknown operator {op!r}")


def _all(children: Sequence[Evaluator]) -> Evaluator:
    holds = (True, f"all {len(children)} conditions hold")

    def evaluate(features: Any) -> Verdict:
        for child in children:
            verdict = child(features)
            if not verdict[0]:
                return verdict
        return holds

    return evaluate


def _any(children: Sequence[Evaluator]) -> Evaluator:
    fails = (False, f"none of {len(children)} conditions holds")

    def evaluate(features: Any) -> Verdict:
        for child in children:
            verdict = child(features)
            if verdict[0]:
                return verdict
        return fails

    return evaluate


def _not(child: Evaluator) -> Evaluator:
    def evaluate(features: Any) -> Verdict:
        matched, why = child(features)
        return (not matched, "not: " + why)

    return evaluate


def compile_condition(tree: Any) -> Evaluator:
    """A closure over features from "always" or a validated all/any/not/leaf tree."""
    if tree == ALWAYS:
        always = (True, "always")
        return lambda features: always
    if "all" in tree:
        return _all(tuple(compile_condition(child) for child in tree["all"]))
    if "any" in tree:
        return _any(tuple(compile_condition(child) for child in tree["any"]))
    if "not" in tree:
        return _not(compile_condition(tree["not"]))
    return _leaf(tree["feature"], tree.get("op", "=="), tree.get("value", True))
