"""Meta: Facebook Page comments and Messenger, Instagram comments and DMs, WhatsApp Cloud API — webhooks and replies.

One webhook per Meta app (`/webhooks/meta`) receives all three products; it is signed with the app secret
(`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`). Replies go through the Graph API
(`WEBCARE_META_GRAPH_URL`, default https://graph.facebook.com/v21.0) with each account's access token.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webcare.accounts.models import Account, Channel
from webcare.channels import http, signing
from webcare.channels.base import (
    Connector,
    Delivery,
    MalformedDelivery,
    OutgoingReply,
    ParsedDelivery,
    SendFailed,
    SentReply,
    SignatureError,
    StatusUpdate,
    register,
)
from webcare.channels.receiving import (
    handles_for,
    parent_message,
    platform_details,
    settings_of,
)
from webcare.channels.secrets import MissingSecret, account_secret, app_secret
from webcare.extensions import db
from webcare.inbox.models import Author, Direction, Message
from webcare.timeutil import UTC, utcnow

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"
SERVICE_WINDOW = timedelta(hours=24)
OBJECTS = {"page": Channel.FACEBOOK, "instagram": Channel.INSTAGRAM, "whatsapp_business_account": Channel.WHATSAPP}
POST_ITEMS = {"status", "post", "photo", "video", "share"}
# Graph API error codes that mean "not now" rather than "never" (Meta answers them with HTTP 400/403):
# unknown/temporary errors, app, user and page rate limits, business use case limits, WhatsApp throughput limits.
TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 613, 130429, 131048, 131056, 133016} | set(range(80001, 80015))
MEDIA_LABELS = {
    "image": "[image]",
    "video": "[video]",
    "audio": "[audio]",
    "document": "[document]",
    "sticker": "[sticker]",
    "location": "[location]",
    "contacts": "[contact card]",
}


def graph_url() -> str:
    return http.configured("WEBCARE_META_GRAPH_URL", DEFAULT_GRAPH_URL)


def is_transient(status: int, body: bytes) -> bool:
    """Whether a Graph API refusal is worth retrying: a rate limit or temporary error by code, or `is_transient`."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return False
    if not isinstance(error, dict):
        return False
    code = error.get("code")
    return error.get("is_transient") is True or (isinstance(code, int) and code in TRANSIENT_CODES)


def verify_subscription(query: dict[str, str]) -> str | None:
    """Meta's webhook verification: the challenge to echo when mode and verify token are right, else None."""
    expected = app_secret("WEBCARE_META_VERIFY_TOKEN")
    given = query.get("hub.verify_token") or ""
    if (
        query.get("hub.mode") != "subscribe"
        or not expected
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        return None
    return query.get("hub.challenge") or ""


def _moment(seconds: Any, fallback: Any = None) -> str:
    """ISO 8601 from Unix seconds (or milliseconds, which Messenger uses), or from an ISO string."""
    for value in (seconds, fallback):
        if value is None or value == "":
            continue
        if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
            try:
                moment = datetime.fromisoformat(value.replace("+0000", "+00:00"))
            except ValueError:
                raise MalformedDelivery(f"the time {value[:40]!r} is not a date") from None
            return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
        number = int(value)
        if number > 10**11:
            number /= 1000
        return datetime.fromtimestamp(number, UTC).isoformat()
    return utcnow().isoformat()


def _dict(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise MalformedDelivery(f"{what} must be an object")
    return value


def _list(value: Any, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedDelivery(f"{what} must be a list")
    return value


def _attachment_text(message: dict) -> str:
    kinds = [a.get("type", "file") for a in _list(message.get("attachments"), "attachments") if isinstance(a, dict)]
    return " ".join(MEDIA_LABELS.get(kind, f"[{kind}]") for kind in kinds)


@dataclass(frozen=True)
class MetaDelivery(ParsedDelivery):
    """A parsed Meta delivery also says which product (channel) it came from: its status updates need it."""

    channel: Channel | None = None


class _Parser:
    """Turns one Meta webhook body into intake records and status updates."""

    def __init__(self, payload: dict):
        self.channel = OBJECTS.get(payload.get("object"))
        if self.channel is None:
            raise MalformedDelivery(f"unknown webhook object {str(payload.get('object'))[:40]!r}")
        self.entries = [_dict(entry, "each entry") for entry in _list(payload.get("entry"), "'entry'")]
        if not self.entries and "entry" not in payload:
            raise MalformedDelivery("the delivery has no 'entry' list")
        self.records: list[dict[str, Any]] = []
        self.statuses: list[StatusUpdate] = []

    def parse(self) -> ParsedDelivery:
        ids = [str(e.get("id", "")) for e in self.entries]
        for entry in self.entries:
            for change in _list(entry.get("changes"), "'changes'"):
                change = _dict(change, "each change")
                value = _dict(change.get("value"), "a change's value")
                if self.channel == Channel.WHATSAPP:
                    ids.append(str(_dict(value.get("metadata", {}), "metadata").get("phone_number_id", "")))
        self.handles = handles_for(self.channel, ids)
        for entry in self.entries:
            our_id = str(entry.get("id", ""))
            for change in entry.get("changes") or []:
                self._change(our_id, entry, change.get("field"), change["value"])
            for event in _list(entry.get("messaging"), "'messaging'"):
                self._messaging(our_id, _dict(event, "each messaging event"))
        return MetaDelivery(records=self.records, status_updates=self.statuses, channel=self.channel)

    def _record(self, our_id: str, event: Any, *, kind: str, details: dict | None = None, **fields: Any) -> None:
        # "platform" holds what the connector needs to answer later; "payload" is the platform's event as it came.
        self.records.append(
            {
                "channel": self.channel.value,
                "account": self.handles.get(our_id, our_id),
                "direction": "inbound",
                **fields,
                "platform": {"kind": kind, "object_id": our_id, **(details or {})},
                "payload": event,
            }
        )

    def _change(self, our_id: str, entry: dict, field: Any, value: dict) -> None:
        if self.channel == Channel.FACEBOOK and field == "feed":
            self._page_feed(our_id, entry, value)
        elif self.channel == Channel.INSTAGRAM and field in {"comments", "live_comments"}:
            self._instagram_comment(our_id, entry, value)
        elif self.channel == Channel.WHATSAPP and field == "messages":
            self._whatsapp(value)

    def _page_feed(self, page_id: str, entry: dict, value: dict) -> None:
        item, verb = value.get("item"), value.get("verb")
        if verb != "add" or (item != "comment" and item not in POST_ITEMS):
            return  # edits, removals, reactions, likes: nothing to answer
        author = _dict(value.get("from") or {}, "'from'")
        if str(author.get("id", "")) == page_id:
            return  # our own comment
        external_id = value.get("comment_id") if item == "comment" else value.get("post_id")
        post_id, parent_id = value.get("post_id"), value.get("parent_id")
        self._record(
            page_id,
            value,
            kind="comment" if item == "comment" else "post",
            external_id=external_id,
            created_at=_moment(value.get("created_time"), entry.get("time")),
            text=value.get("message") or "",
            author={"id": author.get("id"), "name": author.get("name")} if author else None,
            in_reply_to=parent_id if item == "comment" and parent_id and parent_id != post_id else None,
            is_public=True,
            url=value.get("permalink_url") or (value.get("post") or {}).get("permalink_url"),
            details={"post_id": post_id},
        )

    def _instagram_comment(self, account_id: str, entry: dict, value: dict) -> None:
        author = _dict(value.get("from") or {}, "'from'")
        if str(author.get("id", "")) == account_id:
            return
        media = value.get("media") or {}
        self._record(
            account_id,
            value,
            kind="comment",
            external_id=value.get("id"),
            created_at=_moment(value.get("timestamp"), entry.get("time")),
            text=value.get("text") or "",
            author={"id": author.get("id"), "handle": author.get("username")} if author else None,
            in_reply_to=value.get("parent_id"),
            is_public=True,
            details={"media_id": media.get("id") if isinstance(media, dict) else None},
        )

    def _messaging(self, our_id: str, event: dict) -> None:
        sender = str(_dict(event.get("sender") or {}, "'sender'").get("id", ""))
        for report, status in (("delivery", "delivered"), ("read", "read")):
            if report in event:
                self._report(our_id, sender, _dict(event[report], f"'{report}'"), status, event.get("timestamp"))
                return
        message = event.get("message")
        if not isinstance(message, dict) or message.get("is_echo") or message.get("is_deleted") or sender == our_id:
            return  # echoes of our own sends, reads, reactions, postbacks: nothing to answer
        reply_to = message.get("reply_to") if isinstance(message.get("reply_to"), dict) else {}
        text = message.get("text") or _attachment_text(message)
        self._record(
            our_id,
            event,
            kind="message",
            external_id=message.get("mid"),
            created_at=_moment(event.get("timestamp")),
            text=text,
            author={"id": sender} if sender else None,
            in_reply_to=reply_to.get("mid"),
            conversation_id=f"{our_id}:{sender}",
            is_public=False,
        )

    def _report(self, our_id: str, sender: str, report: dict, status: str, timestamp: Any) -> None:
        """Messenger reports by message ids or by watermark (all our messages up to then); Instagram by one mid."""
        mids = [str(mid) for mid in _list(report.get("mids"), "mids")]
        if report.get("mid"):
            mids.append(str(report["mid"]))
        at = _moment(report.get("watermark"), timestamp)
        if not mids and report.get("watermark") is not None:
            mids = _outbound_up_to(self.channel, f"{our_id}:{sender}", datetime.fromisoformat(at))
        self.statuses += [StatusUpdate(mid, status, at=at) for mid in mids]

    def _whatsapp(self, value: dict) -> None:
        number_id = str(_dict(value.get("metadata") or {}, "metadata").get("phone_number_id", ""))
        names = {
            str(contact.get("wa_id")): (contact.get("profile") or {}).get("name")
            for contact in _list(value.get("contacts"), "'contacts'")
            if isinstance(contact, dict)
        }
        for message in _list(value.get("messages"), "'messages'"):
            message = _dict(message, "each message")
            kind = message.get("type")
            if kind in {"reaction", "unsupported", "system", "ephemeral"}:
                continue
            sender = str(message.get("from", ""))
            context = message.get("context") if isinstance(message.get("context"), dict) else {}
            self._record(
                number_id,
                message,
                kind="message",
                external_id=message.get("id"),
                created_at=_moment(message.get("timestamp")),
                text=_whatsapp_text(message),
                author={"id": sender, "handle": sender, "name": names.get(sender)} if sender else None,
                in_reply_to=context.get("id"),
                conversation_id=f"{number_id}:{sender}",
                is_public=False,
            )
        for status in _list(value.get("statuses"), "'statuses'"):
            status = _dict(status, "each status")
            errors = [e for e in _list(status.get("errors"), "errors") if isinstance(e, dict)]
            error = (
                "; ".join(
                    f"{e.get('code')} {e.get('title', '')}: {(e.get('error_data') or {}).get('details') or e.get('message', '')}".strip().rstrip(
                        ":"
                    )
                    for e in errors
                )
                or None
            )
            self.statuses.append(
                StatusUpdate(
                    str(status.get("id", "")),
                    str(status.get("status", "")),
                    at=_moment(status.get("timestamp")),
                    error=error,
                )
            )


def _outbound_up_to(channel: Channel, conversation_id: str, moment: datetime) -> list[str]:
    """The platform ids of our messages in a Messenger conversation sent up to a watermark."""
    return list(
        db.session.scalars(
            select(Message.external_id).where(
                Message.channel == channel,
                Message.conversation_id == conversation_id,
                Message.direction == Direction.OUTBOUND,
                Message.created_at <= moment,
            )
        )
    )


def _whatsapp_text(message: dict) -> str:
    kind = message.get("type")
    body = message.get(kind) if isinstance(message.get(kind), dict) else {}
    if kind == "text":
        return str(body.get("body", ""))
    if kind == "button":
        return str(body.get("text", ""))
    if kind == "interactive":
        chosen = body.get("button_reply") or body.get("list_reply") or {}
        return str(chosen.get("title", ""))
    if kind == "location":
        parts = [body.get("name"), body.get("address"), f"{body.get('latitude')}, {body.get('longitude')}"]
        return " · ".join(str(p) for p in parts if p)
    label = MEDIA_LABELS.get(kind, f"[{kind}]")
    return f"{label} {body.get('caption', '')}".strip()


class MetaConnector(Connector):
    """Receiving is shared by the three Meta channels: one app, one webhook, one app secret."""

    channel = Channel.FACEBOOK

    def verify(self, delivery: Delivery) -> None:
        secret = app_secret("WEBCARE_META_APP_SECRET")
        given = signing.header(delivery.headers, SIGNATURE_HEADER)
        if not secret:
            raise SignatureError("WEBCARE_META_APP_SECRET is not configured, so no delivery can be verified")
        signing.check(given, "sha256=" + signing.hex_signature(secret, delivery.body))

    def parse(self, delivery: Delivery) -> ParsedDelivery:
        try:
            payload = json.loads(delivery.body)
        except (ValueError, UnicodeDecodeError):
            raise MalformedDelivery("the body is not valid JSON") from None
        return _Parser(_dict(payload, "the body")).parse()

    def _target(self, account: Account) -> tuple[str, str]:
        platform_id = settings_of(account).platform_id
        if not platform_id:
            raise SendFailed(
                _l("the platform id of %(handle)s is not set (channel admin)", handle=account.handle), is_permanent=True
            )
        try:
            token = account_secret(account, "ACCESS_TOKEN")
        except MissingSecret as missing:
            raise SendFailed(str(missing), is_permanent=True) from None
        return platform_id, token

    def _post(self, path: str, token: str, *, json_body=None, form=None) -> dict:
        answer = http.request(
            "POST", f"{graph_url()}/{path}", token=token, json_body=json_body, form=form, is_transient=is_transient
        ).json()
        if not isinstance(answer, dict):
            raise SendFailed(_l("the Graph API answered something that is not an object"))
        return answer

    def _sent(self, answer: dict, *keys: str) -> SentReply:
        for key in keys:
            value = answer.get(key)
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value = value[0].get("id")
            if value:
                return SentReply(external_id=str(value), raw_response=json.dumps(answer, ensure_ascii=False))
        raise SendFailed(
            _l("the Graph API did not say which message it created: %(answer)s", answer=json.dumps(answer)[:200])
        )

    def _comment_or_message(self, reply: OutgoingReply, *, comment_edge: str) -> SentReply:
        platform_id, token = self._target(reply.account)
        parent = parent_message(self.channel, reply.in_reply_to)
        kind = platform_details(parent).get("kind")
        if kind in {"comment", "post"} and reply.in_reply_to:
            if reply.is_public:
                edge = "comments" if kind == "post" else comment_edge
                return self._sent(self._post(f"{reply.in_reply_to}/{edge}", token, form={"message": reply.text}), "id")
            answer = self._post(
                f"{platform_id}/messages",
                token,
                json_body={"recipient": {"comment_id": reply.in_reply_to}, "message": {"text": reply.text}},
            )
            return self._sent(answer, "message_id")
        recipient = parent.author.platform_id if parent is not None and parent.author else reply.recipient
        if not recipient:
            raise SendFailed(_l("there is no resident to send this message to"), is_permanent=True)
        body: dict[str, Any] = {"recipient": {"id": recipient}, "message": {"text": reply.text}}
        if self.channel == Channel.FACEBOOK:
            body["messaging_type"] = "RESPONSE"
        return self._sent(self._post(f"{platform_id}/messages", token, json_body=body), "message_id")

    def send(self, reply: OutgoingReply) -> SentReply:
        """A public reply answers a comment; a private one is a private reply to a comment, or a Messenger message."""
        return self._comment_or_message(reply, comment_edge="comments")

    def check_connection(self, account: Account) -> str:
        """Ask the Graph API who the account is (a real request with its token)."""
        platform_id, token = self._target(account)
        answer = http.request("GET", f"{graph_url()}/{platform_id}?fields=id,name", token=token).json()
        return f"The Graph API knows {platform_id} as {answer.get('name') or answer.get('id')}."


register(MetaConnector)


@register
class InstagramConnector(MetaConnector):
    channel = Channel.INSTAGRAM

    def send(self, reply: OutgoingReply) -> SentReply:
        """A public reply answers a comment (/replies); a private one is a private reply or a DM."""
        return self._comment_or_message(reply, comment_edge="replies")

    def check_connection(self, account: Account) -> str:
        platform_id, token = self._target(account)
        answer = http.request("GET", f"{graph_url()}/{platform_id}?fields=id,username", token=token).json()
        return f"The Graph API knows {platform_id} as @{answer.get('username') or answer.get('id')}."


def last_message_from(account: Account, resident: str) -> datetime | None:
    """When the resident last wrote to this WhatsApp number (the 24-hour service window runs from it)."""
    return db.session.scalar(
        select(func.max(Message.created_at))
        .join(Author, Message.author_id == Author.id)
        .where(
            Message.channel == Channel.WHATSAPP,
            Message.account_id == account.id,
            Message.direction == Direction.INBOUND,
            Author.platform_id == resident,
        )
    )


@register
class WhatsAppConnector(MetaConnector):
    channel = Channel.WHATSAPP

    def send(self, reply: OutgoingReply, now: datetime | None = None) -> SentReply:
        """A text within 24 hours of the resident's last message; after that only the configured template."""
        now = now or utcnow()
        number_id, token = self._target(reply.account)
        parent = parent_message(Channel.WHATSAPP, reply.in_reply_to)
        resident = parent.author.platform_id if parent is not None and parent.author else reply.recipient
        if not resident:
            raise SendFailed(_l("there is no WhatsApp number to send this message to"), is_permanent=True)
        body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": resident}
        last = last_message_from(reply.account, resident)
        if last is not None and now - last <= SERVICE_WINDOW:
            body |= {"type": "text", "text": {"preview_url": False, "body": reply.text}}
            if reply.in_reply_to:
                body["context"] = {"message_id": reply.in_reply_to}
        else:
            options = settings_of(reply.account).options or {}
            template = options.get("whatsapp_template")
            if not template:
                since = _l("last message %(at)s", at=last.isoformat()) if last else _l("no message from this resident")
                raise SendFailed(
                    _l(
                        "outside WhatsApp's 24-hour customer service window (%(since)s); only a template message may be "
                        "sent, and no template is configured for this account",
                        since=since,
                    ),
                    is_permanent=True,
                )
            body |= {
                "type": "template",
                "template": {
                    "name": template,
                    "language": {"code": options.get("whatsapp_template_language") or "nl"},
                    "components": [{"type": "body", "parameters": [{"type": "text", "text": reply.text}]}],
                },
            }
        return self._sent(self._post(f"{number_id}/messages", token, json_body=body), "messages")

    def check_connection(self, account: Account) -> str:
        number_id, token = self._target(account)
        answer = http.request(
            "GET", f"{graph_url()}/{number_id}?fields=display_phone_number,verified_name", token=token
        ).json()
        return f"WhatsApp number {answer.get('display_phone_number', number_id)} ({answer.get('verified_name', '')})."
