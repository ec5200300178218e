"""Grounded answers: templates for facts, verbatim quotes, honest refusal, conflicts."""

import re

import pytest

from assistant.answering import REFUSAL, _concept_coverage, _coverage, phrases


@pytest.fixture(scope="module")
def assistant(fake_assistant_module):
    return fake_assistant_module


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
    assert "(German source)" in english.answer and "«" in english.answer


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
    assert not answer.abstained and "17 Städtepartnerschaften" in answer.answer


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


def test_merged_drafts_renumber_citations_and_name_the_unanswered_part():
    from dataclasses import replace

    from assistant.answering import Draft, merge_drafts
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
    from assistant.embedding import FakeEmbedder

    (corpus_copy / "musterstadt-partnerschaften.md").write_text(
        '---\nid: musterstadt-partnerschaften\ntitle: "Partnerschaften der Stadt Musterstadt"\n'
        'publisher: "Stadt Musterstadt"\ncity: Musterstadt\nsource: "Test page"\n'
        "language: de\nas_of: 2026\n---\n# Partnerschaften\n\n## Kontakt\n\n"
        "Muster, Max\nPartnerstädte: Szeged, Troyes\nTelefon (0123) 45-6789\n"
        "E-Mail partner@musterstadt.example\n\n## Adresse\n\nStadt Musterstadt\n"
        "Rathausplatz 1\n12345 Musterstadt\n",
        encoding="utf-8",
    )
    assistant = Assistant.open(fake_settings, embedder=FakeEmbedder(), log=lambda _m: None)
    answer = assistant.ask("Who handles Szeged?")
    assert answer.answer.startswith("Alina Seel is responsible for Szeged"), answer.answer
    answer = assistant.ask("Wer ist in Musterstadt für Szeged zuständig?")
    assert "Muster, Max" in answer.answer and "Seel" not in answer.answer, answer.answer
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


def _composer(*texts, section="Abschnitt"):
    """A composer over small inline passages (one page, each text a passage)."""
    from assistant.answering import Composer
    from assistant.facts import Facts
    from assistant.records import Chunk, Passage

    chunks = [Chunk(f"c{i}", "seite", "Seite", section, 0, len(t), t) for i, t in enumerate(texts)]
    composer = Composer(Facts(), {c.id: c for c in chunks}, {"seite": 2024})
    passages = [Passage(c, 1.0, i + 1, relevance=0.9) for i, c in enumerate(chunks)]
    return composer, passages


def test_a_topic_no_page_speaks_of_is_refused_in_either_language():
    composer, passages = _composer("Oberbürgermeister Benz pflanzte 2023 einen Baum im Park.")
    for question, lang in (
        ("Which party does Lord Mayor Benz belong to?", "en"),  # party → Partei
        ("Welcher Partei gehört Oberbürgermeister Benz an?", "de"),
        ("What is the population of Darmstadt?", "en"),  # population → Einwohner …
    ):
        assert composer.compose(question, lang, passages).abstained, question
    assert composer.unspoken >= {"partei", "einwohner", "bevolkerung"}
    draft = composer.compose("What did Lord Mayor Benz plant?", "en", passages)
    assert not draft.abstained and "pflanzte" in draft.text


def test_a_how_to_question_needs_what_it_asks_to_do():
    composer, passages = _composer(
        "Jährlich verleiht der Magistrat die Freundschaftsplakette an engagierte Menschen."
    )
    question = "Wie kann ich jemanden für die Freundschaftsplakette vorschlagen?"
    assert composer.unmentioned(question, "de") == ["vorschlagen"]
    assert composer.compose(question, "de", passages).abstained
    composer, passages = _composer(
        "Vorschläge für die Freundschaftsplakette nimmt der Magistrat jederzeit entgegen."
    )
    assert not composer.compose(question, "de", passages).abstained


def test_a_how_to_question_is_answered_only_where_all_it_names_is_told():
    question = "How can our club apply for a grant for a trip?"
    composer, passages = _composer(
        "Vereine erhalten eine Förderung für Studienreisen.", "Anträge nimmt das Amt entgegen."
    )
    assert composer.compose(question, "en", passages).abstained
    composer, passages = _composer("Vereine können die Förderung einer Studienreise beantragen.")
    draft = composer.compose(question, "en", passages)
    assert not draft.abstained and "beantragen" in draft.text


def test_a_place_is_held_in_any_spelling_and_by_the_heading_above_the_passage():
    composer, passages = _composer(
        "Das Projekt wurde vom Bundesministerium (BMZ) gefördert.",
        section="Darmstadt-Ushgorod: Neuausrichtung",
    )
    for question, lang in (
        ("Who funded the project in Uzhhorod?", "en"),
        ("Wer hat das Projekt in Uschhorod gefördert?", "de"),
    ):
        draft = composer.compose(question, lang, passages)
        assert not draft.abstained and "BMZ" in draft.text, question


def test_a_gloss_in_brackets_adds_no_topic():
    composer, _ = _composer("Das Schnellstarterpaket wurde gefördert.")
    question = "Who funded the Schnellstarterpaket (quick-start package)?"
    assert composer.topic_concepts(question) == [["finanziert", "forderung", "gefordert"]]


def test_since_when_is_answered_by_a_sentence_that_states_the_start():
    composer, passages = _composer(
        "Die Initiative Mayors for Peace wurde 1982 gegründet. "
        "Darmstadt ist seit 1998 Mitglied dieses Netzwerks. "
        "Im Jahr 2023 pflanzte Oberbürgermeister Benz einen Baum im Park."
    )  # a year is said of Benz, but no start of his office
    for question, lang in (
        ("Seit wann ist Benz Oberbürgermeister?", "de"),
        ("Since when has Benz been Lord Mayor?", "en"),
    ):
        assert composer.compose(question, lang, passages).abstained, question
    draft = composer.compose("Seit wann ist Darmstadt bei Mayors for Peace?", "de", passages)
    assert not draft.abstained and "seit 1998" in draft.text


def test_glossary_concepts_match_no_typos_but_the_questions_words_do():
    vocab = {"pflanzte", "tragen", "ruckmeldungen"}
    assert _coverage({"fragen"}, vocab) == 1.0  # a user's "fragen" may be a typo
    assert _concept_coverage([["fragen"]], vocab) == 0.0  # the glossary's "Fragen" is not
    assert _concept_coverage([["ruckmeldung"], ["fragen"]], vocab) == 0.5  # inflected: held
