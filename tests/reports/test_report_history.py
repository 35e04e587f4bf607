"""History imported as JSONL through the real import and worker gives the first-response times it came with."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from tests.reports.builders import case_of, conversation, ingest
from webcare.reports.metrics import Clock
from webcare.reports.queries import Period, ReportQuery, group_rows, totals
from webcare.timeutil import UTC

NOW = datetime(2027, 1, 15, tzinfo=UTC)
YEAR = Period(date(2025, 12, 1), date(2026, 12, 31))

# (key, asked, answered, calendar seconds, staffed seconds), staffed on weekday office hours 08:30–17:00
# Amsterdam with Dutch holidays closed (no protocol, no roster: the default calendar).
CONVERSATIONS = [
    # Monday 2 March 10:00 local (09:00 UTC) → 10:25 local: 25 min on both clocks.
    ("plain", datetime(2026, 3, 2, 9, 0, tzinfo=UTC), datetime(2026, 3, 2, 9, 25, tzinfo=UTC), 25 * 60, 25 * 60),
    # Friday 27 March 16:30 local (15:30 UTC) → Monday 30 March 09:00 local (07:00 UTC), over the DST
    # weekend: 64.5 h on the wall clock minus the hour skipped on 29 March = 63.5 h; staffed 30 + 30 min.
    (
        "dst-spring",
        datetime(2026, 3, 27, 15, 30, tzinfo=UTC),
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        63 * 3600 + 1800,
        3600,
    ),
    # Friday 24 April 16:00 local → Tuesday 28 April 09:30 local: weekend and Koningsdag closed; staffed 2 h.
    (
        "koningsdag",
        datetime(2026, 4, 24, 14, 0, tzinfo=UTC),
        datetime(2026, 4, 28, 7, 30, tzinfo=UTC),
        3 * 86400 + 17 * 3600 + 1800,
        2 * 3600,
    ),
    # Sunday 25 October, the autumn DST day: 11:00 local (10:00 UTC, after the change) → Monday 26 October
    # 09:30 local (08:30 UTC): calendar 22.5 h; staffed 1 h on Monday.
    (
        "dst-autumn",
        datetime(2026, 10, 25, 10, 0, tzinfo=UTC),
        datetime(2026, 10, 26, 8, 30, tzinfo=UTC),
        22 * 3600 + 1800,
        3600,
    ),
    # Wednesday 24 December 2025 16:30 local → Monday 29 December 10:00 local: both Christmas days and a
    # weekend closed; staffed 30 min + 1.5 h = 2 h.
    (
        "kerst",
        datetime(2025, 12, 24, 15, 30, tzinfo=UTC),
        datetime(2025, 12, 29, 9, 0, tzinfo=UTC),
        4 * 86400 + 17 * 3600 + 1800,
        2 * 3600,
    ),
    # Asked in the evening, Tuesday 3 March 20:00 local → Wednesday 08:45 local: staffed 15 min.
    (
        "evening",
        datetime(2026, 3, 3, 19, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 7, 45, tzinfo=UTC),
        12 * 3600 + 45 * 60,
        15 * 60,
    ),
]


def _history() -> list[dict]:
    lines = []
    for key, asked, answered, _, _ in CONVERSATIONS:
        lines += conversation(key, asked, answered)
    lines += conversation("unanswered", datetime(2026, 3, 5, 9, 0, tzinfo=UTC), None)
    return lines


def test_imported_history_keeps_each_conversations_first_response_on_both_clocks(app):
    ingest(app, _history())

    for key, asked, answered, calendar, staffed in CONVERSATIONS:
        case = case_of(f"{key}-q")
        assert case.first_inbound_at == asked, key
        assert case.first_response_at == answered, key
        assert (case.first_response_seconds, case.first_response_staffed_seconds) == (calendar, staffed), key


def test_report_over_imported_history_gives_the_hand_computed_percentiles(app):
    ingest(app, _history())

    calendar = totals(ReportQuery(YEAR, (), Clock.CALENDAR, NOW))
    staffed = totals(ReportQuery(YEAR, (), Clock.STAFFED, NOW))

    calendar_values = sorted(row[3] for row in CONVERSATIONS)
    # six answered cases, PERCENTILE.INC: p50 halfway 3rd–4th, p90 halfway 5th–6th, p95 a quarter past the 5th
    assert (calendar.cases, calendar.responded) == (7, 6)
    assert (calendar.first_response.p50, calendar.first_response.p90, calendar.first_response.p95) == (
        (calendar_values[2] + calendar_values[3]) / 2,
        (calendar_values[4] + calendar_values[5]) / 2,
        calendar_values[4] + 0.75 * (calendar_values[5] - calendar_values[4]),
    )
    assert calendar.first_response.total_seconds == sum(calendar_values)
    assert (staffed.first_response.p50, staffed.first_response.p90) == (3600, 7200)  # the staffed clock, whole hours
    assert staffed.first_response.in_minutes() == {"count": 6, "mean": 66.67, "p50": 60.0, "p90": 120.0, "p95": 120.0}


def test_arrival_band_breakdown_of_imported_history(app):
    ingest(app, _history())

    bands = {row.key: row.cases for row in group_rows(ReportQuery(YEAR, ["band"], Clock.CALENDAR, NOW))}

    # office: plain, dst-spring (16:30), koningsdag (Fri 16:00), kerst (Thu 16:30), unanswered; weekend: dst-autumn;
    # evening: evening
    assert bands == {"office": 5, "weekend": 1, "evening": 1}


def test_report_command_prints_json_per_group_in_minutes(app, runner):
    ingest(app, _history())

    result = runner.invoke(
        args=[
            "report",
            "--from",
            "2025-12-01",
            "--to",
            "2026-12-31",
            "--by",
            "channel",
            "--clock",
            "staffed",
            "--format",
            "json",
        ]
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["clock"] == "staffed" and report["by"] == ["channel"]
    (group,) = report["groups"]
    assert group["group"] == "x" and group["count"] == 7
    assert group["first_response_minutes"] == {"count": 6, "mean": 66.67, "p50": 60.0, "p90": 120.0, "p95": 120.0}
    assert group["attainment"] is None or 0 <= group["attainment"] <= 1


def test_report_command_writes_csv_and_a_table(app, runner):
    ingest(app, _history())

    as_csv = runner.invoke(
        args=["report", "--from", "2025-12-01", "--to", "2026-12-31", "--by", "band", "--format", "csv"]
    )
    as_table = runner.invoke(args=["report", "--from", "2025-12-01", "--to", "2026-12-31", "--format", "table"])
    backwards = runner.invoke(args=["report", "--from", "2026-02-01", "--to", "2026-01-01", "--format", "json"])

    assert as_csv.exit_code == 0, as_csv.output
    lines = as_csv.output.splitlines()
    assert lines[0].startswith("band,count,responded,attainment")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["evening", "office", "weekend"]
    assert as_table.exit_code == 0 and "all" in as_table.output and "fr_p90_min" in as_table.output
    assert backwards.exit_code != 0 and "eindigt voordat hij begint" in backwards.output


def test_a_later_reply_does_not_move_the_first_response(app):
    asked = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    lines = conversation("twice", asked, asked + timedelta(minutes=10))
    lines.append({**lines[1], "external_id": "twice-a2", "created_at": (asked + timedelta(hours=3)).isoformat()})
    ingest(app, lines)

    assert totals(ReportQuery(YEAR, (), Clock.CALENDAR, NOW)).first_response.p50 == 600
