"""Write a realistic JSONL intake file of N messages, streaming, in constant memory.

    .venv/bin/python bench/generate.py 1000000 /tmp/messages-1m.jsonl [--seed 7] [--per-day 2000]

What the file holds, per the intake format (docs/intake.md, webcare/intake/parsing.py):
- channels weighted as a Dutch municipality sees them (X, Facebook, Instagram, WhatsApp, e-mail, web form),
  each to the general account or a community account;
- about N/5 distinct authors (residents, a few press and council accounts), each with a handle, a name,
  a follower count; authors come back, so private threads of one resident span several messages;
- conversations of one to six messages: reply chains (`in_reply_to` to an earlier message of the same
  conversation), private threads with a `conversation_id` (WhatsApp, DMs), e-mail threads without one
  (threaded by author and quiet period); about 30% of the lines are our own outbound replies;
- Dutch texts of realistic length: short posts on social channels, longer e-mails and form entries;
- times in ISO 8601 with an offset, increasing through the file (about `--per-day` messages a day),
  ending an hour before now, so none lies in the future.

Authors are derived from their number and open conversations live in a bounded pool, so memory stays
flat however large N is.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webcare.demo.corpus import CONVERSATIONS, FIRST_NAMES, LAST_NAMES, NEIGHBOURHOODS, PRESS, STREETS  # noqa: E402

AMSTERDAM_WINTER = timezone(timedelta(hours=1))
ACCOUNTS = {
    "x": ["gemeentelindeburg", "lindeburgnoord"],
    "facebook": ["gemeentelindeburg", "lindeburgbuiten"],
    "instagram": ["gemeentelindeburg"],
    "whatsapp": ["+31600000123"],
    "email": ["info@lindeburg.example", "burgerzaken@lindeburg.example"],
    "webform": ["contact"],
}
CHANNEL_WEIGHTS = {"x": 30, "facebook": 30, "instagram": 10, "whatsapp": 15, "email": 10, "webform": 5}
PRIVATE_CHANNELS = {"whatsapp", "email", "webform"}
TOPICS = list(CONVERSATIONS)
TOPIC_WEIGHTS = [weight for weight, _inbound, _replies in CONVERSATIONS.values()]
ANY_REPLY = [reply for _w, _i, replies in CONVERSATIONS.values() for reply in replies]
FOLLOW_UPS = [
    "Dank je, ik wacht het af.",
    "ok top 👍",
    "Nog steeds niks gebeurd hoor. Hoe lang moet ik nog wachten?",
    "dm gestuurd",
    "Bedankt voor de snelle reactie, fijn dat er iets mee gedaan wordt.",
    "Ik heb het formulier ingevuld maar krijg geen bevestiging. Is het wel aangekomen?",
    "Dat had ik al gedaan, maar er is niemand langs geweest. Kunnen jullie het nog een keer doorzetten?",
]
DETAIL = [
    "Het gaat om de {street} ter hoogte van nummer {number}.",
    "Ik woon zelf in {wijk} en zie dit al een paar weken.",
    "Mijn buren hebben het ook al gemeld, maar er gebeurt niets.",
    "Ik heb er een foto van gemaakt, die kan ik sturen als dat helpt.",
    "Kunt u mij laten weten wanneer dit wordt opgelost?",
    "Vorige maand heb ik hier ook al over gebeld en toen werd gezegd dat het binnen een week geregeld zou zijn.",
    "Mijn telefoonnummer is bij jullie bekend, bellen mag ook.",
]
# Followers: mostly small accounts, a long tail.
FOLLOWER_STEPS = [12, 40, 85, 150, 230, 410, 700, 1300, 2600, 9000]


@dataclass
class Conversation:
    channel: str
    account: str
    author: int
    topic: str
    is_public: bool
    conversation_id: str | None
    last_external_id: str
    last_direction: str
    remaining: int


class Generator:
    def __init__(self, count: int, *, seed: int, per_day: int, now: datetime):
        self.count = count
        self.random = random.Random(seed)
        self.authors = max(1, count // 5)
        self.serial = 0
        self.gap_seconds = 86_400 / per_day
        self.clock = now - timedelta(hours=1) - timedelta(seconds=self.gap_seconds * count)
        self.open: list[Conversation] = []
        self.pool_size = 4000

    def author(self, number: int) -> dict:
        if number < len(PRESS):
            handle, name, followers, verified = PRESS[number]
            return {"id": f"p{number}", "handle": handle, "name": name, "followers": followers, "verified": verified}
        first = FIRST_NAMES[number % len(FIRST_NAMES)]
        last = LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)]
        handle = (first + last.replace(" ", "")).lower()[:14] + str(number)
        followers = FOLLOWER_STEPS[(number * 7919) % len(FOLLOWER_STEPS)] + number % 37
        return {
            "id": f"r{number}",
            "handle": handle,
            "name": f"{first} {last}",
            "followers": followers,
            "verified": False,
        }

    def external_id(self, channel: str) -> str:
        self.serial += 1
        if channel == "email":
            return f"<{self.serial}.{self.random.getrandbits(32):08x}@mail.lindeburg.example>"
        return f"{channel}-{self.serial:010d}"

    def fill(self, text: str) -> str:
        return text.format(
            street=self.random.choice(STREETS),
            wijk=self.random.choice(NEIGHBOURHOODS),
            number=self.random.randint(1, 180),
        )

    def inbound_text(self, conversation: Conversation, *, first: bool) -> str:
        _weight, inbound, _replies = CONVERSATIONS[conversation.topic]
        core = self.fill(self.random.choice(inbound)) if first else self.random.choice(FOLLOW_UPS)
        if conversation.channel in {"email", "webform"}:
            details = " ".join(self.fill(line) for line in self.random.sample(DETAIL, self.random.randint(2, 4)))
            name = self.author(conversation.author)["name"]
            return f"Geachte heer/mevrouw,\n\n{core}\n{details}\n\nMet vriendelijke groet,\n{name}"
        if conversation.channel == "whatsapp" and self.random.random() < 0.4:
            return f"{core} {self.fill(self.random.choice(DETAIL))}"
        return core

    def outbound_text(self, conversation: Conversation) -> str:
        replies = CONVERSATIONS[conversation.topic][2] or ANY_REPLY
        text = self.fill(self.random.choice(replies))
        if conversation.channel in {"email", "webform"}:
            return f"Beste {self.author(conversation.author)['name']},\n\n{text}\n\nMet vriendelijke groet,\nTeam Webcare, gemeente Lindeburg"
        return text + " ^" + self.random.choice(["AB", "MY", "PR", "JB"])

    def tick(self) -> str:
        self.clock += timedelta(seconds=self.random.expovariate(1 / self.gap_seconds))
        return self.clock.astimezone(AMSTERDAM_WINTER).isoformat(timespec="seconds")

    def start(self) -> dict:
        channel = self.random.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        accounts = ACCOUNTS[channel]
        account = accounts[0] if len(accounts) == 1 or self.random.random() < 0.8 else accounts[1]
        # A few loud authors (press, regulars) and a long tail: numbers drawn with a skew.
        number = int(self.authors * self.random.random() ** 1.6)
        is_public = channel not in PRIVATE_CHANNELS and self.random.random() < 0.75
        external_id = self.external_id(channel)
        # Private threads carry the platform's conversation id; e-mail and web forms often do not.
        has_conversation = not is_public and (
            channel in {"whatsapp", "x", "facebook", "instagram"} or self.random.random() < 0.5
        )
        conversation = Conversation(
            channel=channel,
            account=account,
            author=number,
            topic=self.random.choices(TOPICS, weights=TOPIC_WEIGHTS)[0],
            is_public=is_public,
            conversation_id=f"conv-{channel}-{external_id.strip('<>')}" if has_conversation else None,
            last_external_id=external_id,
            last_direction="inbound",
            remaining=self.random.choice([0, 0, 1, 1, 2, 3, 5]),
        )
        if conversation.remaining:
            self.keep(conversation)
        return self.line(conversation, external_id, "inbound", self.inbound_text(conversation, first=True), None)

    def keep(self, conversation: Conversation) -> None:
        if len(self.open) >= self.pool_size:
            self.open[self.random.randrange(len(self.open))] = conversation
        else:
            self.open.append(conversation)

    def follow(self) -> dict:
        index = self.random.randrange(len(self.open))
        conversation = self.open[index]
        conversation.remaining -= 1
        if conversation.remaining <= 0:
            self.open[index] = self.open[-1]
            self.open.pop()
        # We answer the resident; now and then the resident adds to their own message before we do.
        answers = conversation.last_direction == "inbound" and self.random.random() < 0.85
        direction = "outbound" if answers else "inbound"
        text = (
            self.outbound_text(conversation)
            if direction == "outbound"
            else self.inbound_text(conversation, first=False)
        )
        external_id = self.external_id(conversation.channel)
        line = self.line(conversation, external_id, direction, text, conversation.last_external_id)
        conversation.last_external_id = external_id
        conversation.last_direction = direction
        return line

    def line(
        self, conversation: Conversation, external_id: str, direction: str, text: str, in_reply_to: str | None
    ) -> dict:
        record = {
            "channel": conversation.channel,
            "account": conversation.account,
            "external_id": external_id,
            "direction": direction,
            "created_at": self.tick(),
            "text": text,
            "author": self.author(conversation.author) if direction == "inbound" else None,
            "in_reply_to": in_reply_to,
            "conversation_id": conversation.conversation_id,
            "is_public": conversation.is_public,
        }
        if conversation.is_public and conversation.channel in {"x", "facebook", "instagram"}:
            record["url"] = f"https://{conversation.channel}.example/{conversation.account}/status/{external_id}"
        return record

    def __iter__(self) -> Iterator[dict]:
        for _ in range(self.count):
            # About 55% of lines start a conversation; the rest continue one (a reply chain).
            if self.open and self.random.random() < 0.45:
                yield self.follow()
            else:
                yield self.start()


def write(count: int, path: Path, *, seed: int = 7, per_day: int = 2000, now: datetime | None = None) -> dict:
    """Write `count` lines to `path`; returns counts by direction and channel."""
    now = now or datetime.now(UTC)
    stats = {"lines": 0, "outbound": 0, "replies": 0, "private": 0, "bytes": 0}
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        for record in Generator(count, seed=seed, per_day=per_day, now=now):
            text = json.dumps({key: value for key, value in record.items() if value is not None}, ensure_ascii=False)
            out.write(text + "\n")
            stats["lines"] += 1
            stats["bytes"] += len(text.encode()) + 1
            stats["outbound"] += record["direction"] == "outbound"
            stats["replies"] += record["in_reply_to"] is not None
            stats["private"] += not record["is_public"]
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-day", type=int, default=2000, help="messages a day (sets the time span)")
    args = parser.parse_args()
    stats = write(args.count, args.path, seed=args.seed, per_day=args.per_day)
    lines = stats["lines"]
    print(
        f"{lines} lines, {stats['bytes'] / 1e6:.1f} MB: {stats['outbound'] / lines:.0%} outbound, "
        f"{stats['replies'] / lines:.0%} replies, {stats['private'] / lines:.0%} private -> {args.path}"
    )


if __name__ == "__main__":
    main()
