"""Dutch text normalisation, wildcard term matching and lexicon-based sentiment (pure)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

URL_PATTERN = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
TOKEN_PATTERN = re.compile(r"[a-z0-9]+")
ELONGATION_PATTERN = re.compile(r"([a-z])\1{2,}")
WILDCARD_TERM_PATTERN = re.compile(r"^\*?[^*]+\*?$")

# Chat spelling that residents really use, mapped to the word the vocabularies are written in.
SLANG = {
    "ff": "even",
    "nie": "niet",
    "ni": "niet",
    "nt": "niet",
    "gwn": "gewoon",
    "gewon": "gewoon",
    "idd": "inderdaad",
    "mss": "misschien",
    "wss": "waarschijnlijk",
    "wrm": "waarom",
    "wnr": "wanneer",
    "wnneer": "wanneer",
    "hoezo": "waarom",
    "nx": "niks",
    "zn": "zijn",
    "mn": "mijn",
    "m": "hem",
    "t": "het",
    "k": "ik",
    "kweet": "weet",
    "egt": "echt",
    "ech": "echt",
    "da": "dat",
    "dr": "er",
    "tnx": "bedankt",
    "thnx": "bedankt",
    "thx": "bedankt",
    "bedankd": "bedankt",
    "dankje": "dankjewel",
    "pls": "alsjeblieft",
    "plz": "alsjeblieft",
    "aub": "alstublieft",
    "svp": "alstublieft",
    "vd": "van",
    "w8": "wacht",
    "w88": "wacht",
    "wachtn": "wachten",
    "ok": "oke",
    "okay": "oke",
    "gemeentes": "gemeente",
}

# Emoji and emoticons with a polarity of their own; the laughing face stays neutral (mockery or joy).
EMOJI_POLARITY = {
    "😡": -0.9,
    "🤬": -1.0,
    "😠": -0.7,
    "👎": -0.6,
    "😤": -0.5,
    "😢": -0.5,
    "😭": -0.6,
    "🙄": -0.4,
    "💩": -0.7,
    "🤮": -0.8,
    "🤢": -0.6,
    "😒": -0.4,
    "😞": -0.5,
    "😩": -0.5,
    "😫": -0.5,
    "🖕": -1.0,
    "💔": -0.6,
    "😱": -0.4,
    "👍": 0.6,
    "🙏": 0.5,
    "❤": 0.8,
    "♥": 0.7,
    "💚": 0.7,
    "💙": 0.7,
    "😊": 0.6,
    "🙂": 0.4,
    "😀": 0.5,
    "😃": 0.5,
    "😄": 0.5,
    "😁": 0.5,
    "👏": 0.6,
    "💪": 0.4,
    "🥰": 0.8,
    "😍": 0.8,
    "⭐": 0.4,
    "🌟": 0.5,
    "🎉": 0.6,
    "🤩": 0.7,
    "👌": 0.5,
    "😂": 0.0,
}
EMOTICON_POLARITY = {":)": 0.4, ":-)": 0.4, ":d": 0.5, ";)": 0.3, ":(": -0.5, ":-(": -0.5, ":'(": -0.6}
EMOTICON_PATTERN = re.compile(r"(?<!\w)(:-?\)|:d\b|;\)|:-?\(|:'\()", re.IGNORECASE)

NEGATORS = frozenset({"niet", "geen", "nooit", "niks", "niets", "nergens", "allerminst", "zonder"})
NEGATION_REACH = 3
NEGATION_FACTOR = -0.6
INTENSIFIERS = {
    "heel": 1.4,
    "erg": 1.4,
    "zeer": 1.5,
    "super": 1.5,
    "echt": 1.3,
    "ontzettend": 1.6,
    "enorm": 1.5,
    "mega": 1.6,
    "hartstikke": 1.5,
    "totaal": 1.5,
    "volstrekt": 1.5,
    "ongelofelijk": 1.6,
    "ongelooflijk": 1.6,
    "bijzonder": 1.3,
    "extreem": 1.6,
    "vreselijk": 1.5,
    "zo": 1.2,
    "te": 1.2,
    "best": 0.8,
    "nogal": 0.9,
    "beetje": 0.6,
    "wat": 0.9,
    "redelijk": 0.8,
}
INTENSIFIER_REACH = 2
POSITIVE_THRESHOLD = 0.2
NEGATIVE_THRESHOLD = -0.2


def fold(text: str) -> str:
    """Case-folded text with diacritics removed (é→e, ë→e, ï→i)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _shorten_elongation(token: str) -> tuple[str, str | None]:
    """`heeeel` → heel, `superrrr` → super, `jaaaa` → ja; the second value collapses every run to one letter."""
    if not ELONGATION_PATTERN.search(token):
        return token, None
    doubled = ELONGATION_PATTERN.sub(r"\1\1", token)
    if doubled.endswith(("aa", "oo", "uu", "ii")) or (doubled[-1] not in "aeiou" and doubled[-2:-1] == doubled[-1]):
        doubled = doubled[:-1]
    single = ELONGATION_PATTERN.sub(r"\1", token)
    return doubled, (single if single != doubled else None)


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A message as the matchers see it: tokens joined by single spaces, plus what was set aside."""

    tokens: tuple[str, ...]
    text: str
    alternative_text: str | None
    emoji: tuple[str, ...]
    has_link: bool

    @property
    def variants(self) -> tuple[str, ...]:
        return (self.text,) if self.alternative_text is None else (self.text, self.alternative_text)


def _tokens(folded: str) -> tuple[list[str], list[str] | None]:
    tokens: list[str] = []
    alternatives: list[str] = []
    has_alternative = False
    for raw in TOKEN_PATTERN.findall(folded.replace("'", "").replace("’", "")):
        token, alternative = _shorten_elongation(raw)
        token = SLANG.get(token, token)
        tokens.append(token)
        alternatives.append(SLANG.get(alternative, alternative) if alternative else token)
        has_alternative = has_alternative or alternative is not None
    return tokens, (alternatives if has_alternative else None)


def words_of(text: str) -> list[str]:
    """The normalised words of a text without links (what `normalise(text).tokens` holds), for quick checks."""
    return _tokens(fold(text))[0]


def normalise(text: str) -> NormalisedText:
    """Case-fold, strip diacritics, links and punctuation, shorten elongated words, expand chat spelling."""
    has_link = bool(URL_PATTERN.search(text))
    without_links = URL_PATTERN.sub(" ", text)
    emoji = [char for char in without_links if char in EMOJI_POLARITY]
    emoji += [match.lower() for match in EMOTICON_PATTERN.findall(without_links)]
    tokens, alternatives = _tokens(fold(without_links))
    return NormalisedText(
        tokens=tuple(tokens),
        text=" ".join(tokens),
        alternative_text=" ".join(alternatives) if alternatives else None,
        emoji=tuple(emoji),
        has_link=has_link,
    )


def _term_pattern(term: str) -> str:
    words = []
    for word in term.split():
        core_tokens, _ = _tokens(fold(word.strip("*")))
        if not core_tokens:
            raise ValueError(f"term {term!r} has no letters or digits")
        core = r"\ ".join(re.escape(token) for token in core_tokens)
        prefix = "[a-z0-9]*" if word.startswith("*") else ""
        suffix = "[a-z0-9]*" if word.endswith("*") else ""
        words.append(prefix + core + suffix)
    return r"(?<![a-z0-9])" + r"\ ".join(words) + r"(?![a-z0-9])"


def _required_literal(term: str) -> str:
    """The longest word core of a term: text every match must contain."""
    cores = [" ".join(_tokens(fold(word.strip("*")))[0]) for word in term.split()]
    return max(cores, key=len)


def term_problem(term: str) -> str | None:
    """Why a vocabulary term cannot be used, or None when it can."""
    if not term.strip():
        return "an empty term"
    for word in term.split():
        if not WILDCARD_TERM_PATTERN.match(word):
            return f"term {term!r}: a * may only stand at the start or the end of a word"
    try:
        _term_pattern(term)
    except ValueError as error:
        return str(error)
    return None


class TermMatcher:
    """Finds any of a list of terms (`parkeer*`, `*afval*`, `ik maak je af`) in normalised text."""

    __slots__ = ("terms", "_pattern", "_literals")

    def __init__(self, terms: Iterable[str]):
        self.terms = tuple(terms)
        self._pattern = re.compile("|".join(_term_pattern(term) for term in self.terms)) if self.terms else None
        self._literals = tuple(dict.fromkeys(_required_literal(term) for term in self.terms))

    def matches(self, message: NormalisedText) -> bool:
        if self._pattern is None:
            return False
        # A term can only match where its longest word occurs; the substring test is far cheaper than the regex.
        return any(
            any(literal in variant for literal in self._literals) and self._pattern.search(variant)
            for variant in message.variants
        )

    def __bool__(self) -> bool:
        return bool(self.terms)


@dataclass(frozen=True, slots=True)
class PolarityLexicon:
    """Word polarities in −1..1; entries ending in * are stems."""

    words: dict[str, float]
    stems: dict[str, float]

    def polarity(self, token: str) -> float | None:
        found = self.words.get(token)
        if found is not None:
            return found
        for length in range(len(token) - 1, 2, -1):
            found = self.stems.get(token[:length])
            if found is not None:
                return found
        return self.stems.get(token)


@cache
def dutch_polarity() -> PolarityLexicon:
    """The bundled Dutch polarity lexicon (webcare/protocol/data/nl_polarity.tsv)."""
    words: dict[str, float] = {}
    stems: dict[str, float] = {}
    source = resources.files("webcare.protocol").joinpath("data/nl_polarity.tsv").read_text(encoding="utf-8")
    for line in source.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, score = line.split("\t")
        if term.endswith("*"):
            stems[term[:-1]] = float(score)
        else:
            words[term] = float(score)
    return PolarityLexicon(words, stems)


def sentiment_score(message: NormalisedText, raw_text: str, lexicon: PolarityLexicon | None = None) -> float:
    """A score in −1..1 from word polarities, negation (`niet goed`), intensifiers and emoji."""
    lexicon = lexicon or dutch_polarity()
    alternatives = message.alternative_text.split(" ") if message.alternative_text else None
    total = 0.0
    negated_until = -1
    boost, boosted_until = 1.0, -1
    for index, token in enumerate(message.tokens):
        if token in NEGATORS:
            negated_until = index + NEGATION_REACH
            continue
        if token in INTENSIFIERS and lexicon.polarity(token) is None:
            boost, boosted_until = INTENSIFIERS[token], index + INTENSIFIER_REACH
            continue
        polarity = lexicon.polarity(token)
        if polarity is None and alternatives is not None:
            polarity = lexicon.polarity(alternatives[index])
        if polarity is None:
            continue
        if index <= boosted_until:
            polarity *= boost
        if index <= negated_until:
            polarity *= NEGATION_FACTOR
        total += polarity
    total += sum(EMOJI_POLARITY.get(symbol, EMOTICON_POLARITY.get(symbol, 0.0)) for symbol in message.emoji)
    exclamations = min(raw_text.count("!"), 3)
    total *= 1 + 0.1 * exclamations
    return round(total / math.sqrt(total * total + 1), 3)


def sentiment_label(score: float) -> str:
    if score >= POSITIVE_THRESHOLD:
        return "positive"
    if score <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"
