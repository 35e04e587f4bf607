"""The safety evaluation set, decided by the default protocol through compute_features like triage does."""

from __future__ import annotations

from collections import Counter

import pytest

from .evaluation import decide_all, headline, load_sentences, table


@pytest.fixture(scope="module")
def outcomes(gemeente):
    return decide_all(gemeente, load_sentences())


def test_the_set_holds_at_least_600_sentences_across_every_family():
    sentences = load_sentences()
    families = Counter(sentence.family for sentence in sentences)
    assert len(sentences) >= 600
    assert (
        families["threat"] >= 250
        and families["abuse"] >= 100
        and families["harmless"] >= 250
        and families["wave"] >= 20
    )
    assert len({sentence.text.casefold() for sentence in sentences}) == len(sentences), "a sentence appears twice"


def test_threats_are_escalated_abuse_never_gets_a_normal_reply_and_harmless_text_is_not_escalated(outcomes):
    print("\n" + table(outcomes))
    figures = headline(outcomes)
    print(figures)
    wrong = [f"{o.sentence.source}: {o.action}/{o.rule_id}: {o.sentence.text}" for o in outcomes if not o.is_correct]
    assert figures["threats escalated by a safety rule"] >= 0.98, wrong
    assert figures["abuse with a normal reply"] == 0, wrong
    assert figures["harmless escalated"] <= 0.02, wrong


def test_threats_go_to_the_team_lead_by_a_safety_rule(outcomes):
    threats = [o for o in outcomes if o.sentence.family == "threat" and o.action == "escalate"]
    by_rule = Counter(o.rule_id for o in threats)
    assert set(by_rule) <= {"dreiging", "dreiging-gemeld", "aanval-op-medewerker"}, by_rule
    reported = [o for o in outcomes if o.sentence.category == "threat: reported by a third party"]
    assert all(o.rule_id == "dreiging-gemeld" for o in reported if o.is_correct)


def test_every_safety_verdict_explains_itself(outcomes):
    for outcome in outcomes:
        if outcome.rule_id in ("dreiging", "dreiging-gemeld", "haat", "belediging"):
            assert outcome.safety, outcome.sentence.text
