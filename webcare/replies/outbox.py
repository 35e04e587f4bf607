"""The outbox: claiming due replies under a lease, sending them through the channel's connector, retrying."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, any_, func, or_, select, update
from sqlalchemy.exc import OperationalError

from webcare.channels import registry
from webcare.channels.base import Connector, OutgoingReply, SendFailed
from webcare.channels.statuses import link_statuses
from webcare.extensions import db
from webcare.inbox.events import case_link, move_case, record
from webcare.inbox.models import Case, CaseStatus, Direction, Message, MessageStatus
from webcare.inbox.services import record_sent_reply
from webcare.replies.models import Reply, ReplyStatus
from webcare.replies.services import tell
from webcare.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
DEFAULT_LEASE = timedelta(minutes=2)


class NoConnector(Exception):
    pass


def backoff(attempts: int, retry_after_seconds: float | None = None) -> timedelta:
    """Wait before the next attempt: 30 s, 1 min, 2 min, … up to an hour; longer when the platform asks."""
    wait = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
    if retry_after_seconds is not None:
        wait = max(wait, timedelta(seconds=retry_after_seconds))
    return wait


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def claim_due_replies(*, limit: int, lease: timedelta, now: datetime) -> tuple[str, list[int]]:
    """Claim up to `limit` due replies (or ones whose sending lease ran out) in one committed transaction."""
    token = uuid.uuid4().hex
    claimable = or_(
        and_(Reply.status == ReplyStatus.QUEUED, Reply.next_attempt_at <= now),
        and_(Reply.status == ReplyStatus.SENDING, Reply.lease_expires_at < now),
    )
    candidates = select(Reply.id).where(claimable).order_by(Reply.next_attempt_at, Reply.id).limit(limit)
    if _is_postgresql():
        chosen = Reply.id == any_(func.array(candidates.with_for_update(skip_locked=True).scalar_subquery()))
    else:
        chosen = Reply.id.in_(candidates.scalar_subquery())
    claimed = db.session.scalars(
        update(Reply)
        .where(chosen, claimable)
        .values(
            status=ReplyStatus.SENDING, claim_token=token, lease_expires_at=now + lease, attempts=Reply.attempts + 1
        )
        .returning(Reply.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return token, sorted(claimed)


def connector_for(account) -> Connector:
    """The account's connector (see webcare.channels.registry); NoConnector for a channel without one."""
    try:
        return registry.connector_for(account)
    except LookupError:
        raise NoConnector(f"no connector for this channel ({account.channel.value}) yet") from None


def _last_inbound(case: Case) -> Message | None:
    return db.session.scalar(
        select(Message)
        .where(Message.case_id == case.id, Message.direction == Direction.INBOUND)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )


def outgoing(reply: Reply) -> OutgoingReply:
    case = reply.case
    parent = _last_inbound(case)
    author = case.author
    recipient = None
    if author is not None:
        recipient = author.platform_id if "@" in author.platform_id or not author.handle else author.handle
    return OutgoingReply(
        account=case.account,
        text=reply.text,
        is_public=reply.is_public,
        in_reply_to=parent.external_id if parent is not None else None,
        recipient=recipient,
        conversation_id=case.conversation_id,
    )


def _record_sent(reply_id: int, sent, connector_name: str, in_reply_to: str | None, now: datetime) -> None:
    query = select(Reply).where(Reply.id == reply_id)
    reply = db.session.scalar(query.with_for_update(of=Reply) if _is_postgresql() else query)
    if reply.status == ReplyStatus.SENT:
        log.warning("reply %s was sent twice (its lease ran out while sending)", reply_id)
        db.session.rollback()
        return
    case = reply.case
    message = Message(
        channel=case.channel,
        account_id=case.account_id,
        external_id=sent.external_id,
        direction=Direction.OUTBOUND,
        created_at=now,
        received_at=now,
        text=reply.text,
        raw=sent.raw_response,
        in_reply_to=in_reply_to,
        conversation_id=case.conversation_id,
        is_public=reply.is_public,
        source=f"outbox:{connector_name}",
        status=MessageStatus.DONE,
        processed_at=now,
        case_id=case.id,
    )
    db.session.add(message)
    db.session.flush()
    reply.status, reply.sent_at, reply.message_id = ReplyStatus.SENT, now, message.id
    reply.claim_token = reply.lease_expires_at = reply.last_error = None
    record_sent_reply(
        case,
        message,
        at=now,
        reply_id=reply.id,
        author_id=reply.author_id,
        approved_by_id=reply.approved_by_id,
        mandate_rule=reply.mandate_rule,
        connector=connector_name,
    )
    link_statuses(message)  # status webhooks can arrive before this commit
    db.session.commit()


def _record_failure(reply_id: int, token: str, error: Exception, now: datetime) -> ReplyStatus | None:
    reply = db.session.get(Reply, reply_id)
    if reply is None or reply.claim_token != token:
        db.session.rollback()
        return None
    reply.last_error = str(error)[:2000] or type(error).__name__
    reply.claim_token = reply.lease_expires_at = None
    is_permanent = isinstance(error, NoConnector) or getattr(error, "is_permanent", False)
    if is_permanent or reply.attempts >= MAX_SEND_ATTEMPTS:
        reply.status, reply.failed_at, reply.next_attempt_at = ReplyStatus.FAILED, now, None
        case = reply.case
        record(
            case, "reply_failed", by=None, at=now, reply_id=reply.id, attempts=reply.attempts, error=reply.last_error
        )
        if case.status == CaseStatus.WAITING_ON_RESIDENT:
            move_case(case, CaseStatus.OPEN, by=None, at=now)
        tell(
            [reply.author],
            kind="reply_failed",
            case=case,
            link=case_link(case.id),
            email=False,
            body=reply.last_error,
            subject=lambda: _("Your reply on case #%(case)d could not be sent", case=case.id),
        )
    else:
        reply.status = ReplyStatus.QUEUED
        reply.next_attempt_at = now + backoff(reply.attempts, getattr(error, "retry_after_seconds", None))
    status = reply.status
    db.session.commit()
    return status


def _send_one(reply_id: int, token: str, now: datetime) -> ReplyStatus | None:
    reply = db.session.get(Reply, reply_id)
    if reply is None or reply.claim_token != token:
        db.session.rollback()
        return None
    try:
        connector = connector_for(reply.case.account)
        message = outgoing(reply)
        reply.connector = type(connector).__name__
        db.session.commit()
        sent = connector.send(message)
    except OperationalError:
        raise
    except (SendFailed, NoConnector) as error:
        db.session.rollback()
        log.warning("reply %s not sent: %s", reply_id, error)
        return _record_failure(reply_id, token, error, now)
    except Exception as error:  # a connector bug must not stop the outbox; it is retried like a refusal
        db.session.rollback()
        log.exception("reply %s: the connector failed", reply_id)
        return _record_failure(reply_id, token, error, now)
    _record_sent(reply_id, sent, type(connector).__name__, message.in_reply_to, now)
    return ReplyStatus.SENT


def send_due_replies(now: datetime | None = None, limit: int = 20, lease: timedelta = DEFAULT_LEASE) -> dict[str, int]:
    """Send what the outbox holds that is due; safe to run in several workers at once. Returns counts."""
    now = now or utcnow()
    token, reply_ids = claim_due_replies(limit=limit, lease=lease, now=now)
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    for reply_id in reply_ids:
        try:
            status = _send_one(reply_id, token, now)
        except OperationalError:
            raise
        except Exception:  # recording failed after sending: the lease runs out and the reply is looked at again
            db.session.rollback()
            log.exception("reply %s: could not record the outcome of sending", reply_id)
            continue
        if status == ReplyStatus.SENT:
            counts["sent"] += 1
        elif status == ReplyStatus.QUEUED:
            counts["retrying"] += 1
        elif status == ReplyStatus.FAILED:
            counts["failed"] += 1
    return counts


def outbox_depth() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Reply).where(Reply.status.in_([ReplyStatus.QUEUED, ReplyStatus.SENDING]))
    )
