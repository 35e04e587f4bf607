"""An organisation's own safety words in the protocol file: validated by the schema, used by the features."""

from __future__ import annotations

from datetime import datetime

import pytest

from webcare.protocol import MessageFacts, ProtocolError, compute_features, protocol_from_text
from webcare.timeutil import UTC

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
SAFETY = """    praise: [bedankt]
  safety:
    threat_verbs:
      - {lemma: vergiftigen, forms: [vergiftigen, vergiftig, vergiftigd*]}
      - {lemma: platwalsen, forms: [platwalsen], needs_target: true}
    threat_phrases: ["net als in zutphen"]
    buildings: [milieustraat]
    exceptions: ["ik maak je af met scrabble"]
"""


def features(protocol, text):
    return compute_features(MessageFacts(text=text, created_at=NOW), protocol)


def test_the_organisations_words_make_threats_the_built_in_tables_do_not_know(varied_minimal, minimal):
    protocol = protocol_from_text(varied_minimal("    praise: [bedankt]\n", SAFETY), "eigen.yaml")
    for text in (
        "ik ga die wethouder vergiftigen",
        "het loopt af net als in zutphen",
        "we gaan de milieustraat platwalsen",
    ):
        assert features(protocol, text).threat and not features(minimal, text).threat, text
        assert protocol.decide(features(protocol, text), NOW).rule_id == "dreiging"
    assert not features(protocol, "ik moet de deeg platwalsen").threat
    assert (
        not features(protocol, "ik maak je af met scrabble").threat
        and features(minimal, "ik maak je af met scrabble").threat
    )


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        ("    weapons: [zwaard]\n    kruisbogen: [boog]\n", "kruisbogen"),
        ('    weapons: ["groot zwaard"]\n', "not in the expected form"),
        ("    threat_verbs:\n      - {lemma: pesten}\n", "forms"),
    ],
)
def test_the_schema_refuses_unknown_keys_phrases_as_words_and_verbs_without_forms(varied_minimal, fragment, message):
    with pytest.raises(ProtocolError) as refused:
        protocol_from_text(
            varied_minimal("    praise: [bedankt]\n", "    praise: [bedankt]\n  safety:\n" + fragment), "fout.yaml"
        )
    assert message in str(refused.value)
