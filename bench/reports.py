"""Report speed at 1M cases: a 90-day report grouped by channel and by priority, with percentiles.

    .venv/bin/python bench/reports.py --engines sqlite postgresql --cases 1000000

The database is migrated with `webcare db upgrade`, then filled directly:
- case arrivals spread over the 365 days before 2026-11-01, weighted to office hours (two thirds
  in 08:30–17:00 on weekdays, the rest in evenings, nights and weekends);
- channels as a municipality sees them (X 30 %, Facebook 25 %, Instagram 15 %, WhatsApp 15 %,
  e-mail 10 %, web form 5 %), 12 accounts, 12 topics, 20 agents in 3 teams;
- priority urgent 3 %, high 15 %, normal 62 %, low 20 %; action reply 60 %, escalate 8 %,
  summarise 12 %, ignore 20 %; due time 1 h / 4 h / 8 h / 24 h after arrival by priority;
- cases are numbered (and stored) in arrival order, as the worker creates them; one "case_opened"
  event per case;
- first response for every case not ignored, log-normal (median 40 min, long tail), staffed time
  60 % of it; resolution for 90 %; 4 % of cases get a "reopened" event, every escalated case an
  "escalated" event.
SQLite is filled with executemany in chunks of 50,000 rows, PostgreSQL with INSERT ... SELECT FROM
generate_series (then ANALYZE, as autovacuum would); events with INSERT ... SELECT on both.

Timed: webcare.reports.breakdowns.group_rows for the last 90 days, by channel and by priority on the calendar
clock and by priority on the staffed clock (counts, attainment, breaches, replies, reopens, and
count/mean/p50/p90/p95 of first response) -- what `webcare report --by ...` prints -- inside the app,
3 runs each after one warm-up; the best and the slowest run are reported.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import WEBCARE, create_postgres, drop_postgres, run_child, sqlite_url, webcare_env  # noqa: E402

UTC = UTC
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 365
CHUNK = 50_000
CHANNELS = (("x", 30), ("facebook", 25), ("instagram", 15), ("whatsapp", 15), ("email", 10), ("webform", 5))
PRIORITIES = (("urgent", 3, 3600), ("high", 15, 4 * 3600), ("normal", 62, 8 * 3600), ("low", 20, 24 * 3600))
ACTIONS = (("reply", 60), ("escalate", 8), ("summarise", 12), ("ignore", 20))
TOPICS = tuple(f"topic-{n:02d}" for n in range(12))
AGENTS = 20
TEAMS = 3


def _pick(choices, weights_index=1):
    total = sum(choice[weights_index] for choice in choices)
    cumulative, running = [], 0
    for choice in choices:
        running += choice[weights_index]
        cumulative.append(running / total)
    return cumulative


def _band(local: datetime) -> str:
    if local.weekday() >= 5:
        return "weekend"
    minutes = local.hour * 60 + local.minute
    if 510 <= minutes < 1020:
        return "office"
    if 1020 <= minutes < 1320:
        return "evening"
    return "night"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _seed_reference_rows(execute) -> None:
    execute("INSERT INTO teams (id, name) VALUES " + ", ".join(f"({n + 1}, 'Team {n + 1}')" for n in range(TEAMS)))
    execute(
        "INSERT INTO users (id, email, name, password_hash, team_id, is_active_account, created_at) VALUES "
        + ", ".join(
            f"({n + 1}, 'agent{n + 1}@example.org', 'Agent {n + 1}', 'x', {n % TEAMS + 1}, TRUE, '2026-01-01 00:00:00')"
            for n in range(AGENTS)
        )
    )
    accounts = []
    for index, (channel, _) in enumerate(CHANNELS):
        for number in range(2):
            accounts.append(
                f"({index * 2 + number + 1}, '{channel}', '{channel}-{number}', 'Gemeente {channel} {number}', {str(number == 0).upper()}, '2026-01-01 00:00:00')"
            )
    execute("INSERT INTO accounts (id, channel, handle, name, is_general, created_at) VALUES " + ", ".join(accounts))


def fill_sqlite(path: Path, cases: int) -> None:
    rng = random.Random(20261101)
    channel_cut, priority_cut, action_cut = _pick(CHANNELS), _pick(PRIORITIES), _pick(ACTIONS)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    _seed_reference_rows(connection.execute)
    columns = (
        "id, status, channel, account_id, is_public, owner_id, team_id, topic, priority, action, subject, first_inbound_at, "
        "last_message_at, first_response_at, resolved_at, first_response_due_at, queue_at, inbound_count, outbound_count, "
        "created_at, updated_at, arrival_band, arrival_hour_of_week, first_response_seconds, first_response_staffed_seconds, "
        "resolution_seconds, resolution_staffed_seconds"
    )
    statement = f"INSERT INTO cases ({columns}) VALUES ({', '.join('?' * 27)})"

    def choose(cut, value):
        for index, edge in enumerate(cut):
            if value <= edge:
                return index
        return len(cut) - 1

    arrivals = []
    for _ in range(cases):
        day = rng.randrange(DAYS)
        if rng.random() < 0.66:
            local_day = (NOW - timedelta(days=day + 1)).astimezone(AMSTERDAM).date()
            while local_day.weekday() >= 5:
                local_day -= timedelta(days=1)
            local = datetime.combine(local_day, datetime.min.time(), AMSTERDAM) + timedelta(
                minutes=510 + rng.randrange(510)
            )
            arrivals.append(local.timestamp())
        else:
            arrivals.append((NOW - timedelta(days=day, seconds=rng.randrange(86400))).timestamp())
    arrivals.sort()  # cases are numbered in arrival order, as the worker creates them
    rows = []
    for number, arrival in enumerate(arrivals, 1):
        arrived = datetime.fromtimestamp(arrival, UTC)
        local = arrived.astimezone(AMSTERDAM)
        channel = CHANNELS[choose(channel_cut, rng.random())][0]
        channel_index = [c for c, _ in CHANNELS].index(channel)
        priority, _, norm = PRIORITIES[choose(priority_cut, rng.random())]
        action = ACTIONS[choose(action_cut, rng.random())][0]
        agent = rng.randrange(AGENTS) + 1
        response = None if action == "ignore" else int(math.exp(math.log(2400) + 1.3 * rng.gauss(0, 1)))
        responded = arrived + timedelta(seconds=response) if response is not None else None
        resolution = int(response * (2 + rng.random() * 10)) if response is not None and rng.random() < 0.9 else None
        resolved = arrived + timedelta(seconds=resolution) if resolution is not None else None
        status = "ignored" if action == "ignore" else ("resolved" if resolved else "open")
        rows.append(
            (
                number,
                status,
                channel,
                channel_index * 2 + 1 + rng.randrange(2),
                channel in ("x", "facebook", "instagram"),
                agent,
                (agent - 1) % TEAMS + 1,
                TOPICS[rng.randrange(len(TOPICS))],
                priority,
                action,
                f"case {number}",
                _stamp(arrived),
                _stamp(resolved or responded or arrived),
                _stamp(responded) if responded else None,
                _stamp(resolved) if resolved else None,
                _stamp(arrived + timedelta(seconds=norm)) if action != "ignore" else None,
                _stamp(arrived),
                1 + rng.randrange(3),
                0 if response is None else 1 + rng.randrange(2),
                _stamp(arrived),
                _stamp(arrived),
                _band(local),
                local.weekday() * 24 + local.hour,
                response,
                None if response is None else int(response * 0.6),
                resolution,
                None if resolution is None else int(resolution * 0.6),
            )
        )
        if len(rows) == CHUNK:
            connection.executemany(statement, rows)
            rows.clear()
    if rows:
        connection.executemany(statement, rows)
    connection.execute(
        "INSERT INTO case_events (case_id, at, actor_id, kind, details) "
        "SELECT id, first_inbound_at, NULL, 'case_opened', '{}' FROM cases"
    )
    connection.execute(
        "INSERT INTO case_events (case_id, at, actor_id, kind, details) "
        "SELECT id, datetime(first_inbound_at, '+20 minutes'), NULL, 'escalated', '{}' FROM cases WHERE action = 'escalate'"
    )
    connection.execute(
        "INSERT INTO case_events (case_id, at, actor_id, kind, details) "
        "SELECT id, COALESCE(resolved_at, last_message_at), NULL, 'reopened', '{}' FROM cases WHERE id % 25 = 0"
    )
    connection.commit()
    connection.close()


def fill_postgresql(url: str, cases: int) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        _seed_reference_rows(connection.execute)
        connection.execute("SELECT setseed(0.20261101)")
        channel_cut = ", ".join(
            f"({index}, '{name}', {edge})" for index, ((name, _), edge) in enumerate(zip(CHANNELS, _pick(CHANNELS)))
        )
        priority_cut = ", ".join(
            f"('{name}', {norm}, {edge})" for (name, _, norm), edge in zip(PRIORITIES, _pick(PRIORITIES))
        )
        action_cut = ", ".join(f"('{name}', {edge})" for (name, _), edge in zip(ACTIONS, _pick(ACTIONS)))
        connection.execute(
            f"""
            WITH channel_cut(idx, name, edge) AS (VALUES {channel_cut}),
                 priority_cut(name, norm, edge) AS (VALUES {priority_cut}),
                 action_cut(name, edge) AS (VALUES {action_cut}),
                 draws AS (
                    SELECT n, random() AS office, random() AS c, random() AS p, random() AS a, random() AS r1, random() AS r2,
                           random() AS r3, random() AS day, random() AS within, floor(random() * {AGENTS})::int + 1 AS agent
                    FROM generate_series(1, {cases}) AS n
                 ),
                 arrivals AS (
                    SELECT d.*,
                           CASE WHEN d.office < 0.66 THEN
                               ((date_trunc('day', (TIMESTAMPTZ '{NOW.isoformat()}' - (floor(d.day * {DAYS}) + 1) * INTERVAL '1 day') AT TIME ZONE 'Europe/Amsterdam')
                                 - (GREATEST(extract(isodow FROM (TIMESTAMPTZ '{NOW.isoformat()}' - (floor(d.day * {DAYS}) + 1) * INTERVAL '1 day') AT TIME ZONE 'Europe/Amsterdam') - 5, 0)) * INTERVAL '1 day'
                                 + (510 + floor(d.within * 510)) * INTERVAL '1 minute') AT TIME ZONE 'Europe/Amsterdam')
                           ELSE TIMESTAMPTZ '{NOW.isoformat()}' - d.day * {DAYS} * INTERVAL '1 day' END AS arrived,
                           (SELECT name FROM channel_cut WHERE edge >= d.c ORDER BY edge LIMIT 1) AS channel,
                           (SELECT idx FROM channel_cut WHERE edge >= d.c ORDER BY edge LIMIT 1) AS channel_index,
                           (SELECT name FROM priority_cut WHERE edge >= d.p ORDER BY edge LIMIT 1) AS priority,
                           (SELECT norm FROM priority_cut WHERE edge >= d.p ORDER BY edge LIMIT 1) AS norm,
                           (SELECT name FROM action_cut WHERE edge >= d.a ORDER BY edge LIMIT 1) AS action
                    FROM draws d
                 ),
                 timed AS (
                    SELECT a.*,
                           CASE WHEN a.action = 'ignore' THEN NULL
                                ELSE floor(exp(ln(2400) + 1.3 * sqrt(-2 * ln(1 - a.r1)) * cos(2 * pi() * a.r2)))::int END AS response,
                           a.arrived AT TIME ZONE 'Europe/Amsterdam' AS local
                    FROM arrivals a
                 ),
                 resolved AS (
                    SELECT t.*, CASE WHEN t.response IS NOT NULL AND t.r3 < 0.9 THEN floor(t.response * (2 + t.r3 * 10))::int END AS resolution
                    FROM timed t
                 )
            INSERT INTO cases (id, status, channel, account_id, is_public, owner_id, team_id, topic, priority, action, subject,
                               first_inbound_at, last_message_at, first_response_at, resolved_at, first_response_due_at, queue_at,
                               inbound_count, outbound_count, created_at, updated_at, arrival_band, arrival_hour_of_week,
                               first_response_seconds, first_response_staffed_seconds, resolution_seconds, resolution_staffed_seconds)
            SELECT row_number() OVER (ORDER BY arrived),
                   CASE WHEN action = 'ignore' THEN 'ignored' WHEN resolution IS NOT NULL THEN 'resolved' ELSE 'open' END,
                   channel, channel_index * 2 + 1 + (n % 2), channel IN ('x', 'facebook', 'instagram'), agent, (agent - 1) % {TEAMS} + 1,
                   'topic-' || lpad(((n * 7) % {len(TOPICS)})::text, 2, '0'), priority, action, 'case ' || n,
                   arrived, arrived + COALESCE(resolution, response, 0) * INTERVAL '1 second',
                   arrived + response * INTERVAL '1 second', arrived + resolution * INTERVAL '1 second',
                   CASE WHEN action <> 'ignore' THEN arrived + norm * INTERVAL '1 second' END, arrived,
                   1 + n % 3, CASE WHEN response IS NULL THEN 0 ELSE 1 + n % 2 END, arrived, arrived,
                   CASE WHEN extract(isodow FROM local) >= 6 THEN 'weekend'
                        WHEN local::time >= TIME '08:30' AND local::time < TIME '17:00' THEN 'office'
                        WHEN local::time >= TIME '17:00' AND local::time < TIME '22:00' THEN 'evening' ELSE 'night' END,
                   (extract(isodow FROM local)::int - 1) * 24 + extract(hour FROM local)::int,
                   response, floor(response * 0.6)::int, resolution, floor(resolution * 0.6)::int
            FROM resolved
            ORDER BY arrived
            """
        )
        connection.execute(
            "INSERT INTO case_events (case_id, at, actor_id, kind, details) "
            "SELECT id, first_inbound_at, NULL, 'case_opened', '{}' FROM cases"
        )
        connection.execute(
            "INSERT INTO case_events (case_id, at, actor_id, kind, details) "
            "SELECT id, first_inbound_at + INTERVAL '20 minutes', NULL, 'escalated', '{}' FROM cases WHERE action = 'escalate'"
        )
        connection.execute(
            "INSERT INTO case_events (case_id, at, actor_id, kind, details) "
            "SELECT id, COALESCE(resolved_at, last_message_at), NULL, 'reopened', '{}' FROM cases WHERE id % 25 = 0"
        )
        connection.execute("ANALYZE")


def time_report(database_url: str, instance: Path) -> dict[str, list[float]]:
    os.environ.update(webcare_env(database_url, instance))
    from webcare.app import create_app
    from webcare.reports.breakdowns import group_rows
    from webcare.reports.metrics import Clock
    from webcare.reports.period import Period, ReportQuery

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    last = (NOW - timedelta(seconds=1)).astimezone(AMSTERDAM).date()
    period = Period(last - timedelta(days=89), last)
    timings: dict[str, list[float]] = {}
    with app.app_context():
        for by, clock in (("channel", Clock.CALENDAR), ("priority", Clock.CALENDAR), ("priority", Clock.STAFFED)):
            query = ReportQuery(period, [by], clock, NOW)
            rows = group_rows(query)
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                rows = group_rows(query)
                runs.append(time.perf_counter() - started)
            timings[f"{by}, {clock.value} clock"] = runs
            print(
                f"  by {by} ({clock.value}): {sum(row.cases for row in rows)} cases in {len(rows)} groups; "
                f"p90 of the first group {rows[0].first_response.p90} s",
                flush=True,
            )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="Keep the databases (SQLite file, PostgreSQL database).")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    for engine in arguments.engines:
        instance = folder / f"instance-{engine}"
        if engine == "sqlite":
            url = sqlite_url(folder / "reports.sqlite")
        else:
            url = create_postgres("webcare_bench_reports")
        run_child([WEBCARE, "db", "upgrade"], webcare_env(url, instance))
        started = time.perf_counter()
        if engine == "sqlite":
            fill_sqlite(folder / "reports.sqlite", arguments.cases)
        else:
            fill_postgresql(url, arguments.cases)
        print(f"{engine}: filled {arguments.cases:,} cases in {time.perf_counter() - started:.0f} s", flush=True)
        timings = time_report(
            url if engine == "sqlite" else url.replace("postgresql://", "postgresql+psycopg://"), instance
        )
        for by, runs in timings.items():
            print(
                f"{engine}: 90-day report by {by}: best {min(runs) * 1000:.0f} ms, slowest {max(runs) * 1000:.0f} ms",
                flush=True,
            )
        if engine == "postgresql" and not arguments.keep:
            drop_postgres("webcare_bench_reports")
    if not arguments.keep:
        for path in folder.glob("*.sqlite*"):
            path.unlink()
    print(f"date {date.today().isoformat()}", flush=True)


if __name__ == "__main__":
    main()
