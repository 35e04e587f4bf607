"""How long one /metrics scrape takes when the database is large: the figures are counted at scrape time.

    .venv/bin/python bench/metrics_scrape.py --engines sqlite postgresql --messages 1000000

The database is migrated with `webcare db upgrade`, then filled directly: `--messages` messages over six
channels (X 30 %, Facebook 25 %, Instagram 15 %, WhatsApp 15 %, e-mail 10 %, web form 5 %), 99.9 % done
and the rest queued, one case per two messages (a fifth open, the rest resolved, a first response for
80 % of them with the last day's inside and outside the norm), and 1,000 dead letters.
SQLite is filled with executemany (then ANALYZE), PostgreSQL with INSERT ... SELECT FROM generate_series (then
VACUUM ANALYZE).

Timed: webcare.ops.metrics.exposition() inside the app (every database figure and the process counters),
5 runs after one warm-up; the best and the slowest run are reported. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from common import WEBCARE, create_postgres, drop_postgres, run_child, sqlite_url, webcare_env  # noqa: E402

NOW = datetime(2026, 11, 1, tzinfo=UTC)
CHANNELS = (
    ("x",) * 30 + ("facebook",) * 25 + ("instagram",) * 15 + ("whatsapp",) * 15 + ("email",) * 10 + ("webform",) * 5
)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _fill_sqlite(path: Path, messages: int) -> None:
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO accounts (id, channel, handle, name, is_general, created_at) VALUES (1, 'x', 'bench', 'Bench', 1, ?)",
        (_stamp(NOW),),
    )

    def message_rows():
        for number in range(messages):
            at = NOW - timedelta(seconds=number * 30)
            status = "queued" if number % 1000 == 0 else "done"
            yield (
                CHANNELS[number % 100],
                1,
                f"m{number}",
                "inbound",
                _stamp(at),
                _stamp(at),
                "tekst",
                "{}",
                1,
                "bench",
                status,
                1,
            )

    connection.executemany(
        "INSERT INTO messages (channel, account_id, external_id, direction, created_at, received_at, text, raw, "
        "is_public, source, status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        message_rows(),
    )

    def case_rows():
        for number in range(messages // 2):
            at = NOW - timedelta(seconds=number * 60)
            status = "open" if number % 5 == 0 else "resolved"
            due = at + timedelta(hours=4)
            answered = None if number % 5 == 4 else _stamp(at + timedelta(hours=2 if number % 3 else 6))
            yield (
                status,
                CHANNELS[number % 100],
                1,
                1,
                "",
                _stamp(at),
                _stamp(at),
                1,
                0,
                _stamp(at),
                _stamp(at),
                _stamp(at),
                _stamp(due),
                answered,
            )

    connection.executemany(
        "INSERT INTO cases (status, channel, account_id, is_public, subject, last_message_at, queue_at, inbound_count, "
        "outbound_count, created_at, updated_at, first_inbound_at, first_response_due_at, first_response_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        case_rows(),
    )
    connection.executemany(
        "INSERT INTO dead_letters (source, reference, reason, raw, received_at) VALUES ('bench', ?, 'bad', x'00', ?)",
        ((f"line {n}", _stamp(NOW)) for n in range(1000)),
    )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def _fill_postgres(url: str, messages: int) -> None:
    channels = "(ARRAY['x','facebook','instagram','whatsapp','email','webform'])"
    # Weighted channel by n % 100 as in SQLite: 30/25/15/15/10/5.
    channel = (
        f"{channels}[CASE WHEN n % 100 < 30 THEN 1 WHEN n % 100 < 55 THEN 2 WHEN n % 100 < 70 THEN 3 "
        "WHEN n % 100 < 85 THEN 4 WHEN n % 100 < 95 THEN 5 ELSE 6 END]"
    )
    now = "TIMESTAMPTZ '2026-11-01 00:00:00+00'"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            f"INSERT INTO accounts (id, channel, handle, name, is_general, created_at) VALUES (1, 'x', 'bench', 'Bench', true, {now})"
        )
        connection.execute(
            "INSERT INTO messages (channel, account_id, external_id, direction, created_at, received_at, text, raw, "
            "is_public, source, status, attempts) "
            f"SELECT {channel}, 1, 'm' || n, 'inbound', {now} - n * interval '30 seconds', {now} - n * interval '30 seconds', "
            "'tekst', '{}', true, 'bench', CASE WHEN n % 1000 = 0 THEN 'queued' ELSE 'done' END, 1 "
            f"FROM generate_series(0, {messages - 1}) AS n"
        )
        connection.execute(
            "INSERT INTO cases (status, channel, account_id, is_public, subject, last_message_at, queue_at, inbound_count, "
            "outbound_count, created_at, updated_at, first_inbound_at, first_response_due_at, first_response_at) "
            f"SELECT CASE WHEN n % 5 = 0 THEN 'open' ELSE 'resolved' END, {channel}, 1, true, '', "
            f"{now} - n * interval '1 minute', {now} - n * interval '1 minute', 1, 0, {now} - n * interval '1 minute', "
            f"{now} - n * interval '1 minute', {now} - n * interval '1 minute', {now} - n * interval '1 minute' + interval '4 hours', "
            f"CASE WHEN n % 5 = 4 THEN NULL ELSE {now} - n * interval '1 minute' + "
            "CASE WHEN n % 3 = 0 THEN interval '6 hours' ELSE interval '2 hours' END END "
            f"FROM generate_series(0, {messages // 2 - 1}) AS n"
        )
        connection.execute(
            f"INSERT INTO dead_letters (source, reference, reason, raw, received_at) "
            f"SELECT 'bench', 'line ' || n, 'bad', '\\x00'::bytea, {now} FROM generate_series(1, 1000) AS n"
        )
        connection.execute(
            "VACUUM ANALYZE"
        )  # as autovacuum would after the inserts (visibility map for index-only scans)


TIMING = """
import json, sys, time
from datetime import datetime, timezone
from webcare.app import create_app
from webcare.ops.metrics import exposition
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.app_context():
    now = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)
    exposition(now=now)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        body, _type = exposition(now=now)
        runs.append(time.perf_counter() - started)
print(json.dumps({"best": min(runs), "slowest": max(runs), "bytes": len(body)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"])
    parser.add_argument("--messages", type=int, default=1_000_000)
    arguments = parser.parse_args()
    for engine in arguments.engines:
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            if engine == "sqlite":
                path = folder / "bench.sqlite"
                url = sqlite_url(path)
            else:
                url = create_postgres("webcare_bench_metrics")
            try:
                env = webcare_env(url, folder / "instance")
                run_child([WEBCARE, "db", "upgrade"], env)
                started = time.perf_counter()
                if engine == "sqlite":
                    _fill_sqlite(path, arguments.messages)
                else:
                    _fill_postgres(url, arguments.messages)
                filled = time.perf_counter() - started
                result = run_child([sys.executable, "-c", TIMING, url], env)
                print(
                    f"{engine}: {arguments.messages:,} messages, {arguments.messages // 2:,} cases "
                    f"(filled in {filled:.0f} s): scrape {result.stdout.strip()}"
                )
            finally:
                if engine == "postgresql":
                    drop_postgres("webcare_bench_metrics")


if __name__ == "__main__":
    main()
