"""Shared pieces of the benchmarks: scratch databases, running `webcare` as a measured child, percentiles."""

from __future__ import annotations

import os
import platform
import resource
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
WEBCARE = str(ROOT / ".venv" / "bin" / "webcare")
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass
class ChildRun:
    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    stdout: str


def webcare_env(database_url: str, instance: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        WEBCARE_DATABASE_URL=database_url,
        WEBCARE_INSTANCE_PATH=str(instance),
        WEBCARE_SECRET_KEY="bench-secret-key",
        WEBCARE_LOG_LEVEL="WARNING",
    )
    return env


def run_child(args: list[str], env: dict[str, str], *, time_limit: float | None = None) -> ChildRun:
    """Run a command to completion (or SIGTERM after `time_limit` s); wall time, CPU time and the child's
    own RSS high-water mark (from wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=err, cwd=ROOT)
        timer = threading.Timer(time_limit, process.send_signal, (signal.SIGTERM,)) if time_limit else None
        if timer:
            timer.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        if timer:
            timer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({process.returncode}):\n{stdout}\n{stderr[-3000:]}")
    return ChildRun(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout)


def run_children(commands: list[list[str]], env: dict[str, str], *, time_limit: float | None = None) -> ChildRun:
    """Run several commands at once (e.g. workers sharing a queue): wall time until the last one ends, and
    their CPU time added up. The RSS is the high-water mark of any child so far (the OS keeps only that)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        for command in commands
    ]
    timers = (
        [threading.Timer(time_limit, process.send_signal, (signal.SIGTERM,)) for process in processes]
        if time_limit
        else []
    )
    for timer in timers:
        timer.start()
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(process.args)} failed ({process.returncode}):\n{stderr.decode()[-3000:]}")
        outputs.append(stdout.decode())
    for timer in timers:
        timer.cancel()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return ChildRun(seconds, cpu, after.ru_maxrss / 1024, "".join(outputs))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def create_postgres(name: str) -> str:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(fraction * 100) - 1]


def machine() -> str:
    return f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, {date.today()}"
