"""German/English detection on short questions, measured on a labelled set."""

from pathlib import Path

import pytest

from assistant.language.detect import detect_language, mask_names, names_pattern

ROWS = [
    line.split("\t")
    for line in (Path(__file__).resolve().parents[1] / "data" / "language_queries.tsv")
    .read_text(encoding="utf-8")
    .splitlines()[1:]
]


def corpus_names() -> list[str]:
    """The names an assistant over the main corpus masks: derived from its pages, as when a
    generation of the index opens."""
    from assistant.answering.reader import page_names
    from assistant.documents.chunking import chunk_corpus
    from assistant.documents.corpus import load_corpus
    from assistant.indexing.facts import extract_facts

    docs = load_corpus(Path(__file__).resolve().parents[2] / "corpus")
    chunks = chunk_corpus(docs)
    return page_names(extract_facts(chunks), [d.city for d in docs])


# The labelled questions are about the main corpus: its names are masked, as they are by an
# assistant serving it.
NAMES = names_pattern(corpus_names())


def test_the_pages_names_are_derived_not_listed():
    names = {n.lower() for n in corpus_names()}
    assert {"mayors for peace", "cities for life"} <= names  # English-titled, from the text
    assert any(len(n.split()) == 1 for n in names)  # surnames alone, from the contact cards


def test_without_the_pages_names_no_name_is_masked_but_general_places():
    assert "Mayors" in mask_names("Was ist Mayors for Peace?")
    assert "Mayors" not in mask_names("Was ist Mayors for Peace?", NAMES)
    assert "Ukraine" not in mask_names("Hilfe für die Ukraine")


def test_the_labelled_set_is_large_enough():
    assert len([r for r in ROWS if r[0] in ("de", "en")]) >= 150


def test_accuracy_on_short_german_and_english_questions_is_at_least_98_percent():
    labelled = [(label, q) for label, q in ROWS if label in ("de", "en")]
    wrong = [(label, q) for label, q in labelled if detect_language(q, NAMES) != label]
    assert 1 - len(wrong) / len(labelled) >= 0.98, wrong


def test_most_other_languages_are_recognised_as_neither():
    others = [q for label, q in ROWS if label == "other"]
    found = [q for q in others if detect_language(q, NAMES) not in ("de", "en")]
    assert len(found) / len(others) >= 0.6


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Kontakt Troyes", "de"),
        ("Hallo", "de"),
        ("Was ist Mayors for Peace?", "de"),
        ("Who handles Szeged?", "en"),
        ("Wer ist für Płock zuständig?", "de"),
        ("zustaendig fuer Plock", "de"),
        ("Schlossgrabenfest volunteer", "en"),
        ("", "de"),
        ("???", "de"),
    ],
)
def test_known_hard_cases(text, lang):
    assert detect_language(text, NAMES) == lang


def test_other_scripts_are_not_german_or_english():
    assert detect_language("Хто відповідає за Ужгород?") not in ("de", "en")


def test_names_are_masked():
    assert "Mayors" not in mask_names("Was ist Mayors for Peace?", NAMES)
    assert "Uzhgorod" not in mask_names("who handles Uzhgorod")
