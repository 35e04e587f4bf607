"""Every percentile the report shows can be recomputed from its own per-case export, as a spreadsheet would."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

from tests.reports.builders import make_case
from webcare.accounts.models import Channel
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.reports.metrics import TIME_METRICS, Clock
from webcare.reports.queries import Period, ReportQuery, metric_statistics
from webcare.timeutil import UTC

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
RANGE = {"from": "2026-03-01", "to": "2026-03-31"}
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CHANNELS = (Channel.X, Channel.FACEBOOK, Channel.INSTAGRAM)


def _log_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def _spreadsheet_percentile(values: list[int], percentile: int) -> float:
    """PERCENTIEL.INC as the statistics module computes it (one value is its own percentile)."""
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[percentile - 1]


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 2)


@pytest.fixture
def thirty_six_cases(app):
    """36 cases over three channels with uneven response and resolution times; two never answered."""
    for index in range(36):
        arrived = START + timedelta(hours=5 * index)
        answered = None if index in (7, 20) else 60 * ((index * 37) % 97) + 13 * index
        make_case(
            arrived,
            response_seconds=answered,
            staffed_seconds=None if answered is None else answered // 3 + index,
            channel=CHANNELS[index % 3],
            resolved_at=arrived + timedelta(seconds=3600 + 211 * index * index),
            resolution_seconds=3600 + 211 * index * index,
            resolution_staffed_seconds=1800 + 97 * index,
        )
    db.session.commit()


def _exported_cases(client) -> list[dict]:
    response = client.get("/reports/export/cases.csv", query_string={**RANGE, "variant": "machine"})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_every_percentile_equals_the_spreadsheet_over_the_exported_cases(
    app, client, runner, make_user, thirty_six_cases
):
    _log_in(client, make_user(Role.MANAGER))
    rows = _exported_cases(client)
    assert len(rows) == 36

    columns = {
        ("first_response", Clock.CALENDAR): "first_response_seconds",
        ("first_response", Clock.STAFFED): "first_response_staffed_seconds",
        ("resolution", Clock.CALENDAR): "resolution_seconds",
        ("resolution", Clock.STAFFED): "resolution_staffed_seconds",
    }
    query = ReportQuery(MARCH, ["channel"], Clock.CALENDAR, START + timedelta(days=40))
    for (metric, clock), column in columns.items():
        by_channel: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            if row[column]:
                by_channel[row["channel"]].append(int(row[column]))
        computed = metric_statistics(query, TIME_METRICS[metric], clock)
        for channel, values in by_channel.items():
            found = computed[(channel,)]
            assert found.count == len(values)
            assert (found.p50, found.p90, found.p95) == tuple(
                round(_spreadsheet_percentile(values, p), 2) for p in (50, 90, 95)
            ), (metric, clock, channel)

    answered: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row["first_response_seconds"]:
            answered[row["channel"]].append(int(row["first_response_seconds"]))
    expected = {
        channel: [_minutes(_spreadsheet_percentile(values, p)) for p in (50, 90, 95)]
        for channel, values in answered.items()
    }

    groups = csv.DictReader(
        io.StringIO(
            client.get(
                "/reports/export/groups.csv", query_string={**RANGE, "variant": "machine", "by": "channel"}
            ).get_data(as_text=True)
        )
    )
    cli = runner.invoke(
        args=["report", "--from", RANGE["from"], "--to", RANGE["to"], "--by", "channel", "--format", "json"]
    )

    assert sum(len(values) for values in answered.values()) == 34
    assert {
        row["channel"]: [float(row[f"first_response_p{p}_minutes"]) for p in (50, 90, 95)] for row in groups
    } == expected
    assert {
        group["group"]: [group["first_response_minutes"][f"p{p}"] for p in (50, 90, 95)]
        for group in json.loads(cli.output)["groups"]
    } == expected
