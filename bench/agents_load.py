"""A team at work: agents polling the inbox while messages arrive, against one running `webcare serve`.

    .venv/bin/python bench/agents_load.py --engines sqlite postgresql --agents 50 --poll-seconds 10 --rate 20 --seconds 300

Per engine a fresh database is migrated (`webcare db upgrade`), the example protocol activated
(`webcare protocol activate`, so the worker triages as in production), --agents users with the agent
role created (`webcare user create`) and an API token made (`webcare token create`). Then
`webcare serve --port P` runs as a child: the single-process default, so the web threads, the queue
worker and the scheduler share one process.

Each agent is a thread that logs in through the real form (GET /login, take the CSRF token, POST the
credentials, keep the session cookie, load /inbox as the browser does after the redirect) and takes
the polled fragment's URL from the `hx-get` on the inbox table; agent k starts at k × poll/agents
seconds. Once every agent is in, the measured window starts: agent k polls that URL at
k × poll/agents seconds into it and every --poll-seconds after, with the headers htmx sends. Like
htmx, a poll whose moment comes while the previous one still runs is dropped. gunicorn closes a
connection idle for 2 s (its keep-alive), so each poll opens a new one, as the browser must.

Meanwhile messages arrive at --rate per second on a fixed schedule (open loop: a slow answer does not
slow the arrivals): single JSON objects in the intake format (realistic Dutch text, unique external
ids, replies and private threads among them, about 30% our own outbound), posted with the bearer
token to /api/v1/messages by a few sender threads, each keeping its connection.

Reported per engine: for the polls and the posts separately count, errors (non-2xx or exceptions),
p50, p95 and max latency (request + response read, on the client); after the server stopped, the
messages due, posted, stored and threaded into cases, still queued or failed, and the cases made; the
server's peak RSS over its whole life (from wait4: the larger of the arbiter and the worker it
reaped, log-ins included, each of which holds 64 MiB for Argon2 while it runs) and the largest RSS
sampled once a second in the window. The clients run on the same machine as the server.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html
import http.client
import json
import math
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_latency import free_port, wait_until_up  # noqa: E402
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
from generate import Generator  # noqa: E402

from webcare.demo.corpus import FIRST_NAMES, LAST_NAMES  # noqa: E402

PASSWORD = "bench-password-123"
PROTOCOL_FILE = ROOT / "webcare" / "protocols" / "gemeente.yaml"
SENDERS = 4
# gunicorn's keep-alive is 2 s: a connection idle longer than this is opened anew before use.
IDLE_REOPEN_SECONDS = 1.0
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) bench/agents_load",
    "Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8",
}


@dataclass
class Tally:
    """Latencies and errors of one kind of request, shared by threads."""

    timings: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, milliseconds: float, error: str | None = None) -> None:
        with self.lock:
            self.timings.append(milliseconds)
            if error:
                self.errors.append(error)

    def summary(self) -> dict:
        timings = self.timings
        return {
            "count": len(timings),
            "errors": len(self.errors),
            "error_kinds": sorted(set(self.errors))[:5],
            "p50_ms": round(percentile(timings, 0.5), 1) if timings else None,
            "p95_ms": round(percentile(timings, 0.95), 1) if timings else None,
            "max_ms": round(max(timings), 1) if timings else None,
        }


class Browser:
    """One agent's HTTP client: a session cookie jar and a connection reopened after idling."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
        """Send one request; returns (status, headers, body text)."""
        if self.connection is None or time.monotonic() - self.last_used > IDLE_REOPEN_SECONDS:
            self.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {**BROWSER_HEADERS, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            text = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        finally:
            self.last_used = time.monotonic()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.msg, text

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    if match is None:
        raise RuntimeError("no CSRF token on the login form")
    return match.group(1)


def _poll_path(inbox_page: str) -> str:
    """The URL htmx polls: the `hx-get` on the inbox table body."""
    match = re.search(r'<tbody id="case-rows"[^>]*?hx-get="([^"]+)"', inbox_page)
    if match is None:
        raise RuntimeError("no polled fragment on /inbox")
    return html.unescape(match.group(1))


def log_in(browser: Browser, email: str) -> str:
    """Log in through the form and load the inbox; returns the fragment URL the page polls."""
    status, _headers, page = browser.request("GET", "/login")
    if status != 200:
        raise RuntimeError(f"GET /login: {status}")
    form = urlencode({"csrf_token": _csrf(page), "email": email, "password": PASSWORD}).encode()
    status, headers, _page = browser.request(
        "POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    if status not in (302, 303):
        raise RuntimeError(f"POST /login: {status}")
    target = urlsplit(headers["Location"])
    landing = target.path + (f"?{target.query}" if target.query else "")
    status, _headers, page = browser.request("GET", landing)
    if status != 200:
        raise RuntimeError(f"GET {landing}: {status}")
    return _poll_path(page)


def agent(
    port: int,
    email: str,
    offset: float,
    poll_seconds: float,
    ready: threading.Barrier,
    window: dict,
    logins: Tally,
    polls: Tally,
    stop: threading.Event,
) -> None:
    """One agent: log in at `offset`, wait for the window, then poll the inbox fragment as htmx does."""
    browser = Browser(port)
    poll_path = None
    # Log-ins are spread like the polls: 50 password checks at once would measure a burst nobody has.
    stop.wait(offset)
    started = time.perf_counter()
    try:
        poll_path = log_in(browser, email)
        logins.add((time.perf_counter() - started) * 1000)
    except Exception as error:  # an agent that cannot log in is counted, and sits the window out
        logins.add((time.perf_counter() - started) * 1000, f"{type(error).__name__}: {error}"[:120])
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        return
    if poll_path is None:
        return
    headers = {
        "HX-Request": "true",
        "HX-Current-URL": f"http://127.0.0.1:{port}/inbox",
        "HX-Target": "case-rows",
        "HX-Trigger": "case-rows",
        "Accept": "*/*",
        "Referer": f"http://127.0.0.1:{port}/inbox",
    }
    due = window["start"] + offset
    while not stop.is_set():
        if due >= window["end"] or stop.wait(max(0.0, due - time.perf_counter())):
            break
        began = time.perf_counter()
        try:
            status, _headers, _text = browser.request("GET", poll_path, headers=headers)
            error = None if 200 <= status < 300 else str(status)
        except Exception as failure:
            error = type(failure).__name__
        polls.add((time.perf_counter() - began) * 1000, error)
        # htmx drops a poll that comes due while the previous request is still running.
        while due <= time.perf_counter():
            due += poll_seconds
    browser.close()


def sender(port: int, token: str, bodies: list[bytes], schedule: dict, posts: Tally, stop: threading.Event) -> None:
    """Take the next message off the shared schedule, wait for its moment, post it; until the window ends."""
    connection = None
    last_used = 0.0
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "User-Agent": "bench/agents_load",
    }
    while not stop.is_set():
        with schedule["lock"]:
            number = schedule["next"]
            schedule["next"] += 1
        due = schedule["start"] + number / schedule["rate"]
        # Messages due in the window and not sent by its end count as not posted: the senders fell behind.
        if number >= len(bodies) or due >= schedule["end"] or time.perf_counter() >= schedule["end"]:
            break
        if stop.wait(max(0.0, due - time.perf_counter())):
            break
        if connection is None or time.monotonic() - last_used > IDLE_REOPEN_SECONDS:
            if connection is not None:
                connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        began = time.perf_counter()
        try:
            connection.request("POST", "/api/v1/messages", body=bodies[number], headers=headers)
            response = connection.getresponse()
            response.read()
            error = None if 200 <= response.status < 300 else str(response.status)
        except Exception as failure:
            error = type(failure).__name__
            connection.close()
            connection = None
        last_used = time.monotonic()
        posts.add((time.perf_counter() - began) * 1000, error)
        with schedule["lock"]:
            schedule["behind_ms"] = max(schedule["behind_ms"], (began - due) * 1000)
    if connection is not None:
        connection.close()


def largest_rss_mb(pid: int) -> float | None:
    """Resident memory of the largest of a process and its children now (Linux /proc), in MB.

    The largest, not the sum: gunicorn's worker is forked from the arbiter and shares pages with it.
    """
    try:
        members = [str(pid), *Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        kilobytes = 0
        for member in members:
            status = Path(f"/proc/{member}/status").read_text()
            kilobytes = max(kilobytes, int(re.search(r"^VmRSS:\s+(\d+)", status, re.MULTILINE).group(1)))
    except (OSError, AttributeError, ValueError):
        return None
    return kilobytes / 1024


def sample_rss(pid: int, window: dict, peak: dict, stop: threading.Event) -> None:
    """The server's largest resident memory seen once a second during the window."""
    while not stop.wait(1.0) and time.perf_counter() < window["end"]:
        now = largest_rss_mb(pid)
        if now is not None:
            peak["mb"] = max(peak.get("mb", 0.0), now)


def agent_names(count: int) -> list[tuple[str, str]]:
    """E-mail address and name of each agent."""
    return [
        (
            f"agent{number:02d}@lindeburg.example",
            f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[number * 7 % len(LAST_NAMES)]}",
        )
        for number in range(1, count + 1)
    ]


def seed(env: dict[str, str], agents: int) -> str:
    """Migrate, activate the protocol, create the agents; returns a fresh API token."""
    run_child([WEBCARE, "db", "upgrade"], env)
    run_child([WEBCARE, "protocol", "activate", str(PROTOCOL_FILE)], env)
    # Each `webcare user create` is a process that hashes one password: run as many at once as there are cores.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    try:
        created = [
            pool.submit(
                run_child,
                [WEBCARE, "user", "create", email, "--name", name, "--role", "agent", "--password", PASSWORD],
                env,
            )
            for email, name in agent_names(agents)
        ]
        for future in created:
            future.result()
    finally:
        # On Ctrl+C or a failure, create no more users: the caller drops the database.
        pool.shutdown(cancel_futures=True)
    return run_child([WEBCARE, "token", "create", "bench"], env).stdout.strip().splitlines()[-1]


def _signal_group(pid: int, number: int) -> None:
    try:
        os.killpg(pid, number)
    except ProcessLookupError:
        pass


def stop_server(server: subprocess.Popen) -> float | None:
    """SIGTERM the server's process group (SIGKILL after 30 s); returns its peak RSS in MB from wait4."""
    if server.returncode is not None or server.poll() is not None:
        return None
    _signal_group(server.pid, signal.SIGTERM)
    timer = threading.Timer(30, _signal_group, (server.pid, signal.SIGKILL))
    timer.start()
    try:
        # Through wait4 the arbiter's figure includes the worker it reaped: the process that does the work.
        _pid, status, usage = os.wait4(server.pid, 0)
    except ChildProcessError:
        return None
    finally:
        timer.cancel()
    server.returncode = os.waitstatus_to_exitcode(status)
    return round(usage.ru_maxrss / 1024, 1)


def intake_counts(engine: str, url: str, db_path: Path) -> dict:
    query_messages = "SELECT status, count(*), count(case_id) FROM messages GROUP BY status"
    if engine == "sqlite":
        with sqlite3.connect(db_path) as connection:
            by_status = connection.execute(query_messages).fetchall()
            cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
            dead = connection.execute("SELECT count(*) FROM dead_letters").fetchone()[0]
        connection.close()
    else:
        with psycopg.connect(url.replace("+psycopg", "")) as connection:
            by_status = connection.execute(query_messages).fetchall()
            cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
            dead = connection.execute("SELECT count(*) FROM dead_letters").fetchone()[0]
    statuses = {status: count for status, count, _threaded in by_status}
    return {
        "stored": sum(statuses.values()),
        "threaded": sum(threaded for _status, _count, threaded in by_status),
        "queued": statuses.get("queued", 0) + statuses.get("processing", 0),
        "failed": statuses.get("failed", 0),
        "dead_letters": dead,
        "cases": cases,
    }


def bench(engine: str, args: argparse.Namespace) -> dict:
    instance = args.workdir / f"instance-agents-{engine}"
    instance.mkdir(exist_ok=True)
    db_path = args.workdir / "agents.sqlite"
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        url = sqlite_url(db_path)
    else:
        url = create_postgres("webcare_bench_agents")
    env = webcare_env(url, instance)
    server = None
    stop = threading.Event()
    logins, polls, posts = Tally(), Tally(), Tally()
    try:
        started = time.perf_counter()
        token = seed(env, args.agents)
        seed_seconds = time.perf_counter() - started
        port = free_port()
        with open(args.workdir / f"serve-agents-{engine}.log", "wb") as log:
            server = subprocess.Popen(
                [WEBCARE, "serve", "--port", str(port), "--threads", str(args.threads)],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        wait_until_up(port)
        count = int(args.rate * args.seconds) + 1
        generator = iter(Generator(count, seed=17, per_day=max(1, round(args.rate * 86_400)), now=datetime.now(UTC)))
        bodies = [json.dumps(next(generator), ensure_ascii=False).encode() for _ in range(count)]
        window: dict = {}
        schedule = {"lock": threading.Lock(), "next": 0, "rate": args.rate, "behind_ms": 0.0}
        # The window opens when the last agent has logged in; the last party to arrive sets its times.

        def open_window() -> None:
            window["start"] = schedule["start"] = time.perf_counter() + 0.5
            window["end"] = schedule["end"] = window["start"] + args.seconds

        ready = threading.Barrier(args.agents + 1, action=open_window)
        agents = [
            threading.Thread(
                target=agent,
                args=(
                    port,
                    email,
                    k * args.poll_seconds / args.agents,
                    args.poll_seconds,
                    ready,
                    window,
                    logins,
                    polls,
                    stop,
                ),
                daemon=True,
            )
            for k, (email, _name) in enumerate(agent_names(args.agents))
        ]
        for thread in agents:
            thread.start()
        # Log-ins are spread over one poll interval; a hung one breaks the barrier rather than the run.
        ready.wait(timeout=args.poll_seconds + 180)
        senders = [
            threading.Thread(target=sender, args=(port, token, bodies, schedule, posts, stop), daemon=True)
            for _ in range(SENDERS)
        ]
        for thread in senders:
            thread.start()
        peak: dict = {}
        threading.Thread(target=sample_rss, args=(server.pid, window, peak, stop), daemon=True).start()
        for thread in senders + agents:
            thread.join(timeout=max(0.0, window["end"] - time.perf_counter()) + 90)
        stop.set()
        peak_rss_mb = stop_server(server)
        counts = intake_counts(engine, url, db_path)
    finally:
        stop.set()
        if server is not None:
            stop_server(server)
        if engine == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        else:
            drop_postgres("webcare_bench_agents")
    accepted = posts.summary()["count"] - len(posts.errors)
    return {
        "engine": engine,
        "agents": args.agents,
        "poll_seconds": args.poll_seconds,
        "rate_per_s": args.rate,
        "seconds": args.seconds,
        "threads": args.threads,
        "seed_s": round(seed_seconds, 1),
        "logins": logins.summary(),
        "polls": polls.summary(),
        "posts": posts.summary(),
        "posts_most_behind_schedule_ms": round(schedule["behind_ms"], 1),
        "scheduled": math.ceil(args.rate * args.seconds),
        "posted": accepted,
        **counts,
        "server_peak_rss_mb": peak_rss_mb,
        "server_window_peak_rss_mb": round(peak["mb"], 1) if "mb" in peak else None,
    }


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,}"


REQUEST_KINDS = (
    ("inbox poll `/inbox/rows`", "polls"),
    ("API post `/api/v1/messages`", "posts"),
    ("log-in (form, post, /inbox), before the window", "logins"),
)


def print_tables(results: list[dict]) -> None:
    print("\n| engine | load | requests | count | errors | p50 ms | p95 ms | max ms |", flush=True)
    print("|---|---|---|---|---|---|---|---|")
    for result in results:
        load = (
            f"{result['agents']} agents polling every {result['poll_seconds']:g} s, {result['rate_per_s']:g} messages/s"
        )
        for label, key in REQUEST_KINDS:
            figures = result[key]
            print(
                f"| {result['engine']} | {load} | {label} | {figures['count']:,} | {figures['errors']} | "
                f"{_ms(figures['p50_ms'])} | {_ms(figures['p95_ms'])} | {_ms(figures['max_ms'])} |"
            )
    print(
        "\n| engine | window | due | posted | stored | threaded into cases | still queued | failed | cases "
        "| server peak RSS: whole run / window |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        rss = " / ".join(
            "–" if result[key] is None else f"{result[key]:,} MB"
            for key in ("server_peak_rss_mb", "server_window_peak_rss_mb")
        )
        print(
            f"| {result['engine']} | {result['seconds']:g} s | {result['scheduled']:,} | {result['posted']:,} | "
            f"{result['stored']:,} | {result['threaded']:,} | {result['queued']:,} | {result['failed']:,} | "
            f"{result['cases']:,} | {rss} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--poll-seconds", type=float, default=10.0, help="the inbox's htmx polling interval")
    parser.add_argument("--rate", type=float, default=20.0, help="messages posted per second")
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the measured window")
    parser.add_argument("--threads", type=int, default=8, help="`webcare serve --threads`")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/webcare-bench"))
    args = parser.parse_args()
    if args.agents < 1 or args.rate <= 0 or args.poll_seconds <= 0 or args.seconds <= 0:
        parser.error("--agents, --rate, --poll-seconds and --seconds must be positive")
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"# agents under load, {machine()}", flush=True)
    results = []
    for engine in args.engines:
        result = bench(engine, args)
        print(json.dumps(result), flush=True)
        results.append(result)
    print_tables(results)


if __name__ == "__main__":
    main()
