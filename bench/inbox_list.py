"""Inbox list server time at 10k, 100k and 1M cases: /inbox, /inbox/rows, page 2 (cursor), channel filter.

    .venv/bin/python bench/inbox_list.py --engines sqlite postgresql --sizes 10000 100000 1000000

The database is migrated with `webcare db upgrade`, then filled directly with SQL, growing in steps
(10k, then 90k more, then 900k more) and measured after each step:
- case number i (0 = newest) arrived i × 90 s before now, so 1M cases are about 3 years of history;
- the 500 newest cases are mostly still active (new, open, waiting on the resident/department,
  reopened; a quarter of them resolved already), and one in a thousand older cases is stuck active;
  every other case is resolved (70%), closed (25%) or ignored (5%). The backlog thus stays a few
  hundred to ~1,500 active cases, as a real team's does, while history grows;
- channels spread as a municipality sees them; 9 accounts; cases/5 authors; 1 to 5 messages counted;
- an active case's queue_at is its response due time (arrival + 4 h), a finished one's its arrival.
SQLite is filled with executemany, PostgreSQL with INSERT ... SELECT FROM generate_series, then ANALYZE
on PostgreSQL (autovacuum would do the same); SQLite gets no ANALYZE, as the app never runs one.

Each request runs through the Flask test client (a logged-in agent) and is timed around the call:
the server time of routing, login check, queries and rendering, without the network. 5 warm-up
requests, then --requests timed ones per URL; p50 and p95 reported.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    WEBCARE,
    create_postgres,
    drop_postgres,
    machine,
    percentile,
    run_child,
    sqlite_url,
    webcare_env,
)

CHANNELS = ["x", "facebook", "instagram", "whatsapp", "email", "webform"]
# Channel of author a is CHANNEL_OF[a % 20]: weights 30/30/10/15/10/5 as in the demo.
CHANNEL_OF = ["x"] * 6 + ["facebook"] * 6 + ["instagram"] * 2 + ["whatsapp"] * 3 + ["email"] * 2 + ["webform"]
ACCOUNTS = [
    ("x", "gemeentelindeburg"), ("x", "lindeburgnoord"), ("facebook", "gemeentelindeburg"),
    ("facebook", "lindeburgbuiten"), ("instagram", "gemeentelindeburg"), ("whatsapp", "+31600000123"),
    ("email", "info@lindeburg.example"), ("email", "burgerzaken@lindeburg.example"), ("webform", "contact"),
]
ACTIVE = ["new", "open", "waiting_on_resident", "waiting_on_department", "open", "reopened"]
SUBJECTS = [
    "container in de Kerkstraat is alweer niet geleegd, stinkt een uur in de wind",
    "lantaarnpaal op de hoek Molenweg doet het al een week niet, het is s avonds echt donker hier",
    "Waarom krijg ik een parkeerboete terwijl ik een vergunning heb??",
    "Hoe snel kan ik een afspraak maken voor een nieuw paspoort? We gaan over 3 weken op vakantie",
    "Mijn vader wacht al 8 weken op een beslissing over zijn scootmobiel (wmo). Niemand belt terug.",
    "Ik heb de aanslag gemeentelijke belastingen twee keer ontvangen. Moet ik twee keer betalen?",
    "Top dat de straat zo snel weer schoon was na de storm, bedankt mannen van de buitendienst",
]
GAP = timedelta(seconds=90)
RECENT_ACTIVE = 500
PASSWORD = "bench-password-123"


def case_status(i: int) -> str:
    if i < RECENT_ACTIVE and i % 4 != 3:
        return ACTIVE[i % len(ACTIVE)]
    if i % 1000 == 7:
        return ACTIVE[(i // 1000) % len(ACTIVE)]
    bucket = (i * 7919) % 20
    return "ignored" if bucket == 0 else "closed" if bucket <= 5 else "resolved"


def sqlite_time(moment: datetime) -> str:
    # How SQLAlchemy's SQLite DATETIME stores our UTC values: naive, with microseconds.
    return moment.astimezone(timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def fill_sqlite(path: Path, start: int, end: int, total_authors: int, now: datetime) -> None:
    connection = sqlite3.connect(path)
    with connection:
        if start == 0:
            connection.executemany(
                "INSERT INTO accounts (channel, handle, name, is_general, created_at) VALUES (?, ?, ?, ?, ?)",
                [(channel, handle, handle, 1, sqlite_time(now)) for channel, handle in ACCOUNTS],
            )
        accounts = {}
        for account_id, channel in connection.execute("SELECT id, channel FROM accounts ORDER BY id"):
            accounts.setdefault(channel, account_id)
        have = connection.execute("SELECT count(*) FROM authors").fetchone()[0]
        connection.executemany(
            "INSERT INTO authors (id, channel, platform_id, handle, name, followers, is_verified, first_seen_at, "
            "last_seen_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
            (
                (a + 1, CHANNEL_OF[a % 20], f"r{a}", f"inwoner{a}", f"Inwoner {a}", (a * 37) % 5000, sqlite_time(now), sqlite_time(now))
                for a in range(have, total_authors)
            ),
        )
        for chunk_start in range(start, end, 20_000):
            rows = []
            for i in range(chunk_start, min(end, chunk_start + 20_000)):
                author = (i * 7919) % total_authors
                channel = CHANNEL_OF[author % 20]
                arrived = now - GAP * (i + 1)
                status = case_status(i)
                is_active = status in ACTIVE
                replied = None if status in {"new", "ignored"} else arrived + timedelta(minutes=20 + i % 300)
                last = replied or arrived
                rows.append(
                    (
                        status, channel, accounts[channel], author + 1,
                        f"conv-{i}" if channel in {"whatsapp", "email"} else None,
                        0 if channel in {"whatsapp", "email", "webform"} else 1,
                        SUBJECTS[i % len(SUBJECTS)],
                        sqlite_time(arrived), sqlite_time(last), sqlite_time(replied) if replied else None,
                        None if is_active or status == "ignored" else sqlite_time(last + timedelta(hours=1)),
                        sqlite_time(arrived + timedelta(hours=4) if is_active else arrived),
                        1 + i % 3, 0 if replied is None else 1 + i % 2, sqlite_time(arrived), sqlite_time(last),
                    )
                )
            connection.executemany(
                "INSERT INTO cases (status, channel, account_id, author_id, conversation_id, is_public, subject, "
                "first_inbound_at, last_message_at, first_response_at, resolved_at, queue_at, inbound_count, "
                "outbound_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    connection.close()


def fill_postgres(url: str, start: int, end: int, total_authors: int, now: datetime) -> None:
    channel_of = "ARRAY[" + ", ".join(f"'{c}'" for c in CHANNEL_OF) + "]"
    subjects = "ARRAY[" + ", ".join("'" + s.replace("'", "''") + "'" for s in SUBJECTS) + "]"
    active = "ARRAY[" + ", ".join(f"'{s}'" for s in ACTIVE) + "]"
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        if start == 0:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO accounts (channel, handle, name, is_general, created_at) VALUES (%s, %s, %s, true, %s)",
                    [(channel, handle, handle, now) for channel, handle in ACCOUNTS],
                )
        connection.execute(
            f"""INSERT INTO authors (id, channel, platform_id, handle, name, followers, is_verified, first_seen_at, last_seen_at)
            SELECT a + 1, ({channel_of})[1 + a %% 20], 'r' || a, 'inwoner' || a, 'Inwoner ' || a, (a * 37) %% 5000,
                   false, %(now)s, %(now)s
            FROM generate_series((SELECT count(*) FROM authors), %(total)s - 1) AS a""",
            {"now": now, "total": total_authors},
        )
        connection.execute(
            f"""INSERT INTO cases (status, channel, account_id, author_id, conversation_id, is_public, subject,
                first_inbound_at, last_message_at, first_response_at, resolved_at, queue_at, inbound_count,
                outbound_count, created_at, updated_at)
            SELECT s.status, s.channel, (SELECT min(id) FROM accounts WHERE accounts.channel = s.channel), s.author + 1,
                   CASE WHEN s.channel IN ('whatsapp', 'email') THEN 'conv-' || s.i END,
                   s.channel NOT IN ('whatsapp', 'email', 'webform'),
                   ({subjects})[1 + s.i %% {len(SUBJECTS)}],
                   s.arrived, coalesce(s.replied, s.arrived), s.replied,
                   CASE WHEN s.is_active OR s.status = 'ignored' THEN NULL
                        ELSE coalesce(s.replied, s.arrived) + interval '1 hour' END,
                   CASE WHEN s.is_active THEN s.arrived + interval '4 hours' ELSE s.arrived END,
                   1 + s.i %% 3, CASE WHEN s.replied IS NULL THEN 0 ELSE 1 + s.i %% 2 END, s.arrived,
                   coalesce(s.replied, s.arrived)
            FROM (
                SELECT t.*, t.status = ANY({active}) AS is_active,
                       CASE WHEN t.status IN ('new', 'ignored') THEN NULL
                            ELSE t.arrived + (20 + t.i %% 300) * interval '1 minute' END AS replied
                FROM (
                    SELECT i, (i::bigint * 7919) %% %(total)s AS author,
                           ({channel_of})[1 + ((i::bigint * 7919) %% %(total)s) %% 20] AS channel,
                           %(now)s - (i + 1) * interval '90 seconds' AS arrived,
                           CASE WHEN i < {RECENT_ACTIVE} AND i %% 4 <> 3 THEN ({active})[1 + i %% {len(ACTIVE)}]
                                WHEN i %% 1000 = 7 THEN ({active})[1 + (i / 1000) %% {len(ACTIVE)}]
                                WHEN (i::bigint * 7919) %% 20 = 0 THEN 'ignored'
                                WHEN (i::bigint * 7919) %% 20 <= 5 THEN 'closed'
                                ELSE 'resolved' END AS status
                    FROM generate_series(%(start)s, %(end)s - 1) AS i
                ) AS t
            ) AS s""",
            {"now": now, "total": total_authors, "start": start, "end": end},
        )
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('authors', 'id'), (SELECT max(id) FROM authors))"
        )
        connection.commit()
        connection.autocommit = True
        connection.execute("ANALYZE")


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    return match.group(1)


def _cache_translations(app) -> None:
    """Measurement of a proposed change only: each message id translated at most once per request."""
    from flask import g
    from flask_babel import get_translations

    def cached(s: str) -> str:
        cache = g.setdefault("bench_translations", {})
        if s not in cache:
            cache[s] = get_translations().ugettext(s)
        return cache[s]

    app.jinja_env.install_gettext_callables(
        gettext=cached, ngettext=lambda s, p, n: get_translations().ungettext(s, p, n), newstyle=True
    )


def measure(url: str, instance: Path, requests: int, cached_gettext: bool = False) -> dict[str, dict[str, float]]:
    import os

    os.environ.update(webcare_env(url, instance))
    from webcare.app import create_app
    from webcare.auth.models import Role, User
    from webcare.auth.services import create_user
    from webcare.extensions import db

    app = create_app()
    if cached_gettext:
        _cache_translations(app)
    results = {}
    with app.app_context():
        from sqlalchemy import select

        if db.session.scalar(select(User).where(User.email == "bench@lindeburg.example")) is None:
            create_user("bench@lindeburg.example", "Bench Agent", PASSWORD, {Role.AGENT})
        db.session.remove()
    client = app.test_client()
    token = _csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "bench@lindeburg.example", "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 303), response.status_code
    first = client.get("/inbox").get_data(as_text=True)
    cursor = re.search(r'after=([^"&]+)"[^>]*rel="next"', first)
    all_first = client.get("/inbox?status=all").get_data(as_text=True)
    all_cursor = re.search(r'after=([^"&]+)"[^>]*rel="next"', all_first)
    urls = {
        "/inbox (active, page 1)": "/inbox",
        "/inbox/rows (poll fragment)": "/inbox/rows",
        "/inbox page 2 (after cursor)": f"/inbox?after={cursor.group(1)}" if cursor else None,
        "/inbox?channel=whatsapp": "/inbox?channel=whatsapp",
        "/inbox?status=all": "/inbox?status=all",
        "/inbox?status=all page 2": f"/inbox?status=all&after={all_cursor.group(1)}" if all_cursor else None,
        "/inbox?status=all&channel=webform": "/inbox?status=all&channel=webform",
    }
    for name, path in urls.items():
        if path is None:
            continue
        for _ in range(5):
            assert client.get(path).status_code == 200
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        results[name] = {"p50_ms": round(percentile(timings, 0.5), 1), "p95_ms": round(percentile(timings, 0.95), 1)}
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--engines", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/webcare-bench"))
    parser.add_argument(
        "--cached-gettext", action="store_true", help="measure a proposed change: translate each string once per request"
    )
    parser.add_argument("--engine-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"# inbox list benchmark, {machine()}", flush=True)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    total_authors = max(args.sizes) // 5
    for engine in args.engines:
        instance = args.workdir / f"instance-inbox-{engine}"
        instance.mkdir(exist_ok=True)
        db_path = args.workdir / "inbox.sqlite"
        if engine == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            url = sqlite_url(db_path)
        else:
            url = create_postgres("webcare_bench_inbox")
        try:
            run_child([WEBCARE, "db", "upgrade"], webcare_env(url, instance))
            filled = 0
            for size in sorted(args.sizes):
                started = time.perf_counter()
                if engine == "sqlite":
                    fill_sqlite(db_path, filled, size, total_authors, now)
                else:
                    fill_postgres(url, filled, size, total_authors, now)
                fill_seconds = time.perf_counter() - started
                filled = size
                # Measured in a child process, so each step starts cold like a fresh server process.
                child = run_child(
                    [sys.executable, __file__, "--engine-child", json.dumps([url, str(instance), args.requests, args.cached_gettext])],
                    webcare_env(url, instance),
                )
                results = json.loads(child.stdout.strip().splitlines()[-1])
                print(json.dumps({"engine": engine, "cases": size, "fill_s": round(fill_seconds, 1), **results}), flush=True)
                for name, figures in results.items():
                    print(f"| {size:,} | {engine} | {name} | {figures['p50_ms']} | {figures['p95_ms']} |", flush=True)
        finally:
            if engine == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            else:
                drop_postgres("webcare_bench_inbox")


if __name__ == "__main__":
    if "--engine-child" in sys.argv:
        url, instance, requests, cached_gettext = json.loads(sys.argv[sys.argv.index("--engine-child") + 1])
        print(json.dumps(measure(url, Path(instance), requests, cached_gettext)))
    else:
        main()
