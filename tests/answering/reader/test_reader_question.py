"""Questions read against the pages: concepts, their weights and the pages' words for them,
names, places in any spelling, the dictionary bridge for English."""

import pytest

from assistant.answering.reader.bridge import Bridge
from assistant.answering.reader.question import Gazetteer, QuestionReader
from assistant.language.words import fold_words, stems
from assistant.retrieval.lexical import Vocabulary

PAGES = [
    "Die Städtepartnerschaft mit Ushgorod wurde 1992 besiegelt.",
    "Oberbürgermeister Benz pflanzte 2023 einen Baum im Park.",
    "Frau Alina Seel betreut die Partnerstädte Bursa und Szeged.",
    "Der Partnerschaftsverein lädt zum Treffen ein.",
    "Die Stadt Darmstadt beteiligt sich an der Woche der Kulturen.",
    "Die Kulturwoche beginnt im Mai.",
    "Das Büro der Verwaltung ist im Rathaus, Zimmer 12.",
]
DICTIONARY = (
    "# a few lines of a Ding-format dictionary\n"
    "Bürgermeister {m} | Bürgermeister {pl} :: mayor | mayors\n"
    "Partnerstadt {f} | Partnerstädte {pl} :: twin town | twin towns\n"
    "Verein {m} | Vereine {pl} :: association | associations\n"
    "Baum {m} | Bäume {pl} :: tree | trees\n"
    "pflanzen {vt} :: to plant\n"
    "Einwohner {m} | Einwohner {pl} :: inhabitant | inhabitants\n"
    "Kultur {f} | Kulturen {pl} :: culture | cultures\n"
    "Graz :: Graz\n"
    "Treffen {n}; Meeting {n} | Treffen {pl}; Meetings {pl} :: meeting | meetings\n"
    "Woche {f} | Wochen {pl} :: week | weeks\n"
    "Städtepartnerschaft {f} :: twinning\n"
    "Rathaus {n} | Rathäuser {pl} :: town hall; city hall | town halls; city halls\n"
    "Verwaltung {f} :: administration\n"
)


@pytest.fixture(scope="module")
def bridge(tmp_path_factory):
    path = tmp_path_factory.mktemp("dict") / "de-en"
    path.write_text(DICTIONARY, encoding="utf-8")
    words = {w for page in PAGES for w in fold_words(page)}
    return Bridge.build(words, path)


@pytest.fixture(scope="module")
def reader(bridge):
    words = {w for page in PAGES for w in fold_words(page)}
    stem_sets = [set(stems(fold_words(p))) for p in PAGES]

    def doc_freq(stem):
        return sum(stem in s for s in stem_sets)

    gazetteer = Gazetteer(["Bursa", "Szeged", "Ushgorod", "Darmstadt"])
    return QuestionReader(
        Vocabulary(words), doc_freq, len(PAGES), gazetteer, ["Darmstadt"], bridge, "Darmstadt"
    )


def _concept(analysis, word):
    return next(c for c in analysis.concepts if c.word == word)


def test_a_place_in_another_spelling_is_the_same_place(reader):
    analysis = reader.analyse("Wer ist für Uschhorod zuständig?", "de")
    (place,) = analysis.places
    assert ("ushgorod",) in place and analysis.constrained == {"person"}
    assert _concept(analysis, place[0][0]).name


def test_a_misspelt_place_is_that_place_and_no_unknown_name(reader):
    analysis = reader.analyse("Seit wann ist Szegedd Partnerstadt?", "de")
    (place,) = analysis.places
    assert ("szeged",) in place and ("szegedd",) in place
    assert [c.word for c in analysis.concepts if c.name] == ["szeged"]


def test_an_english_open_compound_meets_the_german_compound(reader):
    analysis = reader.analyse("When does the culture week begin?", "en")
    assert "kulturwoche" in _concept(analysis, "culture week").words
    assert not {"culture", "week"} & {c.word for c in analysis.concepts}


def test_the_home_city_names_nothing_to_look_for(reader):
    analysis = reader.analyse("Seit wann ist Darmstadt mit Szeged verbunden?", "de")
    assert not any("darmstadt" in c.word for c in analysis.concepts)


def test_a_word_the_pages_lack_is_absent_and_a_name_they_lack_is_unknown(reader):
    analysis = reader.analyse("Welcher Partei gehört Oberbürgermeister Benz an?", "de")
    partei = _concept(analysis, "partei")
    assert partei.absent and not partei.known
    assert _concept(analysis, "oberburgermeister").known
    kyoto = _concept(reader.analyse("Gibt es eine Partnerschaft mit Kyoto?", "de"), "kyoto")
    assert not kyoto.known and (kyoto.name or kyoto.absent)  # nothing the pages know


def test_english_words_meet_the_pages_through_the_dictionary(reader, bridge):
    analysis = reader.analyse("Who is the mayor of Bursa?", "en")
    assert _concept(analysis, "mayor").words >= {"oberburgermeister"}  # compound head
    tree = _concept(reader.analyse("What did the mayor plant, a tree?", "en"), "tree")
    assert "baum" in tree.words
    inhabitants = _concept(reader.analyse("How many inhabitants has Szeged?", "en"), "inhabitants")
    assert inhabitants.absent  # the dictionary knows it, the pages never say Einwohner
    assert bridge.translations("twin town") >= {"partnerstadte"}
    assert "graz" not in bridge.translations("graz")  # a name, the same in both languages


def test_a_translation_spelt_as_one_of_its_german_synonyms_still_translates_the_others(bridge):
    # "Treffen; Meeting :: meeting": the English word is no translation of the German
    # "Meeting", but it is one of "Treffen", which the pages use
    assert "treffen" in bridge.translations("meeting")
    assert "treffen" in bridge.translations("meetings")


def test_a_compounds_parts_and_a_womans_form_are_translated(tmp_path):
    path = tmp_path / "de-en"
    path.write_text(
        "Hilfe {f} :: aid; help\n"
        "Transport {m} :: haulage\n"  # its plural no headword: …orte was read as the head
        "Orte {pl} :: places\n"
        "Spende {f} | Spenden {pl} :: donation | donations\n"
        "Schatzmeister {m} :: treasurer\n"
        "Fest {n} :: festival\n"
        "Rat {m} :: council\n"
        "Senior {m} | Senioren {pl} :: senior | seniors\n"
        "Partnerschaft {f} :: partnership\n"
        "Tag {m} :: day\n"
        "Stag {m} :: stay\n"
        "Schule {f} :: school\n",
        encoding="utf-8",
    )
    words = {"hilfstransporte", "spendenfest", "schatzmeisterin", "seniorenrat"}
    bridge = Bridge.build(words | {"partnerschaftstag", "schulpartnerschaft"}, path)
    # the joining "s" of Hilfs… stands for Hilfe; the head is Transport, not the short "Orte"
    assert "hilfstransporte" in bridge.translations("aid")
    assert "hilfstransporte" in bridge.translations("haulage")
    assert "hilfstransporte" not in bridge.translations("places")
    assert "spendenfest" in bridge.translations("donation")  # Spenden… → Spende
    assert "schatzmeisterin" in bridge.translations("treasurer")  # the man's form's entry
    # a short head after a first part that is a word; the joining "s" is not the head's
    assert "seniorenrat" in bridge.translations("council")
    assert "partnerschaftstag" in bridge.translations("day")
    assert "partnerschaftstag" not in bridge.translations("stay")
    assert "schulpartnerschaft" in bridge.translations("school")  # Schul… → Schule


def test_typos_and_compounds_find_the_pages_words():
    vocabulary = Vocabulary(
        {"mayors", "stadtepartnerschaften", "partnerstadte", "willkommens", "anerkennungskultur"}
    )
    assert "mayors" in vocabulary.matches("mayers")
    assert "stadtepartnerschaften" in vocabulary.matches("partnerstadt")  # parts reordered
    assert "willkommens" in vocabulary.matches("willkommenskultur")  # written apart
    assert not vocabulary.matches("mayers", loose=False)


def test_a_typing_slip_is_read_as_the_common_word_it_misses(reader):
    assert reader.spelled("who is responsable for szeged", "en") == "who is responsible for szeged"
    assert reader.spelled("can i volunter there?", "en") == "can i volunteer there?"
    assert reader.spelled("wer ist fuer szeged zustendig", "de").endswith("zustandig")
    # a capitalised word may be a name; a misspelt place is the gazetteer's to find
    assert reader.spelled("Is Responsable a town?", "en") == "Is Responsable a town?"
    assert reader.spelled("who looks after ushgorot", "en") == "who looks after ushgorot"
    asked = reader.analyse("who is responsable for szeged", "en").asked
    assert "person" in asked


def test_a_rare_word_the_dictionary_translates_is_no_typing_slip(reader):
    # "twinning" is rarer in English than "winning", one letter away, but the dictionary
    # translates it to a word of the pages: read as "winning", it asked about something else
    question = "since when has the twinning with ushgorod existed"
    assert reader.spelled(question, "en") == question
    assert "stadtepartnerschaft" in _concept(reader.analyse(question, "en"), "twinning").words


@pytest.mark.parametrize(
    "question",
    [
        "Who handles Bursa in Anatolia?",
        "Wer betreut Szeged in der Tiefebene?",
        "Who handles Szeged (Csongrad)?",
    ],
)
def test_where_a_named_place_lies_is_nothing_more_to_look_for(reader, question):
    analysis = reader.analyse(question, "en" if question.startswith("Who") else "de")
    assert analysis.places
    assert not [c for c in analysis.concepts if not c.known and not c.generic]


def test_a_name_the_pages_lack_still_counts_when_it_qualifies_no_place(reader):
    analysis = reader.analyse("Gibt es eine Partnerschaft in Anatolia?", "de")
    assert not _concept(analysis, "anatolia").known


@pytest.mark.parametrize(
    ("question", "lang", "word", "qualifier"),
    [
        ("Wer ist im Rathaus für Bursa zuständig?", "de", "rathaus", True),
        ("Wer betreut Szeged in der Verwaltung?", "de", "verwaltung", True),
        ("who at the town hall looks after Szeged?", "en", "town hall", True),
        ("Wie heißt das Amt, das für Bursa zuständig ist?", "de", "amt", False),  # asked for
    ],
)
def test_the_administration_as_where_a_contact_works_is_no_topic(
    bridge, question, lang, word, qualifier
):
    """ "Who at the town hall …": every contact of the city's pages works there, so a unit
    that does not say "Rathaus" misses nothing the question asks about."""
    words = {w for page in PAGES for w in fold_words(page)} | {"amt"}
    # many pages, each word on one of them: no word is generic for being everywhere
    reader = QuestionReader(
        Vocabulary(words), lambda stem: 1, 100, Gazetteer(["Bursa", "Szeged"]), [], bridge
    )
    assert _concept(reader.analyse(question, lang), word).generic is qualifier


def test_another_name_of_a_place_stands_only_for_itself_in_the_pages(bridge):
    pages = ["Im Rahmen der Partnerschaft mit Musterville wurden Samen getauscht."]
    words = {w for page in pages for w in fold_words(page)}
    gazetteer = Gazetteer(["Musterville"], {"Musterville": ["Amen"]})
    reader = QuestionReader(
        Vocabulary(words), lambda stem: 1, len(pages), gazetteer, [], bridge, "Erikastadt"
    )
    analysis = reader.analyse("Seit wann ist Amen Partnerstadt?", "de")
    (place,) = analysis.places
    found = _concept(analysis, place[0][0]).words
    assert "musterville" in found and not {"rahmen", "samen"} & found


def test_a_noun_of_two_words_said_around_the_ask_is_no_name(reader):
    # German writes every noun capitalised: a compound the pages lack ("Radclub": Rad, Club)
    # in the asker's situation is no one the question is about
    situation = reader.analyse(
        "Mein Radclub würde gern ein Team anmelden. Wer betreut Szeged?", "de"
    )
    assert "radclub" not in {c.word for c in situation.concepts}
    named = reader.analyse("Unser Chor fährt nach Quarzelbach. Wer betreut Szeged?", "de")
    assert _concept(named, "quarzelbach").name  # a name of the situation stays one
    asked = reader.analyse("Wer betreut den Radclub?", "de")
    assert _concept(asked, "radclub").name  # asked about, it is what the pages must hold


def test_what_a_question_says_around_its_asking_sentence_is_no_topic(reader):
    analysis = reader.analyse(
        "Unser Partnerschaftsverein feiert ein Jubiläum in Szeged. Wer betreut Szeged?", "de"
    )
    words = {c.word: c for c in analysis.concepts}
    assert words["partnerschaftsverein"].generic  # the situation, known to the pages
    assert "jubilaum" not in words  # the situation, unknown to the pages: says nothing
    assert not words["szeged"].generic  # a name of the situation still says whom it is about
    asked = reader.analyse("Feiert der Partnerschaftsverein ein Jubiläum in Szeged?", "de")
    words = {c.word: c for c in asked.concepts}
    assert words["jubilaum"].absent  # asked, a word the pages lack says they cannot answer
