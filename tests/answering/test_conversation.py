"""Follow-ups that lack their subject take it from the previous question."""

import pytest

from assistant.answering.conversation import (
    Part,
    focus_question,
    resolve_followup,
    split_question,
    user_turns,
)
from assistant.answering.reader.types import asked_types


def test_both_history_formats():
    messages = [{"role": "user", "content": "A?"}, {"role": "assistant", "content": "x"}]
    assert user_turns(messages) == ["A?"]
    assert user_turns([("B?", "y")]) == ["B?"]
    assert user_turns(None) == []


def test_a_question_that_stands_alone_is_unchanged():
    history = [("Wer ist für Szeged zuständig?", "Alina Seel")]
    assert resolve_followup("Seit wann ist Trondheim Partnerstadt?", history) == (
        "Seit wann ist Trondheim Partnerstadt?"
    )
    assert resolve_followup("Und Graz?", None) == "Und Graz?"


@pytest.mark.parametrize(
    ("previous", "followup", "expected"),
    [
        ("Wer ist für Szeged zuständig?", "Und Graz?", "Wer ist für Graz zuständig?"),
        (
            "Seit wann ist Trondheim Partnerstadt?",
            "Und Bursa?",
            "Seit wann ist Bursa Partnerstadt?",
        ),
        ("Who handles Szeged?", "And Graz?", "Who handles Graz?"),
        ("Who handles Troyes?", "What about Płock?", "Who handles Płock?"),
        (
            "Since when is Graz a twin town?",
            "And Trondheim?",
            "Since when is Trondheim a twin town?",
        ),
    ],
)
def test_a_new_place_replaces_the_old_one(previous, followup, expected):
    assert resolve_followup(followup, [(previous, "…")]) == expected


@pytest.mark.parametrize(
    ("previous", "followup"),
    [
        ("Wer betreut Troyes?", "Und ihre Telefonnummer?"),
        ("Wer ist für Płock zuständig?", "Wie ist ihre E-Mail-Adresse?"),
        ("Who handles Troyes?", "What's her phone number?"),
        ("Who is responsible for Nahariya?", "What is her email address?"),
        ("Seit wann ist Brescia Partnerstadt?", "Und wer betreut sie?"),
        # a German pronominal adverb stands for the previous subject too
        ("Seit wann gibt es das Jugendcamp in Musterhaven?", "Wer ist dafür im Amt zuständig?"),
        ("Wann ist das Sommerfest in Beispielburg?", "Was kostet die Teilnahme daran?"),
    ],
)
def test_a_pronoun_takes_the_previous_subject(previous, followup):
    resolved = resolve_followup(followup, [(previous, "…")])
    assert resolved.startswith(followup) and previous in resolved


DIALOGUES = [
    ("Wer ist für Szeged zuständig?", "Und Graz?", "de", "Julia Kuz"),
    ("Seit wann ist Trondheim Partnerstadt?", "Und Bursa?", "de", "1971"),
    ("Wer betreut Troyes?", "Und ihre Telefonnummer?", "de", "13-2324"),
    ("Wer ist für Płock zuständig?", "Wie ist ihre E-Mail-Adresse?", "de", "international@"),
    ("Seit wann ist Brescia Partnerstadt?", "Und Logroño?", "de", "2002"),
    ("Who handles Troyes?", "What's her phone number?", "en", "13-2324"),
    ("Who handles Szeged?", "And Graz?", "en", "Julia Kuz"),
    ("When did Darmstadt twin with Alkmaar?", "What about Chesterfield?", "en", "1959"),
    ("Who is responsible for Nahariya?", "What is her email address?", "en", "international@"),
    ("Since when is Graz a twin town?", "And Trondheim?", "en", "1968"),
    ("Wer ist für Szeged zuständig?", "What about Graz?", "en", "Julia Kuz"),
]


@pytest.mark.parametrize(("first", "second", "lang", "expected"), DIALOGUES)
def test_two_turn_dialogues(fake_assistant_module, first, second, lang, expected):
    assistant = fake_assistant_module
    answer = assistant.ask(first)
    follow = assistant.ask(
        second,
        history=[
            {"role": "user", "content": first},
            {"role": "assistant", "content": answer.answer},
        ],
    )
    assert follow.language == lang and not follow.abstained
    assert expected in follow.answer


def test_compound_questions_are_split_into_questions_that_stand_alone():
    parts = split_question("Who handles Brescia, and since when has it been a twin town?", "en")
    assert parts[0] == Part("Who handles Brescia?")
    assert parts[1].follows and "Brescia" in parts[1].text
    parts = split_question(
        "Seit wann ist Bursa Partnerstadt, und an welchem Gesetz orientiert sich Bursa?", "de"
    )
    assert [p.text for p in parts] == [
        "Seit wann ist Bursa Partnerstadt?",
        "an welchem Gesetz orientiert sich Bursa?",
    ]
    assert not parts[1].follows


@pytest.mark.parametrize(
    ("question", "lang", "later", "first_asks"),
    [
        (
            "Since when has the city been twinned with Fjordby, and who is the contact for it?",
            "en",
            "who is the contact for it? (has the city been twinned with Fjordby)",
            {"when", "since"},
        ),
        (
            "Wie lange ist Nordhafen schon Partnerstadt und wer ist dafür zuständig?",
            "de",
            "wer ist dafür zuständig? (ist Nordhafen schon Partnerstadt)",
            {"duration"},
        ),
        (
            "Wann ist das Sommerfest? Was kostet der Eintritt?",
            "de",
            "Was kostet der Eintritt? (ist das Sommerfest)",
            {"when"},
        ),
    ],
)
def test_a_later_part_takes_what_the_first_is_about_not_what_it_asks(
    question, lang, later, first_asks
):
    """A part that refers back takes the first part's subject along, not its question words:
    with them it asked the first part's kind again ("since when" and "who"), its best unit
    was the first part's, and the merged answer left the second part out."""
    parts = split_question(question, lang)
    assert parts[1] == Part(later, True)
    assert first_asks <= asked_types(parts[0].text)
    assert not first_asks & asked_types(parts[1].text)


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Wer ist für Płock zuständig und wie erreiche ich sie?", "fr"),
        ("Kontakt und Adresse", "de"),
        ("Was machen Jugend und Schule in Darmstadt?", "de"),
        ("Who handles Szeged and Uzhhorod?", "en"),
    ],
)
def test_simple_questions_stay_whole(question, lang):
    assert split_question(question, lang) == [Part(question)]


def _places_in(words):
    """A gazetteer of two made-up places for the focus tests."""
    known = [[("fjordby",)], [("nordhafen",), ("north", "haven")]]
    return [g for g in known if any(v[0] in words for v in g)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Our choir visits Fjordby in May. Whom do I write to at the city?",
            "Fjordby: Whom do I write to at the city?",
        ),
        (
            "Mein Verein fährt nach Nordhafen – wer ist bei der Stadt dafür zuständig?",
            "Nordhafen: Wer ist bei der Stadt dafür zuständig?",
        ),
        (
            "We plan a trip to North Haven and Fjordby. Who handles these towns?",
            "North Haven, Fjordby: Who handles these towns?",
        ),
        (
            "our choir wants to sing in fjordby next year, who at the city do i talk to?",
            "fjordby: Who at the city do i talk to?",
        ),
        (
            "Unser Chor fährt im Mai nach Nordhafen, an wen wende ich mich?",
            "Nordhafen: An wen wende ich mich?",
        ),
    ],
)
def test_context_naming_a_place_leads_the_question_asked_alone(question, expected):
    assert focus_question(question, _places_in) == expected


@pytest.mark.parametrize(
    "question",
    [
        "Who handles Fjordby?",  # no context
        "Our school plans an exchange. Whom do I write to?",  # the context names no place
        "We go to Fjordby. Who handles Nordhafen?",  # the asked part names its own place
        "Our choir visits Fjordby in May.",  # nothing asked
    ],
)
def test_no_focus_without_context_naming_a_place(question):
    assert focus_question(question, _places_in) is None
