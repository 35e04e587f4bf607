"""Report figures computed in the database, checked against values worked out by hand, on both engines."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta

import pytest

from tests.reports.builders import make_case
from webcare.accounts.models import Channel
from webcare.extensions import db
from webcare.inbox.events import record
from webcare.inbox.models import CaseStatus
from webcare.reports.metrics import TIME_METRICS, Clock, inclusive_percentile, interpolation_ranks
from webcare.reports.queries import BadReportRequest, Period, ReportQuery, group_rows, metric_statistics, totals
from webcare.timeutil import UTC

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_interpolation_ranks_follow_percentile_inc():
    # position (n − 1) × p / 100: the lower 1-based rank and the hundredths of the way to the next one
    assert [interpolation_ranks(50, n) for n in (1, 2, 3, 4, 10)] == [(1, 0), (1, 50), (2, 0), (2, 50), (5, 50)]
    assert [interpolation_ranks(90, n) for n in (1, 10, 11, 21)] == [(1, 0), (9, 10), (10, 0), (19, 0)]
    assert interpolation_ranks(95, 20) == (19, 5)
    with pytest.raises(ValueError):
        interpolation_ranks(50, 0)


def test_inclusive_percentile_equals_excel_and_the_statistics_module():
    values = [40.3, 12.0, 55.1, 46.4, 61.0, 8.5]
    cut_points = statistics.quantiles(values, n=100, method="inclusive")

    # Excel: =PERCENTIEL.INC({8,5;12;40,3;46,4;55,1;61};0,5) = 43,35 and ;0,9 = 58,05
    assert inclusive_percentile(values, 50) == 43.35 == round(cut_points[49], 2)
    assert inclusive_percentile(values, 90) == 58.05 == round(cut_points[89], 2)
    assert inclusive_percentile([7], 95) == 7


def test_ten_responses_give_hand_computed_count_mean_and_percentiles(app):
    for minutes in (7, 1, 9, 3, 10, 2, 8, 4, 6, 5):
        make_case(MONDAY + timedelta(minutes=minutes), response_seconds=minutes * 60)
    db.session.commit()

    row = totals(ReportQuery(MARCH, (), Clock.CALENDAR, NOW))

    # sorted: 1..10 minutes; PERCENTILE.INC p50 halfway 5th–6th, p90 = 9th + 0.1 × (10th − 9th),
    # p95 = 9th + 0.55 × (10th − 9th)
    assert (row.cases, row.responded) == (10, 10)
    assert row.first_response.in_minutes() == {"count": 10, "mean": 5.5, "p50": 5.5, "p90": 9.1, "p95": 9.55}


def test_attainment_counts_answers_at_or_before_the_due_time_and_breaches_per_priority(app):
    due = timedelta(hours=1)
    make_case(MONDAY, response_seconds=3600, priority="high", due_in=due)  # exactly on time: within
    make_case(MONDAY, response_seconds=3601, priority="high", due_in=due)  # one second late: breached
    make_case(MONDAY, response_seconds=60, priority="high", due_in=due)  # within
    make_case(MONDAY, priority="high", due_in=due)  # never answered, due passed: breached
    make_case(NOW - timedelta(minutes=10), priority="normal", due_in=due)  # not answered, still in time: not judged
    make_case(MONDAY, response_seconds=600, priority="normal")  # no norm: not judged
    make_case(MONDAY, priority="low", due_in=due)  # breached
    db.session.commit()

    rows = {
        row.key: row
        for row in group_rows(ReportQuery(Period(date(2026, 3, 1), date(2026, 4, 1)), ["priority"], now=NOW))
    }

    assert (rows["high"].within_norm, rows["high"].breached, rows["high"].attainment) == (2, 2, 0.5)
    assert (rows["normal"].within_norm, rows["normal"].breached, rows["normal"].attainment) == (0, 0, None)
    assert (rows["low"].within_norm, rows["low"].breached, rows["low"].attainment) == (0, 1, 0.0)
    assert rows["normal"].cases == 2 and rows["normal"].responded == 1


def test_groups_split_by_channel_and_the_period_follows_local_days(app):
    # 2026-03-01 00:30 in Amsterdam is 2026-02-28 23:30 UTC: inside March locally.
    make_case(datetime(2026, 2, 28, 23, 30, tzinfo=UTC), response_seconds=120, channel=Channel.X)
    # 2026-02-28 22:59 UTC is still February locally: outside the period.
    make_case(datetime(2026, 2, 28, 22, 59, tzinfo=UTC), response_seconds=999, channel=Channel.X)
    make_case(MONDAY, response_seconds=300, channel=Channel.FACEBOOK)
    make_case(MONDAY, response_seconds=500, channel=Channel.FACEBOOK)
    db.session.commit()

    rows = {row.key: row for row in group_rows(ReportQuery(MARCH, ["channel"], now=NOW))}

    assert set(rows) == {"x", "facebook"}
    assert rows["x"].first_response.in_minutes() == {"count": 1, "mean": 2.0, "p50": 2.0, "p90": 2.0, "p95": 2.0}
    assert rows["facebook"].first_response.p50 == 400 and rows["facebook"].first_response.p95 == 490
    assert rows["facebook"].first_response.mean == 400


def test_day_and_week_trends_use_the_amsterdam_calendar_across_the_spring_dst_change(app):
    # 2026-03-29 is the spring change: 00:30 local is 23:30 UTC the day before (CET, +1),
    # 23:30 local is 21:30 UTC (CEST, +2).
    make_case(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), response_seconds=60)
    make_case(datetime(2026, 3, 29, 21, 30, tzinfo=UTC), response_seconds=60)
    make_case(datetime(2026, 3, 29, 22, 30, tzinfo=UTC), response_seconds=60)  # Monday 30 March 00:30 local
    db.session.commit()

    by_day = {row.key: row.cases for row in group_rows(ReportQuery(MARCH, ["day"], now=NOW))}
    by_week = {row.key: row.cases for row in group_rows(ReportQuery(MARCH, ["week"], now=NOW))}

    assert by_day == {"2026-03-29": 2, "2026-03-30": 1}
    assert by_week == {"2026-03-23": 2, "2026-03-30": 1}


def test_autumn_dst_day_counts_both_occurrences_of_the_repeated_hour(app):
    # 2026-10-25 02:30 local happens twice: 00:30 UTC (CEST) and 01:30 UTC (CET).
    make_case(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), response_seconds=60)
    make_case(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), response_seconds=60)
    make_case(datetime(2026, 10, 25, 22, 59, tzinfo=UTC), response_seconds=60)  # 23:59 local, same day
    make_case(datetime(2026, 10, 25, 23, 0, tzinfo=UTC), response_seconds=60)  # Monday 00:00 local
    db.session.commit()

    october = Period(date(2026, 10, 1), date(2026, 10, 31))
    by_day = {row.key: row.cases for row in group_rows(ReportQuery(october, ["day"], now=NOW))}

    assert by_day == {"2026-10-25": 3, "2026-10-26": 1}


def test_replies_per_case_and_reopen_rate(app):
    first = make_case(MONDAY, response_seconds=60)
    first.outbound_count = 3
    make_case(MONDAY, response_seconds=60)
    reopened = make_case(MONDAY, status=CaseStatus.REOPENED)
    record(reopened, "reopened", by=None, at=MONDAY + timedelta(days=1), reason="resident_replied")
    record(reopened, "reopened", by=None, at=MONDAY + timedelta(days=2), reason="resident_replied")
    make_case(MONDAY)
    db.session.commit()

    row = totals(ReportQuery(MARCH, (), now=NOW))

    assert row.replies_per_case == (3 + 1 + 0 + 0) / 4
    assert row.reopen_rate == 1 / 4


def test_time_to_escalate_and_to_first_assignment_come_from_the_first_event(app, make_user):
    agent = make_user()
    escalated = make_case(MONDAY)
    record(escalated, "escalated", by=agent, at=MONDAY + timedelta(minutes=30), to="wijkbeheer")
    record(escalated, "escalated", by=agent, at=MONDAY + timedelta(hours=5), to="communicatie")
    claimed = make_case(MONDAY)
    record(claimed, "claimed", by=agent, at=MONDAY + timedelta(minutes=12))
    record(claimed, "assigned", by=agent, at=MONDAY + timedelta(minutes=40))
    make_case(MONDAY)
    db.session.commit()
    query = ReportQuery(MARCH, (), now=NOW)

    escalation = metric_statistics(query, TIME_METRICS["escalation"])[()]
    assignment = metric_statistics(query, TIME_METRICS["assignment"])[()]

    assert (escalation.count, escalation.p50) == (1, 30 * 60)
    assert (assignment.count, assignment.p50) == (1, 12 * 60)


def test_staffed_time_to_escalate_skips_the_weekend_and_koningsdag(app, make_user):
    agent = make_user()
    # Friday 24 April 2026 16:00 local (14:00 UTC); office closes 17:00. Monday 27 April is
    # Koningsdag (closed); Tuesday 28 April opens 08:30. Escalated Tuesday 09:30 local (07:30 UTC):
    # staffed time = 1 h Friday + 1 h Tuesday = 2 h; calendar = 3 days 17.5 h.
    friday = datetime(2026, 4, 24, 14, 0, tzinfo=UTC)
    case = make_case(friday)
    record(case, "escalated", by=agent, at=datetime(2026, 4, 28, 7, 30, tzinfo=UTC))
    db.session.commit()
    april = ReportQuery(Period(date(2026, 4, 1), date(2026, 4, 30)), (), now=NOW)

    staffed = metric_statistics(april, TIME_METRICS["escalation"], Clock.STAFFED)[()]
    calendar = metric_statistics(april, TIME_METRICS["escalation"], Clock.CALENDAR)[()]

    assert staffed.p50 == 2 * 3600
    assert calendar.p50 == 3 * 86400 + 17 * 3600 + 30 * 60


def test_staffed_time_to_escalate_over_christmas_counts_only_open_office_hours(app, make_user):
    agent = make_user()
    # Thursday 24 December 2026 16:30 local (15:30 UTC): 30 min left that day. 25 and 26 December
    # are holidays, 27 December is a Sunday; Monday 28 December 08:30–10:00 local adds 1.5 h.
    case = make_case(datetime(2026, 12, 24, 15, 30, tzinfo=UTC))
    record(case, "escalated", by=agent, at=datetime(2026, 12, 28, 9, 0, tzinfo=UTC))
    db.session.commit()
    december = ReportQuery(Period(date(2026, 12, 1), date(2026, 12, 31)), (), now=datetime(2027, 1, 2, tzinfo=UTC))

    staffed = metric_statistics(december, TIME_METRICS["escalation"], Clock.STAFFED)[()]

    assert staffed.p50 == 2 * 3600


def test_a_period_must_run_forward_and_breakdowns_must_exist(app):
    with pytest.raises(BadReportRequest):
        Period(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(BadReportRequest):
        ReportQuery(MARCH, ["colour"])


def test_percentiles_match_percentile_inc_for_every_count_up_to_forty(app):
    # Values spread over minutes in scrambled order, one group per n: the engine must interpolate exactly.
    for n in range(1, 41):
        for value in sorted((v * 61 + n for v in range(1, n + 1)), key=lambda v: (v * 7919) % (n + 3)):
            make_case(MONDAY, response_seconds=value, topic=f"n{n:02d}")
    make_case(MONDAY, topic="n05")  # an unanswered case in the group: not among the values
    db.session.commit()

    query = ReportQuery(MARCH, ["topic"], now=NOW)
    grouped = {row.key: row.first_response for row in group_rows(query)}
    per_metric = metric_statistics(query, TIME_METRICS["first_response"])

    for n in range(1, 41):
        values = [v * 61 + n for v in range(1, n + 1)]
        expected = tuple(inclusive_percentile(values, p) for p in (50, 90, 95))
        for found in (grouped[f"n{n:02d}"], per_metric[(f"n{n:02d}",)]):
            assert (found.p50, found.p90, found.p95) == expected, n
