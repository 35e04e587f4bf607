"""API intake latency (p50/p95) with concurrent clients against a running `webcare serve`.

    .venv/bin/python bench/api_latency.py --engines sqlite postgresql --clients 20 --requests 100

A fresh database is migrated (`webcare db upgrade`), a token made (`webcare token create`), and
`webcare serve --port P` started as a child: the single-process default, so the queue worker and the
scheduler run in the same process and thread what the clients post while they post it. Each client
thread keeps one HTTP/1.1 connection and POSTs single messages (one JSON object, realistic Dutch
text, unique external id) to /api/v1/messages with the bearer token; every response must be 202.
After 5 warm-up requests per client, --requests timed ones per client; latency is measured around
request + response read on the client.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

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
from generate import Generator  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not come up")


def client(port: int, token: str, bodies: list[bytes], warmup: int, timings: list[float], errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "User-Agent": "bench"}
    for number, body in enumerate(bodies):
        started = time.perf_counter()
        connection.request("POST", "/api/v1/messages", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 202:
            errors.append(f"{response.status}")
        if number >= warmup:
            timings.append(elapsed)
    connection.close()


def bench(engine: str, workdir: Path, clients: int, requests: int, threads: int) -> dict:
    instance = workdir / f"instance-api-{engine}"
    instance.mkdir(exist_ok=True)
    db_path = workdir / "api.sqlite"
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        url = sqlite_url(db_path)
    else:
        url = create_postgres("webcare_bench_api")
    env = webcare_env(url, instance)
    server = None
    try:
        run_child([WEBCARE, "db", "upgrade"], env)
        token = run_child([WEBCARE, "token", "create", "bench"], env).stdout.strip().splitlines()[-1]
        port = free_port()
        log = open(workdir / f"serve-{engine}.log", "wb")
        server = subprocess.Popen(
            [WEBCARE, "serve", "--port", str(port), "--threads", str(threads)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
        wait_until_up(port)
        warmup = 5
        generator = iter(Generator(clients * (requests + warmup), seed=11, per_day=20_000, now=datetime.now(UTC)))
        work = [
            [json.dumps(next(generator), ensure_ascii=False).encode() for _ in range(requests + warmup)]
            for _ in range(clients)
        ]
        timings: list[float] = []
        errors: list[str] = []
        workers = [
            threading.Thread(target=client, args=(port, token, bodies, warmup, timings, errors)) for bodies in work
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        wall = time.perf_counter() - started
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if engine == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        else:
            drop_postgres("webcare_bench_api")
    return {
        "engine": engine,
        "clients": clients,
        "requests": len(timings),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "p50_ms": round(percentile(timings, 0.5), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "p99_ms": round(percentile(timings, 0.99), 1),
        "requests_per_s": round(clients * (requests + warmup) / wall),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per client")
    parser.add_argument("--threads", type=int, default=8, help="`webcare serve --threads`")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/webcare-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"# API intake latency, {machine()}", flush=True)
    for engine in args.engines:
        result = bench(engine, args.workdir, args.clients, args.requests, args.threads)
        print(json.dumps(result), flush=True)
        print(
            f"| {engine} | {args.clients} clients, {result['requests']} requests | p50 {result['p50_ms']} ms | "
            f"p95 {result['p95_ms']} ms | p99 {result['p99_ms']} ms | {result['requests_per_s']} req/s | "
            f"{result['errors']} errors |",
            flush=True,
        )


if __name__ == "__main__":
    main()
