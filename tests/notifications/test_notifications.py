"""Notifications: stored for the addressee, mailed through a real SMTP server by the job, read in the app."""

import socket
from datetime import timedelta

from sqlalchemy import select

from webcare.auth.models import Role
from webcare.extensions import db
from webcare.notifications.models import Notification
from webcare.notifications.services import MAX_EMAIL_ATTEMPTS, notify, send_pending_emails
from webcare.timeutil import utcnow


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


def test_an_unreachable_mail_server_is_retried_with_backoff_then_given_up_and_shown_once_to_an_admin(
    app, make_user, caplog
):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    lead, admin = make_user(Role.LEAD), make_user(Role.ADMIN)
    notify([lead], kind="escalation", subject="x", case_id=None)
    notify([lead], kind="reply_rejected", subject="y")
    db.session.commit()
    now = utcnow()

    send_pending_emails(now=now)
    send_pending_emails(now=now + timedelta(seconds=30))  # within the first wait: nothing tried
    notification = db.session.scalar(select(Notification).where(Notification.kind == "escalation"))
    assert notification.email_attempts == 1 and notification.email_next_at == now + timedelta(minutes=1)
    assert len([record for record in caplog.records if "could not e-mail" in record.getMessage()]) == 1

    for minutes in (1, 6, 31, 156, 1000, 2000):
        send_pending_emails(now=now + timedelta(minutes=minutes))

    db.session.refresh(notification)
    assert notification.emailed_at is None and notification.email_attempts == MAX_EMAIL_ATTEMPTS
    assert "Connection" in notification.email_error or "refused" in notification.email_error.lower()
    told = db.session.scalars(select(Notification).where(Notification.kind == "email_failed")).all()
    assert [item.user_id for item in told] == [admin.id] and not told[0].wants_email


def test_one_unread_notification_per_thing_and_e_mail_only_as_the_person_chose(app, make_user):
    from tests.workflow.inbox_builders import new_case

    lead, quiet = make_user(Role.LEAD), make_user(Role.LEAD)
    quiet.email_notifications = "urgent"
    case = new_case("dreiging")
    for _attempt in range(3):
        notify([lead, quiet], kind="escalation", subject="Escalatie", case_id=case.id)
        notify([lead, quiet], kind="reply_rejected", subject="Afgewezen", case_id=case.id)
    db.session.commit()

    stored = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(item.user_id, item.kind, item.wants_email) for item in stored] == [
        (lead.id, "escalation", True),
        (quiet.id, "escalation", True),
        (lead.id, "reply_rejected", True),
        (quiet.id, "reply_rejected", False),
    ]


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


def test_a_person_chooses_what_reaches_them_by_e_mail_on_the_notifications_page(client, make_user, auth, csrf_from):
    agent = make_user(Role.AGENT)
    auth.login_as(agent)
    token = csrf_from(client.get("/notifications/").get_data(as_text=True))

    assert (
        client.post("/notifications/settings", data={"csrf_token": token, "email_notifications": "none"}).status_code
        == 303
    )
    assert (
        client.post("/notifications/settings", data={"csrf_token": token, "email_notifications": "spam"}).status_code
        == 400
    )

    db.session.refresh(agent)
    assert agent.email_notifications == "none"
    notify([agent], kind="escalation", subject="x")
    assert db.session.scalar(select(Notification)).wants_email is False
