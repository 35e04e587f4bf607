"""Filling a protocol template's placeholders ({naam}, {onderwerp}, …) for one case."""

from __future__ import annotations

import re
from collections.abc import Mapping

from webcare.auth.models import User
from webcare.timeutil import utcnow, zone

# The placeholders docs/protocol.md defines; {link} and {bron} come from the case's topic in the protocol, and
# whatever cannot be known for a case stays in the text for the writer (who cannot send it so).
PLACEHOLDERS = ("naam", "onderwerp", "link", "bron", "afdeling", "medewerker", "aantal", "datum", "kanaal")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
CHANNEL_NAMES = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "whatsapp": "WhatsApp",
    "email": "e-mail",
    "webform": "het contactformulier",
}


def values_for(
    case, *, by: User | None, protocol=None, decision=None, bundle_size: int | None = None
) -> dict[str, str]:
    """What each placeholder stands for on this case; unknown ones are left out (and stay visible)."""
    values: dict[str, str] = {"kanaal": CHANNEL_NAMES.get(case.channel.value, case.channel.value)}
    values["datum"] = utcnow().astimezone(zone()).strftime("%d-%m-%Y")
    if case.author is not None:
        author = case.author
        values["naam"] = (author.name or "").split(" ")[0] if author.name else (author.handle or "").lstrip("@")
        if not values["naam"]:
            del values["naam"]
    if by is not None:
        values["medewerker"] = by.name.split(" ")[0]
    topics = {topic.id: topic for topic in protocol.vocabulary.topics} if protocol is not None else {}
    topic = topics.get(case.topic) if case.topic else None
    if topic is not None:
        values["onderwerp"] = topic.label
        if topic.link:
            values["link"] = topic.link
        if topic.source:
            values["bron"] = topic.source
    elif case.topic:
        values["onderwerp"] = case.topic
    department = (decision.escalate_to if decision is not None else None) or (topic.department if topic else None)
    if department:
        values["afdeling"] = department
    if bundle_size:
        values["aantal"] = str(bundle_size)
    return values


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace the placeholders we know; the others stay as they are, for the writer to fill in."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def unfilled(text: str) -> list[str]:
    """Placeholders still in a text, in order of appearance, each once."""
    return list(dict.fromkeys(match.group(0) for match in _PLACEHOLDER.finditer(text)))
