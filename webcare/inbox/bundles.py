"""Bundles: similar reactions joined while a window is open, and a summary draft when it closes.

Two workers may meet the same wave at once: a bundle is opened with an insert that yields to one already
collecting for the same key (a partial unique index), members are counted with atomic increments, and
earlier cases swept into a wave are only those no other transaction holds.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.events import move_case, record
from webcare.inbox.models import (
    ALLOWED_TRANSITIONS,
    Bundle,
    BundleStatus,
    Case,
    CaseStatus,
    Direction,
    Message,
    Priority,
)
from webcare.notifications.services import notify, users_with_role
from webcare.protocol.cluster import signature
from webcare.protocol.engine import Action, Decision
from webcare.protocol.services import active_protocol
from webcare.timeutil import utcnow

DEFAULT_WINDOW = timedelta(hours=2)
# A wave sweeps up only cases that asked nothing more of us than an answer; escalations and urgent cases
# (a threat, an attack on a named person) stay on their own.
_SWEEPABLE_ACTIONS = (Action.REPLY.value, Action.IGNORE.value, Action.SUMMARISE.value)

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
            subject=gettext(
                "Bundle ready: %(count)s reactions about %(topic)s",
                count=bundle.summary["messages"],
                topic=bundle.topic or gettext("one subject"),
            ),
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


def take_bundle_answer(bundle: Bundle, *, now: datetime) -> Case:
    """Mark a ready bundle answered and return the case its one reply is written on; the caller drafts it."""
    if bundle.status != BundleStatus.READY:
        raise BundleNotReady(bundle.id)
    answer_case = next((case for case in bundle_members(bundle) if case.is_active), None)
    if answer_case is None:
        raise BundleNotReady(bundle.id)
    bundle.answer_case_id = answer_case.id
    bundle.status = BundleStatus.ANSWERED
    bundle.answered_at = now
    return answer_case


def _collecting_bundle(key: str, decision: Decision, case: Case, message: Message) -> int:
    """The id of the bundle collecting for `key`, opened now if there is none (whoever inserts first wins)."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(
        insert(Bundle)
        .values(
            cluster_key=key,
            rule_id=decision.rule_id,
            topic=case.topic,
            status=BundleStatus.COLLECTING,
            opened_at=message.created_at,
            closes_at=message.created_at + (decision.summary_window or DEFAULT_WINDOW),
            summary_template_id=decision.template_id,
            summary={},
            member_count=0,
        )
        .on_conflict_do_nothing()
    )
    return db.session.scalar(
        select(Bundle.id).where(Bundle.cluster_key == key, Bundle.status == BundleStatus.COLLECTING)
    )


def _count_members(bundle_id: int, added: int) -> None:
    db.session.execute(
        update(Bundle)
        .where(Bundle.id == bundle_id)
        .values(member_count=Bundle.member_count + added)
        .execution_options(synchronize_session=False)
    )


def join_bundle(case: Case, message: Message, decision: Decision, cluster_id: str, now: datetime) -> None:
    """Put a case the protocol summarises into the bundle collecting its wave."""
    bundle_id = _collecting_bundle(f"{decision.rule_id}:{cluster_id}", decision, case, message)
    _count_members(bundle_id, 1)
    case.bundle_id = bundle_id
    if CaseStatus.OPEN in ALLOWED_TRANSITIONS[case.status]:
        move_case(case, CaseStatus.OPEN, by=None)
    record(case, "bundled", by=None, at=now, bundle_id=bundle_id, rule_id=decision.rule_id)


def gather_wave(bundle_id: int, message_ids: list[int], now: datetime) -> None:
    """Earlier reactions of the same wave, still unanswered, join the bundle the wave opened.

    Cases another transaction holds are skipped rather than waited for: waiting here, with the batch's own
    cases locked, is how two workers deadlock.
    """
    db.session.flush()
    candidates = db.session.scalars(
        select(Case)
        .join(Message, Message.case_id == Case.id)
        .where(
            Message.id.in_(message_ids),
            Case.bundle_id.is_(None),
            Case.first_response_at.is_(None),
            Case.owner_id.is_(None),
            Case.status.in_([CaseStatus.NEW, CaseStatus.OPEN]),
            Case.action.in_(_SWEEPABLE_ACTIONS),
            Case.priority.is_distinct_from(Priority.URGENT),
        )
        .order_by(Case.id)
        .with_for_update(of=Case, skip_locked=True)
    ).all()
    rule_id = db.session.scalar(select(Bundle.rule_id).where(Bundle.id == bundle_id))
    for case in candidates:
        case.bundle_id = bundle_id
        record(case, "bundled", by=None, at=now, bundle_id=bundle_id, rule_id=rule_id, reason="joined_wave")
    if candidates:
        _count_members(bundle_id, len(candidates))
