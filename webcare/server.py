"""`webcare serve`: gunicorn with one process that also runs the queue worker and the scheduler."""

from __future__ import annotations

import threading

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from webcare.extensions import db
from webcare.jobs import install_jobs
from webcare.protocol.services import active_protocol
from webcare.worker import run_worker


class _LogThroughWebcare(Logger):
    """Gunicorn's own lines ("Listening at", "Booting worker") in Webcare's log format (text or JSON)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.handlers.clear()
        self.error_log.propagate = True


class _SingleProcessServer(BaseApplication):
    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(app: Flask, *, host: str, port: int, threads: int) -> None:
    stop = threading.Event()
    scheduler = BackgroundScheduler(timezone="UTC")

    def start_background_work(worker) -> None:
        with app.app_context():
            db.engine.dispose()
            active_protocol()  # compiling it runs its examples through lingua (seconds): not on the first request
        threading.Thread(
            target=run_worker, args=(app,), kwargs={"stop": stop}, name="queue-worker", daemon=True
        ).start()
        install_jobs(app, scheduler)
        scheduler.start()

    def stop_background_work(server, worker) -> None:  # gunicorn calls worker_exit(server, worker)
        stop.set()
        scheduler.shutdown(wait=False)

    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "post_worker_init": start_background_work,
        "worker_exit": stop_background_work,
        "accesslog": None,  # the app logs one line per request, with its request id (webcare.ops.logs)
        "logger_class": _LogThroughWebcare,
        "timeout": 60,
    }
    _SingleProcessServer(app, options).run()
