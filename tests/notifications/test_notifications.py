"""Notifications: stored for the addressee, mailed through a real SMTP server by the job, read in the app."""

import socket

from sqlalchemy import select

from webcare.auth.models import Role
from webcare.extensions import db
from webcare.notifications.models import Notification
from webcare.notifications.services import MAX_EMAIL_ATTEMPTS, notify, send_pending_emails


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_notification_is_mailed_once_by_the_job_with_dutch_text_intact(app, smtp, make_user):
    lead = make_user(Role.LEAD)
    notify([lead], kind="escalation", subject="Escalatie: zaak #7 naar teamleider", body="Bedreiging geüit 😡")
    db.session.commit()

    assert send_pending_emails() == 1
    assert send_pending_emails() == 0

    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == [lead.email]
    content = envelope.content.decode()
    assert "Escalatie: zaak #7" in content
    notification = db.session.scalar(select(Notification))
    assert notification.emailed_at is not None and notification.email_error is None


def test_an_unreachable_mail_server_is_recorded_and_retried_a_limited_number_of_times(app, make_user):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    notify([make_user(Role.LEAD)], kind="escalation", subject="x")
    db.session.commit()

    for _ in range(MAX_EMAIL_ATTEMPTS + 2):
        send_pending_emails()

    notification = db.session.scalar(select(Notification))
    assert notification.emailed_at is None
    assert notification.email_attempts == MAX_EMAIL_ATTEMPTS
    assert "Connection" in notification.email_error or "refused" in notification.email_error.lower()


def test_in_app_only_notifications_are_never_mailed(app, smtp, make_user):
    notify([make_user(Role.LEAD)], kind="bundle_ready", subject="x", email=False)
    db.session.commit()

    assert send_pending_emails() == 0 and smtp.messages == []


def test_a_user_sees_and_reads_only_their_own_notifications(client, make_user, auth, csrf_from):
    mine, theirs = make_user(Role.AGENT), make_user(Role.AGENT)
    notify([mine], kind="approval", subject="Je antwoord is goedgekeurd", email=False)
    notify([theirs], kind="approval", subject="Niet voor jou", email=False)
    db.session.commit()
    auth.login_as(mine)

    page = client.get("/notifications/").get_data(as_text=True)
    assert "Je antwoord is goedgekeurd" in page and "Niet voor jou" not in page
    assert 'class="badge">1' in client.get("/inbox").get_data(as_text=True)

    other = db.session.scalar(select(Notification).where(Notification.user_id == theirs.id))
    token = csrf_from(page)
    assert client.post(f"/notifications/{other.id}/read", data={"csrf_token": token}).status_code == 404
    client.post("/notifications/read-all", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.scalar(select(Notification).where(Notification.user_id == mine.id)).read_at is not None
    assert other.read_at is None


def test_anonymous_visitors_cannot_see_notifications(client):
    assert client.get("/notifications/").status_code == 302
