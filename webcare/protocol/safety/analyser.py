"""The safety verdict on one message: threat, reported threat, abuse and profanity, each explained (pure).

Decisions (see docs/protocol.md, "Safety"):
- a threat is a violent predicate (every form of the verb, separable particles later in the clause) in a threat
  frame (intent, wish, norm, question, fate, call, visit with a weapon) against a person, official, group or
  building; a negated self-statement ("ik zou nooit iemand iets aandoen") and a report of an event
  ("gisteren is een man neergestoken") are not;
- a threat a third party wrote, quoted or retold ("iemand schreef 'ik maak je af' onder jullie post") is a
  *reported* threat: it still goes to the team lead, with high instead of urgent priority;
- words that quote hate to reject it ("zeggen dat ... is gewoon racisme") are counter-speech: neither threat
  nor abuse;
- abuse is an insult or slur aimed at someone, a dehumanising comparison or a curse wished on someone; swearing
  that insults nobody ("kut, mijn fiets is gestolen") is only profanity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from webcare.protocol.safety import words as w
from webcare.protocol.safety.abuse import INSTITUTIONS, AbuseFinding, clause_abuse
from webcare.protocol.safety.frames import Finding
from webcare.protocol.safety.normalise import clauses
from webcare.protocol.safety.tables import SafetyExtensions, SafetyTables, build_tables
from webcare.protocol.safety.threats import clause_threats

PAST_REPORT_VERBS = frozenset(
    "schreef schreven zei zeiden riep riepen postte postten plaatste plaatsten dreigde "
    "dreigden dreigt dreigen twitterde tweette appte stuurde typte reageerde las stond "
    "screenshot".split()
)
GENERIC_REPORT_VERBS = frozenset(
    "zeggen zegt roepen roept beweren beweert noemen noemt denken denkt vinden vindt schrijven schrijft".split()
)
CURSED_INSTITUTION = re.compile("(?:" + "|".join(w.CURSE_PREFIXES) + ")(?:" + "|".join(INSTITUTIONS) + ")")
POSTED = frozenset("reactie reacties post bericht berichten comment comments tweet".split())
TARGET_ORDER = ("official", "group", "person", "building")


@dataclass(frozen=True, slots=True)
class SafetyVerdict:
    """What the analyser found; `explanations` go into the features and the trace."""

    threat: bool = False
    threat_form: str | None = None
    threat_target: str | None = None
    threat_reported: bool = False
    abuse: bool = False
    abuse_kind: str | None = None
    abuse_target: str | None = None
    profanity: bool = False
    is_defused: bool = False
    explanations: tuple[str, ...] = ()


def _first(kinds: list[str | None]) -> str | None:
    return next((kind for kind in TARGET_ORDER if kind in kinds), None)


class SafetyAnalyser:
    """Built once per protocol (the built-in Dutch tables plus the organisation's words); `analyse` is one pass."""

    def __init__(self, extensions: SafetyExtensions = SafetyExtensions()):
        self.tables: SafetyTables = build_tables(extensions)

    def analyse(self, text: str) -> SafetyVerdict:
        tables = self.tables
        parts = clauses(text, tables.canon, tables.content, _PHRASES)
        if not parts:
            return SafetyVerdict()
        has_question = "?" in text
        all_tokens = [token for clause in parts for token in clause.tokens]
        token_set = set(all_tokens)
        is_counter = bool(token_set & w.COUNTER_MARKERS) and bool(
            token_set & (GENERIC_REPORT_VERBS | PAST_REPORT_VERBS)
            or any(clause.is_quoted for clause in parts)
            or "dat" in token_set
        )
        has_past_report = bool(token_set & PAST_REPORT_VERBS) or bool(token_set & {"dreigement", "bedreiging"})
        threats: list[Finding] = []
        reported: list[Finding] = []
        notes: list[str] = []
        abuse: list[AbuseFinding] = []
        for clause in parts:
            report_at = next(
                (
                    i
                    for i, token in enumerate(clause.tokens)
                    if token in PAST_REPORT_VERBS
                    or token in GENERIC_REPORT_VERBS
                    or (token in ("staat", "stond") and set(clause.tokens[i : i + 5]) & POSTED)
                ),
                None,
            )
            for finding in clause_threats(clause, tables, has_question):
                is_retold = clause.is_quoted or (report_at is not None and report_at < finding.start)
                if finding.status == "negated":
                    notes.append(f"not a threat: negated by '{finding.cue}' → '{finding.words}' ({finding.lemma})")
                elif finding.status == "narrative":
                    if is_retold and finding.form != "none":
                        reported.append(finding)
                    else:
                        notes.append(f"not a threat: a report of an event → '{finding.words}' ({finding.lemma})")
                elif is_retold or (has_past_report and clause.is_quoted):
                    reported.append(finding)
                else:
                    threats.append(finding)
            abuse.extend(clause_abuse(clause, tables))
        if is_counter and not has_past_report:
            dropped = threats + reported
            if dropped or abuse:
                notes.append(
                    "counter-speech: the message quotes hate to reject it ('"
                    + next(iter(sorted(token_set & w.COUNTER_MARKERS)))
                    + "')"
                )
            threats, reported, abuse = [], [], []
        if token_set & w.DISEASE_WORDS:
            token_set -= w.CURSE_WISHES
        if tables.exceptions is not None and not threats and not tables.threat_triggers.isdisjoint(token_set):
            excepted = next(
                (
                    match.group(0)
                    for clause in parts
                    for match in [tables.exceptions.search(" ".join(clause.tokens))]
                    if match
                ),
                None,
            )
            if excepted:
                notes.append(f"not a threat: the exception '{excepted}' applies")
        profanity = bool(token_set & w.PROFANITY) or any(CURSED_INSTITUTION.fullmatch(token) for token in token_set)
        return self._verdict(threats, reported, abuse, notes, profanity, has_question)

    @staticmethod
    def _verdict(
        threats: list[Finding],
        reported: list[Finding],
        abuse: list[AbuseFinding],
        notes: list[str],
        profanity: bool,
        has_question: bool,
    ) -> SafetyVerdict:
        explanations = [
            f"threat: {finding.form} + {finding.lemma} → '{_cue(finding)}' (target: {finding.target or 'person'})"
            for finding in threats
        ]
        if not threats:
            explanations += [
                f"reported threat: someone else's words + {finding.lemma} → '{_cue(finding)}'" for finding in reported
            ]
        explanations += [f"abuse: {finding.kind} → '{finding.words}' (target: {finding.target})" for finding in abuse]
        explanations += notes
        if profanity and not abuse:
            explanations.append("profanity without a target: swearing, not abuse")
        is_threat = bool(threats)
        return SafetyVerdict(
            threat=is_threat,
            threat_form=threats[0].form if is_threat else None,
            threat_target=_first([finding.target or "person" for finding in threats]) if is_threat else None,
            threat_reported=not is_threat and bool(reported),
            abuse=bool(abuse),
            abuse_kind=abuse[0].kind if abuse else None,
            abuse_target=_first([finding.target for finding in abuse]),
            profanity=profanity,
            is_defused=bool(notes) and not is_threat,
            explanations=tuple(dict.fromkeys(explanations)),
        )


def _cue(finding: Finding) -> str:
    if finding.cue and finding.cue not in finding.words:
        return f"{finding.cue} … {finding.words}"
    return finding.words


_PHRASES = w.PHRASES
