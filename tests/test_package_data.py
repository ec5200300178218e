"""Package data holds general language data only: every entry of the glossary, the intent
cues and the language markers is used by a training question or a page, and no person,
event or home city of the corpus stands in ``assistant/data``."""

import sys
from pathlib import Path

from assistant.documents.chunking import chunk_corpus
from assistant.documents.corpus import load_corpus
from assistant.indexing.facts import extract_facts
from assistant.language.patterns import english_titled
from assistant.language.words import contains_phrase, fold_words

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import package_data  # noqa: E402


def test_every_entry_is_used_by_a_training_question_or_a_page():
    stale = package_data.unused()
    assert not stale, "\n".join(f"{e.file} {e.key}: {', '.join(e.phrases)}" for e in stale)


def test_an_entry_that_only_eval_questions_use_is_found():
    entry = package_data.Entry("intents.yaml", "contact", ("responsible for the twin",))
    training = [fold_words("Who is responsible for the partnerships?")]
    evals = [fold_words("Who is responsible for the twin town Bursa?")]
    assert not package_data.used(entry, training, [])
    assert package_data.used(entry, evals, [])


def _corpus_literals() -> set[str]:
    """The corpus's people (its contact cards), its English-titled networks and events, and
    its home city: what package data must never name."""
    docs = load_corpus(REPO / "corpus")
    chunks = chunk_corpus(docs)
    facts = extract_facts(chunks)
    cities = [d.city for d in docs]
    literals = {max(set(cities), key=cities.count)}  # the home city: most pages are about it
    literals |= {card.person for card in facts.contacts}
    literals |= {card.person.split()[-1] for card in facts.contacts if len(card.person.split()) > 1}
    literals |= {name for c in chunks for name in english_titled(c.text)}
    return {x for x in literals if len(x) > 3}


def test_no_person_event_or_home_city_of_the_corpus_is_package_data():
    literals = _corpus_literals()
    assert len(literals) > 10  # people, networks and the home city were found
    found = []
    for path in sorted((REPO / "assistant" / "data").iterdir()):
        words = fold_words(path.read_text(encoding="utf-8"))
        found += [
            f"{path.name}: {x}" for x in literals if contains_phrase(words, tuple(fold_words(x)))
        ]
    assert not found, found
