"""Telling staff: an in-app notification per person, and an e-mail when SMTP is configured."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from webcare.auth.models import Role, User, UserRole
from webcare.extensions import db
from webcare.notifications.models import Notification
from webcare.timeutil import utcnow

log = logging.getLogger(__name__)


def users_with_role(role: Role) -> list[User]:
    return list(
        db.session.scalars(
            select(User).join(UserRole).where(UserRole.role == role, User.is_active_account.is_(True)).order_by(User.id)
        )
    )


MAX_EMAIL_ATTEMPTS = 5
# After the n-th failed attempt the next waits RETRY_BASE × 5^(n-1): 1, 5, 25, 125 minutes, then it is given up.
RETRY_BASE = timedelta(minutes=1)
EMAIL_CHOICES = ("all", "urgent", "none")
URGENT_KINDS = frozenset({"escalation", "urgent_case", "roster_gap", "email_failed"})


def notify(
    users: Iterable[User],
    *,
    kind: str,
    subject: str,
    body: str = "",
    link: str | None = None,
    case_id: int | None = None,
    email: bool = True,
) -> list[Notification]:
    """Store a notification for each user; when `email`, it is mailed by `send_pending_emails`.

    One notification per thing: a person who still has an unread one of this kind about this case gets no
    second. Whether it is mailed follows the person's own choice (`email_notifications`).
    Flushes only: the caller's transaction decides, and no SMTP call ever runs inside it.
    """
    notifications = []
    for user in users:
        if case_id is not None and _has_unread(user, kind, case_id):
            continue
        notification = Notification(
            user=user,
            kind=kind,
            subject=subject,
            body=body,
            link=link,
            case_id=case_id,
            wants_email=email and wants_email(user, kind),
        )
        db.session.add(notification)
        notifications.append(notification)
    db.session.flush()
    return notifications


def wants_email(user: User, kind: str) -> bool:
    choice = user.email_notifications or "all"
    return choice == "all" or (choice == "urgent" and kind in URGENT_KINDS)


def _has_unread(user: User, kind: str, case_id: int) -> bool:
    pending = [
        item
        for item in db.session.new
        if isinstance(item, Notification) and item.user is user and item.kind == kind and item.case_id == case_id
    ]
    return (
        bool(pending)
        or db.session.scalar(
            select(Notification.id)
            .where(
                Notification.user_id == user.id,
                Notification.read_at.is_(None),
                Notification.kind == kind,
                Notification.case_id == case_id,
            )
            .limit(1)
        )
        is not None
    )


def send_pending_emails(limit: int = 50, *, now: datetime | None = None) -> int:
    """Mail the notifications that want an e-mail, have none yet and are due; returns how many were sent.

    A failure is retried with growing waits and given up after MAX_EMAIL_ATTEMPTS; the admins then get one
    in-app notice (not another while it is unread). One log line per run, however many failed.
    """
    now = now or utcnow()
    pending = db.session.scalars(
        select(Notification)
        .where(
            Notification.wants_email.is_(True),
            Notification.emailed_at.is_(None),
            Notification.email_attempts < MAX_EMAIL_ATTEMPTS,
            or_(Notification.email_next_at.is_(None), Notification.email_next_at <= now),
        )
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent, failures = 0, []
    for notification in pending:
        notification.email_attempts += 1
        error = _email(notification, now)
        if error is None:
            sent += 1
            continue
        failures.append(error)
        if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
            _tell_admins_mail_fails(error)
    if failures:
        log.warning("could not e-mail %d notification(s), retrying later: %s", len(failures), failures[-1])
    db.session.commit()
    return sent


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail through the configured SMTP server; raises on failure."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _email(notification: Notification, now: datetime) -> str | None:
    """Try once; on failure record it (for admins) and when to try again, and return what went wrong."""
    try:
        send_mail(notification.user.email, notification.subject, notification.body)
    except (OSError, smtplib.SMTPException) as error:
        notification.email_error = f"{type(error).__name__}: {error}"[:2000]
        notification.email_next_at = now + RETRY_BASE * 5 ** (notification.email_attempts - 1)
        return notification.email_error
    notification.emailed_at = now
    return None


def _tell_admins_mail_fails(error: str) -> None:
    """One in-app notice per admin that mail is given up on (none while the last one is unread); never mailed."""
    for admin in users_with_role(Role.ADMIN):
        unread = db.session.scalar(
            select(Notification.id)
            .where(
                Notification.user_id == admin.id, Notification.kind == "email_failed", Notification.read_at.is_(None)
            )
            .limit(1)
        )
        if unread is None and not any(
            isinstance(item, Notification) and item.user is admin and item.kind == "email_failed"
            for item in db.session.new
        ):
            with force_locale(admin.locale or "nl"):
                subject = _(
                    "E-mail notifications could not be sent; check the mail server settings (WEBCARE_SMTP_HOST)."
                )
            db.session.add(
                Notification(
                    user=admin,
                    kind="email_failed",
                    wants_email=False,
                    link="/notifications/",
                    subject=subject,
                    body=error,
                )
            )


def unread_for(user: User, limit: int | None = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def recent_for(user: User, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(limit)
        )
    )


class NotYours(Exception):
    pass


def mark_read(notifications: Iterable[Notification], *, by: User) -> None:
    """Mark notifications read; only their addressee may."""
    now = utcnow()
    for notification in notifications:
        if notification.user_id != by.id:
            raise NotYours(notification.id)
        notification.read_at = notification.read_at or now
    db.session.commit()
