"""Features: Dutch normalisation, sentiment, language, questions, threats, named people, reach, time bands."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from webcare.protocol import MessageFacts, compute_features
from webcare.protocol.calendar import ClosingChoices, OfficeCalendar
from webcare.protocol.features import detect_language, is_question
from webcare.protocol.lexicon import TermMatcher, normalise, sentiment_label, sentiment_score
from webcare.timeutil import UTC, OfficeHours

WEDNESDAY_MORNING = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def facts(text: str, **values) -> MessageFacts:
    return MessageFacts(text=text, created_at=values.pop("created_at", WEDNESDAY_MORNING), **values)


def sentiment(text: str) -> float:
    return sentiment_score(normalise(text), text)


def test_normalising_folds_case_and_strips_diacritics_and_punctuation():
    assert normalise("Één CAFÉ, hè? Ëcht!").text == "een cafe he echt"


def test_normalising_shortens_elongated_words():
    assert normalise("heeeeel mooooi").text == "heel mooi"
    assert normalise("superrrrr").text == "super"
    assert normalise("jaaaaa").text == "ja"
    assert normalise("leuuuuk").alternative_text == "leuk"


def test_normalising_expands_chat_spelling_and_sets_links_and_emoji_aside():
    message = normalise("wnr komt ie nou ff?? 😡 https://lindeburg.nl/afval")
    assert message.text == "wanneer komt ie nou even"
    assert message.emoji == ("😡",)
    assert message.has_link


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("parkeer*", "Parkeervergunning kwijt", True),
        ("parkeer*", "geparkeerd", False),
        ("*afval*", "het grofafvalpunt", True),
        ("*zakken", "vuilniszakken", True),
        ("ik maak je af", "IK maak je AF!!", True),
        ("ik maak je af", "ik maak je avondeten", False),
        ("cafe", "café de Zon", True),
        ("leuk", "leuuuuk", True),
    ],
)
def test_wildcards_and_phrases_match_on_normalised_words(term, text, expected):
    assert TermMatcher([term]).matches(normalise(text)) is expected


def test_sentiment_reads_negation_so_niet_goed_is_negative_and_geen_probleem_is_not():
    assert sentiment_label(sentiment("dat is goed")) == "positive"
    assert sentiment_label(sentiment("dat is niet goed")) == "negative"
    assert sentiment("geen probleem") > 0


def test_intensifiers_and_exclamations_strengthen_sentiment():
    assert sentiment("heel slecht!!") < sentiment("slecht") < 0


@pytest.mark.parametrize(
    ("text", "label"), [("😡🤬", "negative"), ("👍🙏", "positive"), ("❤️", "positive"), ("de bus 🚌", "neutral")]
)
def test_emoji_carry_sentiment(text, label):
    assert sentiment_label(sentiment(text)) == label


def test_language_is_detected_for_real_sentences():
    assert detect_language("wanneer wordt mijn container geleegd in de bloemenwijk") == "nl"
    assert detect_language("when is the town hall open on saturday") == "en"


@pytest.mark.parametrize("text", ["hoi", "ok top", "blorp fnargle zimzam wobble quonk tizzle", "😂😂😂 lol"])
def test_language_is_unknown_for_short_text_and_gibberish_so_a_human_decides(text):
    assert detect_language(text) == "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wanneer komt de vuilniswagen", True),
        ("@gemeente hoe vraag ik een paspoort aan", True),
        ("Goedemorgen, kan ik vandaag langskomen", True),
        ("Mijn kliko is vol. Waarom is hij niet geleegd", True),
        ("echt waar?", True),
        ("متى يتم جمع القمامة؟", True),
        ("de kliko is vol", False),
        ("kijk op https://lindeburg.nl/?pagina=afval", False),
    ],
)
def test_questions_are_recognised_by_question_mark_question_word_or_verb_first(text, expected):
    assert is_question(text) is expected


def test_threats_are_recognised_in_resident_spelling(gemeente):
    assert compute_features(facts("IK WEET WAAR JE WOONT 😡"), gemeente).threat
    assert not compute_features(facts("ik weet waar het gemeentehuis is"), gemeente).threat


def test_an_attack_on_a_named_staff_member_is_recognised_without_diacritics_or_capitals(gemeente):
    attack = compute_features(facts("die verhoeven is echt een luie nietsnut"), gemeente)
    assert attack.mentions == ("Sanne Verhoeven",)
    assert attack.mentions_staff and attack.attack_on_named
    praise = compute_features(facts("Sanne Verhoeven heeft ons super geholpen, bedankt!"), gemeente)
    assert praise.mentions_staff and not praise.attack_on_named


def test_topics_list_every_match_and_the_first_gives_the_department(gemeente):
    found = compute_features(facts("de kliko staat op de stoep en blokkeert het fietspad"), gemeente)
    assert found.topics == ("afval", "openbare-ruimte")
    assert (found.topic, found.department) == ("afval", "afval")


def test_author_reach_marks_press_and_political_accounts_as_high_influence(gemeente):
    press = compute_features(
        facts("vraagje over de markt", author_handle="@RTVLindeburg", author_followers=50), gemeente
    )
    resident = compute_features(facts("vraagje over de markt", author_handle="@piet", author_followers=1500), gemeente)
    assert press.is_press and press.influence == "high"
    assert (resident.is_press, resident.influence) == (False, "medium")


@pytest.fixture
def calendar() -> OfficeCalendar:
    return OfficeCalendar(OfficeHours.weekdays(time(8, 30), time(17, 0)))


@pytest.mark.parametrize(
    ("moment", "band"),
    [
        (datetime(2026, 3, 4, 9, 0, tzinfo=UTC), "office"),
        (datetime(2026, 3, 4, 18, 0, tzinfo=UTC), "evening"),
        (datetime(2026, 3, 4, 23, 30, tzinfo=UTC), "night"),
        (datetime(2026, 3, 7, 12, 0, tzinfo=UTC), "weekend"),
        (datetime(2026, 4, 27, 10, 0, tzinfo=UTC), "holiday"),
    ],
    ids=["office", "evening", "night", "saturday", "koningsdag-2026"],
)
def test_time_bands_follow_the_local_clock_and_dutch_holidays(calendar, moment, band):
    assert calendar.band(moment).value == band


def test_good_friday_and_liberation_day_follow_the_closing_choices():
    hours = OfficeHours.weekdays()
    open_on_good_friday = OfficeCalendar(hours)
    closed_on_good_friday = OfficeCalendar(hours, ClosingChoices(is_closed_on_good_friday=True))
    assert date(2026, 4, 3) not in open_on_good_friday.closed_dates(2026)
    assert date(2026, 4, 3) in closed_on_good_friday.closed_dates(2026)
    assert date(2025, 5, 5) in open_on_good_friday.closed_dates(2025)
    assert date(2026, 5, 5) not in open_on_good_friday.closed_dates(2026)
    assert date(2026, 5, 5) in OfficeCalendar(hours, ClosingChoices(liberation_day="yearly")).closed_dates(2026)
    assert date(2025, 5, 5) not in OfficeCalendar(hours, ClosingChoices(liberation_day="never")).closed_dates(2025)


def test_the_protocol_extra_closing_dates_count_as_holidays(gemeente):
    assert (
        compute_features(facts("hoi", created_at=datetime(2026, 12, 31, 10, 0, tzinfo=UTC)), gemeente).time_band
        == "holiday"
    )


def test_thread_facts_and_channel_pass_through(gemeente):
    found = compute_features(
        facts(
            "dank",
            channel="whatsapp",
            is_public=False,
            our_replies_so_far=2,
            author_contacts_last_n_days=4,
            cluster_size=7,
        ),
        gemeente,
    )
    assert (
        found.channel,
        found.is_public,
        found.our_replies_so_far,
        found.author_contacts_last_n_days,
        found.cluster_size,
    ) == ("whatsapp", False, 2, 4, 7)
