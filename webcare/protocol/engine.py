"""The protocol engine: ordered rules compiled once into closures that decide one message's action (pure)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from webcare.protocol.conditions import ALWAYS, compile_condition
from webcare.timeutil import StaffedClock


class Action(enum.StrEnum):
    REPLY = "reply"
    ESCALATE = "escalate"
    SUMMARISE = "summarise"
    IGNORE = "ignore"


class Priority(enum.StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class HitPolicy(enum.StrEnum):
    FIRST = "first"
    COLLECT = "collect"


class SlaClock(enum.StrEnum):
    CALENDAR = "calendar"
    STAFFED = "staffed"


@dataclass(frozen=True)
class Outcome:
    """What a `first` rule does when it matches."""

    action: Action
    priority: Priority
    template_id: str | None = None
    visibility: str | None = None
    escalate_to: str | None = None
    is_escalated_to_department: bool = False
    note: str | None = None
    is_monitored: bool = False
    summary_window: timedelta | None = None
    summary_threshold: int | None = None
    notify: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSpec:
    """One rule as the loader hands it over: `when` is "always" or a tree of all/any/not/leaf mappings."""

    id: str
    when: Any
    hit_policy: HitPolicy = HitPolicy.FIRST
    outcome: Outcome | None = None
    tags: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceTargets:
    """First-response and resolution targets keyed by (priority, channel); channel None is the default."""

    first_response: Mapping[tuple[Priority, str | None], timedelta]
    resolution: Mapping[tuple[Priority, str | None], timedelta]
    clock: SlaClock = SlaClock.CALENDAR


@dataclass(frozen=True)
class Decision:
    """The protocol's verdict on one message, with the trace of why."""

    action: Action
    rule_id: str
    protocol_version: str
    priority: Priority
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    template_id: str | None
    visibility: str | None
    escalate_to: str | None
    note: str | None
    is_monitored: bool
    summary_window: timedelta | None
    summary_threshold: int | None
    tags: tuple[str, ...]
    notify: tuple[str, ...]
    trace: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return {
            "action": self.action.value,
            "rule_id": self.rule_id,
            "protocol_version": self.protocol_version,
            "priority": self.priority.value,
            "first_response_due_at": _iso(self.first_response_due_at),
            "resolution_due_at": _iso(self.resolution_due_at),
            "template_id": self.template_id,
            "visibility": self.visibility,
            "escalate_to": self.escalate_to,
            "note": self.note,
            "is_monitored": self.is_monitored,
            "summary_window_minutes": None
            if self.summary_window is None
            else self.summary_window // timedelta(minutes=1),
            "summary_threshold": self.summary_threshold,
            "tags": list(self.tags),
            "notify": list(self.notify),
            "trace": list(self.trace),
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


SAFETY_FACTS = ("threat", "attack_on_named")


def _needs_safety(features: Any) -> str | None:
    """The fact that forbids anything but escalation: a threat or an attack on a named person."""
    for name in SAFETY_FACTS:
        if getattr(features, name, False):
            return name
    return None


class Engine:
    """Rules compiled once; `decide` walks closures and tuples, never the protocol file.

    Safety wins over every rule order: a message whose facts mark a threat or an attack on a named person is
    never replied to, summarised or ignored; if such a rule matches first, the protocol's first escalate rule
    (normally the threat rule) takes the message instead, and the trace says so.
    """

    def __init__(
        self,
        rules: Sequence[RuleSpec],
        targets: ServiceTargets,
        protocol_version: str,
        staffed_clock_for: Callable[[datetime], StaffedClock] | None = None,
    ):
        if not rules or rules[-1].when != ALWAYS or rules[-1].hit_policy != HitPolicy.FIRST:
            raise ValueError("the last rule must be a `first` rule with `when: always`")
        if targets.clock == SlaClock.STAFFED and staffed_clock_for is None:
            raise ValueError("a staffed SLA clock needs office or roster intervals")
        self.protocol_version = protocol_version
        self.targets = targets
        self._staffed_clock_for = staffed_clock_for
        self._safety_rule = next(
            (rule for rule in rules if rule.outcome is not None and rule.outcome.action == Action.ESCALATE), None
        )
        self._rules = tuple(
            (
                rule.hit_policy == HitPolicy.COLLECT,
                compile_condition(rule.when),
                f"{rule.id}: matched — ",
                f"{rule.id}: skipped — ",
                rule.outcome,
                rule.tags,
                rule.notify + (rule.outcome.notify if rule.outcome else ()),
                rule.id,
            )
            for rule in rules
        )

    def decide(self, features: Any, now: datetime, staffed_clock: StaffedClock | None = None) -> Decision:
        """The first matching `first` rule decides; `collect` rules met on the way add tags and notify."""
        trace: list[str] = []
        tags: list[str] = []
        notify: list[str] = []
        for is_collect, evaluate, matched_text, skipped_text, outcome, rule_tags, rule_notify, rule_id in self._rules:
            matched, why = evaluate(features)
            if not matched:
                trace.append(skipped_text + why)
                continue
            trace.append(matched_text + why)
            tags.extend(rule_tags)
            notify.extend(rule_notify)
            if is_collect:
                continue
            if outcome.action != Action.ESCALATE:
                fact = _needs_safety(features)
                if fact is not None:
                    return self._safety_decision(rule_id, fact, features, now, staffed_clock, tags, notify, trace)
            return self._decision(outcome, rule_id, features, now, staffed_clock, tags, notify, trace)
        raise AssertionError("unreachable: the last rule always matches")

    def _safety_decision(
        self,
        rule_id: str,
        fact: str,
        features: Any,
        now: datetime,
        staffed_clock: StaffedClock | None,
        tags: list[str],
        notify: list[str],
        trace: list[str],
    ) -> Decision:
        safety = self._safety_rule
        outcome = safety.outcome if safety else Outcome(Action.ESCALATE, Priority.URGENT)
        if outcome.priority not in (Priority.URGENT, Priority.HIGH):
            outcome = replace(outcome, priority=Priority.HIGH)
        safety_id = safety.id if safety else "safety"
        trace.append(f"safety: {fact} is never left to {rule_id}; escalated as by {safety_id}")
        notify.extend(safety.notify + outcome.notify if safety else ())
        return self._decision(outcome, safety_id, features, now, staffed_clock, tags, notify, trace)

    def _decision(
        self,
        outcome: Outcome,
        rule_id: str,
        features: Any,
        now: datetime,
        staffed_clock: StaffedClock | None,
        tags: list[str],
        notify: list[str],
        trace: list[str],
    ) -> Decision:
        first_response_due_at = resolution_due_at = None
        if outcome.action != Action.IGNORE:
            channel = getattr(features, "channel", None)
            if self.targets.clock == SlaClock.STAFFED:
                staffed_clock = staffed_clock or self._staffed_clock_for(now)
            else:
                staffed_clock = None
            first_response_due_at = self._due(
                self.targets.first_response, outcome.priority, channel, now, staffed_clock, trace
            )
            resolution_due_at = self._due(self.targets.resolution, outcome.priority, channel, now, staffed_clock, trace)
        escalate_to = outcome.escalate_to
        if outcome.is_escalated_to_department:
            escalate_to = getattr(features, "department", None) or outcome.escalate_to
        return Decision(
            action=outcome.action,
            rule_id=rule_id,
            protocol_version=self.protocol_version,
            priority=outcome.priority,
            first_response_due_at=first_response_due_at,
            resolution_due_at=resolution_due_at,
            template_id=outcome.template_id,
            visibility=outcome.visibility,
            escalate_to=escalate_to,
            note=outcome.note,
            is_monitored=outcome.is_monitored,
            summary_window=outcome.summary_window,
            summary_threshold=outcome.summary_threshold,
            tags=_unique(tags),
            notify=_unique(notify),
            trace=tuple(trace),
        )

    def _due(
        self,
        targets: Mapping[tuple[Priority, str | None], timedelta],
        priority: Priority,
        channel: str | None,
        now: datetime,
        staffed_clock: StaffedClock | None,
        trace: list[str],
    ) -> datetime | None:
        target = targets.get((priority, channel)) or targets.get((priority, None))
        if target is None:
            return None
        if staffed_clock is None:
            return now + target
        due = staffed_clock.add(now, target)
        if due is None:
            trace.append("sla: staffed hours ran out; calendar time used")
            return now + target
        return due
