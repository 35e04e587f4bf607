"""Replies: drafting under the author's mandate, four-eyes approval or rejection, retrying a failed send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webcare.auth.models import User
from webcare.extensions import db
from webcare.inbox.events import case_link, move_case, record
from webcare.inbox.models import ACTIVE_STATUSES, Case, CaseStatus
from webcare.mandates.models import Permission
from webcare.mandates.services import MandateVerdict, mandate_for, rules_for
from webcare.notifications.services import notify
from webcare.replies.models import Reply, ReplyStatus
from webcare.replies.placeholders import unfilled
from webcare.timeutil import utcnow

MAX_REPLY_LENGTH = 5000
DEFAULT_APPROVAL_SLA_MINUTES = 30
# Channels where a public post can also be answered privately (a direct message).
_CHANNELS_WITH_BOTH = frozenset({"x", "facebook", "instagram"})


class ReplyRefused(Exception):
    """A reply that cannot be drafted, approved or rejected as asked; the message says why."""


class UnfilledPlaceholders(ReplyRefused):
    """The text still holds placeholders ({link}, …) that nothing filled: the writer must fill them first."""

    def __init__(self, placeholders: list[str]):
        super().__init__(_l("fill in the placeholders first: %(placeholders)s", placeholders=", ".join(placeholders)))
        self.placeholders = placeholders


class NotPermitted(ReplyRefused):
    pass


class SelfApproval(NotPermitted):
    pass


def tell(users, *, kind: str, case: Case, subject, body: str = "", link: str | None = None, email: bool = True) -> None:
    """Notify each person, the subject (`subject()`, a gettext call) in their own language (default Dutch)."""
    for user in users:
        with force_locale(user.locale or "nl"):
            notify([user], kind=kind, case_id=case.id, link=link, subject=str(subject()), body=body, email=email)


def approval_sla() -> timedelta:
    return timedelta(minutes=current_app.config.get("WEBCARE_APPROVAL_SLA_MINUTES", DEFAULT_APPROVAL_SLA_MINUTES))


def visibilities_for(case: Case) -> tuple[bool, ...]:
    """Which replies the case allows: public and private on a public post where DMs exist, else private only."""
    if case.is_public and case.channel.value in _CHANNELS_WITH_BOTH:
        return (True, False)
    return (case.is_public,)


def pending_reply(case: Case) -> Reply | None:
    return db.session.scalar(
        select(Reply).where(Reply.case_id == case.id, Reply.status == ReplyStatus.PENDING_APPROVAL).limit(1)
    )


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ReplyRefused(_l("the reply is empty"))
    if len(text) > MAX_REPLY_LENGTH:
        raise ReplyRefused(_l("the reply is longer than %(limit)d characters", limit=MAX_REPLY_LENGTH))
    left = unfilled(text)
    if left:
        raise UnfilledPlaceholders(left)
    return text


def _move(case: Case, wanted: CaseStatus, *, by: User | None, at: datetime, **details) -> None:
    move_case(case, wanted, by=by, at=at, **details)


def _queue(reply: Reply, verdict: MandateVerdict, at: datetime) -> None:
    reply.status = ReplyStatus.QUEUED
    reply.mandate_rule_id = verdict.rule.id if verdict.rule else None
    reply.mandate_rule = verdict.rule_description
    reply.queued_at = reply.next_attempt_at = at


def approvers_for(reply: Reply) -> list[User]:
    """Active colleagues (not the author) whose mandate lets them send this reply."""
    candidates = db.session.scalars(select(User).where(User.is_active_account.is_(True), User.id != reply.author_id))
    return [user for user in candidates if mandate_for(user, reply.case, is_public=reply.is_public).may_send]


def draft_reply(
    case: Case,
    text: str,
    *,
    by: User,
    template_id: str | None = None,
    is_public: bool | None = None,
    now: datetime | None = None,
) -> Reply:
    """Write a reply on a case under the author's mandate.

    Covered ("may send"): queued in the outbox and the case waits on the resident at once. Not covered:
    the draft waits for approval (case status waiting_on_approval). "May not": refused.
    """
    now = now or utcnow()
    text = _check_text(text)
    if not case.is_active:
        raise ReplyRefused(_l("the case is no longer active; reopen it before replying"))
    if pending_reply(case) is not None:
        raise ReplyRefused(_l("a reply on this case is already waiting for approval"))
    if is_public is None:
        is_public = case.is_public
    if is_public not in visibilities_for(case):
        raise ReplyRefused(_l("this case cannot be answered publicly"))
    verdict = mandate_for(by, case, is_public=is_public)
    if verdict.permission == Permission.MAY_NOT:
        raise NotPermitted(
            _l(
                "your mandate does not allow this reply (%(rule)s); ask a lead to take it over",
                rule=verdict.rule_description,
            )
        )
    reply = Reply(
        case=case,
        author=by,
        text=text,
        template_id=template_id or None,
        is_public=is_public,
        topic=verdict.topic,
        risk=verdict.risk,
        submitted_at=now,
        status=ReplyStatus.PENDING_APPROVAL,
    )
    db.session.add(reply)
    db.session.flush()
    details = dict(reply_id=reply.id, risk=verdict.risk.value, is_public=is_public, template_id=template_id)
    if verdict.may_send:
        _queue(reply, verdict, now)
        record(case, "reply_queued", by=by, at=now, mandate_rule=reply.mandate_rule, **details)
        _move(case, CaseStatus.WAITING_ON_RESIDENT, by=by, at=now)
    else:
        record(case, "approval_requested", by=by, at=now, mandate_rule=verdict.rule_description, **details)
        _move(case, CaseStatus.WAITING_ON_APPROVAL, by=by, at=now)
        tell(
            approvers_for(reply),
            kind="approval_requested",
            case=case,
            link=f"/approvals/{reply.id}",
            body=text,
            subject=lambda: _("Approval asked: reply on case #%(case)d by %(name)s", case=case.id, name=by.name),
        )
    db.session.commit()
    return reply


def _check_approver(reply: Reply, by: User) -> MandateVerdict:
    if not reply.is_pending:
        raise ReplyRefused(_l("this reply is not waiting for approval (any more)"))
    if reply.author_id == by.id:
        raise SelfApproval("you cannot approve or reject your own reply: four eyes")
    verdict = mandate_for(by, reply.case, is_public=reply.is_public)
    if not verdict.may_send:
        raise NotPermitted(_l("your mandate does not cover this reply (%(rule)s)", rule=verdict.rule_description))
    return verdict


def approve_reply(reply: Reply, *, by: User, edited_text: str | None = None, now: datetime | None = None) -> Reply:
    """Approve a waiting reply (optionally after editing) under the approver's mandate; it goes to the outbox."""
    now = now or utcnow()
    verdict = _check_approver(reply, by)
    if edited_text is not None and edited_text.strip() != reply.text:
        reply.drafted_text, reply.text = reply.text, _check_text(edited_text)
    reply.approved_by, reply.approved_at = by, now
    reply.risk, reply.topic = verdict.risk, verdict.topic
    _queue(reply, verdict, now)
    case = reply.case
    record(
        case,
        "reply_approved",
        by=by,
        at=now,
        reply_id=reply.id,
        author_id=reply.author_id,
        is_edited=reply.drafted_text is not None,
        mandate_rule=reply.mandate_rule,
    )
    _move(case, CaseStatus.WAITING_ON_RESIDENT, by=by, at=now)
    changed = reply.drafted_text is not None  # the author is mailed only when their text was changed

    def subject() -> str:
        if changed:
            return _("Your reply on case #%(case)d was approved by %(name)s, with changes", case=case.id, name=by.name)
        return _("Your reply on case #%(case)d was approved by %(name)s", case=case.id, name=by.name)

    tell(
        [reply.author],
        kind="reply_approved",
        case=case,
        link=case_link(case.id),
        body=reply.text,
        email=changed,
        subject=subject,
    )
    db.session.commit()
    return reply


def reject_reply(reply: Reply, reason: str, *, by: User, now: datetime | None = None) -> Reply:
    """Send a waiting reply back with a reason: the author is told and the case is open again."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ReplyRefused(_l("say why the reply is rejected"))
    _check_approver(reply, by)
    reply.status = ReplyStatus.REJECTED
    reply.rejected_by, reply.rejected_at, reply.rejection_reason = by, now, reason
    case = reply.case
    record(case, "reply_rejected", by=by, at=now, reply_id=reply.id, author_id=reply.author_id, reason=reason)
    _move(case, CaseStatus.OPEN, by=by, at=now)
    tell(
        [reply.author],
        kind="reply_rejected",
        case=case,
        link=case_link(case.id),
        body=f"{reason}\n\n{reply.text}",
        subject=lambda: _("Your reply on case #%(case)d was rejected by %(name)s", case=case.id, name=by.name),
    )
    db.session.commit()
    return reply


def retry_reply(reply: Reply, *, by: User, now: datetime | None = None) -> Reply:
    """Put a reply that failed to send back in the outbox, for another round of attempts."""
    now = now or utcnow()
    if reply.status != ReplyStatus.FAILED:
        raise ReplyRefused(_l("only a failed reply can be sent again"))
    reply.status = ReplyStatus.QUEUED
    reply.attempts = 0
    reply.next_attempt_at = now
    reply.failed_at = None
    case = reply.case
    record(case, "reply_retried", by=by, at=now, reply_id=reply.id)
    if case.status in ACTIVE_STATUSES:
        _move(case, CaseStatus.WAITING_ON_RESIDENT, by=by, at=now)
    db.session.commit()
    return reply


@dataclass(frozen=True)
class QueueItem:
    reply: Reply
    due_at: datetime
    age: timedelta
    is_overdue: bool
    verdict: MandateVerdict | None

    @property
    def may_decide(self) -> bool:
        return self.verdict is not None and self.verdict.may_send


def approval_queue(viewer: User, *, now: datetime | None = None, limit: int = 200) -> list[QueueItem]:
    """Replies waiting for approval, oldest first, with their age against the approval SLA."""
    now = now or utcnow()
    sla = approval_sla()
    replies = db.session.scalars(
        select(Reply)
        .where(Reply.status == ReplyStatus.PENDING_APPROVAL)
        .order_by(Reply.submitted_at, Reply.id)
        .limit(limit)
    )
    items = []
    for reply in replies:
        verdict = None if reply.author_id == viewer.id else mandate_for(viewer, reply.case, is_public=reply.is_public)
        due_at = reply.submitted_at + sla
        items.append(QueueItem(reply, due_at, now - reply.submitted_at, now > due_at, verdict))
    return items


def holds_approving_mandate(user: User) -> bool:
    """Whether any mandate rule lets `user` send some reply directly, and so approve a colleague's."""
    return any(rule.permission == Permission.MAY_SEND for rule in rules_for(user))


def failed_replies(limit: int = 200) -> list[Reply]:
    return list(
        db.session.scalars(
            select(Reply)
            .where(Reply.status == ReplyStatus.FAILED)
            .order_by(Reply.failed_at.desc(), Reply.id.desc())
            .limit(limit)
        )
    )


def replies_of(case: Case) -> list[Reply]:
    return list(db.session.scalars(select(Reply).where(Reply.case_id == case.id).order_by(Reply.id)))
