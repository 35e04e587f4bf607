"""X (Twitter): the Account Activity webhook (CRC challenge, signed deliveries, mentions and DMs) and replies.

The webhook is one per X app (`/webhooks/x`), signed with the app's consumer secret
(`x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the raw body>`). Replies go through the
X API v2 (`WEBCARE_X_API_URL`, default https://api.x.com) with the account's user-context bearer token;
which API tier is paid for is the organisation's choice, the calls are the same.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

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
    register,
)
from webcare.channels.receiving import handles_for, parent_message
from webcare.channels.secrets import MissingSecret, account_secret, app_secret
from webcare.timeutil import UTC

DEFAULT_API_URL = "https://api.x.com"
SIGNATURE_HEADER = "x-twitter-webhooks-signature"
TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"


def api_url() -> str:
    return http.configured("WEBCARE_X_API_URL", DEFAULT_API_URL)


# X sends a random token in base64 (URL-safe or standard alphabet). The answer is the same HMAC that signs
# deliveries, so a token that could pass for a delivery body would turn this endpoint into a signing oracle:
# none of these characters can begin a JSON object or array.
CRC_TOKEN = re.compile(r"[A-Za-z0-9_+/=-]{8,256}")


class InvalidCrcToken(ValueError):
    """A crc_token not shaped like X's: it is not signed."""


def _checked_crc_token(crc_token: str) -> str:
    if not CRC_TOKEN.fullmatch(crc_token):
        raise InvalidCrcToken("crc_token must be 8 to 256 base64 characters")
    try:
        json.loads(crc_token)
    except ValueError:
        return crc_token
    raise InvalidCrcToken("crc_token must not be JSON")


def crc_response(crc_token: str) -> dict[str, str] | None:
    """The answer to X's challenge-response check, or None when no consumer secret is configured.

    Raises InvalidCrcToken for a token X would never send.
    """
    secret = app_secret("WEBCARE_X_CONSUMER_SECRET")
    if not secret:
        return None
    _checked_crc_token(crc_token)
    return {"response_token": "sha256=" + signing.base64_signature(secret, crc_token.encode("utf-8"))}


def _tweet_time(value: Any) -> str:
    try:
        return datetime.strptime(str(value), TWITTER_TIME).isoformat()
    except ValueError:
        raise MalformedDelivery(f"created_at {str(value)[:40]!r} is not X's date format") from None


def _millis(value: Any) -> str:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        raise MalformedDelivery(f"created_timestamp {str(value)[:40]!r} is not milliseconds") from None


def _tweet_text(tweet: dict) -> str:
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and extended.get("full_text"):
        return str(extended["full_text"])
    return str(tweet.get("full_text") or tweet.get("text") or "")


@register
class XConnector(Connector):
    channel = Channel.X

    def verify(self, delivery: Delivery) -> None:
        secret = app_secret("WEBCARE_X_CONSUMER_SECRET")
        if not secret:
            raise SignatureError("WEBCARE_X_CONSUMER_SECRET is not configured, so no delivery can be verified")
        given = signing.header(delivery.headers, SIGNATURE_HEADER)
        signing.check(given, "sha256=" + signing.base64_signature(secret, delivery.body))

    def parse(self, delivery: Delivery) -> ParsedDelivery:
        """Mentions and replies (tweet_create_events) and DMs (direct_message_events) to our account."""
        try:
            payload = json.loads(delivery.body)
        except (ValueError, UnicodeDecodeError):
            raise MalformedDelivery("the body is not valid JSON") from None
        if not isinstance(payload, dict) or not payload.get("for_user_id"):
            raise MalformedDelivery("the delivery names no 'for_user_id'")
        our_id = str(payload["for_user_id"])
        handle = handles_for(Channel.X, [our_id])[our_id]
        records = []
        tweets = payload.get("tweet_create_events") or []
        messages = payload.get("direct_message_events") or []
        if not isinstance(tweets, list) or not isinstance(messages, list):
            raise MalformedDelivery("tweet_create_events and direct_message_events must be lists")
        for tweet in tweets:
            if not isinstance(tweet, dict) or not isinstance(tweet.get("user"), dict):
                raise MalformedDelivery("each tweet must be an object with a 'user'")
            user = tweet["user"]
            if str(user.get("id_str") or user.get("id")) == our_id or "retweeted_status" in tweet:
                continue  # our own tweets come back through the outbox; retweets need no answer
            tweet_id = str(tweet.get("id_str") or tweet.get("id") or "")
            records.append(
                {
                    "channel": "x",
                    "account": handle,
                    "direction": "inbound",
                    "external_id": tweet_id,
                    "created_at": _tweet_time(tweet.get("created_at")),
                    "text": _tweet_text(tweet),
                    "author": {
                        "id": str(user.get("id_str") or user.get("id")),
                        "handle": user.get("screen_name"),
                        "name": user.get("name"),
                        "followers": user.get("followers_count"),
                        "verified": bool(user.get("verified")),
                    },
                    "in_reply_to": tweet.get("in_reply_to_status_id_str"),
                    "is_public": True,
                    "url": f"https://x.com/{user.get('screen_name')}/status/{tweet_id}",
                    "platform": {"kind": "tweet", "object_id": our_id},
                    "payload": tweet,
                }
            )
        users = payload.get("users") if isinstance(payload.get("users"), dict) else {}
        for event in messages:
            if not isinstance(event, dict) or event.get("type") != "message_create":
                continue
            create = event.get("message_create")
            if not isinstance(create, dict):
                raise MalformedDelivery("a direct message event has no 'message_create'")
            sender = str(create.get("sender_id", ""))
            if sender == our_id:
                continue
            user = users.get(sender) if isinstance(users.get(sender), dict) else {}
            records.append(
                {
                    "channel": "x",
                    "account": handle,
                    "direction": "inbound",
                    "external_id": str(event.get("id", "")),
                    "created_at": _millis(event.get("created_timestamp")),
                    "text": str((create.get("message_data") or {}).get("text", "")),
                    "author": {
                        "id": sender,
                        "handle": user.get("screen_name"),
                        "name": user.get("name"),
                        "followers": user.get("followers_count"),
                        "verified": bool(user.get("verified")),
                    },
                    "conversation_id": "dm:" + "-".join(sorted([our_id, sender])),
                    "is_public": False,
                    "platform": {"kind": "dm", "object_id": our_id},
                    "payload": event,
                }
            )
        return ParsedDelivery(records=records)

    def _token(self, account: Account) -> str:
        try:
            return account_secret(account, "BEARER_TOKEN")
        except MissingSecret as missing:
            raise SendFailed(str(missing), is_permanent=True) from None

    def send(self, reply: OutgoingReply) -> SentReply:
        """A public reply is a reply tweet; a private one a direct message to the resident."""
        token = self._token(reply.account)
        parent = parent_message(Channel.X, reply.in_reply_to)
        if reply.is_public:
            body: dict[str, Any] = {"text": reply.text}
            if reply.in_reply_to:
                body["reply"] = {"in_reply_to_tweet_id": reply.in_reply_to}
            answer = http.request("POST", f"{api_url()}/2/tweets", token=token, json_body=body).json()
            key = "id"
        else:
            resident = parent.author.platform_id if parent is not None and parent.author else None
            if not resident:
                raise SendFailed(_l("there is no X user to send this direct message to"), is_permanent=True)
            answer = http.request(
                "POST",
                f"{api_url()}/2/dm_conversations/with/{resident}/messages",
                token=token,
                json_body={"text": reply.text},
            ).json()
            key = "dm_event_id"
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict) or not data.get(key):
            raise SendFailed(
                _l("the X API did not say which post it created: %(answer)s", answer=json.dumps(answer)[:200])
            )
        return SentReply(external_id=str(data[key]), raw_response=json.dumps(answer, ensure_ascii=False))

    def check_connection(self, account: Account) -> str:
        """Ask the X API who the token belongs to (a real request)."""
        answer = http.request("GET", f"{api_url()}/2/users/me", token=self._token(account)).json()
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            raise SendFailed(_l("the X API answered without a user"))
        return f"The token belongs to @{data.get('username')} (id {data.get('id')})."
