"""Undoing spelling games before the safety analysis: case, diacritics, leetspeak, repeated or spaced letters, emoji.

`clauses(text, vocabulary)` answers the message as clauses of canonical tokens; a token is replaced by the
word the tables know when one of its readings is known (`v3rm00rd` → vermoord, `kaaaanker` → kanker,
`vermord` → vermoord, `d o o d` → dood), so the analysis itself never sees the games.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

URL_OR_HANDLE = re.compile(r"https?://\S+|www\.\S+|(?<!\w)@\w+", re.IGNORECASE)
APOSTROPHE_IN_WORD = re.compile(r"(?<=[a-z])['’`](?=[a-z])|(?<![a-z])['’](?=s\b)")
SPACED_LETTERS = re.compile(r"(?<![a-z0-9@$])(?:[a-z0-9@$][ .\-_*·]{1,2}){2,}[a-z0-9@$](?![a-z0-9@$])")
SPACED_SEPARATORS = re.compile(r"[ .\-_*·]")
QUOTES = re.compile(r"[\"“”„«»‘’']")
SENTENCES = re.compile(r"[.!?;\n]+|\s-\s")
TOKENS = re.compile(r"[a-z0-9@$*!|]+|,")
REPEATS = re.compile(r"([a-z])\1{2,}")
DOUBLES = re.compile(r"([a-z])\1+")
CLAUSE_JOINS = frozenset({"maar", "want"})
HARD_BOUNDARY = 1000
VOWELS = re.compile(r"[aeiouy]+")
LEET = str.maketrans(
    {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l", "8": "b"}
)
VARIATION_SELECTORS = re.compile("[\ufe0f\u200d]")


@dataclass(frozen=True, slots=True)
class Clause:
    """A sentence as canonical tokens; `segments[i]` numbers the part token i stands in: +1 after a comma,
    to the next multiple of HARD_BOUNDARY at `maar`, `want` or `en dan` (a new main clause)."""

    tokens: tuple[str, ...]
    segments: tuple[int, ...]
    is_quoted: bool


def fold(text: str) -> str:
    """Lower case without diacritics; anything outside ASCII that is left (emoji, other scripts) is dropped."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode("ascii")


def _join_spaced(match: re.Match[str]) -> str:
    return " " + SPACED_SEPARATORS.sub("", match.group(0)) + " "


def _readings(token: str) -> Iterable[str]:
    """The ways a token may have been meant, most literal first."""
    yield token
    plain = token.replace("*", "")
    if not plain.isalpha() and any(char.isalpha() for char in plain):
        leet = plain.translate(LEET)
        yield leet.replace("1", "i")
        yield leet.replace("1", "l")
        plain = leet.replace("1", "i")
    if REPEATS.search(plain):
        yield REPEATS.sub(r"\1\1", plain)
        yield REPEATS.sub(r"\1", plain)
    if plain.endswith("uh"):
        yield plain[:-2] + "en"
    elif plain.endswith("e") and len(plain) >= 6:
        yield plain + "n"


class Canon:
    """Maps raw tokens to the words of the safety tables; `glued` splits `ikmaakjeaf` into its words."""

    def __init__(self, known: Iterable[str], content: Iterable[str], glued: re.Pattern[str], emoji: Mapping[str, str]):
        self.known = frozenset(known)
        # Shorter words first, so a skeleton shared by an infinitive and a past form reads as the infinitive.
        ordered = sorted(content, key=lambda word: (len(word), word), reverse=True)
        self.by_skeleton = {DOUBLES.sub(r"\1", word): word for word in ordered if len(word) >= 4}
        self.by_consonants = {VOWELS.sub("", word): word for word in ordered if len(VOWELS.sub("", word)) >= 6}
        self.censored = tuple(word for word in content if len(word) >= 4)
        self.glued = glued
        self.emoji = emoji
        self._cache: dict[str, tuple[str, ...]] = {}

    def words(self, token: str) -> tuple[str, ...]:
        found = self._cache.get(token)
        if found is None:
            found = self._cache[token] = self._resolve(token)
            if len(self._cache) > 50_000:
                self._cache.clear()
        return found

    def _resolve(self, token: str) -> tuple[str, ...]:
        readings = list(dict.fromkeys(_readings(token)))
        for reading in readings:
            if reading in self.known:
                return (reading,)
        for reading in readings:
            if len(reading) >= 4:
                known = self.by_skeleton.get(DOUBLES.sub(r"\1", reading))
                if known:
                    return (known,)
        for reading in readings:
            if len(reading) >= 7:
                known = self.by_consonants.get(VOWELS.sub("", reading))
                if known and len(known) - len(reading) <= 2:
                    return (known,)
        if "*" in token and len(token) >= 4:
            pattern = re.compile(re.escape(token).replace(r"\*", "[a-z]") + "$")
            for word in self.censored:
                if len(word) == len(token) and pattern.match(word):
                    return (word,)
        best = readings[1] if len(readings) > 1 and not readings[0].isalpha() else readings[0]
        best = REPEATS.sub(r"\1\1", best.replace("*", ""))
        if len(best) >= 7:
            glued = self.glued.fullmatch(best)
            if glued:
                return tuple(part for part in glued.groups() if part)
        return (best,) if best else ()


_HEADS: dict[int, frozenset[str]] = {}


def _heads(content: frozenset[str]) -> frozenset[str]:
    """Every first part a split content word can have (`ver` of vermoord), built once per table."""
    found = _HEADS.get(id(content))
    if found is None:
        found = _HEADS[id(content)] = frozenset(word[:cut] for word in content for cut in range(1, len(word)))
    return found


def _merge_pairs(tokens: list[str], content: frozenset[str]) -> list[str]:
    """`ver moord` → vermoord, `kan ker` → kanker: a split word whose halves mean nothing to the tables."""
    heads = _heads(content)
    if heads.isdisjoint(tokens[:-1]):
        return tokens
    merged: list[str] = []
    index = 0
    while index < len(tokens):
        if index + 1 < len(tokens) and tokens[index] in heads:
            joined = tokens[index] + tokens[index + 1]
            if joined in content and tokens[index] not in content and tokens[index + 1] not in content:
                merged.append(joined)
                index += 2
                continue
        merged.append(tokens[index])
        index += 1
    return merged


def _merge_phrases(tokens: list[str], phrases: Mapping[tuple[str, ...], str]) -> list[str]:
    starts = _phrase_starts(phrases)
    if not starts.intersection(tokens):
        return tokens
    result: list[str] = []
    index = 0
    while index < len(tokens):
        for length in (4, 3, 2):
            key = tuple(tokens[index : index + length])
            if len(key) == length and key in phrases:
                result.extend(phrases[key].split())
                index += length
                break
        else:
            result.append(tokens[index])
            index += 1
    return result


_STARTS: dict[int, frozenset[str]] = {}


def _phrase_starts(phrases: Mapping[tuple[str, ...], str]) -> frozenset[str]:
    found = _STARTS.get(id(phrases))
    if found is None:
        found = _STARTS[id(phrases)] = frozenset(key[0] for key in phrases)
    return found


def clauses(text: str, canon: Canon, content: frozenset[str], phrases: Mapping[tuple[str, ...], str]) -> list[Clause]:
    """The message as clauses of canonical tokens, quoted parts marked."""
    text = URL_OR_HANDLE.sub(" ", text)
    if not text.isascii():
        text = VARIATION_SELECTORS.sub("", text)
        for symbol, word in canon.emoji.items():
            if symbol in text:
                text = text.replace(symbol, f" {word} ")
    folded = APOSTROPHE_IN_WORD.sub("", fold(text))
    folded = SPACED_LETTERS.sub(_join_spaced, folded)
    found: list[Clause] = []
    for part_index, part in enumerate(QUOTES.split(folded)):
        for sentence in SENTENCES.split(part):
            tokens: list[str] = []
            segments: list[int] = []
            segment = 0
            raw_tokens: list[str | None] = []
            for raw in TOKENS.findall(sentence):
                raw_tokens.append(None if raw == "," else raw)
            words: list[str] = []
            marks: list[int] = []
            for position, raw in enumerate(raw_tokens):
                if raw is None:
                    segment += 1  # a comma: a soft boundary
                    continue
                if raw in CLAUSE_JOINS or (
                    raw == "en" and position + 1 < len(raw_tokens) and raw_tokens[position + 1] == "dan"
                ):
                    segment = (segment // HARD_BOUNDARY + 1) * HARD_BOUNDARY  # a new main clause
                for word in canon.words(raw):
                    words.append(word)
                    marks.append(segment)
            if not words:
                continue
            # Merges keep the segment of the first word they absorb.
            merged = _merge_phrases(_merge_pairs(words, content), phrases) if len(words) > 1 else words
            if len(merged) == len(words):
                tokens, segments = merged, marks
            else:
                tokens, segments = merged, _realign(words, marks, merged)
            found.append(Clause(tuple(tokens), tuple(segments), part_index % 2 == 1))
    return found


def _realign(words: list[str], marks: list[int], merged: list[str]) -> list[int]:
    """Segment numbers for merged tokens, walking the original words by consumed letters."""
    segments: list[int] = []
    position = 0
    letters = [len(word) for word in words]
    consumed = 0
    for token in merged:
        segments.append(marks[min(position, len(marks) - 1)])
        consumed += len(token)
        while position < len(words) and sum(letters[: position + 1]) <= consumed:
            position += 1
    return segments
