"""E-mail in: polling IMAP mailboxes (by UID, nothing read twice), threading headers, and bounces of our replies.

Sending e-mail is webcare/channels/email.py (SMTP). Per e-mail account the channel admin sets
`imap_host`, `imap_port` (993), `imap_ssl` (on), `imap_username` (default: the handle) and `imap_folder`
(INBOX); the password is the environment variable WEBCARE_CHANNEL_EMAIL_<HANDLE>_IMAP_PASSWORD.
"""

from __future__ import annotations

import imaplib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from webcare.accounts.models import Account, Channel
from webcare.channels.base import ParsedDelivery, StatusUpdate
from webcare.channels.models import ChannelSettings
from webcare.channels.receiving import log_poll_failure, settings_of, take_in
from webcare.channels.secrets import MissingSecret, account_secret
from webcare.channels.statuses import record_status_updates
from webcare.extensions import db
from webcare.inbox.models import Direction, Message
from webcare.intake.services import dead_letter
from webcare.timeutil import utcnow

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
BATCH = 100
MAX_KEPT_SOURCE = 1_000_000
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
BOUNCE_SUBJECTS = re.compile(
    r"undeliver|delivery status notification|returned mail|delivery failure|niet afgeleverd", re.IGNORECASE
)


class _Text(HTMLParser):
    """Readable text from an HTML body: block elements become line breaks, scripts and styles are dropped."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "head"}:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in {"script", "style", "head"}:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_of_html(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.text()


def _ids(value: Any) -> list[str]:
    return MESSAGE_ID.findall(str(value or ""))


def body_text(message: EmailMessage) -> str:
    """The text/plain part, or the text of the HTML part; decoded from its charset (Dutch diacritics intact)."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        content = part.get_payload(decode=True).decode("utf-8", "replace")
    content = content.replace("\r\n", "\n")
    return text_of_html(content) if part.get_content_type() == "text/html" else content.strip()


@dataclass
class Bounce:
    """A delivery report on one of our e-mails: which message (its Message-ID) failed, and why."""

    original_id: str | None
    error: str
    at: str | None = None
    recipients: list[str] = field(default_factory=list)
    # A report that delivery is only delayed (the server keeps trying): neither a failure nor a resident's mail.
    is_delay: bool = False


def bounce_of(message: EmailMessage) -> Bounce | None:
    """A bounce (RFC 3464 delivery status report, or a mailer-daemon's message), or None for ordinary mail."""
    is_report = (
        message.get_content_type() == "multipart/report"
        and message.get_param("report-type", "").lower() == "delivery-status"
    )
    sender = parseaddr(str(message.get("From", "")))[1]
    if not is_report and not (BOUNCE_SENDERS.match(sender) and BOUNCE_SUBJECTS.search(str(message.get("Subject", "")))):
        return None
    original_id, failures, delayed_only = None, [], False
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            actions = []
            for block in blocks[1:] if isinstance(blocks, list) else []:
                action = str(block.get("Action", "")).lower()
                actions.append(action)
                if action == "failed":
                    recipient = str(block.get("Final-Recipient", "")).partition(";")[2].strip()
                    reason = " ".join(str(block.get("Diagnostic-Code", "")).partition(";")[2].split())
                    failures.append(f"{recipient}: {block.get('Status', '')} {reason}".strip())
            delayed_only = bool(actions) and all(
                action in {"delayed", "relayed", "delivered", "expanded"} for action in actions
            )
        elif kind in {"message/rfc822", "text/rfc822-headers"} and original_id is None:
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                original_id = next(iter(_ids(inner[0].get("Message-ID"))), None)
            else:
                headers = part.get_payload(decode=True) or b""
                found = re.search(rb"^Message-ID:\s*(<[^>]+>)", headers, re.IGNORECASE | re.MULTILINE)
                original_id = found.group(1).decode("ascii", "replace") if found else None
    if delayed_only:
        return Bounce(original_id, "delayed", is_delay=True)
    if original_id is None:  # a mailer-daemon's plain-text bounce quoting the original headers
        found = re.search(r"^\s*Message-ID:\s*(<[^>]+>)", body_text(message), re.IGNORECASE | re.MULTILINE)
        original_id = found.group(1) if found else None
    error = "; ".join(failures) or " ".join(str(message.get("Subject", "the message was not delivered")).split())
    return Bounce(original_id, f"bounced: {error}"[:2000], recipients=[f.partition(":")[0] for f in failures])


class UnreadableMail(ValueError):
    """An e-mail that cannot be taken in (kept in the dead letter with this reason)."""


def parse_message(raw: bytes, *, account_handle: str, fallback_id: str, now: datetime) -> ParsedDelivery:
    """One raw e-mail → a resident's message (an intake record), or a bounce (a failed status), or nothing (a delay)."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        bounce = bounce_of(message)
        if bounce is None:
            return ParsedDelivery(
                records=[record_of(raw, account_handle=account_handle, fallback_id=fallback_id, now=now)]
            )
    except Exception as error:  # noqa: BLE001 — whatever breaks on hostile MIME, the mail is kept
        raise UnreadableMail(f"unreadable e-mail: {type(error).__name__}: {error}") from error
    if bounce.is_delay:
        return ParsedDelivery()
    if bounce.original_id is None:
        raise UnreadableMail("a bounce that names no message of ours (no Message-ID of the original)")
    return ParsedDelivery(
        status_updates=[StatusUpdate(bounce.original_id, "failed", at=_created_at(message, now), error=bounce.error)]
    )


def _created_at(message: EmailMessage, fallback: datetime) -> str:
    try:
        moment = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is None or moment.tzinfo is None or moment > fallback:
        moment = fallback  # a missing, local or future Date: the time we read it
    return moment.isoformat()


def record_of(source: bytes, *, account_handle: str, fallback_id: str, now: datetime) -> dict[str, Any]:
    """One inbound e-mail as an intake record: Message-ID → external_id, In-Reply-To, References root → conversation."""
    message = BytesParser(policy=policy.default).parsebytes(source)
    name, sender = parseaddr(str(message.get("From", "")))
    own_id = next(iter(_ids(message.get("Message-ID"))), fallback_id)
    references = _ids(message.get("References"))
    in_reply_to = next(iter(_ids(message.get("In-Reply-To"))), None) or (references[-1] if references else None)
    raw_text = source.decode("utf-8", "replace")
    return {
        "channel": Channel.EMAIL.value,
        "account": account_handle,
        "external_id": own_id,
        "direction": "inbound",
        "created_at": _created_at(message, now),
        "text": body_text(message),
        "author": {"id": sender.lower(), "handle": sender.lower(), "name": name or None} if sender else None,
        "in_reply_to": in_reply_to,
        "conversation_id": references[0] if references else (in_reply_to or own_id),
        "is_public": False,
        "subject": " ".join(str(message.get("Subject", "")).split()),
        "to": [address for _n, address in getaddresses([str(message.get("To", ""))]) if address],
        "platform": {"kind": "email"},
        "mime": raw_text if len(source) <= MAX_KEPT_SOURCE else raw_text[:MAX_KEPT_SOURCE] + "\n[cut at 1 MB]",
    }


@dataclass
class PollResult:
    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    bounces: int = 0
    last_uid: int | None = None


def _connect(account: Account, options: dict) -> imaplib.IMAP4:
    host = options.get("imap_host")
    if not host:
        raise imaplib.IMAP4.error("no IMAP server is set for this account (channel admin)")
    use_ssl = options.get("imap_ssl", True) not in (False, "0", "false", "no", "off")
    port = int(options.get("imap_port") or (993 if use_ssl else 143))
    connection = (imaplib.IMAP4_SSL if use_ssl else imaplib.IMAP4)(host, port, timeout=TIMEOUT_SECONDS)
    connection.login(options.get("imap_username") or account.handle, account_secret(account, "IMAP_PASSWORD"))
    return connection


def _select(connection: imaplib.IMAP4, folder: str) -> int | None:
    kind, _data = connection.select(folder, readonly=True)
    if kind != "OK":
        raise imaplib.IMAP4.error(f"the folder {folder!r} cannot be opened")
    _kind, validity = connection.response("UIDVALIDITY")
    return int(validity[0]) if validity and validity[0] else None


def _fetch(connection: imaplib.IMAP4, uids: list[int]) -> dict[int, bytes]:
    kind, data = connection.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    if kind != "OK":
        raise imaplib.IMAP4.error("UID FETCH was refused")
    found = {}
    for item in data:
        if isinstance(item, tuple):
            uid = re.search(rb"UID (\d+)", item[0])
            if uid:
                found[int(uid.group(1))] = item[1]
    return found


def poll_account(account: Account, *, now: datetime | None = None, batch: int = BATCH) -> PollResult:
    """Read the mail that arrived since the last poll: messages to the intake, bounces to delivery statuses."""
    now = now or utcnow()
    settings = settings_of(account)
    options = settings.options or {}
    result = PollResult()
    source = f"imap:{account.handle}"
    try:
        connection = _connect(account, options)
    except (OSError, imaplib.IMAP4.error, MissingSecret) as error:
        settings.imap_error, settings.imap_polled_at = f"{type(error).__name__}: {error}"[:2000], now
        log_poll_failure(account, source=source, detail=settings.imap_error, now=now)
        return result
    try:
        validity = _select(connection, options.get("imap_folder") or "INBOX")
        last = settings.imap_last_uid or 0
        if validity != settings.imap_uid_validity:
            last = 0  # the server renumbered the folder: read it again (intake recognises what it already holds)
        kind, data = connection.uid("SEARCH", None, f"UID {last + 1}:*")
        if kind != "OK":
            raise imaplib.IMAP4.error("UID SEARCH was refused")
        uids = sorted(uid for uid in map(int, (data[0] or b"").split()) if uid > last)[:batch]
        sources = _fetch(connection, uids) if uids else {}
    except (OSError, imaplib.IMAP4.error) as error:
        settings.imap_error, settings.imap_polled_at = f"{type(error).__name__}: {error}"[:2000], now
        log_poll_failure(account, source=source, detail=settings.imap_error, now=now)
        return result
    finally:
        try:
            connection.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    records, statuses = [], []
    for uid in uids:
        raw = sources.get(uid)
        if raw is None:
            continue  # expunged between SEARCH and FETCH
        result.read += 1
        try:
            parsed = parse_message(
                raw, account_handle=account.handle, fallback_id=f"<imap.{validity}.{uid}@{account.handle}>", now=now
            )
        except UnreadableMail as problem:  # one unreadable e-mail must not stop the mailbox
            dead_letter(source=source, reference=f"uid {uid}", raw=raw, reason=str(problem))
            continue
        records += parsed.records
        statuses += parsed.status_updates
        result.bounces += len(parsed.status_updates)
    statuses = _record_web_form_bounces(statuses, now=now)
    settings.imap_uid_validity = validity
    settings.imap_last_uid = max(uids, default=last)
    settings.imap_polled_at, settings.imap_error = now, None
    result.last_uid = settings.imap_last_uid
    if records or statuses or uids:
        received = take_in(
            ParsedDelivery(records=records, status_updates=statuses),
            source=source,
            channel=Channel.EMAIL,
            now=now,
            account=account,
            size=sum(len(s) for s in sources.values()),
        )
        result.accepted, result.duplicates = received.accepted, received.duplicates
    else:
        db.session.commit()
    return result


def _record_web_form_bounces(statuses: list[StatusUpdate], *, now: datetime) -> list[StatusUpdate]:
    """Record bounces of our replies to web-form messages (sent by e-mail, kept under the web form); flushes only.

    Returns the other bounces, which belong to the e-mail channel.
    """
    ids = {status.external_id for status in statuses}
    web_form = (
        set(
            db.session.scalars(
                select(Message.external_id).where(
                    Message.channel == Channel.WEBFORM,
                    Message.direction == Direction.OUTBOUND,
                    Message.external_id.in_(ids),
                )
            )
        )
        if ids
        else set()
    )
    if web_form:
        record_status_updates(Channel.WEBFORM, [s for s in statuses if s.external_id in web_form], now=now)
    return [status for status in statuses if status.external_id not in web_form]


def poll_all(now: datetime | None = None) -> dict[str, PollResult]:
    """Poll every e-mail account that has an IMAP server set (the scheduler's job)."""
    found = db.session.scalars(
        select(Account)
        .join(ChannelSettings, ChannelSettings.account_id == Account.id)
        .where(Account.channel == Channel.EMAIL)
        .order_by(Account.id)
    ).all()
    return {
        account.handle: poll_account(account, now=now)
        for account in found
        if (settings_of(account).options or {}).get("imap_host")
    }


def check_connection(account: Account) -> str:
    """Log in to the account's IMAP server and open its folder (a real connection)."""
    options = settings_of(account).options or {}
    connection = _connect(account, options)
    try:
        _select(connection, options.get("imap_folder") or "INBOX")
        _kind, data = connection.uid("SEARCH", None, "ALL")
        count = len((data[0] or b"").split())
    finally:
        connection.logout()
    return f"Logged in to {options.get('imap_host')}; the folder holds {count} messages."
