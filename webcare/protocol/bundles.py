"""Bundles: when a window closes, a summary draft (counts, top terms, representative messages, authors)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from flask_babel import gettext

from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.models import Case
from webcare.intake.models import Direction, Message
from webcare.notifications.services import notify, users_with_role
from webcare.protocol.cluster import signature
from webcare.protocol.models import Bundle, BundleStatus
from webcare.protocol.services import active_protocol
from webcare.timeutil import utcnow

TOP_TERMS = 8
REPRESENTATIVES = 3


def summarise_bundle(bundle: Bundle) -> dict:
    """What the members of a bundle said: counts, the most frequent content words, examples and authors."""
    rows = db.session.execute(
        select(Message.id, Message.text, Message.author_id, Message.created_at)
        .join(Case, Case.id == Message.case_id)
        .where(Case.bundle_id == bundle.id, Message.direction == Direction.INBOUND)
        .order_by(Message.created_at)
    ).all()
    terms = Counter(term for _id, text, _author, _at in rows for term in signature(text))
    top_terms = [term for term, _count in terms.most_common(TOP_TERMS)]
    ranked = sorted(rows, key=lambda row: -sum(term in signature(row.text) for term in top_terms))
    return {
        "messages": len(rows),
        "authors": len({row.author_id for row in rows if row.author_id is not None}),
        "top_terms": top_terms,
        "representative_message_ids": [row.id for row in ranked[:REPRESENTATIVES]],
        "representative_texts": [row.text for row in ranked[:REPRESENTATIVES]],
        "first_at": rows[0].created_at.isoformat() if rows else None,
        "last_at": rows[-1].created_at.isoformat() if rows else None,
    }


def _draft(bundle: Bundle, summary: dict) -> str | None:
    protocol = active_protocol()
    if protocol is None or bundle.summary_template_id not in protocol.templates:
        return None
    values = {"onderwerp": bundle.topic or ", ".join(summary["top_terms"][:3]), "aantal": str(summary["messages"])}
    text = protocol.templates[bundle.summary_template_id]
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def close_due_bundles(now: datetime | None = None) -> list[Bundle]:
    """Close every collecting bundle whose window has passed: summary, draft reply, and the leads told."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Bundle)
        .where(Bundle.status == BundleStatus.COLLECTING, Bundle.closes_at <= now)
        .order_by(Bundle.closes_at)
        .with_for_update(skip_locked=True)
    ).all()
    for bundle in due:
        bundle.summary = summarise_bundle(bundle)
        bundle.summary_draft = _draft(bundle, bundle.summary)
        bundle.status = BundleStatus.READY
        notify(
            users_with_role(Role.LEAD),
            kind="bundle_ready",
            subject=gettext("Bundle ready: %(count)s reactions about %(topic)s", count=bundle.summary["messages"], topic=bundle.topic or gettext("one subject")),
            body=bundle.summary_draft or "",
            link="/inbox?view=bundles",
            email=False,
        )
    db.session.commit()
    return list(due)


def open_bundles(limit: int = 100) -> list[Bundle]:
    """Bundles still collecting or ready to answer, the ones closing first on top."""
    return list(
        db.session.scalars(
            select(Bundle)
            .where(Bundle.status.in_([BundleStatus.COLLECTING, BundleStatus.READY]))
            .order_by(Bundle.closes_at)
            .limit(limit)
        )
    )


class BundleNotReady(Exception):
    pass


def bundle_members(bundle: Bundle) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.bundle_id == bundle.id).order_by(Case.first_inbound_at)))


def answer_bundle(bundle: Bundle, text: str, *, by, now: datetime | None = None):
    """Answer all members with one reply, written on the bundle's first case under the writer's mandate.

    The reply goes the usual way (outbox, or approval when the mandate asks for it); when it is sent,
    its first response counts for every member (see webcare.inbox.timing.record_first_response).
    """
    from webcare.replies.services import draft_reply

    if bundle.status != BundleStatus.READY:
        raise BundleNotReady(bundle.id)
    answer_case = next((case for case in bundle_members(bundle) if case.is_active), None)
    if answer_case is None:
        raise BundleNotReady(bundle.id)
    bundle.answer_case_id = answer_case.id
    reply = draft_reply(answer_case, text, by=by, template_id=bundle.summary_template_id, now=now)
    bundle.status = BundleStatus.ANSWERED
    bundle.answered_at = now or utcnow()
    db.session.commit()
    return reply
