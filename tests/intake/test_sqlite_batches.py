from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from webcare.extensions import UTCDateTime, db
from webcare.intake.sqlite_batches import UPSERT_AUTHORS, insert_messages, sqlite_datetime, statement_sizes


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 2, 30, 15, 1, tzinfo=timezone(timedelta(hours=2))),
        datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2026, 11, 2, 9, 0, 0, 120_000, tzinfo=timezone(timedelta(hours=1))),
    ],
)
def test_batch_datetimes_are_the_text_sqlalchemy_binds(moment):
    dialect = sqlite.dialect()
    bind = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)

    assert sqlite_datetime(moment) == bind(moment)


@pytest.mark.parametrize("rows", [0, 1, 2, 3, 1000, 2000, 2666, 2667, 5000, 50_000])
def test_statements_cover_every_row_with_few_distinct_sizes(rows):
    sizes = list(statement_sizes(rows, 2666))

    assert sum(sizes) == rows
    assert all(size == 2666 or size & (size - 1) == 0 for size in sizes)
    assert len(set(sizes)) <= 13


def test_a_batch_finds_accounts_and_authors_through_their_unique_indexes(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans only")
    connection = db.session.connection().connection.driver_connection
    plan = [
        row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + insert_messages(2, returning=False), [None] * 26)
    ]
    plan += [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + UPSERT_AUTHORS, {"authors": "[]", "now": ""})]

    assert any(step.startswith("SEARCH accounts USING") and "(channel=? AND handle=?)" in step for step in plan)
    assert any(step.startswith("SEARCH authors USING") and "(channel=? AND platform_id=?)" in step for step in plan)
    assert not any(step.startswith("SCAN accounts") or step.startswith("SCAN authors") for step in plan)
