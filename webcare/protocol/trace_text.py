"""The decision trace in the reader's language, rendered at the edge.

The engine stays pure and writes each trace step in a fixed grammar (`<rule>: matched — <why>`, see
engine.py and conditions.py); the archive keeps those steps as they are. Here they are parsed and
translated; the condition itself (`threat == true`) is protocol syntax and is shown as code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

STEP = re.compile(r"^(?P<rule>[^:]+): (?P<verdict>matched|skipped) — (?P<why>.*)$", re.DOTALL)
VERDICTS = {"matched": _l("matched"), "skipped": _l("skipped")}
STAFFED_HOURS_RAN_OUT = "sla: staffed hours ran out; calendar time used"
PLACEHOLDER = "%(condition)s"


@dataclass(frozen=True)
class Segment:
    text: str
    is_code: bool = False


@dataclass(frozen=True)
class TraceStep:
    rule_id: str | None
    verdict: str
    explanation: tuple[Segment, ...]


def _with_condition(template: str, condition: str) -> tuple[Segment, ...]:
    """A translated sentence around a condition: the condition becomes a code segment."""
    before, _, after = template.partition(PLACEHOLDER)
    return tuple(segment for segment in (Segment(before), Segment(condition, True), Segment(after)) if segment.text)


def explain(why: str) -> tuple[Segment, ...]:
    """One `why` of the engine's grammar in words; an unknown form is shown as code, never lost."""
    if why == "always":
        return (Segment(gettext("always")),)
    if found := re.fullmatch(r"all (\d+) conditions hold", why):
        return (Segment(gettext("all %(count)s conditions hold", count=found.group(1))),)
    if found := re.fullmatch(r"none of (\d+) conditions holds", why):
        return (Segment(gettext("none of the %(count)s conditions holds", count=found.group(1))),)
    if why.startswith("not: "):
        return (Segment(gettext("not:") + " "), *explain(why[len("not: ") :]))
    if why.endswith(" does not hold"):
        return _with_condition(gettext("%(condition)s does not hold"), why[: -len(" does not hold")])
    if why.endswith(" holds"):
        return _with_condition(gettext("%(condition)s holds"), why[: -len(" holds")])
    return (Segment(why, True),)


def trace_step(step) -> TraceStep:
    """One stored trace step, ready for a template."""
    if not isinstance(step, str):
        return TraceStep(None, "", (Segment(str(step), True),))
    if step == STAFFED_HOURS_RAN_OUT:
        return TraceStep(None, "", (Segment(gettext("The staffed hours ran out; the due time is in calendar time.")),))
    found = STEP.match(step)
    if not found:
        return TraceStep(None, "", (Segment(step, True),))
    return TraceStep(found.group("rule"), str(VERDICTS[found.group("verdict")]), explain(found.group("why")))
