"""Telling staff: an in-app notification per person, and an e-mail when SMTP is configured."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select

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

    Flushes only: the caller's transaction decides, and no SMTP call ever runs inside it.
    """
    notifications = []
    for user in users:
        notification = Notification(
            user=user, kind=kind, subject=subject, body=body, link=link, case_id=case_id, wants_email=email
        )
        db.session.add(notification)
        notifications.append(notification)
    db.session.flush()
    return notifications


def send_pending_emails(limit: int = 50) -> int:
    """Mail the notifications that want an e-mail and have none yet; returns how many were sent."""
    pending = db.session.scalars(
        select(Notification)
        .where(
            Notification.wants_email.is_(True),
            Notification.emailed_at.is_(None),
            Notification.email_attempts < MAX_EMAIL_ATTEMPTS,
        )
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for notification in pending:
        notification.email_attempts += 1
        _email(notification)
        sent += notification.emailed_at is not None
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


def _email(notification: Notification) -> None:
    try:
        send_mail(notification.user.email, notification.subject, notification.body)
    except (OSError, smtplib.SMTPException) as error:
        notification.email_error = f"{type(error).__name__}: {error}"[:2000]
        log.warning("could not e-mail %s: %s", notification.user.email, error)
    else:
        notification.emailed_at = utcnow()


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
