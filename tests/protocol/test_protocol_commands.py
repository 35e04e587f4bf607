"""The protocol commands: check reports and exits non-zero on failure; try prints one JSON line a message."""

from __future__ import annotations

import json

from click.testing import CliRunner

from webcare.protocol.commands import protocol_cli

from .conftest import MINIMAL_TEXT, PROTOCOLS


def run(*arguments: str, input: str | None = None):
    return CliRunner().invoke(protocol_cli, list(arguments), input=input)


def test_check_reports_examples_and_exits_zero_for_a_good_protocol():
    result = run("check", str(PROTOCOLS / "gemeente.yaml"))
    assert result.exit_code == 0, result.output
    assert "Gemeente Lindeburg, version 2026.2" in result.output
    assert "0 failed" in result.output


def test_check_lists_problems_with_lines_and_exits_non_zero(tmp_path):
    broken = tmp_path / "kapot.yaml"
    broken.write_text(MINIMAL_TEXT.replace("when: {feature: question}", "when: {feature: vraagg}"), encoding="utf-8")
    result = run("check", str(broken))
    assert result.exit_code == 1
    assert "kapot.yaml, line " in result.output and 'unknown feature "vraagg"' in result.output


def test_check_exits_non_zero_when_an_example_fails(tmp_path):
    contradicted = tmp_path / "tegenspraak.yaml"
    contradicted.write_text(MINIMAL_TEXT.replace("rule: standaard}", "rule: vraag}"), encoding="utf-8")
    result = run("check", str(contradicted))
    assert result.exit_code == 1
    assert "2 passed, 1 failed" in result.output


def test_try_text_prints_decision_features_and_trace():
    result = run(
        "try",
        str(PROTOCOLS / "gemeente.yaml"),
        "--text",
        "wanneer wordt de kliko geleegd?",
        "--at",
        "2026-03-04T10:00:00+01:00",
    )
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert (line["action"], line["rule_id"], line["priority"]) == ("reply", "vraag", "normal")
    assert line["features"]["topic"] == "afval"
    assert line["trace"][-1] == "vraag: matched — question == true holds"


def test_try_jsonl_answers_every_line_counts_waves_and_reports_bad_lines():
    lines = [
        json.dumps(
            {
                "channel": "x",
                "account": "@gemeentelindeburg",
                "external_id": str(index),
                "created_at": f"2026-03-04T10:{index:02d}:00+01:00",
                "text": f"De markt moet in het centrum blijven! #{index}",
                "author": {"id": str(index), "handle": f"@bewoner{index}", "followers": 10},
            }
        )
        for index in range(12)
    ]
    lines.insert(3, "{kapot")
    result = run("try", str(PROTOCOLS / "gemeente.yaml"), "--jsonl", "-", input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert answers[3] == {
        "line": 4,
        "error": "not valid JSON: Expecting property name enclosed in double quotes at column 2",
    }
    decided = [answer for answer in answers if "action" in answer]
    assert len(decided) == 12
    assert [answer["features"]["cluster_size"] for answer in decided][-1] == 12
    assert decided[-1]["rule_id"] == "golf"


def test_try_needs_exactly_one_of_text_or_jsonl():
    result = run("try", str(PROTOCOLS / "gemeente.yaml"))
    assert result.exit_code == 2 and "exactly one of --text or --jsonl" in result.output


def test_check_counts_an_unreadable_example_as_failed(tmp_path):
    unreadable = tmp_path / "onleesbaar.yaml"
    unreadable.write_text(
        MINIMAL_TEXT.replace(
            '  - text: "mooi weer vandaag"\n',
            '  - text: "mooi weer vandaag"\n    created_at: "2026-02-30T10:00:00+01:00"\n',
        ),
        encoding="utf-8",
    )
    result = run("check", str(unreadable))
    assert result.exit_code == 1
    assert "example 3: created_at is not a real moment" in result.output
    assert "2 passed, 1 failed" in result.output


def test_try_jsonl_shows_the_safety_reasons_at_the_head_of_the_trace():
    lines = [
        json.dumps({"external_id": "t", "created_at": "2026-03-04T10:00:00+01:00", "text": "ik maak je af"}),
        json.dumps(
            {"external_id": "n", "created_at": "2026-03-04T10:01:00+01:00", "text": "ik zou nooit iemand iets aandoen"}
        ),
        json.dumps(
            {"external_id": "a", "created_at": "2026-03-04T10:02:00+01:00", "text": "die asielzoekers zijn ratten"}
        ),
    ]
    result = run("try", str(PROTOCOLS / "gemeente.yaml"), "--jsonl", "-", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    threat, negated, abuse = (json.loads(line) for line in result.output.splitlines())
    assert threat["trace"][0] == "safety: threat: intent + afmaken → 'ik … maak … af' (target: person)"
    assert (threat["action"], threat["rule_id"]) == ("escalate", "dreiging")
    assert threat["features"]["threat_form"] == "intent"
    assert negated["trace"][0].startswith("safety: not a threat: negated by 'nooit'")
    assert negated["action"] != "escalate"
    assert abuse["trace"][0] == "safety: abuse: dehumanising → 'die … ratten' (target: group)"
    assert (abuse["action"], abuse["rule_id"]) == ("ignore", "haat")
