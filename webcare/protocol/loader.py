"""Loading a protocol: parse, validate, compile vocabulary, service and rules, lint templates, run examples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webcare.protocol.calendar import (
    LIBERATION_DAY,
    ClosingChoices,
    OfficeCalendar,
    dutch_holiday_names,
)
from webcare.protocol.engine import (
    Decision,
    Engine,
    Priority,
    RuleSpec,
    ServiceTargets,
    SlaClock,
)
from webcare.protocol.examples import example_problems
from webcare.protocol.features import Person, Topic, Vocabulary, default_safety_analyser
from webcare.protocol.lexicon import TermMatcher, term_problem
from webcare.protocol.rules import RuleContext, build_rules, parse_duration
from webcare.protocol.safety import SafetyAnalyser, SafetyExtensions
from webcare.protocol.source import Problem, ProtocolError, SourceDocument, parse_source, schema_problems
from webcare.protocol.templates_lint import lint_template
from webcare.timeutil import OfficeHours, StaffedClock

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_TIMEZONE = "Europe/Amsterdam"


@dataclass(frozen=True)
class ChangelogEntry:
    version: str
    date: date
    note: str


@dataclass(frozen=True)
class Protocol:
    """A validated, compiled protocol whose examples all pass; `decide` is the engine's entry point."""

    source_name: str
    organisation: str
    version: str
    effective_from: date
    approved_by: str
    changelog: tuple[ChangelogEntry, ...]
    vocabulary: Vocabulary
    calendar: OfficeCalendar
    engine: Engine
    rules: tuple[RuleSpec, ...]
    rule_descriptions: Mapping[str, str]
    templates: Mapping[str, str]
    examples: tuple[Mapping[str, Any], ...]
    warnings: tuple[Problem, ...] = ()
    text: str = field(default="", repr=False)

    def decide(self, features: Any, now: datetime, staffed_clock: StaffedClock | None = None) -> Decision:
        return self.engine.decide(features, now, staffed_clock)

    @property
    def summary_window(self) -> timedelta:
        """The longest bundling window of the summarise rules (two hours when there is none)."""
        windows = [rule.outcome.summary_window for rule in self.rules if rule.outcome and rule.outcome.summary_window]
        return max(windows, default=timedelta(hours=2))


class _Problems:
    """Collects problems against one source document."""

    def __init__(self, document: SourceDocument):
        self.document = document
        self.items: list[Problem] = []

    def __call__(self, path: Sequence[str | int], message: str, severity: str = "error") -> None:
        self.items.append(self.document.problem(path, message, severity))

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.items if problem.severity == "error"]


def _matcher(terms: Sequence[str], path: list[str | int], report: _Problems) -> TermMatcher:
    usable = []
    for index, term in enumerate(terms):
        problem = term_problem(term)
        if problem:
            report(path + [index], problem)
        else:
            usable.append(term)
    return TermMatcher(usable)


def _handles(handles: Sequence[str]) -> frozenset[str]:
    return frozenset(handle.lower().lstrip("@") for handle in handles)


def _safety_analyser(data: Mapping[str, Any]) -> SafetyAnalyser:
    """The built-in analyser plus the protocol's own safety words; named people count as officials by surname."""
    names = [person["name"].split()[-1] for person in data.get("people", ())]
    names += [alias for person in data.get("people", ()) for alias in person.get("aliases", ()) if " " not in alias]
    if not data.get("safety") and not names:
        return default_safety_analyser()
    extensions = SafetyExtensions.from_protocol(data.get("safety"))
    return SafetyAnalyser(replace(extensions, officials=(*extensions.officials, *names)))


def _vocabulary(data: Mapping[str, Any], report: _Problems) -> Vocabulary:
    teams = set(data["teams"])
    topics, seen = [], set()
    for index, topic in enumerate(data["topics"]):
        path: list[str | int] = ["vocabulary", "topics", index]
        if topic["id"] in seen:
            report(path + ["id"], f'the topic id "{topic["id"]}" is used twice')
        seen.add(topic["id"])
        if topic.get("department") and topic["department"] not in teams:
            report(path + ["department"], f'unknown team "{topic["department"]}"; declare it under vocabulary → teams')
        matcher = _matcher(topic["keywords"], path + ["keywords"], report)
        topics.append(
            Topic(
                topic["id"],
                topic["label"],
                matcher,
                topic.get("department"),
                topic.get("sensitive", False),
                topic.get("link"),
                topic.get("source"),
            )
        )
    lexicons = tuple(
        (name, _matcher(terms, ["vocabulary", "lexicons", name], report)) for name, terms in data["lexicons"].items()
    )
    people = []
    for index, person in enumerate(data.get("people", ())):
        terms = [person["name"], *person.get("aliases", ())]
        matcher = _matcher(terms, ["vocabulary", "people", index, "aliases"], report)
        people.append(Person(person["name"], person["role"], person["kind"], matcher))
    influence = data.get("influence", {})
    safety = _safety_analyser(data)
    return Vocabulary(
        topics=tuple(topics),
        lexicons=lexicons,
        people=tuple(people),
        press_accounts=_handles(data.get("press_accounts", ())),
        political_accounts=_handles(data.get("political_accounts", ())),
        watched_accounts=_handles(data.get("watched_accounts", ())),
        medium_followers=influence.get("medium_followers", 1_000),
        high_followers=influence.get("high_followers", 10_000),
        safety=safety,
    )


def _calendar(service: Mapping[str, Any], report: _Problems) -> OfficeCalendar:
    try:
        tz = ZoneInfo(service.get("timezone", DEFAULT_TIMEZONE))
    except (ZoneInfoNotFoundError, ValueError):
        report(["service", "timezone"], f'unknown time zone "{service["timezone"]}" (for example Europe/Amsterdam)')
        tz = ZoneInfo(DEFAULT_TIMEZONE)
    opening = {}
    for name, hours in service["office_hours"].items():
        start, end = time.fromisoformat(hours["start"]), time.fromisoformat(hours["end"])
        if start >= end:
            report(["service", "office_hours", name], "the office must open before it closes")
        opening[WEEKDAYS.index(name)] = (start, end)
    evening_end = time.fromisoformat(service.get("evening_end", "22:00"))
    closed = service.get("closed_days", {})
    chosen = closed.get("public_holidays", "all")
    known_names = dutch_holiday_names()
    if chosen != "all":
        for index, name in enumerate(chosen):
            if name not in known_names or name == LIBERATION_DAY:
                choices = ", ".join(known for known in known_names if known != LIBERATION_DAY)
                report(
                    ["service", "closed_days", "public_holidays", index],
                    f'"{name}" is not a Dutch public holiday name here; use one of: {choices} (Bevrijdingsdag has its own setting)',
                )
    extra_dates = set()
    for index, text in enumerate(closed.get("extra_dates", ())):
        try:
            extra_dates.add(date.fromisoformat(text))
        except ValueError:
            report(["service", "closed_days", "extra_dates", index], f'"{text}" is not a real date')
    choices = ClosingChoices(
        public_holidays=None if chosen == "all" else frozenset(chosen),
        is_closed_on_good_friday=closed.get("good_friday", False),
        liberation_day=closed.get("liberation_day", "lustrum"),
        extra_dates=frozenset(extra_dates),
    )
    return OfficeCalendar(OfficeHours(opening, evening_end), choices, tz)


def _targets(service: Mapping[str, Any]) -> ServiceTargets:
    first_response, resolution = {}, {}
    for priority_name, target in service["targets"].items():
        priority = Priority(priority_name)
        first_response[(priority, None)] = parse_duration(target["first_response"])
        resolution[(priority, None)] = parse_duration(target["resolution"])
        for channel, override in target.get("channels", {}).items():
            if "first_response" in override:
                first_response[(priority, channel)] = parse_duration(override["first_response"])
            if "resolution" in override:
                resolution[(priority, channel)] = parse_duration(override["resolution"])
    return ServiceTargets(first_response, resolution, SlaClock(service["clock"]))


def _lint_templates(data: Mapping[str, Any], rules: Sequence[RuleSpec], report: _Problems) -> None:
    public, sourced = set(), set()
    for rule, raw in zip(rules, data["rules"]):
        if rule.outcome and rule.outcome.template_id:
            if rule.outcome.visibility == "public":
                public.add(rule.outcome.template_id)
            if raw["action"].get("reply", {}).get("sourcing"):
                sourced.add(rule.outcome.template_id)
    for template_id, text in data["templates"].items():
        for finding in lint_template(text, is_public=template_id in public, needs_source=template_id in sourced):
            report(["templates", template_id], finding.message, finding.severity)


def _date(text: str, path: list[str | int], report: _Problems) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        report(path, f'"{text}" is not a real date')
        return date.min


def _compile(document: SourceDocument, report: _Problems, text: str) -> Protocol:
    data = document.data
    effective_from = _date(data["effective_from"], ["effective_from"], report)
    changelog = tuple(
        ChangelogEntry(entry["version"], _date(entry["date"], ["changelog", index, "date"], report), entry["note"])
        for index, entry in enumerate(data["changelog"])
    )
    vocabulary = _vocabulary(data["vocabulary"], report)
    calendar = _calendar(data["service"], report)
    context = RuleContext(
        topic_ids=frozenset(topic.id for topic in vocabulary.topics),
        lexicon_names=frozenset(name for name, _ in vocabulary.lexicons),
        teams=frozenset(data["vocabulary"]["teams"]),
        templates=data["templates"],
    )
    rules = build_rules(data["rules"], context, report)
    _lint_templates(data, rules, report)
    if report.errors:
        raise ProtocolError(report.errors)
    engine = Engine(rules, _targets(data["service"]), data["version"], calendar.staffed_clock)
    return Protocol(
        source_name=document.name,
        organisation=data["organisation"],
        version=data["version"],
        effective_from=effective_from,
        approved_by=data["approved_by"],
        changelog=changelog,
        vocabulary=vocabulary,
        calendar=calendar,
        engine=engine,
        rules=rules,
        rule_descriptions={rule["id"]: rule["description"] for rule in data["rules"]},
        templates=dict(data["templates"]),
        examples=tuple(data["examples"]),
        warnings=tuple(problem for problem in report.items if problem.severity != "error"),
        text=text,
    )


def compile_protocol(text: str, source_name: str) -> tuple[Protocol, SourceDocument]:
    """Parse, validate and compile without running the examples; raises ProtocolError."""
    document = parse_source(text, source_name)
    problems = schema_problems(document)
    if problems:
        raise ProtocolError(problems)
    return _compile(document, _Problems(document), text), document


def protocol_from_text(text: str, source_name: str = "protocol.yaml") -> Protocol:
    """A usable protocol from YAML text (a file or a version stored in the database); raises ProtocolError."""
    protocol, document = compile_protocol(text, source_name)
    failures = example_problems(protocol, document)
    if failures:
        raise ProtocolError(failures)
    return protocol


def load_protocol(path: str | Path) -> Protocol:
    """Load, validate, compile and self-test a protocol file; raises ProtocolError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProtocolError([Problem(path.name, None, "", f"cannot read the file: {error}")]) from None
    return protocol_from_text(text, path.name)
