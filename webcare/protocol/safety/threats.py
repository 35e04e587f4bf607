"""Threats in one clause: a violent predicate, who it is aimed at, and the frame that makes it a threat (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from webcare.protocol.safety import words as w
from webcare.protocol.safety.normalise import Clause
from webcare.protocol.safety.tables import SafetyTables

FIRE_WORDS = frozenset({"indefik", "inbrand", "fikerin", "vuur"})
FIRE_NARRATIVE = frozenset("staat stond stonden vloog vlogen ging gingen brandde afgebrand was".split())
SUBJECTS = frozenset("ik k we wij jij jullie zij hij men u".split())
FATE_VERBS = frozenset("wordt worden word gaat gaan zal zult zullen bent zijn".split())
DEAD_WORDS = frozenset({"dood", "dode", "dooie", "doodvallen", "doodvalt", "doodgaan", "doodgaat"})
BODY_PARTS = w.BODY_PARTS | {"muil"}
HARMLESS_PARTICLES = frozenset("op over uit mee toe om terug aan in voor na bij weg".split())
RECENT_AUX = frozenset("werd werden was waren had hadden heeft hebben is zijn".split())


@dataclass(frozen=True, slots=True)
class Finding:
    """One threat candidate with the words that explain it; `status` is threat, negated, reported or narrative."""

    status: str
    form: str
    lemma: str
    target: str | None
    cue: str
    words: str
    start: int


OBJECT_SELF = frozenset({"me", "mij", "ons"})
REFLEXIVE = frozenset({"me", "mij", "mezelf", "zich", "zichzelf", "ons", "onszelf"})
VEILED_PHRASES = frozenset(w.VEILED)
SUBORDINATORS = frozenset("als dat omdat wanneer zodra tenzij indien".split())
RHETORICAL = frozenset("gewoon eens even effe".split())
RHETORICAL_OPENERS = frozenset("kan kun kunnen waarom moet moeten mag mogen".split())
INVERTED_VERBS = frozenset("kunnen kun kunt kan wil wilt willen gaan gaat ga moet moeten mag mogen zou zouden zullen zal "
                           "hebben heb heeft zijn ben bent is doen doe".split())


def _target(tokens: tuple[str, ...], skip: set[int], tables: SafetyTables) -> str | None:
    if len(tokens) > 1 and tokens[0] in INVERTED_VERBS and tokens[1] in w.SECOND_PERSON:
        skip = skip | {1}
    kinds = {tables.person_kind(token) for index, token in enumerate(tokens) if index not in skip}
    if not any(token in w.FIRST_PERSON for token in tokens) and any(token in OBJECT_SELF for token in tokens):
        kinds.add("person")
    for kind in ("official", "group", "person", "building"):
        if kind in kinds:
            return kind
    return None


def _negator(clause: Clause, start: int, end: int) -> str | None:
    """A negation in the same comma part before or just after the predicate, not inside an `als`-condition."""
    tokens, segments = clause.tokens, clause.segments
    segment = segments[start]
    window = range(max(0, start - 8), min(len(tokens), end + 3))
    for index in window:
        if tokens[index] in w.NEGATORS and segments[index] == segment:
            before = tokens[max(0, index - 6):index]
            if any(word in w.CONDITIONALS for word in before) and index < start:
                continue
            if index < start and any(word in SUBORDINATORS for word in tokens[index + 1:start]):
                continue  # "ik zou het niet erg vinden als ...": the negation belongs to the main clause
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            if following in RHETORICAL and tokens[0] in RHETORICAL_OPENERS:
                continue  # "kan iemand die wethouder niet gewoon afmaken": a suggestion, not a denial
            return tokens[index]
    return None


def _person_only(lemma: str, tables: SafetyTables) -> bool:
    spec = w.WHOLE_VERBS.get(lemma)
    return spec[0] if spec else False


def _predicates(clause: Clause, tables: SafetyTables) -> list[tuple[str, int, int, bool, bool, bool]]:
    """(lemma, start, end, person_only, past, infinitive) of each violent verb in the clause."""
    tokens = clause.tokens
    found = []
    used: set[int] = set()
    for index, token in enumerate(tokens):
        particles = tables.separable.get(token)
        if particles and not (index + 1 < len(tokens) and tokens[index + 1] in REFLEXIVE):
            for later in range(index + 1, min(len(tokens), index + 9)):
                lemma = particles.get(tokens[later])
                if lemma:
                    found.append((lemma, index, later, _person_only(lemma, tables), token in w.PAST_STEMS, False))
                    used.update((index, later))
                    break
            else:
                earlier = [tokens[index - 1]] if index >= 1 else []
                if index >= 2 and tokens[index - 1] == "te":
                    earlier.append(tokens[index - 2])
                lemma = next((particles[word] for word in earlier if word in particles), None)
                if lemma:
                    found.append((lemma, index - len(earlier), index, _person_only(lemma, tables), False, True))
                    used.add(index)
        form = tables.whole.get(token)
        if form and index not in used:
            is_weak = form.lemma in ("slaan", "schieten", "steken", "aandoen")
            if is_weak:
                following = tokens[index + 1] if index + 1 < len(tokens) else ""
                if form.lemma == "aandoen":
                    if index == 0 or tokens[index - 1] not in ("iets", "wat", "pijn"):
                        continue
                elif following not in w.SECOND_PERSON and following not in ("hem", "haar", "ze", "die") and not (
                        form.is_infinitive and any(word in w.SECOND_PERSON or word in ("hem", "haar")
                                                   for word in tokens[max(0, index - 4):index])):
                    continue
                rest = tokens[index + 2:]
                if any(word in HARMLESS_PARTICLES for word in rest) and not any(word in BODY_PARTS for word in rest):
                    continue
            found.append((form.lemma, index, index, form.is_person_only, form.is_past, form.is_infinitive))
    return found


def _frame(clause: Clause, start: int, is_infinitive: bool, has_question: bool) -> tuple[str, str] | None:
    """The frame in the predicate's own comma part first, else in the whole sentence."""
    segment = clause.segments[start]
    own = tuple(token for token, part in zip(clause.tokens, clause.segments) if part == segment)
    if len(own) < len(clause.tokens):
        found = _frame_in(own, own.index(clause.tokens[start]), is_infinitive, False)
        if found is not None:
            return found
    return _frame_in(clause.tokens, start, is_infinitive, has_question)


def _frame_in(tokens: tuple[str, ...], start: int, is_infinitive: bool, has_question: bool) -> tuple[str, str] | None:
    for word in tokens:
        if word in w.NORM_MARKERS:
            return "norm", word
    if any(word in w.FIRST_PERSON for word in tokens):
        cue = next(word for word in tokens if word in w.INTENT_MODALS or word in w.FIRST_PERSON)
        return ("question" if has_question else "intent"), cue
    for word in tokens:
        if word in w.INTENT_MODALS:
            return "intent", word
    for index, word in enumerate(tokens[:-1]):
        if word in w.SECOND_PERSON and tokens[index + 1] in FATE_VERBS:
            return "fate", word + " " + tokens[index + 1]
    if is_infinitive and not any(word in SUBJECTS for word in tokens[:start]):
        return "call", tokens[start]
    if has_question:
        return "question", "?"
    return None


def _is_narrative(clause: Clause, past: bool, frame: str | None, start: int) -> bool:
    """A report of something that happened: a past form, or a passive or perfect auxiliary before the verb."""
    if frame in ("norm", "fate", "visit", "wish"):
        return False
    if frame == "intent" and not past:
        before = clause.tokens[:start]
        return any(word in RECENT_AUX for word in before) and not any(word in w.FIRST_PERSON or word == "plan" for word in before)
    return past or any(word in w.PASSIVE_AUX for word in clause.tokens)


def _excepted(clause: Clause, start: int, end: int, tables: SafetyTables) -> bool:
    if tables.exceptions is None:
        return False
    text = " ".join(clause.tokens)
    offsets = [0]
    for token in clause.tokens:
        offsets.append(offsets[-1] + len(token) + 1)
    low, high = offsets[start], offsets[end + 1] - 1
    return any(match.start() < high and match.end() > low for match in tables.exceptions.finditer(text))


def clause_threats(clause: Clause, tables: SafetyTables, has_question: bool) -> list[Finding]:
    tokens = clause.tokens
    if tables.threat_triggers.isdisjoint(tokens):
        return _veiled(clause, tables)
    findings: list[Finding] = []
    for lemma, start, end, person_only, past, infinitive in _predicates(clause, tables):
        if _excepted(clause, start, end, tables):
            continue
        target = _target(tokens, {start, end}, tables)
        if target is None and not person_only:
            continue
        if target == "building" and lemma not in tables.building_lemmas:
            continue
        if any(word in w.HYPERBOLE for word in tokens[max(0, start - 3):start]) or _is_idiom(tokens[:start]):
            continue
        frame = _frame(clause, start, infinitive, has_question)
        words = tokens[start] if start == end else f"{tokens[start]} … {tokens[end]}"
        findings.append(_judged(clause, lemma, start, end, target, frame, past, words))
    findings.extend(_fire_and_weapons(clause, tables, has_question))
    findings.extend(_blows_and_body(clause, tables, has_question))
    findings.extend(_dead_wishes(clause, tables))
    findings.extend(_veiled(clause, tables))
    return findings


def _is_idiom(before: tuple[str, ...]) -> bool:
    """`ik kan hem wel wurgen` (exasperation) and `ik ben bang dat iemand ...` (a worry), not a threat."""
    if "wel" in before and any(word in ("kan", "kunnen", "kon", "konden") for word in before):
        return True
    return any(word in w.FEAR for word in before)


def _judged(clause: Clause, lemma: str, start: int, end: int, target: str | None, frame: tuple[str, str] | None,
            past: bool, words: str) -> Finding:
    form, cue = frame or ("none", "")
    negator = _negator(clause, start, end)
    if negator:
        return Finding("negated", form, lemma, target, negator, words, start)
    if frame is None or (lemma != "wapen" and _is_narrative(clause, past, form, start)):
        return Finding("narrative", form, lemma, target, cue, words, start)
    return Finding("threat", form, lemma, target, cue, words, start)


def _fire_and_weapons(clause: Clause, tables: SafetyTables, has_question: bool) -> list[Finding]:
    tokens = clause.tokens
    findings = []
    fire = next((index for index, token in enumerate(tokens) if token in FIRE_WORDS), None)
    if fire is not None and not any(token in FIRE_NARRATIVE for token in tokens) and not _is_idiom(tokens[:fire]):
        target = _target(tokens, {fire}, tables)
        if any(token in tables.buildings for token in tokens):
            target = "building"
        is_building = target == "building"
        if target is not None and (is_building or tokens[fire] != "vuur"):
            frame = _frame(clause, fire, True, has_question) or (
                ("intent", "gaat") if any(token in ("gaat", "gaan") for token in tokens) else None)
            if frame is not None or (is_building and len(tokens) <= 4):
                frame = frame or ("call", tokens[fire])
                findings.append(_judged(clause, "in brand steken", fire, fire, target, frame, False, tokens[fire]))
    weapon = next((index for index, token in enumerate(tokens) if token in tables.weapons), None)
    if weapon is not None and not _excepted(clause, weapon, weapon, tables):
        target = _target(tokens, {weapon}, tables)
        has_visit = any(token in w.VISIT_VERBS for token in tokens)
        has_first = any(token in w.FIRST_PERSON for token in tokens)
        has_norm = any(token in w.NORM_MARKERS for token in tokens)
        is_aimed = tokens[weapon] in w.THREAT_NOUNS and any(token in w.SECOND_PERSON for token in tokens)
        if target in ("person", "official", "group", "building") and (
                has_visit or has_first or has_norm or is_aimed or len(tokens) <= 5):
            frame = ("question" if has_question else "visit"), tokens[weapon]
            findings.append(_judged(clause, "wapen", weapon, weapon, target, frame, False, tokens[weapon]))
        elif tokens[weapon] in w.EXPLOSIVES and target == "building" and not any(
                token in w.PASSIVE_AUX or token in FIRE_NARRATIVE for token in tokens):
            findings.append(_judged(clause, "wapen", weapon, weapon, "building", ("call", tokens[weapon]), False,
                                    tokens[weapon]))
        elif has_visit and has_first:
            frame = ("question" if has_question else "visit"), tokens[weapon]
            findings.append(_judged(clause, "wapen", weapon, weapon, "person", frame, False, tokens[weapon]))
    return findings


def _blows_and_body(clause: Clause, tables: SafetyTables, has_question: bool) -> list[Finding]:
    """`die boa krijgt klappen van me`, `ik hoop dat hij een ongeluk krijgt`, `ik snij je keel door`."""
    tokens = clause.tokens
    findings = []
    harm = next((index for index, token in enumerate(tokens) if token in w.HARM_NOUNS), None)
    if harm is not None and any(token in w.HARM_GIVING for token in tokens):
        target = _target(tokens, {harm}, tables)
        if target in ("person", "official", "group"):
            frame = _frame(clause, harm, False, False)
            if frame is None and any(token in ("me", "mij", "ons") for token in tokens[harm:]):
                frame = ("intent", "van " + tokens[-1])
            if frame is not None:
                findings.append(_judged(clause, tokens[harm], harm, harm, target, frame, False, tokens[harm]))
    body = next((index for index, token in enumerate(tokens) if token in w.BODY_PARTS), None)
    if body is not None and body > 0 and tokens[body - 1] in w.POSSESSIVE_OTHERS or (
            body is not None and body > 1 and tokens[body - 2] in w.POSSESSIVE_OTHERS and tokens[body - 1] == "al"):
        verb = next((index for index, token in enumerate(tokens[:body]) if token in w.BODY_HARM_VERBS), None)
        if verb is not None and any(token in w.FIRST_PERSON for token in tokens[:verb + 2]):
            findings.append(_judged(clause, "lichamelijk geweld", verb, body, "person", ("intent", tokens[verb]), False,
                                    f"{tokens[verb]} … {tokens[body]}"))
    return findings


def _dead_wishes(clause: Clause, tables: SafetyTables) -> list[Finding]:
    """`ik wil je dood`, `jij bent dood`, `ik wens je de dood`; not `ik schrik me dood` or `de plant is dood`."""
    tokens = clause.tokens
    for index, token in enumerate(tokens):
        if token not in DEAD_WORDS:
            continue
        if index + 1 < len(tokens) and tokens[index + 1] == "van":
            return []
        if any(word in w.DEAD_IDIOMS and word not in ("ga", "gaat", "gaan", "is", "was", "zijn") for word in tokens):
            return []
        target = _target(tokens, {index}, tables)
        if target not in ("person", "official", "group"):
            return []
        wish = next((word for word in tokens if word in w.DEAD_WISH or word in w.NORM_MARKERS), None)
        if wish is None and not ("jullie" in tokens and "zijn" in tokens):
            return []
        if wish in ("ga", "gaat", "gaan", "zijn", "ben") and not any(word in w.SECOND_PERSON for word in tokens):
            return []
        frame = ("norm" if wish in w.NORM_MARKERS else "wish"), wish or "zijn"
        return [_judged(clause, "dood", index, index, target, frame, False, f"{wish or 'zijn'} … {token}")]
    return []


def _veiled(clause: Clause, tables: SafetyTables) -> list[Finding]:
    if tables.veiled is None:
        return []
    text = " ".join(clause.tokens)
    findings = []
    matches = list(tables.veiled.finditer(text))
    for pattern in w.VEILED_PATTERNS:
        matches.extend(pattern.finditer(text))
    for match in matches:
        phrase = match.group(0)
        start = text[:match.start()].count(" ")
        end = start + phrase.count(" ")
        if _excepted(clause, start, end, tables):
            continue
        if phrase in tables.needs_target:
            rest = clause.tokens[end + 1:]
            has_person = _target(clause.tokens, set(range(start, end + 1)), tables) in ("person", "official", "group")
            if phrase.startswith(("pas", "kijk")):
                if rest and rest[0] not in w.SECOND_PERSON and rest[0] not in tables.officials:
                    continue
            elif not has_person and not any(word in w.VISIT_VERBS for word in clause.tokens):
                continue
        target = _target(clause.tokens, set(), tables) or "person"
        negator = _negator(clause, start, end)
        if negator and negator in phrase.split() and phrase in VEILED_PHRASES:
            negator = None
        status = "negated" if negator else "threat"
        findings.append(Finding(status, "veiled", phrase, target, negator or "", phrase, start))
    return findings
