"""Waves of similar messages: Dice similarity of content-word sets within a sliding time window, in bounded memory (pure)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from webcare.protocol.lexicon import normalise

DUTCH_STOP_WORDS = frozenset(
    """de het een en of maar dat die dit deze van in op aan met voor door naar bij om over uit tot als dan
    ook nog al wel niet geen is zijn was waren wordt worden word ben bent heb hebt heeft hebben had kan kun
    kunnen moet moeten mag zal zou wil ik je jij u we wij ze zij hij het er hier daar wat wie waar hoe
    waarom wanneer mijn jouw uw ons onze hun haar zo te nu toch even echt heel erg gewoon weer jullie
    ga gaat gaan meer anders aub alsjeblieft graag laat laten dus nou zeker ja nee gemeente""".split()
)
HANDLE_OR_LINK = re.compile(r"(?<!\w)@\w+|https?://\S+")
STEM_LENGTH = 6


def signature(text: str, stop_words: frozenset[str] = DUTCH_STOP_WORDS) -> frozenset[str]:
    """The content words of a message, cut to a common stem so `windmolens` and `windmolen` agree."""
    tokens = normalise(HANDLE_OR_LINK.sub(" ", text)).tokens
    return frozenset(token[:STEM_LENGTH] for token in tokens if len(token) > 1 and token not in stop_words)


def dice(left: frozenset[str], right: frozenset[str]) -> float:
    """Shared content words relative to both messages' sizes: 1 for the same words, 0 for none in common."""
    if not left or not right:
        return 0.0
    return 2 * len(left & right) / (len(left) + len(right))


@dataclass(frozen=True)
class ClusterAssignment:
    cluster_id: str
    size: int


@dataclass
class _Entry:
    message_id: str
    at: datetime
    signature: frozenset[str]
    cluster_id: str


class ClusterTracker:
    """Feed messages in time order; each gets the cluster of its most similar recent message, or its own."""

    def __init__(self, window: timedelta = timedelta(hours=2), threshold: float = 0.5, max_messages: int = 10_000):
        self.window = window
        self.threshold = threshold
        self.max_messages = max_messages
        self._entries: deque[_Entry] = deque()
        self._by_token: dict[str, set[int]] = {}
        self._by_key: dict[int, _Entry] = {}
        self._cluster_sizes: dict[str, int] = {}
        self._next_key = 0
        self._first_key = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _forget_oldest(self) -> None:
        entry = self._entries.popleft()
        key = self._first_key
        self._first_key += 1
        del self._by_key[key]
        for token in entry.signature:
            keys = self._by_token[token]
            keys.discard(key)
            if not keys:
                del self._by_token[token]
        remaining = self._cluster_sizes[entry.cluster_id] - 1
        if remaining:
            self._cluster_sizes[entry.cluster_id] = remaining
        else:
            del self._cluster_sizes[entry.cluster_id]

    def _expire(self, now: datetime) -> None:
        while self._entries and (self._entries[0].at <= now - self.window or len(self._entries) >= self.max_messages):
            self._forget_oldest()

    def _most_similar(self, tokens: frozenset[str]) -> _Entry | None:
        candidates: set[int] = set()
        for token in tokens:
            candidates |= self._by_token.get(token, set())
        best, best_score = None, self.threshold
        for key in candidates:
            entry = self._by_key[key]
            score = dice(tokens, entry.signature)
            if score >= best_score:
                best, best_score = entry, score
        return best

    def add(self, message_id: str, at: datetime, text: str) -> ClusterAssignment:
        """Place a message and answer its cluster and how many messages that cluster holds in the window."""
        self._expire(at)
        tokens = signature(text)
        similar = self._most_similar(tokens)
        cluster_id = similar.cluster_id if similar else message_id
        entry = _Entry(message_id, at, tokens, cluster_id)
        key = self._next_key
        self._next_key += 1
        self._entries.append(entry)
        self._by_key[key] = entry
        for token in tokens:
            self._by_token.setdefault(token, set()).add(key)
        self._cluster_sizes[cluster_id] = self._cluster_sizes.get(cluster_id, 0) + 1
        return ClusterAssignment(cluster_id, self._cluster_sizes[cluster_id])

    def members_of(self, cluster_id: str) -> list[str]:
        """The message ids of a cluster still remembered, oldest first."""
        return [entry.message_id for entry in self._entries if entry.cluster_id == cluster_id]

    def size_of(self, cluster_id: str, now: datetime) -> int:
        """How many messages of a cluster are still inside the window at `now`."""
        self._expire(now)
        return self._cluster_sizes.get(cluster_id, 0)

    def add_all(self, messages: Iterable[tuple[str, datetime, str]]) -> list[ClusterAssignment]:
        return [self.add(message_id, at, text) for message_id, at, text in messages]
