"""Answering a bundle: one reply, written on the bundle's first active case, that answers every member."""

from __future__ import annotations

from datetime import datetime

from webcare.auth.models import User
from webcare.extensions import db
from webcare.inbox.bundles import take_bundle_answer
from webcare.inbox.models import Bundle
from webcare.replies.models import Reply
from webcare.replies.services import draft_reply
from webcare.timeutil import utcnow


def answer_bundle(bundle: Bundle, text: str, *, by: User, now: datetime | None = None) -> Reply:
    """Answer all members with one reply under the writer's mandate (outbox, or approval when it asks).

    When the reply is sent its first response counts for every member (webcare.inbox.timing).
    """
    now = now or utcnow()
    answer_case = take_bundle_answer(bundle, now=now)
    try:
        reply = draft_reply(answer_case, text, by=by, template_id=bundle.summary_template_id, now=now)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return reply
