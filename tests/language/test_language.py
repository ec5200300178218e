"""German/English detection on short questions, measured on a labelled set."""

from pathlib import Path

import pytest

from assistant.language.detect import detect_language, mask_names

ROWS = [
    line.split("\t")
    for line in (Path(__file__).resolve().parents[1] / "data" / "language_queries.tsv")
    .read_text(encoding="utf-8")
    .splitlines()[1:]
]


def test_the_labelled_set_is_large_enough():
    assert len([r for r in ROWS if r[0] in ("de", "en")]) >= 150


def test_accuracy_on_short_german_and_english_questions_is_at_least_98_percent():
    labelled = [(label, q) for label, q in ROWS if label in ("de", "en")]
    wrong = [(label, q) for label, q in labelled if detect_language(q) != label]
    assert 1 - len(wrong) / len(labelled) >= 0.98, wrong


def test_most_other_languages_are_recognised_as_neither():
    others = [q for label, q in ROWS if label == "other"]
    found = [q for q in others if detect_language(q) not in ("de", "en")]
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
    assert detect_language(text) == lang


def test_other_scripts_are_not_german_or_english():
    assert detect_language("Хто відповідає за Ужгород?") not in ("de", "en")


def test_names_are_masked():
    assert "Mayors" not in mask_names("Was ist Mayors for Peace?")
    assert "Uzhgorod" not in mask_names("who handles Uzhgorod")
