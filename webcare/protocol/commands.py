"""The `protocol` command group: check and try a file without a database; activate, list and simulate with one."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click
from flask.cli import AppGroup

from webcare.inbox.simulation import simulate
from webcare.protocol.cluster import ClusterTracker
from webcare.protocol.examples import (
    PRIVATE_CHANNELS,
    parse_moment,
    run_examples,
    unreadable_examples,
)
from webcare.protocol.features import MessageFacts, compute_features
from webcare.protocol.loader import Protocol, compile_protocol, load_protocol
from webcare.protocol.services import activate_file, versions
from webcare.protocol.source import ProtocolError
from webcare.timeutil import utcnow

protocol_cli = AppGroup("protocol", help="Check and try response protocols.")


class BadRecord(ValueError):
    """A JSONL line that cannot be tried; the text says why."""


def _aware_moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadRecord("'created_at' must be ISO 8601 with a UTC offset, e.g. 2026-03-04T10:15:00+01:00")
    return parse_moment(value)


def facts_from_record(record: Any) -> MessageFacts:
    """Message facts from one intake record (channel, account, external_id, created_at, text, author, is_public)."""
    if not isinstance(record, dict):
        raise BadRecord("expected a JSON object")
    text = record.get("text")
    if not isinstance(text, str):
        raise BadRecord("'text' is missing or not a string")
    moment = _aware_moment(record.get("created_at"))
    author = record.get("author") or {}
    if not isinstance(author, dict):
        raise BadRecord("'author' must be an object")
    channel = str(record.get("channel", "x"))
    return MessageFacts(
        text=text,
        created_at=moment,
        channel=channel,
        account=str(record.get("account", "")),
        is_public=bool(record.get("is_public", channel not in PRIVATE_CHANNELS)),
        author_handle=author.get("handle"),
        author_name=author.get("name"),
        author_followers=author.get("followers"),
        author_verified=bool(author.get("verified", False)),
        our_replies_so_far=int(record.get("our_replies_so_far", 0)),
        author_contacts_last_n_days=int(record.get("author_contacts_last_n_days", 0)),
        cluster_size=int(record.get("cluster_size", 1)),
    )


def verdict_line(protocol: Protocol, facts: MessageFacts, external_id: str | None = None) -> dict[str, Any]:
    """Decision, features and trace of one message as one JSON-ready mapping."""
    features = compute_features(facts, protocol)
    decision = protocol.decide(features, facts.created_at)
    line = {"external_id": external_id, **decision.as_dict(), "features": features.as_dict()}
    # The safety analyser's reasons come first in the trace, so every threat or abuse verdict explains itself.
    line["trace"] = [f"safety: {reason}" for reason in features.safety] + line["trace"]
    return line


def _json(line: Mapping[str, Any]) -> str:
    return json.dumps(
        line, ensure_ascii=False, default=lambda value: list(value) if isinstance(value, tuple) else str(value)
    )


def _records(stream: TextIO) -> Iterator[tuple[int, Any]]:
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            yield number, json.loads(raw)
        except json.JSONDecodeError as error:
            yield number, BadRecord(f"not valid JSON: {error.msg} at column {error.colno}")


def _print_problems(problems: list) -> None:
    for problem in problems:
        click.echo(f"  ✗ {problem}")


@protocol_cli.command("check", with_appcontext=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(file: Path) -> None:
    """Validate a protocol file, lint its templates and run its examples."""
    click.echo(f"Checking {file}")
    try:
        protocol, _ = compile_protocol(file.read_text(encoding="utf-8"), file.name)
    except ProtocolError as error:
        click.echo(f"{len(error.problems)} problem(s); the protocol cannot be used:")
        _print_problems(error.problems)
        sys.exit(1)
    click.echo(f"  {protocol.organisation}, version {protocol.version}, effective from {protocol.effective_from}")
    click.echo(
        f"  {len(protocol.rules)} rules, {len(protocol.templates)} templates, {len(protocol.vocabulary.topics)} topics"
    )
    for warning in protocol.warnings:
        click.echo(f"  ! {warning}")
    results = run_examples(protocol)
    failures = [result for result in results if not result.has_passed]
    unreadable = unreadable_examples(protocol)
    for index, reason in unreadable:
        click.echo(f"  ✗ example {index + 1}: {reason}")
    for result in results:
        mark = "✓" if result.has_passed else "✗"
        click.echo(
            f"  {mark} example {result.index + 1}: {result.decision.action} by {result.decision.rule_id} — {result.text[:70]}"
        )
        if result.failure:
            click.echo(f"      {result.failure}")
    matched = {line.split(":", 1)[0] for result in results for line in result.decision.trace if ": matched" in line}
    untested = [rule.id for rule in protocol.rules if rule.id not in matched]
    if untested:
        click.echo(f"  ! no example matches rule(s): {', '.join(untested)}")
    click.echo(f"{len(results) - len(failures)} passed, {len(failures) + len(unreadable)} failed")
    if failures or unreadable:
        sys.exit(1)


@protocol_cli.command("try", with_appcontext=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--text", "text", help="One message text to try.")
@click.option(
    "--jsonl",
    "jsonl",
    type=click.File("r", encoding="utf-8"),
    help="Messages in the intake JSONL format ('-' for stdin).",
)
@click.option("--at", "at", help="When the --text message was written (ISO 8601 with offset); default now.")
@click.option("--channel", default="x", show_default=True, help="Channel of the --text message.")
def try_command(file: Path, text: str | None, jsonl: TextIO | None, at: str | None, channel: str) -> None:
    """Print the decision, features and trace for messages, one JSON line each."""
    if (text is None) == (jsonl is None):
        raise click.UsageError("give exactly one of --text or --jsonl")
    try:
        protocol = load_protocol(file)
    except ProtocolError as error:
        click.echo(f"{file} cannot be used:", err=True)
        for problem in error.problems:
            click.echo(f"  ✗ {problem}", err=True)
        sys.exit(1)
    if text is not None:
        moment = parse_moment(at) if at else utcnow()
        facts = MessageFacts(text=text, created_at=moment, channel=channel, is_public=channel not in PRIVATE_CHANNELS)
        click.echo(_json(verdict_line(protocol, facts)))
        return
    tracker = ClusterTracker(window=protocol.summary_window)
    has_bad_lines = False
    for number, record in _records(jsonl):
        try:
            if isinstance(record, BadRecord):
                raise record
            facts = facts_from_record(record)
        except BadRecord as error:
            has_bad_lines = True
            click.echo(_json({"line": number, "error": str(error)}))
            continue
        external_id = str(record.get("external_id", f"line-{number}"))
        if "cluster_size" not in record:
            assignment = tracker.add(external_id, facts.created_at, facts.text)
            facts = replace(facts, cluster_size=assignment.size)
        click.echo(_json(verdict_line(protocol, facts, external_id)))
    if has_bad_lines:
        sys.exit(1)


@protocol_cli.command("activate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def activate_command(file: Path) -> None:
    """Validate a protocol, store it (by content hash) and make it the active one."""
    try:
        version = activate_file(file)
    except ProtocolError as error:
        _print_problems(error.problems)
        raise SystemExit(1) from None
    click.echo(f"active: {version.organisation} {version.version} ({version.content_hash[:12]})")


@protocol_cli.command("versions")
def versions_command() -> None:
    """List stored protocol versions, the active one marked."""
    for version in versions():
        mark = "*" if version.is_active else " "
        click.echo(
            f"{mark} {version.id}\t{version.version}\t{version.content_hash[:12]}\t{version.stored_at:%Y-%m-%d %H:%M}\t{version.source_name}"
        )


def _since(value: str) -> datetime:
    from datetime import timedelta

    units = {"d": "days", "h": "hours", "w": "weeks"}
    if value[-1:] in units and value[:-1].isdigit():
        return utcnow() - timedelta(**{units[value[-1]]: int(value[:-1])})
    return parse_moment(value)


@protocol_cli.command("simulate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--since", default="30d", show_default=True, help="A span back from now (30d, 12h, 4w) or an ISO date.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def simulate_command(file: Path, since: str, output: str) -> None:
    """Replay stored messages through a candidate protocol and count what would change."""
    try:
        protocol = load_protocol(file)
    except ProtocolError as error:
        _print_problems(error.problems)
        raise SystemExit(1) from None
    report = simulate(protocol, since=_since(since), until=utcnow())
    if output == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{report.messages} messages replayed, {report.changed} decisions would change")
    click.echo("\naction      before   after")
    for action in sorted(set(report.actions_before) | set(report.actions_after)):
        click.echo(f"{action:<10} {report.actions_before[action]:>7} {report.actions_after[action]:>7}")
    click.echo("\nrule                         decisions  changed")
    for rule, count in report.rules_after.most_common():
        click.echo(f"{rule:<28} {count:>9} {report.changed_by_rule[rule]:>8}")
    for (before, after), examples in report.examples.items():
        click.echo(f"\n{before} -> {after} ({report.transitions[(before, after)]}), e.g.:")
        for example in examples:
            click.echo(f"  #{example.message_id} [{example.rule_after}] {example.text[:100]}")
