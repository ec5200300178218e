"""Features of (question, unit) pairs: what the unit holds of what is asked."""

import numpy as np

from assistant.answering.reader.candidates import make_candidates
from assistant.answering.reader.features import FEATURES, featurize
from assistant.answering.reader.question import Gazetteer, QuestionReader
from assistant.answering.reader.units import chunk_units
from assistant.language.words import fold_words, stems
from assistant.records import Chunk, Passage
from assistant.retrieval.lexical import Vocabulary

TEXTS = {
    "a": (
        "Darmstadt-Ushgorod: Neuausrichtung",
        "Das Projekt wurde vom Bundesministerium gefördert.",
    ),
    "b": ("Netzwerke", "Mayors for Peace wurde 1982 gegründet. Darmstadt ist seit 1998 Mitglied."),
    "c": ("Netzwerke", "Im Jahr 2023 pflanzte Oberbürgermeister Benz einen Baum im Park."),
    "d": ("Dortmund", "Seit 1995 verbindet Dortmund eine Partnerschaft mit Amiens."),
}


def _setup(texts=TEXTS):
    chunks = {
        k: Chunk(k, f"doc-{k}", "Seite", section, 0, len(text), text, kind="prose")
        for k, (section, text) in texts.items()
    }
    words = {w for c in chunks.values() for w in fold_words(f"{c.section} {c.text}")}
    stem_sets = [set(stems(fold_words(f"{c.section} {c.text}"))) for c in chunks.values()]

    def doc_freq(stem):
        return sum(stem in s for s in stem_sets)

    reader = QuestionReader(
        Vocabulary(words),
        doc_freq,
        50,  # as if among 50 passages: a word of one of them is rare
        Gazetteer(["Ushgorod", "Darmstadt", "Dortmund", "Amiens", "Szeged", "Trondheim"]),
        ["Darmstadt", "Dortmund"],
        home="Darmstadt",
    )
    passages = [
        Passage(c, 1.0 / (i + 1), i + 1, relevance=0.5) for i, c in enumerate(chunks.values())
    ]
    return reader, passages


def _features(question, lang, texts=TEXTS):
    reader, passages = _setup(texts)
    analysis = reader.analyse(question, lang)
    candidates = make_candidates(chunk_units, passages)
    dense = np.linspace(0.8, 0.7, len(candidates))
    cities = {"doc-d": "Dortmund"}
    x = featurize(analysis, candidates, dense, {}, cities, "Darmstadt")
    col = {n: i for i, n in enumerate(FEATURES)}
    rows = zip(candidates, x, strict=True)
    return {c.unit.text: {n: float(row[col[n]]) for n in FEATURES} for c, row in rows}


def test_a_place_is_held_by_the_heading_above_the_passage():
    f = _features("Wer hat das Projekt in Uschhorod gefördert?", "de")
    funded = f["Das Projekt wurde vom Bundesministerium gefördert."]
    # Ushgorod stands in the heading only: it counts, at half weight
    assert funded["names_held"] > funded["names_held_own"]
    assert funded["type_fit"] == 1.0  # "wer" is answered by an organisation
    assert funded["lexical"] > 0.5


def test_since_when_wants_a_sentence_that_states_a_start():
    f = _features("Seit wann ist Darmstadt bei Mayors for Peace?", "de")
    member = f["Darmstadt ist seit 1998 Mitglied."]
    founded = f["Mayors for Peace wurde 1982 gegründet."]
    planted = f["Im Jahr 2023 pflanzte Oberbürgermeister Benz einen Baum im Park."]
    assert member["since_start"] == founded["since_start"] == 1.0
    assert planted["since_no_start"] == 1.0 and planted["hard_type_fit"] == 1.0
    assert member["lexical"] > 0 and member["first_unit"] == 0.0


def test_everything_asked_in_one_place_and_the_focus():
    f = _features("Seit wann ist Benz Oberbürgermeister?", "de")
    planted = f["Im Jahr 2023 pflanzte Oberbürgermeister Benz einen Baum im Park."]
    assert planted["complete"] == 1.0  # the year, Benz and the office are all there
    f = _features("Wer hat den Baum im Park gepflanzt und warum?", "de")
    funded = f["Das Projekt wurde vom Bundesministerium gefördert."]
    assert funded["focus_held"] == 0.0 and funded["complete"] == 0.0


def test_another_citys_page_is_marked_for_a_question_about_the_home_city():
    f = _features("Seit wann ist Amiens Partnerstadt?", "de")
    assert f["Seit 1995 verbindet Dortmund eine Partnerschaft mit Amiens."]["other_city_page"] == 1
    f = _features("Seit wann ist Amiens Partnerstadt von Dortmund?", "de")
    row = f["Seit 1995 verbindet Dortmund eine Partnerschaft mit Amiens."]
    assert row["other_city_page"] == 0 and row["named_city_page"] == 1


def test_a_question_about_one_year_wants_a_date_from_that_year():
    planted = "Im Jahr 2023 pflanzte Oberbürgermeister Benz einen Baum im Park."
    that_year = _features("Wann pflanzte Benz 2023 einen Baum?", "de")[planted]
    assert that_year["hard_type_fit"] == 1.0
    other_year = _features("Wann pflanzte Benz 2025 einen Baum?", "de")[planted]
    assert other_year["hard_type_fit"] == 0.0  # its date is of 2023, not of 2025
    # a choice of years, or since when, is no question about one year
    choice = _features("Wann pflanzte Benz einen Baum, 2023 oder 2024?", "de")[planted]
    assert choice["hard_type_fit"] == 1.0


def test_the_one_year_a_question_for_a_date_a_count_or_an_amount_is_about():
    reader, _ = _setup()
    assert reader.analyse("Wie hoch war das Budget 2023?", "de").dated == 2023
    assert reader.analyse("How many guests came in 2019?", "en").dated == 2019
    assert reader.analyse("Seit wann ist Darmstadt 1998 Mitglied?", "de").dated is None
    assert reader.analyse("Wer war 2009 Vorsitzende?", "de").dated is None  # no date asked


def test_a_question_for_a_roles_holder_wants_the_role_named_with_the_person():
    planted = "Im Jahr 2023 pflanzte Oberbürgermeister Benz einen Baum im Park."
    mayor = _features("Wer ist Oberbürgermeister?", "de")[planted]
    assert mayor["hard_type_fit"] == 1.0
    # a person, but not said to chair anything (another page says who chairs: a role the
    # pages write)
    texts = {**TEXTS, "e": ("Verein", "Vorsitzender des Vereins ist ein Ehrenamt.")}
    chair = _features("Wer ist Vorsitzender des Vereins?", "de", texts)[planted]
    assert chair["hard_type_fit"] == 0.0
    # a role no page writes cannot be looked for: the person is enough
    unknown = _features("Wer ist Vorsitzender des Vereins?", "de")[planted]
    assert unknown["hard_type_fit"] == 1.0


def test_a_table_holds_what_its_rows_about_the_named_thing_hold():
    table = (
        "| Partnerstadt | Kontakt |\n|---|---|\n"
        "| Szeged | Ida Beispiel, Tel. 06151 13-3608 |\n"
        "| Trondheim | Karl Muster, k.muster@example.org |"
    )
    texts = {"t": ("Partnerstädte", table)}
    whole = table
    szeged = _features("Telefonnummer des Kontakts für Szeged?", "de", texts)[whole]
    assert szeged["hard_type_fit"] == 1.0
    # the phone is in another city's row
    trondheim = _features("Telefonnummer des Kontakts für Trondheim?", "de", texts)[whole]
    assert trondheim["hard_type_fit"] == 0.0


def test_what_a_count_question_counts_is_the_thing_after_how_many():
    from assistant.answering.reader.candidates import _counted

    texts = {**TEXTS, "h": ("Hilfe", "Seit 2022 fuhren 23 Hilfstransporte nach Ushgorod.")}
    reader, _ = _setup(texts)
    counted = _counted(reader.analyse("Wie viele Hilfstransporte fuhren nach Ushgorod?", "de"))
    assert "hilfstransporte" in counted  # a rare compound, read as a name, is still counted
    assert "ushgorod" not in counted  # a place is where, not what is counted
    planted = "Im Jahr 2023 pflanzte Oberbürgermeister Benz einen Baum im Park."
    trees = _features("Wie viele Bäume pflanzte Benz im Park?", "de")[planted]
    assert trees["hard_type_fit"] == 0.0  # "2023" is a year, and no count of trees


def test_a_persons_own_address_asked_is_not_a_shared_one():
    texts = {
        "s": ("Team", "Sekretariat: Ida Beispiel, international@example.org"),
        "o": ("Team", "Referentin: Erika Muster, e.muster@example.org"),
    }
    shared = "Sekretariat: Ida Beispiel, international@example.org"
    own = "Referentin: Erika Muster, e.muster@example.org"
    asked = _features("Wie ist die E-Mail von Ida Beispiel persönlich?", "de", texts)
    assert asked[shared]["hard_type_fit"] == 0.0  # the office's address, not hers
    assert (
        _features("Wie ist die E-Mail von Ida Beispiel?", "de", texts)[shared]["hard_type_fit"]
        == 1.0
    )
    mine = _features("Wie ist die E-Mail von Erika Muster persönlich?", "de", texts)
    assert mine[own]["hard_type_fit"] == 1.0


def test_people_counted_are_held_by_any_count_of_people():
    delegation = "Eine 14-köpfige Delegation aus Musterville war zu Gast im Rathaus."
    hall = "Der Festsaal im Rathaus von Musterville hat 14 Fenster."
    texts = {"d": ("Besuch", delegation), "f": ("Rathaus", hall)}
    asked = _features("Wie viele Leute kamen aus Musterville?", "de", texts)
    assert asked[delegation]["hard_type_fit"] == 1.0  # a group of fourteen
    assert asked[hall]["hard_type_fit"] == 0.0  # fourteen windows are no people
