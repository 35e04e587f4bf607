"""The log connector: "sends" a reply by writing it to the application log. Used for the demo accounts."""

from __future__ import annotations

import json
import logging
import uuid

from webcare.channels.base import (
    Connector,
    Delivery,
    OutgoingReply,
    ParsedDelivery,
    SentReply,
    SignatureError,
)
from webcare.timeutil import utcnow

log = logging.getLogger("webcare.outbox.log")


class LogConnector(Connector):
    """Records a reply as sent without a platform; not registered for a channel, the outbox picks it for demo accounts."""

    def verify(self, delivery: Delivery) -> None:
        raise SignatureError("the log connector receives nothing")

    def parse(self, delivery: Delivery) -> ParsedDelivery:
        return ParsedDelivery()

    def send(self, reply: OutgoingReply) -> SentReply:
        external_id = f"log-{uuid.uuid4().hex}"
        response = {
            "connector": "log",
            "id": external_id,
            "channel": reply.account.channel.value,
            "account": reply.account.handle,
            "recipient": reply.recipient,
            "in_reply_to": reply.in_reply_to,
            "is_public": reply.is_public,
            "logged_at": utcnow().isoformat(),
        }
        log.info(
            "reply sent to the log (%s %s → %s): %s",
            reply.account.channel.value,
            reply.account.handle,
            reply.recipient,
            reply.text,
        )
        return SentReply(
            external_id=external_id, raw_response=json.dumps({**response, "text": reply.text}, ensure_ascii=False)
        )
