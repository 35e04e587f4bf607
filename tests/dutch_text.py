"""What a person reads on a page, with resident text and markup taken out, and the English words to look for.

The vocabulary is the product's own English: words its pages, mails and exports used before they went
through the catalogue. A Dutch page holding one of them shows a string that bypassed gettext.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

ENGLISH_VOCABULARY = (
    # duty banner, shift kinds, time bands
    "evening",
    "office",
    "on call",
    "night shift",
    "weekend shift",
    "standby",
    # rotation frequencies and weekdays
    "daily",
    "weekly",
    "fortnightly",
    "monthly",
    "Mon",
    "Tue",
    "Wed",
    "Thu",
    "Fri",
    "Sat",
    "Sun",
    # protocol trace and decisions
    "skipped",
    "matched",
    "none of",
    "conditions holds",
    "always",
    "escalate",
    "reply",
    "summarise",
    "priority",
    "template",
    "any topic",
    "any visibility",
    "may_send",
    "needs_approval",
    "may_not",
    "may send",
    "needs approval",
    # timeline, statuses and events
    "Waiting for",
    "queued",
    "Reply queued",
    "claimed",
    "assigned",
    "resolved",
    "reopened",
    "waiting_on",
    # services and validation
    "fill in",
    "needs a",
    "exists already",
    "is not set",
    "not found",
    "must be",
    "cannot",
    "is required",
    "Invalid",
    "unknown",
    "already",
    # connector settings
    "access token",
    "Page access",
    "Graph API",
    "webhook",
    "secret",
    # reports and exports
    "cases",
    "minutes",
    "hours ago",
    "attainment",
    "median",
    "breached",
    "first_response",
    "within_norm",
)
WORD = {word: re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])") for word in ENGLISH_VOCABULARY}
# A stored code shown as it is (`waiting_for_shift`, `joined_wave`): lower-case words joined by underscores.
CODE = re.compile(r"(?<![\w@.-])[a-z]+(?:_[a-z]+)+(?![\w@-])")
READABLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
SKIPPED_ELEMENTS = {"script", "style", "pre", "code", "textarea", "template", "kbd", "samp"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        for name, value in attrs:
            if name in READABLE_ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def readable_text(html: str) -> str:
    """The text and readable attributes of a page, without scripts, styles, code and form contents."""
    parser = _Text()
    parser.feed(html)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


def without(text: str, data: set[str]) -> str:
    """`text` with every piece of stored data (resident text, names, rule ids) blanked, longest first."""
    for piece in sorted((piece for piece in data if piece and len(piece) > 1), key=len, reverse=True):
        text = text.replace(piece, " ")
    return text


def english_words(text: str) -> list[str]:
    """The vocabulary words found in `text`, each once with a little context."""
    found = []
    for word, pattern in WORD.items():
        match = pattern.search(text)
        if match:
            start, end = max(0, match.start() - 40), min(len(text), match.end() + 40)
            found.append(f"{word!r} in …{text[start:end]!r}…")
    for match in CODE.finditer(text):
        start, end = max(0, match.start() - 40), min(len(text), match.end() + 40)
        found.append(f"code {match.group()!r} in …{text[start:end]!r}…")
        break
    return found


def calendar_text(ics: str) -> str:
    """The lines of an iCalendar feed a calendar app shows: summary, description, location."""
    shown = ("SUMMARY", "DESCRIPTION", "LOCATION")
    return "\n".join(line for line in ics.splitlines() if line.startswith(shown))
