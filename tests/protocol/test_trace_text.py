"""The engine's trace steps read as sentences in the reader's language; conditions stay protocol syntax."""

from __future__ import annotations

from flask_babel import force_locale

from webcare.protocol.trace_text import Segment, trace_step


def _words(step: str) -> str:
    line = trace_step(step)
    return f"{line.rule_id}: {line.verdict} — " + "".join(
        f"`{segment.text}`" if segment.is_code else segment.text for segment in line.explanation
    )


def test_trace_steps_read_dutch_with_the_condition_as_code(app):
    with app.test_request_context(), force_locale("nl"):
        assert (
            _words("dreiging: skipped — threat == true does not hold")
            == "dreiging: overgeslagen — `threat == true` klopt niet"
        )
        assert _words("klacht: matched — negative == true holds") == "klacht: van toepassing — `negative == true` klopt"
        assert (
            _words("trol: skipped — none of 2 conditions holds")
            == "trol: overgeslagen — geen van de 2 voorwaarden klopt"
        )
        assert _words("rest: matched — always") == "rest: van toepassing — altijd"
        assert _words("x: skipped — not: spam == true holds") == "x: overgeslagen — niet: `spam == true` klopt"
        assert trace_step("sla: staffed hours ran out; calendar time used").explanation == (
            Segment("De bezette uren waren op; de uiterste tijd is in kalendertijd."),
        )


def test_trace_steps_read_english_as_the_second_locale_and_unknown_steps_are_kept(app):
    with app.test_request_context(), force_locale("en"):
        assert (
            _words("dreiging: skipped — threat == true does not hold")
            == "dreiging: skipped — `threat == true` does not hold"
        )
        assert trace_step("something new").explanation == (Segment("something new", True),)
