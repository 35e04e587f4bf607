"""Loading protocols: every problem names the file, the line and the path in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from webcare.protocol import ProtocolError, load_protocol, protocol_from_text
from webcare.protocol.engine import Action

from .conftest import MINIMAL_TEXT, PROTOCOLS, line_number

# retention.yaml beside the protocols is the retention schedule (webcare/records/retention.py), not a protocol.
PROTOCOL_FILES = sorted(path for path in PROTOCOLS.glob("**/*.yaml") if path.name != "retention.yaml")


def problems_of(text: str) -> list:
    with pytest.raises(ProtocolError) as raised:
        protocol_from_text(text, "test.yaml")
    return raised.value.problems


@pytest.mark.parametrize("path", PROTOCOL_FILES, ids=lambda path: str(path.relative_to(PROTOCOLS)))
def test_every_protocol_file_passes_its_own_examples(path: Path):
    protocol = load_protocol(path)
    assert protocol.examples
    assert protocol.rules[-1].when == "always"


def test_the_default_protocol_has_forty_examples_and_every_rule_is_exercised(gemeente):
    from webcare.protocol.examples import run_examples

    results = run_examples(gemeente)
    matched = {line.split(":", 1)[0] for result in results for line in result.decision.trace if ": matched" in line}
    assert len(results) >= 40
    assert {rule.id for rule in gemeente.rules} <= matched


def test_broken_yaml_is_refused_with_its_line():
    text = MINIMAL_TEXT.replace("  teams: [teamleider, afval]", "  teams: [teamleider, afval", 1)
    [problem] = problems_of(text)
    assert problem.file == "test.yaml"
    assert problem.line is not None and abs(problem.line - line_number(text, "teams: [")) <= 1
    assert "YAML is broken" in problem.message


def test_an_empty_file_is_refused():
    [problem] = problems_of("")
    assert "empty" in problem.message


def test_a_duplicate_key_is_refused_with_the_line_of_the_second_one(varied_minimal):
    text = varied_minimal('version: "1.0"\n', 'version: "1.0"\nversion: "1.1"\n')
    [problem] = problems_of(text)
    assert problem.line == line_number(text, 'version: "1.1"')
    assert '"version" appears twice' in problem.message


def test_a_missing_required_field_is_named(varied_minimal):
    text = varied_minimal("approved_by: Teamleider webcare\n", "")
    [problem] = problems_of(text)
    assert problem.message == 'the required field "approved_by" is missing'


def test_an_unknown_field_is_named_with_a_suggestion_and_its_line(varied_minimal):
    text = varied_minimal("    description: Vragen beantwoorden we.", "    descripton: Vragen beantwoorden we.")
    found = [problem for problem in problems_of(text) if "descripton" in problem.message]
    assert found[0].line == line_number(text, "descripton")
    assert found[0].path == 'rules → 3 (id "vraag") → descripton'
    assert 'did you mean "description"' in found[0].message


def test_a_wrong_choice_lists_the_allowed_values(varied_minimal):
    text = varied_minimal("visibility: public", "visibility: openbaar")
    [problem] = problems_of(text)
    assert problem.line == line_number(text, "openbaar")
    assert "choose one of: public, private" in problem.message


def test_a_malformed_duration_is_explained(varied_minimal):
    text = varied_minimal("first_response: 4h", "first_response: 4 uur")
    [problem] = problems_of(text)
    assert problem.path == "service → targets → normal → first_response"
    assert "a duration such as 30m" in problem.message


def test_clock_times_stay_text_instead_of_yaml_sexagesimal_numbers(varied_minimal):
    text = varied_minimal('monday: {start: "09:00", end: "17:00"}', "monday: {start: 09:00, end: 17:00}")
    protocol = protocol_from_text(text, "test.yaml")
    assert protocol.calendar.office_hours.opening[0][1].hour == 17


def test_an_unknown_feature_is_refused_with_line_path_and_suggestion(varied_minimal):
    text = varied_minimal(
        "    when: {feature: question}",
        '    when:\n      all:\n        - {feature: question}\n        - {feature: sentimentt, op: "<", value: 0}',
    )
    [problem] = problems_of(text)
    assert problem.line == line_number(text, "sentimentt")
    assert problem.path == 'rules → 3 (id "vraag") → when → all → 2 → feature'
    assert 'unknown feature "sentimentt"' in problem.message
    assert 'did you mean "sentiment"' in problem.message
    assert str(problem).startswith(f"test.yaml, line {problem.line}: rules → 3")


def test_an_operator_that_does_not_fit_the_feature_is_refused(varied_minimal):
    text = varied_minimal("when: {feature: question}", 'when: {feature: topic, op: ">", value: 3}')
    [problem] = problems_of(text)
    assert '">" compares numbers' in problem.message


def test_a_value_the_feature_never_takes_is_refused(varied_minimal):
    text = varied_minimal("value: afval}", "value: afvall}")
    [problem] = problems_of(text)
    assert 'topic is never "afvall"' in problem.message and 'did you mean "afval"' in problem.message


def test_an_unknown_template_is_refused(varied_minimal):
    text = varied_minimal("template: antwoord,", "template: antwoordd,")
    [problem] = problems_of(text)
    assert problem.line == line_number(text, "antwoordd")
    assert 'unknown template "antwoordd"' in problem.message


def test_an_unknown_escalation_team_is_refused(varied_minimal):
    text = varied_minimal("to: teamleider", "to: teamlijder")
    [problem] = problems_of(text)
    assert 'unknown team "teamlijder"' in problem.message


def test_a_protocol_without_a_default_rule_is_refused(varied_minimal):
    text = varied_minimal("    when: always\n", "    when: {feature: spam}\n")
    [problem] = problems_of(text)
    assert problem.path == 'rules → 4 (id "standaard")'
    assert "the last rule must be the default" in problem.message


def test_an_always_rule_before_the_end_is_refused_as_making_later_rules_unreachable(varied_minimal):
    text = varied_minimal("    when: {feature: threat}", "    when: always")
    [problem] = problems_of(text)
    assert "can never be reached" in problem.message


def test_a_collect_rule_with_an_action_is_refused(varied_minimal):
    text = varied_minimal("    tags: [afval]\n", "    tags: [afval]\n    action:\n      ignore: {monitor: false}\n")
    [problem] = problems_of(text)
    assert "a collect rule only adds tags and notify" in problem.message


def test_a_protocol_contradicting_its_examples_lists_every_failing_example(varied_minimal):
    text = varied_minimal("    expect: {action: escalate, rule: dreiging}", "    expect: {action: reply, rule: vraag}")
    text = text.replace("    expect: {action: ignore, rule: standaard}", "    expect: {action: ignore, rule: dreiging}")
    problems = problems_of(text)
    assert [problem.path for problem in problems] == ["examples → 1", "examples → 3"]
    assert problems[0].line == line_number(text, '- text: "ik maak je af"')
    assert 'expected reply by rule "vraag", got escalate by rule "dreiging"' in problems[0].message


def test_a_bad_wildcard_term_is_refused(varied_minimal):
    text = varied_minimal("spam: [crypto*]", "spam: [cry*pto]")
    [problem] = problems_of(text)
    assert problem.path == "vocabulary → lexicons → spam → 1"
    assert "a * may only stand at the start or the end" in problem.message


def test_an_unknown_holiday_name_is_refused_with_the_known_names(varied_minimal):
    text = varied_minimal(
        '    friday: {start: "09:00", end: "17:00"}\n',
        '    friday: {start: "09:00", end: "17:00"}\n  closed_days:\n    public_holidays: [Koningsdag, Sinterklaas]\n',
    )
    [problem] = problems_of(text)
    assert '"Sinterklaas" is not a Dutch public holiday' in problem.message
    assert "Koningsdag" in problem.message


def test_loading_a_file_that_does_not_exist_is_a_protocol_error(tmp_path):
    with pytest.raises(ProtocolError, match="cannot read the file"):
        load_protocol(tmp_path / "missing.yaml")


def test_a_loaded_protocol_keeps_its_identity_and_text(minimal):
    assert minimal.organisation == "Gemeente Voorbeeld"
    assert minimal.version == "1.0"
    assert minimal.changelog[0].note == "Eerste versie"
    assert minimal.text == MINIMAL_TEXT
    assert minimal.rules[1].outcome.action == Action.ESCALATE


def test_a_misspelt_operator_key_is_named_rather_than_the_always_alternative(varied_minimal):
    text = varied_minimal("when: {feature: question}", "when: {feature: question, opp: '=='}")
    [problem] = problems_of(text)
    assert problem.path == 'rules → 3 (id "vraag") → when → opp'
    assert 'unknown field "opp" (did you mean "op"?)' in problem.message


def test_a_misspelt_always_is_explained(varied_minimal):
    text = varied_minimal("    when: always\n", "    when: alway\n")
    [problem] = problems_of(text)
    assert problem.message == 'expected "always", found "alway"'


def test_notify_takes_one_team_or_a_list(varied_minimal):
    text = varied_minimal("      ignore: {monitor: false}", "      ignore: {monitor: true, notify: teamleider}")
    protocol = protocol_from_text(text, "test.yaml")
    assert protocol.rules[-1].outcome.notify == ("teamleider",)


def test_dates_that_do_not_exist_are_refused_with_their_line(varied_minimal):
    text = varied_minimal('effective_from: "2026-01-01"', 'effective_from: "2026-02-30"')
    [problem] = problems_of(text)
    assert problem.line == line_number(text, "2026-02-30")
    assert '"2026-02-30" is not a real date' in problem.message


def test_an_example_moment_that_does_not_exist_is_refused(varied_minimal):
    text = varied_minimal(
        '  - text: "mooi weer vandaag"\n',
        '  - text: "mooi weer vandaag"\n    created_at: "2026-02-30T10:00:00+01:00"\n',
    )
    [problem] = problems_of(text)
    assert problem.path == "examples → 3 → created_at"
    assert "not a real moment" in problem.message
