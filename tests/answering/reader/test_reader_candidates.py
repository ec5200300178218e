"""Candidate units: every unit of the passages in order, what stands around each, and what
a unit holds (its kinds of answer) and where a concept is found in it."""

from assistant.answering.reader.candidates import (
    CONTEXT_SHARE,
    held_share,
    make_candidates,
    words_of,
)
from assistant.answering.reader.units import chunk_units
from assistant.records import Chunk, Passage

PROSE = (
    "Erika Muster leitet das Büro seit 2019. Sie ist unter Telefon 0123 45678 erreichbar. "
    "Das Büro liegt am Marktplatz."
)
PROSE_SENTENCES = (
    "Erika Muster leitet das Büro seit 2019.",
    "Sie ist unter Telefon 0123 45678 erreichbar.",
    "Das Büro liegt am Marktplatz.",
)
LIST = "Partnerstädte:\n- Musterhaven (seit 1961)\n- Beispielburg (seit 1975)"


def _candidates():
    chunks = [
        Chunk("p", "doc-p", "Kontakt", "Büro", 0, len(PROSE), PROSE, kind="prose"),
        Chunk("l", "doc-l", "Partnerschaften", "Städte", 0, len(LIST), LIST, kind="list"),
    ]
    return make_candidates(chunk_units, [Passage(c, 1.0, i + 1) for i, c in enumerate(chunks)])


def test_every_unit_of_every_passage_in_order_with_its_neighbours():
    out = _candidates()
    texts = [c.unit.text for c in out]
    first, second, third = (texts.index(t) for t in PROSE_SENTENCES)
    assert first < second < third < texts.index("- Musterhaven (seit 1961)")
    assert out[second].previous == PROSE_SENTENCES[0]
    assert out[first].following == PROSE_SENTENCES[1]
    assert out[third].following == ""  # the passage's last sentence
    # a list item's neighbours are not another passage's sentences
    item = out[texts.index("- Musterhaven (seit 1961)")]
    assert item.previous != PROSE_SENTENCES[2] and item.passage.chunk.id == "l"


def test_a_unit_knows_the_kinds_of_answer_it_holds():
    by_text = {c.unit.text: c for c in _candidates()}
    assert "phone" in by_text[PROSE_SENTENCES[1]].held
    assert "phone" not in by_text[PROSE_SENTENCES[2]].held


def test_a_concept_counts_fully_in_the_unit_and_partly_above_it():
    by_text = {c.unit.text: c for c in _candidates()}
    second = by_text[PROSE_SENTENCES[1]]
    assert held_share(second, words_of("Telefon")) == 1.0
    # "Muster" stands in the sentence before: found above the unit, at a share
    assert held_share(second, words_of("Muster")) == CONTEXT_SHARE
    assert held_share(second, words_of("Rathaus")) == 0.0
