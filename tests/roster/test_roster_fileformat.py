import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.roster.builders import local
from webcare.roster import RosterFileError, build_schedule, load_roster_file
from webcare.roster.commands import roster
from webcare.roster.engine import Flag, ShiftKind, on_duty_at
from webcare.roster.fileformat import parse_roster

EXAMPLE = Path(__file__).parents[2] / "examples" / "roster.yaml"

MINIMAL = """\
version: 1
people:
  - {id: anna, mandate: 2}
  - {id: bram}
rotations:
  - id: avond
    kind: evening
    people: [anna, bram]
    days: [weekdays]
    start: 17:00
    end: 22:00
    anchor: 2026-03-02 17:00
targets:
  - {days: [weekdays], start: "17:00", end: "22:00", minimum: 1}
"""


def test_example_file_loads_and_gives_the_documented_rota():
    spec = load_roster_file(EXAMPLE)
    schedule = build_schedule(spec, local(2026, 3, 2), local(2026, 3, 16))
    assert on_duty_at(schedule, local(2026, 3, 2, 10)) == {"anna", "femke"}
    assert on_duty_at(schedule, local(2026, 3, 12, 18)) == {"femke"}
    assert on_duty_at(schedule, local(2026, 3, 14, 12)) == set()
    assert on_duty_at(schedule, local(2026, 3, 9, 23)) == {"gijs"}


def test_example_file_covers_koningsdag_with_a_fixed_shift():
    schedule = build_schedule(load_roster_file(EXAMPLE), local(2026, 4, 27), local(2026, 4, 28))
    assert date_flags(schedule, local(2026, 4, 27, 12)) == (frozenset({"femke"}), frozenset())
    assert date_flags(schedule, local(2026, 4, 27, 17)) == (frozenset(), frozenset({Flag.CLOSED}))


def date_flags(schedule, moment):
    interval = next(interval for interval in schedule.intervals if interval.start <= moment < interval.end)
    return interval.people, interval.flags


def test_unquoted_clock_times_stay_clock_times_not_base_sixty_numbers():
    spec = parse_roster(MINIMAL)
    window = spec.roster.rotations[0].window
    assert (window.start.hour, window.end.hour) == (17, 22)
    assert spec.roster.rotations[0].kind is ShiftKind.EVENING


def test_schema_errors_name_the_file_the_line_and_the_path():
    broken = MINIMAL.replace("kind: evening", "kind: nachtdienst").replace("start: 17:00\n", "start: 25:00\n", 1)
    with pytest.raises(RosterFileError) as raised:
        parse_roster(broken, "team.yaml")
    assert any(
        problem.startswith("team.yaml:7: rotations[0].kind: 'nachtdienst' is not one of")
        for problem in raised.value.problems
    )
    assert any(problem.startswith("team.yaml:10: rotations[0].start:") for problem in raised.value.problems)


def test_unknown_people_and_impossible_dates_are_reported_with_their_lines():
    broken = MINIMAL.replace("people: [anna, bram]", "people: [anna, cees]").replace(
        "2026-03-02 17:00", "2026-02-30 17:00"
    )
    with pytest.raises(RosterFileError) as raised:
        parse_roster(broken, "team.yaml")
    assert "team.yaml:8: rotations[0].people[1]: unknown person 'cees'" in raised.value.problems
    assert any(
        problem.startswith("team.yaml:12: rotations[0].anchor: not a valid date") for problem in raised.value.problems
    )


def test_invalid_yaml_is_reported_with_its_line():
    with pytest.raises(RosterFileError, match=r"^team.yaml:4: not valid YAML"):
        parse_roster("version: 1\npeople:\n  - {id: anna\n", "team.yaml")


def test_a_bare_date_as_end_covers_the_whole_day():
    spec = parse_roster(MINIMAL + "leave:\n  - {person: anna, start: 2026-03-02, end: 2026-03-03}\n")
    leave = spec.roster.absences[0].span
    assert (leave.start, leave.end) == (local(2026, 3, 2), local(2026, 3, 4))
    assert leave.end - leave.start == timedelta(days=2)


def test_an_end_before_the_start_is_refused():
    with pytest.raises(RosterFileError, match=r"leave\[0\].end: the end must come after the start"):
        parse_roster(MINIMAL + "leave:\n  - {person: anna, start: 2026-03-05 12:00, end: 2026-03-05 09:00}\n")


def test_replace_override_without_replacement_is_refused():
    with pytest.raises(RosterFileError, match=r"overrides\[0\]: 'by' is a required property"):
        parse_roster(MINIMAL + "overrides:\n  - {action: replace, person: anna, start: 2026-03-05, end: 2026-03-05}\n")


def test_preview_prints_json_intervals_with_utc_times_people_kinds_and_flags(tmp_path):
    roster_file = tmp_path / "team.yaml"
    roster_file.write_text(MINIMAL)
    result = CliRunner().invoke(
        roster, ["preview", str(roster_file), "--from", "2026-03-02", "--to", "2026-03-02", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    intervals = json.loads(result.output)
    assert [(item["start"], item["end"], item["people"], item["kinds"], item["flags"]) for item in intervals] == [
        ("2026-03-01T23:00:00Z", "2026-03-02T16:00:00Z", [], [], ["closed"]),
        ("2026-03-02T16:00:00Z", "2026-03-02T21:00:00Z", ["anna"], ["evening"], []),
        ("2026-03-02T21:00:00Z", "2026-03-02T23:00:00Z", [], [], ["closed"]),
    ]
    assert intervals[1]["target"] == {"minimum_people": 1, "mandate": []}


def test_preview_table_shows_local_times_and_names(tmp_path):
    roster_file = tmp_path / "team.yaml"
    roster_file.write_text(MINIMAL)
    result = CliRunner().invoke(roster, ["preview", str(roster_file), "--from", "2026-03-03", "--to", "2026-03-03"])
    assert result.exit_code == 0, result.output
    assert "Tue 2026-03-03 17:00 CET  22:00" in result.output
    assert "bram" in result.output


def test_preview_of_an_invalid_file_fails_with_the_problems_listed(tmp_path):
    roster_file = tmp_path / "team.yaml"
    roster_file.write_text(MINIMAL.replace("id: bram", "id: anna"))
    result = CliRunner().invoke(roster, ["preview", str(roster_file), "--from", "2026-03-02", "--to", "2026-03-03"])
    assert result.exit_code == 1
    assert f"{roster_file}:4: people[1].id: duplicate person id 'anna'" in result.output


def test_check_reports_a_valid_file_and_what_it_holds():
    result = CliRunner().invoke(roster, ["check", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "valid: 7 people, 5 rotations, 4 targets, 3 overrides, 1 fixed shifts, 1 leave spans" in result.output
