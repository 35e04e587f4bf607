"""Features of one message, computed from plain facts and the protocol's compiled vocabulary (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from webcare.protocol.lexicon import (
    URL_PATTERN,
    NormalisedText,
    TermMatcher,
    fold,
    normalise,
    sentiment_label,
    sentiment_score,
    words_of,
)
from webcare.protocol.safety import SafetyAnalyser

if TYPE_CHECKING:
    from lingua import LanguageDetector

    from webcare.protocol.calendar import OfficeCalendar

DETECTED_LANGUAGES = (
    "DUTCH",
    "ENGLISH",
    "GERMAN",
    "FRENCH",
    "TURKISH",
    "ARABIC",
    "POLISH",
    "SPANISH",
    "ITALIAN",
    "PORTUGUESE",
)
LANGUAGE_CODES = ("nl", "en", "de", "fr", "tr", "ar", "pl", "es", "it", "pt", "unknown")
MINIMUM_RELATIVE_DISTANCE = 0.25
MINIMUM_WORDS_FOR_LANGUAGE = 3
MINIMUM_LETTERS_FOR_LANGUAGE = 12
QUESTION_WORDS = frozenset(
    "wie wat waar waarom wanneer hoe hoeveel hoelang welke welk waarvoor waarmee waardoor hoezo "
    "kan kun kunt kunnen mag mogen moet moeten is zijn heeft hebben wordt worden gaat gaan komt "
    "klopt weet weten zou zouden wil wilt willen krijg krijgen doet doen vraag vraagje".split()
)
QUESTION_MARKS = ("?", "؟", "¿")
GREETINGS = frozenset("hallo hoi hey hee hi beste goedemorgen goedemiddag goedenavond goedendag dag ha geachte".split())
SENTENCE_SPLIT = re.compile(r"[.!\n;:]+")
HANDLE_PATTERN = re.compile(r"(?<!\w)@\w+")
CHANNELS = ("x", "facebook", "instagram", "whatsapp", "email", "webform")
TIME_BANDS = ("office", "evening", "night", "weekend", "holiday")
INFLUENCE_LEVELS = ("low", "medium", "high")
BUILT_IN_LEXICONS = ("threat", "abuse", "spam", "negative", "praise")
THREAT_FORMS = ("intent", "norm", "question", "fate", "call", "visit", "wish", "veiled", "phrase")
SAFETY_TARGETS = ("named", "official", "group", "person", "building")
ABUSE_KINDS = ("insult", "slur", "dehumanising", "generalising", "curse", "death wish")


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What the worker knows about one inbound message and its thread, in plain values."""

    text: str
    created_at: datetime
    channel: str = "x"
    account: str = ""
    is_public: bool = True
    author_handle: str | None = None
    author_name: str | None = None
    author_followers: int | None = None
    author_verified: bool = False
    our_replies_so_far: int = 0
    author_contacts_last_n_days: int = 0
    cluster_size: int = 1


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    label: str
    matcher: TermMatcher
    department: str | None = None
    is_sensitive: bool = False
    link: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str
    kind: str
    matcher: TermMatcher


@dataclass(frozen=True)
class Vocabulary:
    """The protocol's topics, lexicons, named people and account lists, compiled for matching."""

    topics: tuple[Topic, ...] = ()
    lexicons: tuple[tuple[str, TermMatcher], ...] = ()
    people: tuple[Person, ...] = ()
    press_accounts: frozenset[str] = frozenset()
    political_accounts: frozenset[str] = frozenset()
    watched_accounts: frozenset[str] = frozenset()
    medium_followers: int = 1_000
    high_followers: int = 10_000
    safety: SafetyAnalyser = field(default_factory=lambda: default_safety_analyser())


@cache
def default_safety_analyser() -> SafetyAnalyser:
    """The analyser with only the built-in Dutch tables, shared by vocabularies without words of their own."""
    return SafetyAnalyser()


@dataclass(frozen=True, slots=True)
class Features:
    """Everything a rule can test; the engine reads these attributes by name."""

    text: str
    language: str
    topics: tuple[str, ...]
    topic: str | None
    department: str | None
    sensitive: bool
    sentiment: float
    sentiment_label: str
    question: bool
    threat: bool
    threat_form: str | None
    threat_target: str | None
    threat_reported: bool
    abuse: bool
    abuse_kind: str | None
    abuse_target: str | None
    profanity: bool
    safety: tuple[str, ...]
    spam: bool
    negative: bool
    praise: bool
    lexicons: tuple[str, ...]
    mentions: tuple[str, ...]
    mentions_staff: bool
    mentions_official: bool
    attack_on_named: bool
    has_link: bool
    word_count: int
    emoji: tuple[str, ...]
    author: str | None
    followers: int
    verified: bool
    is_press: bool
    is_political: bool
    is_watched: bool
    influence: str
    channel: str
    account: str
    is_public: bool
    time_band: str
    our_replies_so_far: int
    author_contacts_last_n_days: int
    cluster_size: int

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FEATURE_NAMES}


FEATURE_NAMES: tuple[str, ...] = tuple(field.name for field in fields(Features))


@dataclass(frozen=True)
class FeatureSpec:
    """What kind of value a feature holds, for checking rules when the protocol loads."""

    kind: str
    choices: tuple[str, ...] = ()
    meaning: str = ""


FEATURE_SPECS: dict[str, FeatureSpec] = {
    "text": FeatureSpec("text", meaning="the message, lower case, without diacritics, links or punctuation"),
    "language": FeatureSpec("text", LANGUAGE_CODES, "ISO 639-1 code, or unknown when not sure"),
    "topics": FeatureSpec("list", meaning="ids of every matching topic"),
    "topic": FeatureSpec("text", meaning="id of the first matching topic"),
    "department": FeatureSpec("text", meaning="department of the first matching topic that has one"),
    "sensitive": FeatureSpec("bool", meaning="a matching topic is politically sensitive"),
    "sentiment": FeatureSpec("number", meaning="−1 (negative) .. 1 (positive)"),
    "sentiment_label": FeatureSpec("text", ("negative", "neutral", "positive")),
    "question": FeatureSpec("bool", meaning="a question mark or a Dutch question word opens a sentence"),
    "threat": FeatureSpec(
        "bool", meaning="the safety analyser finds a threat, or the threat lexicon matches outside a negation or report"
    ),
    "threat_form": FeatureSpec(
        "text", THREAT_FORMS, "how the threat is made: intent, norm, question, fate, call, visit, wish, veiled, phrase"
    ),
    "threat_target": FeatureSpec("text", SAFETY_TARGETS, "whom the threat is aimed at"),
    "threat_reported": FeatureSpec("bool", meaning="someone reports or quotes a threat another person made"),
    "abuse": FeatureSpec("bool", meaning="abuse aimed at someone, or the abuse lexicon matches (swearing included)"),
    "abuse_kind": FeatureSpec("text", ABUSE_KINDS, "insult, slur, dehumanising, generalising, curse or death wish"),
    "abuse_target": FeatureSpec("text", SAFETY_TARGETS, "whom the abuse is aimed at; none for swearing at nobody"),
    "profanity": FeatureSpec("bool", meaning="swearing that insults nobody"),
    "safety": FeatureSpec("list", meaning="the safety analyser's explanations, for the trace"),
    "spam": FeatureSpec("bool", meaning="the spam lexicon matches"),
    "negative": FeatureSpec("bool", meaning="the negative lexicon matches"),
    "praise": FeatureSpec("bool", meaning="the praise lexicon matches"),
    "lexicons": FeatureSpec("list", meaning="names of every matching lexicon"),
    "mentions": FeatureSpec("list", meaning="names of the named people mentioned"),
    "mentions_staff": FeatureSpec("bool"),
    "mentions_official": FeatureSpec("bool"),
    "attack_on_named": FeatureSpec("bool", meaning="a named person is mentioned in a negative or abusive message"),
    "has_link": FeatureSpec("bool"),
    "word_count": FeatureSpec("number"),
    "emoji": FeatureSpec("list"),
    "author": FeatureSpec("text", meaning="the author's handle, lower case, without @"),
    "followers": FeatureSpec("number"),
    "verified": FeatureSpec("bool"),
    "is_press": FeatureSpec("bool"),
    "is_political": FeatureSpec("bool"),
    "is_watched": FeatureSpec("bool", meaning="the author is on the watched accounts list"),
    "influence": FeatureSpec("text", INFLUENCE_LEVELS),
    "channel": FeatureSpec("text", CHANNELS),
    "account": FeatureSpec("text", meaning="our account the message was addressed to"),
    "is_public": FeatureSpec("bool"),
    "time_band": FeatureSpec("text", TIME_BANDS),
    "our_replies_so_far": FeatureSpec("number"),
    "author_contacts_last_n_days": FeatureSpec("number"),
    "cluster_size": FeatureSpec("number", meaning="similar messages in the bundling window, this one included"),
}


@cache
def language_detector() -> LanguageDetector:
    """The lingua detector for the languages residents write in, built once per process."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in DETECTED_LANGUAGES]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_minimum_relative_distance(MINIMUM_RELATIVE_DISTANCE)
        .build()
    )


def detect_language(text: str) -> str:
    """An ISO 639-1 code, or "unknown" when the text is too short or too ambiguous to say."""
    cleaned = HANDLE_PATTERN.sub(" ", re.sub(r"https?://\S+", " ", text)).replace("#", " ")
    words = [word for word in cleaned.split() if any(char.isalpha() for char in word)]
    letters = sum(char.isalpha() for char in cleaned)
    if len(words) < MINIMUM_WORDS_FOR_LANGUAGE or letters < MINIMUM_LETTERS_FOR_LANGUAGE:
        return "unknown"
    detected = language_detector().detect_language_of(cleaned)
    return "unknown" if detected is None else detected.iso_code_639_1.name.lower()


def is_question(text: str) -> bool:
    """A question mark outside links, or a sentence that opens with a question word or a verb."""
    without_links = re.sub(r"https?://\S+", " ", text)
    if any(mark in without_links for mark in QUESTION_MARKS):
        return True
    for sentence in SENTENCE_SPLIT.split(HANDLE_PATTERN.sub(" ", URL_PATTERN.sub(" ", without_links))):
        first = next((word for word in words_of(sentence) if word not in GREETINGS), None)
        if first in QUESTION_WORDS:
            return True
    return False


def handle_key(handle: str | None) -> str | None:
    """A handle as the account lists compare it: lower case, without the @."""
    if not handle:
        return None
    return fold(handle.strip()).lstrip("@") or None


def influence_level(
    followers: int, is_verified: bool, is_press: bool, is_political: bool, vocabulary: Vocabulary
) -> str:
    if is_press or is_political or followers >= vocabulary.high_followers:
        return "high"
    if is_verified or followers >= vocabulary.medium_followers:
        return "medium"
    return "low"


def _matching_topics(message: NormalisedText, vocabulary: Vocabulary) -> list[Topic]:
    return [topic for topic in vocabulary.topics if topic.matcher.matches(message)]


def compute_features(facts: MessageFacts, protocol: Any) -> Features:
    """All features of one message under a loaded protocol (its vocabulary and office calendar)."""
    vocabulary: Vocabulary = protocol.vocabulary
    calendar: OfficeCalendar = protocol.calendar
    message = normalise(facts.text)
    topics = _matching_topics(message, vocabulary)
    lexicons = tuple(name for name, matcher in vocabulary.lexicons if matcher.matches(message))
    score = sentiment_score(message, facts.text)
    label = sentiment_label(score)
    mentioned = [person for person in vocabulary.people if person.matcher.matches(message)]
    author = handle_key(facts.author_handle)
    followers = facts.author_followers or 0
    is_press = author in vocabulary.press_accounts
    is_political = author in vocabulary.political_accounts
    is_hostile = "abuse" in lexicons or "negative" in lexicons or label == "negative"
    safety = vocabulary.safety.analyse(facts.text)
    is_threat = safety.threat or ("threat" in lexicons and not safety.is_defused and not safety.threat_reported)
    named = "named" if mentioned else None
    explanations = safety.explanations
    if is_threat and not safety.threat:
        explanations = ("threat: phrase from the protocol's threat lexicon", *explanations)
    return Features(
        text=message.text,
        language=detect_language(facts.text),
        topics=tuple(topic.id for topic in topics),
        topic=topics[0].id if topics else None,
        department=next((topic.department for topic in topics if topic.department), None),
        sensitive=any(topic.is_sensitive for topic in topics),
        sentiment=score,
        sentiment_label=label,
        question=is_question(facts.text),
        threat=is_threat,
        threat_form=safety.threat_form or ("phrase" if is_threat else None),
        threat_target=(named or safety.threat_target or "person") if is_threat else None,
        threat_reported=safety.threat_reported and not is_threat,
        abuse=safety.abuse or "abuse" in lexicons,
        abuse_kind=safety.abuse_kind,
        abuse_target=(named or safety.abuse_target) if safety.abuse else None,
        profanity=safety.profanity and not safety.abuse,
        safety=explanations,
        spam="spam" in lexicons,
        negative="negative" in lexicons,
        praise="praise" in lexicons,
        lexicons=lexicons,
        mentions=tuple(person.name for person in mentioned),
        mentions_staff=any(person.kind == "staff" for person in mentioned),
        mentions_official=any(person.kind == "official" for person in mentioned),
        attack_on_named=bool(mentioned) and (is_hostile or is_threat or safety.abuse),
        has_link=message.has_link,
        word_count=len(message.tokens),
        emoji=message.emoji,
        author=author,
        followers=followers,
        verified=facts.author_verified,
        is_press=is_press,
        is_political=is_political,
        is_watched=author in vocabulary.watched_accounts,
        influence=influence_level(followers, facts.author_verified, is_press, is_political, vocabulary),
        channel=facts.channel,
        account=facts.account,
        is_public=facts.is_public,
        time_band=calendar.band(facts.created_at).value,
        our_replies_so_far=facts.our_replies_so_far,
        author_contacts_last_n_days=facts.author_contacts_last_n_days,
        cluster_size=facts.cluster_size,
    )
