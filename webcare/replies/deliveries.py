"""A reply the platform could not deliver: shown on its case, and its author told."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from webcare.channels.statuses import delivery_failed
from webcare.extensions import db
from webcare.inbox.events import case_link, record
from webcare.inbox.models import Message
from webcare.notifications.services import notify
from webcare.replies.models import Reply


@delivery_failed.connect
def show_failed_delivery(message: Message, *, at: datetime, error: str) -> None:
    """Record the failure on the message's case and tell the author of the reply; flushes nothing."""
    if message.case is None:
        return
    record(message.case, "delivery_failed", by=None, at=at, message_id=message.id, error=error)
    reply = db.session.scalar(select(Reply).where(Reply.message_id == message.id))
    if reply is not None:
        notify(
            [reply.author],
            kind="delivery_failed",
            case_id=message.case_id,
            link=case_link(message.case_id),
            email=False,
            subject=_("Your reply on case #%(case)d was not delivered", case=message.case_id),
            body=error,
        )
