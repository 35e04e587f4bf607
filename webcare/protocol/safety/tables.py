"""Lookup tables of the safety analyser, built once from `words.py` plus the organisation's own words (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from webcare.protocol.safety import words
from webcare.protocol.safety.normalise import Canon, fold


@dataclass(frozen=True, slots=True)
class VerbForm:
    lemma: str
    is_person_only: bool
    is_past: bool
    is_infinitive: bool


@dataclass(frozen=True)
class SafetyExtensions:
    """What an organisation adds in `vocabulary.safety` of its protocol file."""

    threat_verbs: tuple[Mapping[str, Any], ...] = ()
    threat_phrases: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    buildings: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    officials: tuple[str, ...] = ()
    insults: tuple[str, ...] = ()
    slurs: tuple[str, ...] = ()
    dehumanising: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()

    @classmethod
    def from_protocol(cls, data: Mapping[str, Any] | None) -> SafetyExtensions:
        data = data or {}
        return cls(**{name: tuple(data.get(name, ())) for name in cls.__dataclass_fields__})


def _words(items: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(item).strip() for item in items if item.strip())


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted({" ".join(fold(phrase).split()) for phrase in phrases if phrase.strip()}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(phrase) for phrase in ordered) + r")(?![a-z0-9])")


@dataclass
class SafetyTables:
    """Every word list as a set or a compiled pattern; `canon` undoes the spelling games against them."""

    whole: dict[str, VerbForm] = field(default_factory=dict)
    separable: dict[str, dict[str, str]] = field(default_factory=dict)
    particles: frozenset[str] = frozenset()
    weapons: frozenset[str] = frozenset()
    buildings: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    officials: frozenset[str] = frozenset()
    insults: frozenset[str] = frozenset()
    slurs: frozenset[str] = frozenset()
    dehumanising: frozenset[str] = frozenset()
    veiled: re.Pattern[str] | None = None
    needs_target: frozenset[str] = frozenset()
    exceptions: re.Pattern[str] | None = None
    content: frozenset[str] = frozenset()
    building_lemmas: frozenset[str] = frozenset({"in brand steken", "opblazen", "ingooien", "bestormen"})
    threat_triggers: frozenset[str] = frozenset()
    veiled_anchors: frozenset[str] = frozenset()
    abuse_triggers: frozenset[str] = frozenset()
    canon: Canon | None = None

    def person_kind(self, token: str) -> str | None:
        """What kind of target a token names: person, official, group or building."""
        if token in self.officials:
            return "official"
        if token in self.groups:
            return "group"
        if token in words.SECOND_PERSON or token in words.THIRD_PERSON or token in words.PERSON_NOUNS:
            return "person"
        if token in self.insults or token in words.DEHUMANISING_ALONE:
            return "person"
        if token in self.slurs:
            return "group"
        if token in self.buildings:
            return "building"
        return None


def _add_verb(
    tables: SafetyTables, lemma: str, forms: Sequence[str], person_only: bool, past: Sequence[str] = ()
) -> None:
    for form in forms:
        is_past = form.endswith("*")
        form = fold(form.rstrip("*"))
        tables.whole[form] = VerbForm(lemma, person_only, is_past, form.endswith("n") and not is_past)
    for form in past:
        tables.whole[fold(form)] = VerbForm(lemma, person_only, True, False)


def build_tables(extensions: SafetyExtensions = SafetyExtensions()) -> SafetyTables:
    tables = SafetyTables()
    for lemma, (person_only, forms) in words.WHOLE_VERBS.items():
        _add_verb(tables, lemma, forms.split(), person_only)
    for stems, particles in words.SEPARABLE.items():
        for stem in stems.split():
            tables.separable.setdefault(stem, {}).update(particles)
    for verb in extensions.threat_verbs:
        lemma = verb["lemma"]
        if verb.get("particle"):
            for stem in verb["forms"]:
                tables.separable.setdefault(fold(stem), {})[fold(verb["particle"])] = lemma
        else:
            _add_verb(
                tables, lemma, verb["forms"], verb.get("needs_target", False) is False, verb.get("past_forms", ())
            )
            if verb.get("needs_target"):
                tables.building_lemmas = tables.building_lemmas | {lemma}
    tables.particles = frozenset(particle for mapping in tables.separable.values() for particle in mapping)
    tables.weapons = words.WEAPONS | _words(extensions.weapons)
    tables.buildings = words.BUILDINGS | _words(extensions.buildings)
    tables.groups = words.GROUP_NOUNS | _words(extensions.groups)
    tables.officials = words.OFFICIAL_NOUNS | _words(extensions.officials)
    tables.insults = words.INSULTS | _words(extensions.insults)
    tables.slurs = words.SLURS | _words(extensions.slurs)
    tables.dehumanising = words.DEHUMANISING | _words(extensions.dehumanising)
    phrases = (*words.VEILED, *extensions.threat_phrases)
    tables.veiled = _phrase_pattern(phrases)
    # The longest word of every phrase, and the words the veiled patterns need: no anchor, no veiled threat.
    tables.veiled_anchors = frozenset(max(fold(phrase).split(), key=len) for phrase in phrases) | {
        "weet",
        "weten",
        "eraan",
        "zorg",
        "zorgen",
        "vind",
        "vinden",
    }
    tables.needs_target = frozenset(words.VEILED_NEEDS_TARGET_END)
    tables.exceptions = _phrase_pattern((*words.EXCEPTIONS, *extensions.exceptions))
    content = (
        set(tables.whole)
        | set(tables.separable)
        | tables.particles
        | tables.weapons
        | tables.insults
        | tables.slurs
        | tables.dehumanising
        | tables.groups
        | tables.officials
        | tables.buildings
        | words.PROFANITY
        | {"dood", "dode", "doden", "kogel", "strop", "galg", "fik", "brand", "moord", "eraan"}
        | {word for phrase in words.VEILED for word in phrase.split() if len(word) >= 5}
    )
    tables.content = frozenset(content)
    # Words without which a clause cannot hold a threat (besides the veiled phrases) or abuse: a cheap first test.
    tables.threat_triggers = frozenset(
        set(tables.whole)
        | set(tables.separable)
        | tables.weapons
        | words.THREAT_NOUNS
        | words.HARM_NOUNS
        | words.BODY_PARTS
        | {
            "indefik",
            "inbrand",
            "fikerin",
            "vuur",
            "dood",
            "dode",
            "dooie",
            "doodvallen",
            "doodvalt",
            "doodgaan",
            "doodgaat",
        }
    )
    tables.abuse_triggers = frozenset(
        tables.insults
        | tables.slurs
        | tables.dehumanising
        | words.CURSE_WISHES
        | words.ANIMALS
        | words.GROUP_PREDICATES
        | words.GROUP_VERBS
        | tables.groups
        | {"terug", "fokken", "horen"}
        | words.GENERALISING
        | {"kk", "kkr", "dood", "rot", "sterf", "krepeer", "flikker", "sodemieter"}
    )
    known = (
        content
        | words.FIRST_PERSON
        | words.SECOND_PERSON
        | words.THIRD_PERSON
        | words.PERSON_NOUNS
        | words.INTENT_MODALS
        | words.NORM_MARKERS
        | words.PASSIVE_AUX
        | words.NEGATORS
        | words.CONDITIONALS
        | words.REPORT_VERBS
        | words.COUNTER_MARKERS
        | words.VISIT_VERBS
        | words.DEAD_WISH
        | words.DEAD_IDIOMS
    )
    glued_verbs = sorted((form for form in tables.whole if len(form) >= 6), key=len, reverse=True)
    glued = re.compile(
        r"(ik|k|we|wij)?(ga|gaan|wil|zal|kom)?(je|jou|jullie|hem|haar|ze|u|die)?(" + "|".join(glued_verbs) + r")"
        r"|(ik|k)?(maak|steek|schiet|knal|sla|trap)(je|jou|jullie|hem|haar|ze|u)(af|neer|dood|kapot)"
        r"|(weet|weten)(waar)(je|jij|jullie|u)(woont|wonen)"
        r"|(kanker|tering|tyfus|klere|kut)(lijer|lijers|hoer|hoeren|mongool|mongolen|wijf|ambtenaar|ambtenaren|wethouder|boa)"
    )
    tables.canon = Canon(known, content, glued, words.EMOJI_WORDS)
    return tables
