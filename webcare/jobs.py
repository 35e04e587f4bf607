"""The scheduler's job list: each job is a short call into a service, run inside the app context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from webcare import demo
from webcare.channels.imap import poll_all
from webcare.channels.webform import send_pending_receipts
from webcare.extensions import db
from webcare.inbox import routing
from webcare.inbox.bundles import close_due_bundles
from webcare.notifications.services import send_pending_emails
from webcare.ops.heartbeat import SCHEDULER, beat
from webcare.ops.metrics import record_job
from webcare.records import services as records
from webcare.reports import digest
from webcare.roster.duty import warn_about_gaps
from webcare.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[], object]
    seconds: float


def demo_trickle() -> None:
    demo.trickle_one()


def send_notification_emails() -> None:
    send_pending_emails()


def close_bundles() -> None:
    close_due_bundles()


def send_weekly_digest() -> None:
    digest.send_weekly_digest(utcnow())


def warn_about_roster_gaps() -> None:
    warn_about_gaps(utcnow())


def route_waiting_cases() -> None:
    routing.route_waiting_cases(utcnow())


def poll_mailboxes() -> None:
    poll_all()


def send_webform_receipts() -> None:
    send_pending_receipts()


def propose_destruction_list() -> None:
    records.propose_destruction_list()


def pseudonymise_authors() -> None:
    records.pseudonymise_authors()


def scheduled_jobs(app: Flask) -> list[Job]:
    jobs: list[Job] = [
        Job("notification-emails", send_notification_emails, 30),
        Job("close-bundles", close_bundles, 60),
        Job("weekly-digest", send_weekly_digest, 3600),
        Job("roster-gap-warnings", warn_about_roster_gaps, 3600),
        Job("roster-route-waiting", route_waiting_cases, 60),
        Job("poll-mailboxes", poll_mailboxes, 60),
        Job("webform-receipts", send_webform_receipts, 30),
        Job("destruction-list", propose_destruction_list, 86400),
        Job("pseudonymise-authors", pseudonymise_authors, 86400),
    ]
    if app.config["WEBCARE_DEMO_TRICKLE_SECONDS"] > 0:
        jobs.append(Job("demo-trickle", demo_trickle, app.config["WEBCARE_DEMO_TRICKLE_SECONDS"]))
    return jobs


def _in_app_context(app: Flask, job: Job) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                job.run()
            except Exception:
                db.session.rollback()
                record_job(job.id, ok=False)
                log.exception("scheduled job %s failed", job.id)
                raise
            else:
                record_job(job.id, ok=True)
                beat(SCHEDULER)
            finally:
                db.session.remove()

    return run


def install_jobs(app: Flask, scheduler: BaseScheduler) -> None:
    for job in scheduled_jobs(app):
        scheduler.add_job(
            _in_app_context(app, job), "interval", seconds=job.seconds, id=job.id, max_instances=1, coalesce=True
        )
