"""Inbox list and case page server time at 10k, 100k and 1M cases: /inbox, /inbox/rows, page 2, filters, /cases/<id>.

    .venv/bin/python bench/inbox_list.py --engines sqlite postgresql --sizes 10000 100000 1000000

The database is migrated with `webcare db upgrade`, then filled directly with SQL, growing in steps
(10k, then 90k more, then 900k more) and measured after each step:
- case number i (0 = newest) arrived i × 90 s before now, so 1M cases are about 3 years of history;
- the 500 newest cases are mostly still active (new, open, waiting on the resident/department,
  reopened; a quarter of them resolved already), and one in a thousand older cases is stuck active;
  every other case is resolved (70%), closed (25%) or ignored (5%). The backlog thus stays a few
  hundred to ~1,500 active cases, as a real team's does, while history grows;
- channels spread as a municipality sees them; 9 accounts; cases/5 authors; 1 to 5 messages counted;
- an active case's queue_at is its response due time (arrival + 4 h), a finished one's its arrival;
- one case in 100, and the oldest case of each step, gets a full thread: 6 messages (inbound and
  outbound alternating once answered, else a resident writing 6 times) with raw payloads, the case
  events that threading records (opened, decided, message received, reply recorded, status changed), a
  protocol decision with its trace and features (of a stored, inactive protocol version); the case's
  counts, topic, priority and latest decision follow the thread.
SQLite is filled with executemany, PostgreSQL with INSERT ... SELECT FROM generate_series, then ANALYZE
on PostgreSQL (autovacuum would do the same); SQLite gets no ANALYZE, as the app never runs one.

Each request runs through the Flask test client (a logged-in agent) and is timed around the call:
the server time of routing, login check, queries and rendering, without the network. 5 warm-up
requests, then --requests timed ones per URL; p50 and p95 reported. The case page is timed on three
threaded cases: the newest (still new, unanswered), one in the middle and the oldest (both finished).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ROOT,
    WEBCARE,
    create_postgres,
    drop_postgres,
    machine,
    percentile,
    run_child,
    sqlite_url,
    webcare_env,
)
from generate import FOLLOW_UPS  # noqa: E402

from webcare.demo.corpus import CONVERSATIONS, NEIGHBOURHOODS, STREETS  # noqa: E402

CHANNELS = ["x", "facebook", "instagram", "whatsapp", "email", "webform"]
# Channel of author a is CHANNEL_OF[a % 20]: weights 30/30/10/15/10/5 as in the demo.
CHANNEL_OF = ["x"] * 6 + ["facebook"] * 6 + ["instagram"] * 2 + ["whatsapp"] * 3 + ["email"] * 2 + ["webform"]
ACCOUNTS = [
    ("x", "gemeentelindeburg"),
    ("x", "lindeburgnoord"),
    ("facebook", "gemeentelindeburg"),
    ("facebook", "lindeburgbuiten"),
    ("instagram", "gemeentelindeburg"),
    ("whatsapp", "+31600000123"),
    ("email", "info@lindeburg.example"),
    ("email", "burgerzaken@lindeburg.example"),
    ("webform", "contact"),
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
# The protocol topic of each subject above, for the thread's replies and the case's decision.
SUBJECT_TOPICS = ["afval", "openbare_ruimte", "parkeren", "burgerzaken", "zorg", "belastingen", "lof"]
THREAD_EVERY = 100
THREAD_LENGTH = 6
UNANSWERED_FOLLOW_UPS = [text for text in FOLLOW_UPS if not text.startswith(("Dank", "Bedankt"))]
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
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def threaded_indexes(start: int, end: int) -> list[int]:
    """Which case numbers of a fill step get a full thread: one in THREAD_EVERY, and the step's oldest."""
    first = -(-start // THREAD_EVERY) * THREAD_EVERY
    return sorted({*range(first, end, THREAD_EVERY), end - 1})


def probe_indexes(size: int) -> dict[str, int]:
    """The threaded cases whose page is timed: newest, middle (a resolved one, as most history is) and oldest."""
    middle = size // 2 // THREAD_EVERY * THREAD_EVERY
    resolved = [i for i in range(middle, size, THREAD_EVERY) if case_status(i) == "resolved"]
    return {"newest": 0, "middle": resolved[0] if resolved else middle, "oldest": size - 1}


def _trace(rule_id: str) -> list[str]:
    skipped = [
        ("pers-of-politiek", "none of 2 conditions holds"),
        ("groot-bereik", 'influence == "high" does not hold'),
        ("andere-taal", 'language not_in ["nl", "unknown"] does not hold'),
        ("taal-onbekend", 'language == "unknown" does not hold'),
        ("dreiging", "threat == true does not hold"),
        ("aanval-op-medewerker", "attack_on_named == true does not hold"),
        ("spam", "spam == true does not hold"),
        ("bestuurlijk-gevoelig", "none of 2 conditions holds"),
        ("golf", "cluster_size >= 10 does not hold"),
        ("trol", "none of 2 conditions holds"),
        ("razer", "none of 2 conditions holds"),
    ]
    return [f"{rule}: skipped — {reason}" for rule, reason in skipped] + [f"{rule_id}: matched — all 2 conditions hold"]


def _features(case: dict, topic: str, handle: str) -> dict:
    words = case["subject"].lower().replace(",", "").replace("?", "").replace(".", "")
    return {
        "text": words,
        "language": "nl",
        "topics": [topic],
        "topic": topic,
        "department": topic.replace("_", "-"),
        "sensitive": False,
        "sentiment": -0.37 if topic != "lof" else 0.81,
        "sentiment_label": "negative" if topic != "lof" else "positive",
        "question": "?" in case["subject"],
        "threat": False,
        "abuse": False,
        "spam": False,
        "negative": topic != "lof",
        "praise": topic == "lof",
        "lexicons": ["negative"] if topic != "lof" else ["praise"],
        "mentions": [],
        "mentions_staff": False,
        "mentions_official": False,
        "attack_on_named": False,
        "has_link": False,
        "word_count": len(words.split()),
        "emoji": [],
        "author": f"inwoner{case['author_id'] - 1}",
        "followers": (case["author_id"] - 1) * 37 % 5000,
        "verified": False,
        "is_press": False,
        "is_political": False,
        "is_watched": False,
        "influence": "low",
        "channel": case["channel"],
        "account": handle,
        "is_public": bool(case["is_public"]),
        "time_band": "office",
        "our_replies_so_far": 0,
        "author_contacts_last_n_days": 0,
        "cluster_size": 1,
    }


def _reply_text(case: dict, topic: str, number: int) -> str:
    replies = CONVERSATIONS[topic][2]
    text = replies[number // 2 % len(replies)].format(
        street=STREETS[case["id"] % len(STREETS)], wijk=NEIGHBOURHOODS[case["id"] % len(NEIGHBOURHOODS)]
    )
    if case["channel"] in {"email", "webform"}:
        name = f"Inwoner {case['author_id'] - 1}"
        return f"Beste {name},\n\n{text}\n\nMet vriendelijke groet,\nTeam Webcare, gemeente Lindeburg"
    return f"{text} ^{['AB', 'MY', 'PR', 'JB'][number % 4]}"


def thread_rows(cases: list[dict], handles: dict[int, str], version: tuple[int, str], ids: dict[str, int]) -> dict:
    """Messages, events and a decision for each case, and the case columns that follow from them.

    Values are Python values (aware datetimes, dicts and lists for JSON columns); `ids` holds the next
    free id per table and is advanced.
    """
    rows = {"messages": [], "case_events": [], "case_decisions": [], "cases": []}
    version_id, version_label = version
    for case in cases:
        arrived, replied = case["first_inbound_at"], case["first_response_at"]
        topic = SUBJECT_TOPICS[SUBJECTS.index(case["subject"])]
        handle = handles[case["account_id"]]
        if replied is None:
            # Unanswered: the resident writes again a few times, seconds apart.
            moments = [arrived + timedelta(seconds=12 * k) for k in range(THREAD_LENGTH)]
            directions = ["inbound"] * THREAD_LENGTH
        else:
            moments = [arrived, *(replied + timedelta(minutes=8 * k) for k in range(THREAD_LENGTH - 1))]
            directions = ["inbound" if k % 2 == 0 else "outbound" for k in range(THREAD_LENGTH)]
        author = case["author_id"] - 1
        message_ids, previous = [], None
        for number, (moment, direction) in enumerate(zip(moments, directions)):
            if number == 0:
                text = case["subject"]
            elif direction == "inbound":
                follow_ups = FOLLOW_UPS if replied else UNANSWERED_FOLLOW_UPS
                text = follow_ups[(case["id"] + number) % len(follow_ups)]
            else:
                text = _reply_text(case, topic, number)
            external_id = f"{case['channel']}-bench-{case['id']}-{number}"
            url = (
                f"https://{case['channel']}.example/{handle}/status/{external_id}"
                if case["is_public"] and case["channel"] in {"x", "facebook", "instagram"}
                else None
            )
            raw = {
                "channel": case["channel"],
                "account": handle,
                "external_id": external_id,
                "direction": direction,
                "created_at": moment.isoformat(),
                "text": text,
                "in_reply_to": previous,
                "conversation_id": case["conversation_id"],
                "is_public": bool(case["is_public"]),
                "url": url,
            }
            if direction == "inbound":
                raw["author"] = {
                    "id": f"r{author}",
                    "handle": f"inwoner{author}",
                    "name": f"Inwoner {author}",
                    "followers": author * 37 % 5000,
                    "verified": False,
                }
            message_id = ids["messages"]
            ids["messages"] += 1
            message_ids.append(message_id)
            rows["messages"].append(
                (
                    message_id,
                    case["channel"],
                    case["account_id"],
                    external_id,
                    direction,
                    moment,
                    moment + timedelta(seconds=2),
                    text,
                    json.dumps({key: value for key, value in raw.items() if value is not None}, ensure_ascii=False),
                    case["author_id"] if direction == "inbound" else None,
                    previous,
                    case["conversation_id"],
                    bool(case["is_public"]),
                    url,
                    "api:bench",
                    "done",
                    1,
                    moment + timedelta(seconds=3),
                    case["id"],
                )
            )
            previous = external_id
        action = "reply" if topic in {"burgerzaken", "parkeren", "belastingen", "lof"} else "escalate"
        rule_id = "vraag-beantwoorden" if action == "reply" else "klacht-afdeling"
        decided_at = arrived + timedelta(seconds=3)
        decision_id = ids["case_decisions"]
        ids["case_decisions"] += 1
        rows["case_decisions"].append(
            (
                decision_id,
                case["id"],
                message_ids[0],
                version_id,
                action,
                rule_id,
                "normal",
                topic,
                f"{topic}-antwoord" if action == "reply" else None,
                None if action == "reply" else topic.replace("_", "-"),
                None
                if action == "reply"
                else "Zet de melding door en laat de bewoner weten dat de afdeling het heeft.",
                arrived + timedelta(hours=4),
                arrived + timedelta(days=2),
                [],
                [],
                _trace(rule_id),
                _features(case, topic, handle),
                decided_at,
            )
        )
        events = [
            ("case_opened", arrived, {"message_id": message_ids[0]}),
            (
                "decided",
                decided_at,
                {
                    "message_id": message_ids[0],
                    "action": action,
                    "rule_id": rule_id,
                    "protocol_version": version_label,
                    "priority": "normal",
                },
            ),
        ]
        for number in range(1, THREAD_LENGTH):
            if directions[number] == "inbound":
                events.append(("message_received", moments[number], {"message_id": message_ids[number]}))
            else:
                events.append(("reply_recorded", moments[number], {"message_id": message_ids[number]}))
                if number == 1:
                    events.append(("status_changed", moments[number], {"before": "new", "after": "open"}))
        for kind, moment, details in events:
            rows["case_events"].append((ids["case_events"], case["id"], moment, None, kind, details))
            ids["case_events"] += 1
        rows["cases"].append(
            (
                directions.count("inbound"),
                directions.count("outbound"),
                moments[-1],
                decision_id,
                topic,
                "normal",
                action,
                arrived + timedelta(hours=4),
                case["id"],
            )
        )
    return rows


THREAD_COLUMNS = {
    "messages": "id, channel, account_id, external_id, direction, created_at, received_at, text, raw, author_id, "
    "in_reply_to, conversation_id, is_public, url, source, status, attempts, processed_at, case_id",
    "case_events": "id, case_id, at, actor_id, kind, details",
    "case_decisions": "id, case_id, message_id, protocol_version_id, action, rule_id, priority, topic, template_id, "
    "escalate_to, note, first_response_due_at, resolution_due_at, tags, notify, trace, features, decided_at",
}
CASE_COLUMNS = (
    "id, channel, account_id, author_id, conversation_id, is_public, first_inbound_at, first_response_at, subject"
)
UPDATE_CASE = (
    "UPDATE cases SET inbound_count = {p}, outbound_count = {p}, last_message_at = {p}, applied_decision_id = {p}, "
    "topic = {p}, priority = {p}, action = {p}, first_response_due_at = {p} WHERE id = {p}"
)
PROTOCOL_FILE = ROOT / "webcare" / "protocols" / "gemeente.yaml"


def _protocol_version_row(now: datetime) -> tuple:
    text = PROTOCOL_FILE.read_text(encoding="utf-8")
    # Stored but not active, so the inbox's own behaviour (no active protocol) is unchanged.
    return (
        "Gemeente Lindeburg",
        "2026.1",
        hashlib.sha256(text.encode()).hexdigest(),
        "gemeente.yaml",
        text,
        now,
        False,
    )


def _insert_threads(cursor, placeholder: str, rows: dict, convert) -> None:
    for table, columns in THREAD_COLUMNS.items():
        marks = ", ".join([placeholder] * len(columns.split(", ")))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [convert(row) for row in rows[table]])
    cursor.executemany(UPDATE_CASE.format(p=placeholder), [convert(row) for row in rows["cases"]])


def _sqlite_value(value):
    if isinstance(value, datetime):
        return sqlite_time(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _from_sqlite_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


def fill_threads_sqlite(connection: sqlite3.Connection, start: int, end: int, now: datetime) -> dict[int, int]:
    """Threads for this step's chosen cases; returns case number → case id."""
    if start == 0:
        connection.execute(
            "INSERT INTO protocol_versions (organisation, version, content_hash, source_name, text, stored_at, is_active) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [_sqlite_value(value) for value in _protocol_version_row(now)],
        )
    version = connection.execute(
        "SELECT id, version, content_hash FROM protocol_versions ORDER BY id LIMIT 1"
    ).fetchone()
    handles = dict(connection.execute("SELECT id, handle FROM accounts"))
    number_of = {sqlite_time(now - GAP * (i + 1)): i for i in threaded_indexes(start, end)}
    keys = list(number_of)
    cases = []
    for chunk in range(0, len(keys), 500):
        part = keys[chunk : chunk + 500]
        cursor = connection.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE first_inbound_at IN ({', '.join('?' * len(part))})", part
        )
        names = [column[0] for column in cursor.description]
        cases += [dict(zip(names, row)) for row in cursor]
    for case in cases:
        case["first_inbound_at"] = _from_sqlite_time(case["first_inbound_at"])
        case["first_response_at"] = _from_sqlite_time(case["first_response_at"])
    ids = {
        table: connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
        for table in THREAD_COLUMNS
    }
    rows = thread_rows(cases, handles, (version[0], f"{version[1]} ({version[2][:8]})"), ids)
    _insert_threads(connection, "?", rows, lambda row: tuple(_sqlite_value(value) for value in row))
    return {number_of[sqlite_time(case["first_inbound_at"])]: case["id"] for case in cases}


def fill_threads_postgres(connection: psycopg.Connection, start: int, end: int, now: datetime) -> dict[int, int]:
    """Threads for this step's chosen cases; returns case number → case id."""
    from psycopg.types.json import Json

    if start == 0:
        connection.execute(
            "INSERT INTO protocol_versions (organisation, version, content_hash, source_name, text, stored_at, is_active) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            _protocol_version_row(now),
        )
    version = connection.execute(
        "SELECT id, version, content_hash FROM protocol_versions ORDER BY id LIMIT 1"
    ).fetchone()
    handles = dict(connection.execute("SELECT id, handle FROM accounts").fetchall())
    number_of = {now - GAP * (i + 1): i for i in threaded_indexes(start, end)}
    cursor = connection.execute(f"SELECT {CASE_COLUMNS} FROM cases WHERE first_inbound_at = ANY(%s)", [list(number_of)])
    names = [column.name for column in cursor.description]
    cases = [dict(zip(names, row)) for row in cursor.fetchall()]
    ids = {
        table: connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
        for table in THREAD_COLUMNS
    }
    rows = thread_rows(cases, handles, (version[0], f"{version[1]} ({version[2][:8]})"), ids)
    with connection.cursor() as cursor:
        _insert_threads(
            cursor,
            "%s",
            rows,
            lambda row: tuple(Json(value) if isinstance(value, (dict, list)) else value for value in row),
        )
    for table in (*THREAD_COLUMNS, "protocol_versions"):
        connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return {number_of[case["first_inbound_at"]]: case["id"] for case in cases}


def fill_sqlite(path: Path, start: int, end: int, total_authors: int, now: datetime) -> dict[int, int]:
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
                (
                    a + 1,
                    CHANNEL_OF[a % 20],
                    f"r{a}",
                    f"inwoner{a}",
                    f"Inwoner {a}",
                    (a * 37) % 5000,
                    sqlite_time(now),
                    sqlite_time(now),
                )
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
                        status,
                        channel,
                        accounts[channel],
                        author + 1,
                        f"conv-{i}" if channel in {"whatsapp", "email"} else None,
                        0 if channel in {"whatsapp", "email", "webform"} else 1,
                        SUBJECTS[i % len(SUBJECTS)],
                        sqlite_time(arrived),
                        sqlite_time(last),
                        sqlite_time(replied) if replied else None,
                        None if is_active or status == "ignored" else sqlite_time(last + timedelta(hours=1)),
                        sqlite_time(arrived + timedelta(hours=4) if is_active else arrived),
                        1 + i % 3,
                        0 if replied is None else 1 + i % 2,
                        sqlite_time(arrived),
                        sqlite_time(last),
                    )
                )
            connection.executemany(
                "INSERT INTO cases (status, channel, account_id, author_id, conversation_id, is_public, subject, "
                "first_inbound_at, last_message_at, first_response_at, resolved_at, queue_at, inbound_count, "
                "outbound_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        threads = fill_threads_sqlite(connection, start, end, now)
    connection.close()
    return threads


def fill_postgres(url: str, start: int, end: int, total_authors: int, now: datetime) -> dict[int, int]:
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
        connection.execute("SELECT setval(pg_get_serial_sequence('authors', 'id'), (SELECT max(id) FROM authors))")
        threads = fill_threads_postgres(connection, start, end, now)
        connection.commit()
        connection.autocommit = True
        connection.execute("ANALYZE")
    return threads


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


def measure(
    url: str, instance: Path, requests: int, cached_gettext: bool = False, case_ids: dict[str, int] | None = None
) -> dict[str, dict[str, float]]:
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
    response = client.post(
        "/login", data={"email": "bench@lindeburg.example", "password": PASSWORD, "csrf_token": token}
    )
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
    for label, case_id in (case_ids or {}).items():
        urls[f"/cases/<id> ({label} case)"] = f"/cases/{case_id}"
    for name, path in urls.items():
        if path is None:
            continue
        if path.startswith("/cases/"):
            page = client.get(path).get_data(as_text=True)
            assert page.count('<li class="message message-') == THREAD_LENGTH, (path, "thread not rendered")
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
        "--cached-gettext",
        action="store_true",
        help="measure a proposed change: translate each string once per request",
    )
    parser.add_argument("--engine-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"# inbox list benchmark, {machine()}", flush=True)
    now = datetime.now(UTC).replace(microsecond=0)
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
            threaded: dict[int, int] = {}
            for size in sorted(args.sizes):
                started = time.perf_counter()
                if engine == "sqlite":
                    threaded |= fill_sqlite(db_path, filled, size, total_authors, now)
                else:
                    threaded |= fill_postgres(url, filled, size, total_authors, now)
                fill_seconds = time.perf_counter() - started
                filled = size
                case_ids = {label: threaded[number] for label, number in probe_indexes(size).items()}
                # Measured in a child process, so each step starts cold like a fresh server process.
                child = run_child(
                    [
                        sys.executable,
                        __file__,
                        "--engine-child",
                        json.dumps([url, str(instance), args.requests, args.cached_gettext, case_ids]),
                    ],
                    webcare_env(url, instance),
                )
                results = json.loads(child.stdout.strip().splitlines()[-1])
                print(
                    json.dumps({"engine": engine, "cases": size, "fill_s": round(fill_seconds, 1), **results}),
                    flush=True,
                )
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
        url, instance, requests, cached_gettext, case_ids = json.loads(sys.argv[sys.argv.index("--engine-child") + 1])
        print(json.dumps(measure(url, Path(instance), requests, cached_gettext, case_ids)))
    else:
        main()
