"""Bulk import and triage (threading) throughput through the real commands, with each child's peak memory.

    .venv/bin/python bench/intake.py --sizes 100000 1000000 --engines sqlite postgresql

For each size a JSONL file is generated once (bench/generate.py, kept in --workdir); for each engine a
fresh database is migrated (`webcare db upgrade`), then timed as separate child processes:
`webcare import FILE` (parse, validate, store queued) and `webcare worker --drain` (claim batches,
thread each message into a case). Wall time includes process start-up (about a second, measured apart
with `webcare --help`); CPU time is the child's user + system time, steadier than wall time on a shared
machine. Peak memory is each child's RSS high-water mark (wait4 rusage). With --thread-seconds the
worker gets SIGTERM after that long (it finishes its batch and exits) and the rate is the messages done
by then. Scratch databases (SQLite file in --workdir, PostgreSQL `webcare_bench_*`) are dropped
afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sqlite3
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    WEBCARE,
    create_postgres,
    drop_postgres,
    machine,
    run_child,
    run_children,
    sqlite_url,
    webcare_env,
)
from generate import write  # noqa: E402


def data_file(workdir: Path, size: int) -> Path:
    path = workdir / f"messages-{size}.jsonl"
    marker = path.with_suffix(".done")
    if not marker.exists():
        stats = write(size, path)
        marker.write_text(json.dumps(stats))
    return path


def counts(engine: str, url: str, db_path: Path | None) -> dict[str, int]:
    queries = {
        "messages": "SELECT count(*) FROM messages",
        "done": "SELECT count(*) FROM messages WHERE status = 'done'",
        "cases": "SELECT count(*) FROM cases",
        "events": "SELECT count(*) FROM case_events",
    }
    if engine == "sqlite":
        with sqlite3.connect(db_path) as connection:
            return {name: connection.execute(sql).fetchone()[0] for name, sql in queries.items()}
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        return {name: connection.execute(sql).fetchone()[0] for name, sql in queries.items()}


def fresh_database(engine: str, size: int, workdir: Path) -> tuple[str, Path | None]:
    if engine == "sqlite":
        db_path = workdir / f"bench-{size}.sqlite"
        drop_database(engine, size, db_path)
        return sqlite_url(db_path), db_path
    return create_postgres(f"webcare_bench_{size}"), None


def drop_database(engine: str, size: int, db_path: Path | None) -> None:
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    else:
        drop_postgres(f"webcare_bench_{size}")


def bench_one(engine: str, size: int, path: Path, workdir: Path, args: argparse.Namespace) -> None:
    instance = workdir / f"instance-{engine}-{size}"
    instance.mkdir(exist_ok=True)
    url, db_path = fresh_database(engine, size, workdir)
    env = webcare_env(url, instance)
    result: dict = {"engine": engine, "size": size, "file_mb": round(path.stat().st_size / 1e6, 1)}
    try:
        run_child([WEBCARE, "db", "upgrade"], env)
        result["startup_s"] = round(run_child([WEBCARE, "--help"], env).seconds, 2)
        imported = run_child([WEBCARE, "import", str(path)], env)
        result.update(
            import_s=round(imported.seconds, 1),
            import_msg_s=round(size / imported.seconds),
            import_cpu_s=round(imported.cpu_seconds, 1),
            import_rss_mb=round(imported.max_rss_mb),
            import_output=imported.stdout.strip(),
        )
        print(json.dumps(result), flush=True)
        print(
            f"| {size:,} | {engine} | import | {result['import_msg_s']:,} msg/s | {result['import_s']} s wall, "
            f"{result['import_cpu_s']} s CPU | {result['import_rss_mb']} MB |",
            flush=True,
        )
        if args.skip_threading:
            return
        worker = [WEBCARE, "worker", "--drain"] + (
            ["--batch-size", str(args.worker_batch)] if args.worker_batch else []
        )
        command = shlex.split(args.worker_command) if args.worker_command else worker
        if args.workers > 1:
            threaded = run_children([command] * args.workers, env, time_limit=args.thread_seconds)
        else:
            threaded = run_child(command, env, time_limit=args.thread_seconds)
        totals = counts(engine, url, db_path)
        result.update(
            thread_s=round(threaded.seconds, 1),
            thread_msg_s=round(totals["done"] / threaded.seconds),
            thread_cpu_s=round(threaded.cpu_seconds, 1),
            thread_rss_mb=round(threaded.max_rss_mb),
            worker_output=threaded.stdout.strip(),
            **totals,
        )
        print(json.dumps(result), flush=True)
        limited = " (time-limited)" if totals["done"] < size else ""
        workers = f", {args.workers} workers" if args.workers > 1 else ""
        print(
            f"| {size:,} | {engine} | threading{limited}{workers} | {result['thread_msg_s']:,} msg/s | {totals['done']:,} msgs in "
            f"{result['thread_s']} s wall, {result['thread_cpu_s']} s CPU | {result['thread_rss_mb']} MB |",
            flush=True,
        )
    finally:
        if not args.keep:
            drop_database(engine, size, db_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--engines", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/webcare-bench"))
    parser.add_argument(
        "--worker-batch", type=int, default=None, help="`webcare worker --batch-size` (default: config)"
    )
    parser.add_argument("--thread-seconds", type=float, default=None, help="stop the worker (SIGTERM) after this long")
    parser.add_argument("--skip-threading", action="store_true")
    parser.add_argument("--workers", type=int, default=1, help="worker processes draining the queue at once")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument(
        "--worker-command",
        default=None,
        help="run this instead of `webcare worker --drain` (to measure a proposed change)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"# intake benchmark, {machine()}", flush=True)
    for size in args.sizes:
        path = data_file(args.workdir, size)
        for engine in args.engines:
            bench_one(engine, size, path, args.workdir, args)


if __name__ == "__main__":
    main()
