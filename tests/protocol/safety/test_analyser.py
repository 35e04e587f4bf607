"""The Dutch safety analyser: spelling games, verb forms, frames, negation, reports, counter-speech and abuse."""

from __future__ import annotations

import pytest

from webcare.protocol.safety import SafetyAnalyser, SafetyExtensions


@pytest.fixture(scope="module")
def analyser() -> SafetyAnalyser:
    return SafetyAnalyser()


@pytest.mark.parametrize(
    ("text", "form", "target"),
    [
        ("Ik wil alle ambtenaren doden", "intent", "official"),
        ("ik ga die wethouder echt gewoon vermoorden", "intent", "official"),
        ("die zouden allemaal opgehangen moeten worden", "norm", "person"),
        ("zal ik even langskomen met een mes?", "question", "person"),
        ("ik steek je morgen na je werk neer", "intent", "person"),
        ("het gemeentehuis in de fik steken", "call", "building"),
        ("die asielzoekers moet je allemaal afmaken", "norm", "group"),
        ("jij bent dood als ik je zie", "wish", "person"),
    ],
)
def test_threats_are_recognised_by_frame_and_target(analyser, text, form, target):
    verdict = analyser.analyse(text)
    assert verdict.threat, verdict
    assert (verdict.threat_form, verdict.threat_target) == (form, target)


@pytest.mark.parametrize(
    "text",
    [
        "ik v3rm00rd je",
        "IK MAAK JE AF",
        "ik maaaak je aaaf",
        "ik ga je v.e.r.m.o.o.r.d.e.n",
        "d o o d maken die gast",
        "ikmaakjeaf",
        "ik kom langs 🔪🔪",
        "ik ga je vrmoorden",
        "afmakuh die gast",
        "ik m44k j3 4f",
    ],
)
def test_spelling_games_do_not_hide_a_threat(analyser, text):
    assert analyser.analyse(text).threat, text


@pytest.mark.parametrize(
    "text",
    [
        "de plant is dood",
        "ik schrik me dood",
        "doodlopende straat",
        "ik ga dood van het lachen",
        "ik ga mijn huiswerk afmaken",
        "ik moet nog de kerstverlichting ophangen",
        "de kogel is door de kerk",
        "Ik sla je voorstel op",
        "ik zou hem wel kunnen wurgen, zo irritant",
        "Pas maar op met de gladheid",
    ],
)
def test_everyday_words_that_look_violent_are_no_threat(analyser, text):
    verdict = analyser.analyse(text)
    assert not verdict.threat and not verdict.threat_reported, verdict


def test_a_negated_self_statement_is_harmless_and_says_why(analyser):
    verdict = analyser.analyse("ik zou nooit iemand iets aandoen")
    assert not verdict.threat and verdict.is_defused
    assert any("negated by 'nooit'" in reason for reason in verdict.explanations)


def test_a_negation_in_an_if_clause_does_not_defuse_the_threat(analyser):
    assert analyser.analyse("als je niet stopt maak ik je af").threat


def test_a_report_of_a_past_event_is_no_threat(analyser):
    verdict = analyser.analyse("Gisteren is een man neergestoken bij het station")
    assert not verdict.threat and not verdict.threat_reported
    assert any("report of an event" in reason for reason in verdict.explanations)


def test_a_threat_someone_else_wrote_is_a_reported_threat(analyser):
    verdict = analyser.analyse("iemand schreef 'ik maak je af' onder jullie post")
    assert (verdict.threat, verdict.threat_reported) == (False, True)
    assert verdict.explanations[0].startswith("reported threat:")


def test_counter_speech_is_neither_threat_nor_abuse(analyser):
    verdict = analyser.analyse("zeggen dat alle moslims ratten zijn is gewoon racisme")
    assert not verdict.threat and not verdict.abuse
    verdict = analyser.analyse("mensen die zeggen dat het azc in de fik moet zijn gewoon strafbaar bezig")
    assert not verdict.threat and not verdict.threat_reported
    assert any(reason.startswith("counter-speech") for reason in verdict.explanations)


def test_the_explanation_names_frame_verb_and_words(analyser):
    verdict = analyser.analyse("Ik wil die wethouder doden")
    assert verdict.explanations == ("threat: intent + doden → 'ik … doden' (target: official)",)


@pytest.mark.parametrize(
    ("text", "kind", "target"),
    [
        ("jij bent echt een vuile klootzak", "insult", "person"),
        ("die asielzoekers zijn ratten", "dehumanising", "group"),
        ("kutmarokkanen overal", "slur", "group"),
        ("krijg de tering wethouder", "curse", "official"),
        ("alle moslims zijn terroristen", "generalising", "group"),
        ("asielzoekers zijn r@tten", "dehumanising", "group"),
    ],
)
def test_abuse_is_recognised_with_its_kind_and_target(analyser, text, kind, target):
    verdict = analyser.analyse(text)
    assert (verdict.abuse, verdict.abuse_kind, verdict.abuse_target) == (True, kind, target)


@pytest.mark.parametrize(
    "text",
    [
        "ik woon naast een moskee",
        "mijn buurvrouw is transgender en super aardig",
        "kut, mijn fiets is gestolen",
        "mijn moeder heeft kanker",
        "er lopen ratten rond bij de flat",
        "ik ben zo'n sukkel, pas vergeten",
    ],
)
def test_group_mentions_swearing_and_self_mockery_are_not_abuse(analyser, text):
    assert not analyser.analyse(text).abuse, text


def test_swearing_at_nobody_is_profanity_only(analyser):
    verdict = analyser.analyse("kut, mijn fiets is gestolen")
    assert (verdict.profanity, verdict.abuse) == (True, False)


def test_an_organisation_adds_verbs_phrases_and_exceptions():
    plain = SafetyAnalyser()
    extended = SafetyAnalyser(
        SafetyExtensions(
            threat_verbs=(
                {"lemma": "vergiftigen", "forms": ["vergiftigen", "vergiftig", "vergiftigd*"]},
                {"lemma": "lekprikken", "forms": ["prik", "prikt"], "particle": "lek"},
            ),
            threat_phrases=("net als in zutphen",),
            exceptions=("ik maak je af met scrabble",),
            insults=("zuurpruim",),
        )
    )
    for text in ("ik ga die wethouder vergiftigen", "ik prik je lek", "het loopt af net als in zutphen"):
        assert not plain.analyse(text).threat and extended.analyse(text).threat, text
    assert plain.analyse("ik maak je af met scrabble").threat
    assert not extended.analyse("ik maak je af met scrabble").threat
    assert extended.analyse("jij zuurpruim").abuse and not plain.analyse("jij zuurpruim").abuse
