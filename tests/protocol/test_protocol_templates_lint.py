"""Template lint: placeholders, sources, promises and personal data refuse a protocol; long sentences warn."""

from __future__ import annotations

import pytest

from webcare.protocol import ProtocolError, protocol_from_text
from webcare.protocol.templates_lint import lint_template


def errors(text: str, *, is_public: bool = True, needs_source: bool = False) -> list[str]:
    return [
        finding.message
        for finding in lint_template(text, is_public=is_public, needs_source=needs_source)
        if finding.severity == "error"
    ]


def test_a_clean_template_passes():
    assert errors("Hoi {naam}, dank je voor je vraag. Kijk op {link}.") == []


def test_an_unknown_placeholder_is_an_error():
    [message] = errors("Hoi {name}, dank je.")
    assert message.startswith("unknown placeholder {name}")


def test_a_sourced_reply_needs_a_link_or_a_source_placeholder():
    assert errors("Dit klopt niet.", needs_source=True)
    assert errors("Dit klopt niet, zie {bron}.", needs_source=True) == []
    assert errors("Dit klopt niet, zie https://lindeburg.nl/feiten.", needs_source=True) == []


@pytest.mark.parametrize(
    "promise",
    [
        "We zorgen ervoor dat de container wordt geleegd.",
        "Morgen is het opgelost!",
        "Wij garanderen een snelle oplossing.",
        "Het probleem zal worden opgelost.",
        "Het wordt binnenkort opgelost.",
        "Dat komt helemaal goed.",
        "Binnen 3 dagen geregeld.",
    ],
)
def test_promises_about_the_future_are_errors(promise):
    assert any("promises a future outcome" in message for message in errors(promise))


def test_describing_the_present_is_not_a_promise():
    assert errors("We hebben je melding doorgezet naar de afdeling Afval.") == []


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Uw BSN is 123456782.", "BSN"),
        ("Bel ons op 06-12345678.", "phone number"),
        ("Bel +31 20 123 4567.", "phone number"),
        ("Mail naar j.jansen@lindeburg.nl", "e-mail"),
        ("Maak over naar NL91ABNA0417164300.", "IBAN"),
        ("Wij komen naar 1234 AB 12.", "postcode"),
        ("Adres: Kerkstraat 12, 1234 AB Lindeburg", "postcode"),
    ],
)
def test_personal_data_in_a_public_reply_is_an_error(text, what):
    assert any(what in message for message in errors(text))


def test_personal_data_is_allowed_in_a_private_reply():
    assert errors("Uw afspraak staat op 1234 AB 12, bel 06-12345678.", is_public=False) == []


def test_the_municipal_short_number_is_not_personal_data():
    assert errors("Bel ons gerust op 14 0575.") == []


def test_a_long_sentence_is_a_warning_for_b1_level():
    long_sentence = " ".join(["woord"] * 25) + "."
    [finding] = lint_template(long_sentence, is_public=True, needs_source=False)
    assert finding.severity == "warning" and "B1" in finding.message


def test_a_protocol_whose_template_promises_is_refused(varied_minimal):
    from .conftest import line_number

    text = varied_minimal("Je leest er meer over op {link}.", "Morgen is het opgelost.")
    with pytest.raises(ProtocolError) as raised:
        protocol_from_text(text, "test.yaml")
    [problem] = raised.value.problems
    assert problem.path == "templates → antwoord"
    assert problem.line == line_number(text, "  antwoord:")


def test_a_sourcing_rule_with_a_template_without_source_is_refused(varied_minimal):
    text = varied_minimal(
        "visibility: public, priority: normal}", "visibility: public, priority: normal, sourcing: true}"
    )
    with pytest.raises(ProtocolError, match="asks for sourcing"):
        protocol_from_text(text, "test.yaml")


def test_every_template_of_the_default_protocol_is_clean(gemeente):
    assert gemeente.warnings == ()
