"""Abuse in one clause: insults at a person, slurs at a group, dehumanising comparisons, curses as wishes (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from webcare.protocol.safety import words as w
from webcare.protocol.safety.normalise import Clause
from webcare.protocol.safety.tables import SafetyTables

GENERALISING = w.GENERALISING
COMPOUND_PREFIXES = (
    "asiel",
    "azc",
    "moslim",
    "allochtonen",
    "buitenlanders",
    "straat",
    "hang",
    "tokkie",
    "marokkanen",
    "turken",
    "polen",
    "neger",
    "homo",
    "joden",
    "apen",
    "kanker",
    "tering",
    "tyfus",
    "klere",
    "kut",
    "klote",
    "kk",
    "kkr",
    "ambtenaren",
    "ambtenaar",
)
COMPOUND_SUFFIXES = (
    "tuig",
    "gespuis",
    "ratten",
    "ongedierte",
    "kakkerlakken",
    "parasieten",
    "uitschot",
    "volk",
    "lijer",
    "lijers",
    "hoer",
    "hoeren",
    "mongool",
    "mongolen",
    "wijf",
    "wijven",
    "apen",
)
DEATH_WISH = (
    ("ga", "dood"),
    ("val", "dood"),
    ("ga", "toch", "dood"),
    ("sterf",),
    ("krepeer",),
    ("rot", "op"),
    ("kanker", "op"),
    ("tering", "op"),
    ("tyfus", "op"),
    ("flikker", "op"),
    ("sodemieter", "op"),
)
SELF_WORDS = frozenset({"ik", "k", "me", "mezelf", "mij"})
INSTITUTIONS = frozenset("gemeente gemeentes stadhuis gemeentehuis beleid systeem land overheid regering".split())


@dataclass(frozen=True, slots=True)
class AbuseFinding:
    kind: str
    target: str
    words: str
    start: int


def _target(tokens: tuple[str, ...], index: int, tables: SafetyTables, default: str = "person") -> str:
    near = tokens[max(0, index - 6) : index + 4]
    for kind in ("official", "group"):
        if any(tables.person_kind(token) == kind for token in near):
            return kind
    return default


def _is_about_self(tokens: tuple[str, ...]) -> bool:
    """`ik ben zo'n sukkel`: the writer calls only themself names."""
    has_self = any(token in SELF_WORDS for token in tokens) and any(token in ("ben", "was", "voel") for token in tokens)
    others = any(token in w.SECOND_PERSON or token in w.THIRD_PERSON - {"die", "deze"} for token in tokens)
    return has_self and not others


COMPOUND = re.compile("(" + "|".join(sorted(COMPOUND_PREFIXES, key=len, reverse=True)) + r")([a-z]{3,})")


def _compound(token: str, tables: SafetyTables) -> AbuseFinding | None:
    if len(token) < 7 or not token.startswith(COMPOUND_PREFIXES):
        return None
    match = COMPOUND.fullmatch(token)
    if match is None:
        return None
    prefix, rest = match.groups()
    if rest in COMPOUND_SUFFIXES or rest in tables.insults or tables.person_kind(rest) in ("official", "group"):
        kind = "dehumanising" if rest in tables.dehumanising or rest in COMPOUND_SUFFIXES[:8] else "insult"
        target = tables.person_kind(rest) or ("group" if prefix not in w.CURSE_PREFIXES else "person")
        return AbuseFinding(kind, "person" if target == "building" else target, token, 0)
    return None


def _word_finding(
    tokens: tuple[str, ...], index: int, token: str, tables: SafetyTables, about_self: bool
) -> AbuseFinding | None:
    """The abuse one word makes in its context, if any; the most specific reading first."""
    previous = tokens[index - 1] if index > 0 else ""
    if token in tables.slurs:
        return AbuseFinding("slur", "group", token, index)
    if token in tables.insults and not about_self:
        return AbuseFinding("insult", _target(tokens, index, tables), token, index)
    if token in w.CURSE_WISHES or token in ("kk", "kkr"):
        found = _curse(tokens, index, tables)
        if found:
            return found
    if token in w.DEHUMANISING_ALONE:
        return AbuseFinding("dehumanising", _target(tokens, index, tables, "group"), token, index)
    if token in tables.dehumanising:
        found = _dehumanising(tokens, index, tables)
        if found:
            return found
    if token in GENERALISING:
        found = _dehumanising(tokens, index, tables, "generalising")
        if found and found.target == "group":
            return found
    if token in w.ANIMALS and (
        previous in w.INSULT_ADJECTIVES
        or previous in ("stelletje", "stel", "bende")
        or tuple(tokens[max(0, index - 2) : index]) == ("wat", "een")
    ):
        return AbuseFinding("insult", _target(tokens, index, tables), f"{previous} {token}", index)
    if token in tables.groups and previous in w.INSULT_ADJECTIVES:
        return AbuseFinding("generalising", "group", f"{previous} {token}", index)
    if token in w.GROUP_VERBS and any(
        tables.person_kind(word) == "group" for word in tokens[max(0, index - 4) : index]
    ):
        group = next(word for word in tokens[max(0, index - 4) : index] if tables.person_kind(word) == "group")
        return AbuseFinding("generalising", "group", f"{group} … {token}", index)
    if token in w.GROUP_PREDICATES:
        words = _group_copula(tokens, index, tables)
        if words:
            return AbuseFinding("generalising", "group", words, index)
    compound = _compound(token, tables)
    return AbuseFinding(compound.kind, compound.target, token, index) if compound else None


def clause_abuse(clause: Clause, tables: SafetyTables) -> list[AbuseFinding]:
    tokens = clause.tokens
    if tables.abuse_triggers.isdisjoint(tokens) and not any(
        len(token) >= 7 and token.startswith(COMPOUND_PREFIXES) and COMPOUND.fullmatch(token) for token in tokens
    ):
        return []
    findings: list[AbuseFinding] = []
    about_self = _is_about_self(tokens)
    for index, token in enumerate(tokens):
        finding = _word_finding(tokens, index, token, tables, about_self)
        if finding is not None:
            findings.append(finding)
    text = " " + " ".join(tokens) + " "
    for phrase in w.XENOPHOBIC:
        if " " + phrase + " " in text:
            findings.append(AbuseFinding("generalising", "group", phrase, text.index(phrase)))
    has_self = any(token in SELF_WORDS for token in tokens)
    for wish in DEATH_WISH:
        phrase = " " + " ".join(wish) + " "
        if phrase in text and not about_self and not (has_self or phrase + "van " in text):
            findings.append(AbuseFinding("death wish", "person", phrase.strip(), text.index(phrase)))
    return findings


def _group_copula(tokens: tuple[str, ...], index: int, tables: SafetyTables) -> str:
    """`homo's zijn ziek in hun hoofd`: a group noun, a copula, a judgement."""
    before = tokens[max(0, index - 4) : index]
    if not any(token in ("zijn", "is") for token in before):
        return ""
    group = next((token for token in before if token in tables.groups), None)
    after = tokens[index + 1 : index + 3]
    if tokens[index] == "ziek" and after and after != ("in", "hun") and after[0] != "in":
        return ""  # "veel daklozen zijn ziek en hebben hulp nodig" describes, "ziek in hun hoofd" insults
    return f"{group} … {tokens[index]}" if group else ""


def _dehumanising(
    tokens: tuple[str, ...], index: int, tables: SafetyTables, kind: str = "dehumanising"
) -> AbuseFinding | None:
    """`die asielzoekers zijn ratten`, `het zijn net beesten`, `jullie zijn ongedierte`: a person, a copula, the word."""
    before = tokens[max(0, index - 6) : index]
    has_copula = any(token in w.COPULAS for token in before) or ("wat", "een") == tuple(before[-2:])
    implicit = any(
        before[position : position + 2] in (("het", "zijn"), ("dat", "zijn"), ("dit", "zijn"))
        for position in range(len(before))
    )
    if not has_copula and not implicit:
        return None
    kinds = [tables.person_kind(token) for token in before]
    if ("wat", "een") == tuple(before[-2:]):
        kinds += [tables.person_kind(token) for token in tokens[index + 1 : index + 4]]
    if implicit or "group" in kinds or "official" in kinds or "person" in kinds:
        target = "group" if "group" in kinds else "official" if "official" in kinds else "person"
        return AbuseFinding(kind, target, " … ".join((before[0], tokens[index])) if before else tokens[index], index)
    return None


def _curse(tokens: tuple[str, ...], index: int, tables: SafetyTables) -> AbuseFinding | None:
    """`krijg de kanker`, `kanker ambtenaren`, `kk mongool`; not `mijn moeder heeft kanker`."""
    before = tokens[max(0, index - 3) : index]
    if any(token in w.DISEASE_WORDS for token in before):
        return None
    if "krijg" in before or "krijgen" in before:
        return AbuseFinding("curse", _target(tokens, index, tables), "krijg … " + tokens[index], index)
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    kind = tables.person_kind(following)
    if kind in ("person", "official", "group") or following in tables.insults:
        return AbuseFinding(
            "curse", kind if kind in ("official", "group") else "person", f"{tokens[index]} {following}", index
        )
    return None
