"""Threats in one clause: a violent predicate, who it is aimed at, and the frame that makes it a threat (pure)."""

from __future__ import annotations

from webcare.protocol.safety import words as w
from webcare.protocol.safety.frames import (
    BODY_PARTS,
    DEAD_WORDS,
    FIRE_NARRATIVE,
    FIRE_WORDS,
    HARMLESS_PARTICLES,
    REFLEXIVE,
    Finding,
    frame_of,
    is_excepted,
    is_idiom,
    judged,
    negation_of,
    target_kind,
)
from webcare.protocol.safety.normalise import HARD_BOUNDARY, Clause
from webcare.protocol.safety.tables import SafetyTables


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
                elif (
                    following not in w.SECOND_PERSON
                    and following not in ("hem", "haar", "ze", "die")
                    and not (
                        form.is_infinitive
                        and any(
                            word in w.SECOND_PERSON or word in ("hem", "haar")
                            for word in tokens[max(0, index - 4) : index]
                        )
                    )
                ):
                    continue
                rest = tokens[index + 2 :]
                if any(word in HARMLESS_PARTICLES for word in rest) and not any(word in BODY_PARTS for word in rest):
                    continue
            found.append((form.lemma, index, index, form.is_person_only, form.is_past, form.is_infinitive))
    return found


def _own_target(clause: Clause, start: int, end: int, tables: SafetyTables) -> str | None:
    """The target in the predicate's own part of the sentence (`ik ga die aanvraag afmaken en dan stuur ik hem op`)."""
    segment = clause.segments[start]
    for same in (lambda part: part == segment, lambda part: part // HARD_BOUNDARY == segment // HARD_BOUNDARY):
        indexes = [index for index, part in enumerate(clause.segments) if same(part)]
        own = tuple(clause.tokens[index] for index in indexes)
        found = target_kind(own, {position for position, index in enumerate(indexes) if index in (start, end)}, tables)
        if found is not None:
            return found
    return None


def clause_threats(clause: Clause, tables: SafetyTables, has_question: bool) -> list[Finding]:
    tokens = clause.tokens
    if tables.threat_triggers.isdisjoint(tokens):
        return _veiled(clause, tables)
    findings: list[Finding] = []
    for lemma, start, end, person_only, past, infinitive in _predicates(clause, tables):
        if is_excepted(clause, start, end, tables):
            continue
        target = _own_target(clause, start, end, tables)
        if target is None and not person_only:
            continue
        if target == "building" and lemma not in tables.building_lemmas:
            continue
        if any(word in w.HYPERBOLE for word in tokens[max(0, start - 3) : start]) or is_idiom(tokens[:start]):
            continue
        frame = frame_of(clause, start, infinitive, has_question)
        words = tokens[start] if start == end else f"{tokens[start]} … {tokens[end]}"
        findings.append(judged(clause, lemma, start, end, target, frame, past, words))
    findings.extend(_fire_and_weapons(clause, tables, has_question))
    findings.extend(_blows_and_body(clause, tables, has_question))
    findings.extend(_dead_wishes(clause, tables))
    findings.extend(_veiled(clause, tables))
    return findings


def _fire_and_weapons(clause: Clause, tables: SafetyTables, has_question: bool) -> list[Finding]:
    tokens = clause.tokens
    findings = []
    fire = next((index for index, token in enumerate(tokens) if token in FIRE_WORDS), None)
    if fire is not None and not any(token in FIRE_NARRATIVE for token in tokens) and not is_idiom(tokens[:fire]):
        target = target_kind(tokens, {fire}, tables)
        if any(token in tables.buildings for token in tokens):
            target = "building"
        is_building = target == "building"
        if target is not None and (is_building or tokens[fire] != "vuur"):
            frame = frame_of(clause, fire, True, has_question) or (
                ("intent", "gaat") if any(token in ("gaat", "gaan") for token in tokens) else None
            )
            if frame is not None or (is_building and len(tokens) <= 4):
                frame = frame or ("call", tokens[fire])
                findings.append(judged(clause, "in brand steken", fire, fire, target, frame, False, tokens[fire]))
    weapon = next((index for index, token in enumerate(tokens) if token in tables.weapons), None)
    if weapon is not None and not is_excepted(clause, weapon, weapon, tables):
        target = target_kind(tokens, {weapon}, tables)
        has_visit = any(token in w.VISIT_VERBS for token in tokens)
        has_first = any(token in w.FIRST_PERSON for token in tokens)
        has_norm = any(token in w.NORM_MARKERS for token in tokens)
        is_aimed = tokens[weapon] in w.THREAT_NOUNS and any(token in w.SECOND_PERSON for token in tokens)
        if target in ("person", "official", "group", "building") and (
            has_visit or has_first or has_norm or is_aimed or len(tokens) <= 5
        ):
            frame = ("question" if has_question else "visit"), tokens[weapon]
            findings.append(judged(clause, "wapen", weapon, weapon, target, frame, False, tokens[weapon]))
        elif (
            tokens[weapon] in w.EXPLOSIVES
            and target == "building"
            and not any(token in w.PASSIVE_AUX or token in FIRE_NARRATIVE for token in tokens)
        ):
            findings.append(
                judged(clause, "wapen", weapon, weapon, "building", ("call", tokens[weapon]), False, tokens[weapon])
            )
        elif has_visit and has_first:
            frame = ("question" if has_question else "visit"), tokens[weapon]
            findings.append(judged(clause, "wapen", weapon, weapon, "person", frame, False, tokens[weapon]))
    return findings


def _blows_and_body(clause: Clause, tables: SafetyTables, has_question: bool) -> list[Finding]:
    """`die boa krijgt klappen van me`, `ik hoop dat hij een ongeluk krijgt`, `ik snij je keel door`."""
    tokens = clause.tokens
    findings = []
    harm = next((index for index, token in enumerate(tokens) if token in w.HARM_NOUNS), None)
    if harm is not None and any(token in w.HARM_GIVING for token in tokens):
        target = target_kind(tokens, {harm}, tables)
        if target in ("person", "official", "group"):
            frame = frame_of(clause, harm, False, False)
            if frame is None and any(token in ("me", "mij", "ons") for token in tokens[harm:]):
                frame = ("intent", "van " + tokens[-1])
            if frame is not None:
                findings.append(judged(clause, tokens[harm], harm, harm, target, frame, False, tokens[harm]))
    body = next((index for index, token in enumerate(tokens) if token in w.BODY_PARTS), None)
    if (
        body is not None
        and body > 0
        and tokens[body - 1] in w.POSSESSIVE_OTHERS
        or (body is not None and body > 1 and tokens[body - 2] in w.POSSESSIVE_OTHERS and tokens[body - 1] == "al")
    ):
        verb = next((index for index, token in enumerate(tokens[:body]) if token in w.BODY_HARM_VERBS), None)
        if verb is not None and any(token in w.FIRST_PERSON for token in tokens[: verb + 2]):
            findings.append(
                judged(
                    clause,
                    "lichamelijk geweld",
                    verb,
                    body,
                    "person",
                    ("intent", tokens[verb]),
                    False,
                    f"{tokens[verb]} … {tokens[body]}",
                )
            )
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
        target = target_kind(tokens, {index}, tables)
        if target not in ("person", "official", "group"):
            return []
        wish = next((word for word in tokens if word in w.DEAD_WISH or word in w.NORM_MARKERS), None)
        if wish is None and not ("jullie" in tokens and "zijn" in tokens):
            return []
        if wish in ("ga", "gaat", "gaan", "zijn", "ben") and not any(word in w.SECOND_PERSON for word in tokens):
            return []
        frame = ("norm" if wish in w.NORM_MARKERS else "wish"), wish or "zijn"
        return [judged(clause, "dood", index, index, target, frame, False, f"{wish or 'zijn'} … {token}")]
    return []


def _veiled(clause: Clause, tables: SafetyTables) -> list[Finding]:
    if tables.veiled is None:
        return []
    if tables.veiled_anchors.isdisjoint(clause.tokens) or not w.VEILED_PAST.isdisjoint(clause.tokens):
        return []
    text = " ".join(clause.tokens)
    findings = []
    matches = list(tables.veiled.finditer(text))
    for pattern in w.VEILED_PATTERNS:
        matches.extend(pattern.finditer(text))
    for match in matches:
        phrase = match.group(0)
        start = text[: match.start()].count(" ")
        end = start + phrase.count(" ")
        if is_excepted(clause, start, end, tables):
            continue
        if phrase in tables.needs_target:
            rest = clause.tokens[end + 1 :]
            has_person = target_kind(clause.tokens, set(range(start, end + 1)), tables) in (
                "person",
                "official",
                "group",
            )
            if phrase.startswith(("pas", "kijk")):
                if rest and rest[0] not in w.SECOND_PERSON and rest[0] not in tables.officials:
                    continue
            elif not has_person and not any(word in w.VISIT_VERBS for word in clause.tokens):
                continue
        target = target_kind(clause.tokens, set(), tables) or "person"
        negator = negation_of(clause, start, end)
        if negator and negator in phrase.split():
            negator = None  # the negation is part of the phrase: "je leeft niet lang meer", "nooit meer thuiskomt"
        status = "negated" if negator else "threat"
        findings.append(Finding(status, "veiled", phrase, target, negator or "", phrase, start))
    return findings
