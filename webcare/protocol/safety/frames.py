"""Reading a clause around a violent word: its target, frame, negation, narrative and idioms (pure)."""

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
SUBORDINATORS = frozenset("als dat omdat wanneer zodra tenzij indien".split())
RHETORICAL = frozenset("gewoon eens even effe".split())
RHETORICAL_OPENERS = frozenset("kan kun kunnen waarom moet moeten mag mogen".split())
INVERTED_VERBS = frozenset(
    "kunnen kun kunt kan wil wilt willen gaan gaat ga moet moeten mag mogen zou zouden zullen zal "
    "hebben heb heeft zijn ben bent is doen doe".split()
)


def target_kind(tokens: tuple[str, ...], skip: set[int], tables: SafetyTables) -> str | None:
    if len(tokens) > 1 and tokens[0] in INVERTED_VERBS and tokens[1] in w.SECOND_PERSON:
        skip = skip | {1}
    kinds = {
        tables.person_kind(token)
        for index, token in enumerate(tokens)
        if index not in skip
        and not (
            token in ("die", "deze")
            and index + 1 < len(tokens)
            and tokens[index + 1] not in w.PRONOUN_FOLLOWERS
            and index + 1 not in skip
        )
    }
    if not any(token in w.FIRST_PERSON for token in tokens) and any(token in OBJECT_SELF for token in tokens):
        kinds.add("person")
    for kind in ("official", "group", "person", "building"):
        if kind in kinds:
            return kind
    return None


def negation_of(clause: Clause, start: int, end: int) -> str | None:
    """A negation in the same comma part before or just after the predicate, not inside an `als`-condition."""
    tokens, segments = clause.tokens, clause.segments
    segment = segments[start]
    window = range(max(0, start - 8), min(len(tokens), end + 3))
    for index in window:
        if tokens[index] in w.NEGATORS and segments[index] == segment:
            before = tokens[max(0, index - 6) : index]
            if any(word in w.CONDITIONALS for word in before) and index < start:
                continue
            if index < start and any(word in SUBORDINATORS for word in tokens[index + 1 : start]):
                continue  # "ik zou het niet erg vinden als ...": the negation belongs to the main clause
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            if following in RHETORICAL and tokens[0] in RHETORICAL_OPENERS:
                continue  # "kan iemand die wethouder niet gewoon afmaken": a suggestion, not a denial
            return tokens[index]
    return None


def frame_of(clause: Clause, start: int, is_infinitive: bool, has_question: bool) -> tuple[str, str] | None:
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


def is_narrative(clause: Clause, past: bool, frame: str | None, start: int) -> bool:
    """A report of something that happened: a past form, or a passive or perfect auxiliary before the verb."""
    if frame in ("norm", "fate", "visit", "wish"):
        return False
    if frame == "intent" and not past:
        before = clause.tokens[:start]
        return any(word in RECENT_AUX for word in before) and not any(
            word in w.FIRST_PERSON or word == "plan" for word in before
        )
    return past or any(word in w.PASSIVE_AUX for word in clause.tokens)


def is_excepted(clause: Clause, start: int, end: int, tables: SafetyTables) -> bool:
    if tables.exceptions is None:
        return False
    text = " ".join(clause.tokens)
    offsets = [0]
    for token in clause.tokens:
        offsets.append(offsets[-1] + len(token) + 1)
    low, high = offsets[start], offsets[end + 1] - 1
    return any(match.start() < high and match.end() > low for match in tables.exceptions.finditer(text))


def is_idiom(before: tuple[str, ...]) -> bool:
    """`ik kan hem wel wurgen` (exasperation) and `ik ben bang dat iemand ...` (a worry), not a threat."""
    if "wel" in before and any(word in ("kan", "kunnen", "kon", "konden") for word in before):
        return True
    return any(word in w.FEAR for word in before)


def judged(
    clause: Clause,
    lemma: str,
    start: int,
    end: int,
    target: str | None,
    frame: tuple[str, str] | None,
    past: bool,
    words: str,
) -> Finding:
    form, cue = frame or ("none", "")
    negator = negation_of(clause, start, end)
    if negator:
        return Finding("negated", form, lemma, target, negator, words, start)
    if frame is None or (lemma != "wapen" and is_narrative(clause, past, form, start)):
        return Finding("narrative", form, lemma, target, cue, words, start)
    return Finding("threat", form, lemma, target, cue, words, start)
