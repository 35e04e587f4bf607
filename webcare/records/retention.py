"""The retention schedule (pure): which category a closed case falls in, and when it may be destroyed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from webcare.resources import resource_dir

APPRAISALS = ("destroy", "keep")


class RetentionScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class RetentionCategory:
    id: str
    label: str
    appraisal: str  # destroy (vernietigen) or keep (bewaren, to be transferred)
    term_months: int | None  # None when kept permanently
    basis: str = ""

    @property
    def is_kept_permanently(self) -> bool:
        return self.appraisal == "keep"

    def destroy_after(self, closed_at: datetime) -> datetime | None:
        """The moment the term has passed; None for a category kept permanently."""
        if self.term_months is None:
            return None
        return add_months(closed_at, self.term_months)


@dataclass(frozen=True)
class RetentionRule:
    topics: frozenset[str] | None
    outcomes: frozenset[str] | None
    category: str

    def matches(self, topic: str | None, outcome: str | None) -> bool:
        return (self.topics is None or topic in self.topics) and (self.outcomes is None or outcome in self.outcomes)


@dataclass(frozen=True)
class RetentionSchedule:
    version: str
    categories: dict[str, RetentionCategory]
    rules: tuple[RetentionRule, ...]
    default_category: str

    def category_for(self, topic: str | None, outcome: str | None) -> RetentionCategory:
        """The first rule matching the case's topic and outcome ("ignored" for an ignored case) decides."""
        for rule in self.rules:
            if rule.matches(topic, outcome):
                return self.categories[rule.category]
        return self.categories[self.default_category]


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day when it is shorter (31 January + 1 = 28/29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def schedule_from_text(text: str, source_name: str = "retention.yaml") -> RetentionSchedule:
    """Parse and check a schedule; raises RetentionScheduleError with every problem in plain words."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RetentionScheduleError(f"{source_name}: not valid YAML: {error}") from None
    schema = json.loads((resource_dir("protocols") / "retention.schema.json").read_text())
    problems = [
        f"{source_name}: {'/'.join(map(str, error.absolute_path)) or 'top level'}: {error.message}"
        for error in Draft202012Validator(schema).iter_errors(data)
    ]
    if problems:
        raise RetentionScheduleError("\n".join(problems))
    categories = {
        entry["id"]: RetentionCategory(
            entry["id"], entry["label"], entry["appraisal"], entry.get("term_months"), entry.get("basis", "")
        )
        for entry in data["categories"]
    }
    rules = tuple(
        RetentionRule(
            frozenset(rule["topics"]) if "topics" in rule else None,
            frozenset(rule["outcomes"]) if "outcomes" in rule else None,
            rule["category"],
        )
        for rule in data["rules"]
    )
    unknown = sorted({rule.category for rule in rules} - set(categories)) + (
        [data["default_category"]] if data["default_category"] not in categories else []
    )
    if unknown:
        raise RetentionScheduleError(f"{source_name}: unknown categories: {', '.join(unknown)}")
    return RetentionSchedule(str(data["version"]), categories, rules, data["default_category"])


def load_schedule(path: str | Path | None = None) -> RetentionSchedule:
    path = Path(path) if path else resource_dir("protocols") / "retention.yaml"
    return schedule_from_text(path.read_text(encoding="utf-8"), path.name)
