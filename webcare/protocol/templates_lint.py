"""Checks on reply templates: placeholders, sources, promises about the future, personal data, B1 length."""

from __future__ import annotations

import re
from dataclasses import dataclass

from webcare.protocol.lexicon import fold

PLACEHOLDERS = {
    "naam": "the resident's name or handle",
    "onderwerp": "the topic label",
    "link": "a link to the page about the topic",
    "bron": "the source that backs a correction",
    "afdeling": "the department that takes the matter on",
    "medewerker": "the first name of the agent who answers",
    "aantal": "how many similar messages a summary answers",
    "datum": "today's date",
    "kanaal": "the channel the resident used",
}
PLACEHOLDER_PATTERN = re.compile(r"\{([^{}]*)\}")
SOURCE_PATTERN = re.compile(r"https?://\S+|\{bron\}")
B1_SENTENCE_WORDS = 20

# Written over folded text (lower case, no diacritics); each is a promise a reply cannot keep today.
PROMISE_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        r"\b(we|wij) zorgen (ervoor |er voor )?dat\b",
        r"\b(we|wij) (garanderen|beloven)\b",
        r"\bgarantie\b",
        r"\bbeloof\b",
        r"\b(is|wordt|zal|zijn|worden) (het |alles |dit |dat )?(morgen|vandaag|snel|binnenkort|direct|meteen|zo snel mogelijk) "
        r"(is |zijn )?(opgelost|verholpen|geregeld|gerepareerd|geleegd|weggehaald)\b",
        r"\b(morgen|vandaag|binnenkort|volgende week) (is|zijn|wordt|worden) (het|alles|dit|dat)? ?(opgelost|verholpen|geregeld|gerepareerd)\b",
        r"\bzal (snel |morgen |binnenkort )?(worden )?(opgelost|verholpen|geregeld|gerepareerd)\b",
        r"\b(zal|zullen) worden (opgelost|verholpen|geregeld|gerepareerd)\b",
        r"\bgaat (zeker |snel )?(opgelost|geregeld) worden\b",
        r"\bbinnen \d+ (uur|dagen|dag|weken|week) (opgelost|verholpen|geregeld|gerepareerd)\b",
        r"\bkomt (zeker |helemaal )?(goed|in orde)\b",
        r"\bnooit meer (gebeuren|voorkomen)\b",
    )
)
PERSONAL_DATA_PATTERNS = (
    ("a citizen service number (BSN, 9 digits)", re.compile(r"(?<!\d)(?<!\d\.)\d{3}\.?\d{3}\.?\d{3}(?!\d|\.\d)")),
    ("a phone number", re.compile(r"(?<![\d+])(?:\+31|0031|0)[\s-]?(?:\d[\s-]?){8}\d(?!\d)")),
    ("an e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("a bank account number (IBAN)", re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{4}(?:\s?\d){10}\b")),
    (
        "a postcode with a house number",
        re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}\b\s*,?\s*\d{1,5}\b|\b\d{1,5}[a-zA-Z]?\s*,\s*[1-9]\d{3}\s?[A-Z]{2}\b"),
    ),
)


@dataclass(frozen=True)
class LintFinding:
    message: str
    severity: str = "error"


def lint_template(text: str, *, is_public: bool, needs_source: bool) -> list[LintFinding]:
    """Every finding for one template; errors refuse the protocol, warnings are reported."""
    findings = []
    if text.count("{") != text.count("}"):
        findings.append(LintFinding("has an unmatched { or }"))
    for name in PLACEHOLDER_PATTERN.findall(text):
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + known + "}" for known in PLACEHOLDERS)
            findings.append(LintFinding(f"unknown placeholder {{{name}}}; known placeholders: {known}"))
    if needs_source and not SOURCE_PATTERN.search(text):
        findings.append(LintFinding("the rule asks for sourcing, but the template has no link (http…) and no {bron}"))
    folded = fold(text)
    for pattern in PROMISE_PATTERNS:
        found = pattern.search(folded)
        if found:
            findings.append(
                LintFinding(f'promises a future outcome ("{found.group(0)}"); describe only what is true now')
            )
    if is_public:
        without_placeholders = PLACEHOLDER_PATTERN.sub(" ", text)
        for what, pattern in PERSONAL_DATA_PATTERNS:
            if pattern.search(without_placeholders):
                findings.append(LintFinding(f"a public reply may not contain personal data: it holds {what}"))
    for sentence in re.split(r"[.!?]+\s", PLACEHOLDER_PATTERN.sub("x", text)):
        words = sentence.split()
        if len(words) > B1_SENTENCE_WORDS:
            findings.append(
                LintFinding(
                    f'a sentence of {len(words)} words is long for B1 level (at most {B1_SENTENCE_WORDS}): "{" ".join(words[:6])} …"',
                    "warning",
                )
            )
    return findings
