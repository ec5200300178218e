"""Chunks follow the documents' structure and never cut a sentence or a contact block."""

import re
from dataclasses import replace

import pytest

from assistant.documents.chunking import chunk_corpus, chunk_document, sentence_spans

TRICKY = [
    "Dr. Simon Poppinga ist wissenschaftlicher Leiter.",
    "Das Netzwerk hat seinen Sitz in Washington D.C. und ist gemeinnützig.",
    "Im Jahr 2002 wurde der 30. November als Aktionstag festgelegt.",
    "Die Gemeinschaft ist in ca. 70 Ländern der Welt vertreten.",
    "Beteiligt sind der Werkhof Darmstadt e.V. und der Jugendring.",
    "Studienreisen (z.B. mit Schulen) werden angeboten.",
    "Die Stadt unterstützt u. a. Pulse of Europe, bspw. mit Hausparlamenten.",
    "Rhein.Main.Fair e.V. ist das Netzwerk der Fairen Metropolregion Rhein-Main.",
]


def test_german_sentence_splitter_handles_abbreviations_and_ordinals():
    text = " ".join(TRICKY)
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == TRICKY


def test_sentence_spans_cover_the_whole_paragraph():
    text = "Erster Satz. Zweiter „Satz“. Dritter!"
    spans = sentence_spans(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")


def test_chunk_text_is_the_document_span(corpus_docs):
    for doc in corpus_docs:
        for chunk in chunk_document(doc):
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert chunk.doc_id == doc.id and chunk.title == doc.title and chunk.section


def test_chunk_ids_are_stable_and_unique(corpus_docs):
    first = [c.id for c in chunk_corpus(corpus_docs)]
    again = [c.id for c in chunk_corpus(corpus_docs)]
    assert first == again
    assert len(set(first)) == len(first)


def test_chunk_ids_depend_on_content(corpus_docs):
    doc = corpus_docs[0]
    changed = replace(doc, text=doc.text.replace("Städtische Projekte", "Städtische Projekte X"))
    ids = {c.id for c in chunk_document(doc)}
    new_ids = {c.id for c in chunk_document(changed)}
    assert ids != new_ids and len(ids & new_ids) >= len(ids) - 2


def test_every_text_line_is_in_a_chunk(corpus_docs):
    for doc in corpus_docs:
        covered = "\n".join(c.text for c in chunk_document(doc))
        for line in doc.text.splitlines():
            if line.strip() and not line.startswith("#"):
                assert line.strip() in covered, f"{doc.id}: {line!r} is in no chunk"


def test_chunks_end_at_sentence_or_line_ends(corpus_docs):
    for doc in corpus_docs:
        for chunk in chunk_document(doc):
            after = doc.text[chunk.end : chunk.end + 1]
            assert after in ("", "\n"), f"{chunk.id} ends inside a line: {chunk.text[-40:]!r}"
            if chunk.kind == "prose" and not chunk.text.endswith(("\n", ":")):
                assert re.search(r"[.!?“”\")\w*]$", chunk.text)


def test_headings_become_sections(corpus_docs):
    sections = {(c.doc_id, c.section) for c in chunk_corpus(corpus_docs)}
    assert ("darmstadt-netzwerke", "Internationale Kampagnen") in sections
    assert (
        "darmstadt-projekte-partnerschaften",
        "Integrierte Fachkraft - Schnellstarterpaket › "
        "Darmstadt-Ushgorod: Neuausrichtung der Städtepartnerschaft",
    ) in sections


def test_contact_blocks_stay_whole(corpus_docs):
    chunks = chunk_corpus(corpus_docs)
    cards = [c for c in chunks if "Partnerstädte:" in c.text]
    assert len(cards) == 12  # four partner-city contacts on each of three pages
    for card in cards:
        assert card.kind == "contact"
        assert card.text.count("Partnerstädte:") == 1
        assert re.search(r"^(Frau \w+|\w+, \w+)", card.text)
        assert "Telefon" in card.text and "E-Mail" in card.text
    heads = [c for c in chunks if "Abteilungsleiterin" in c.text]
    assert all("13-2321" in c.text and "Sacaliuc" in c.text for c in heads)


def test_partnership_list_stays_whole_with_its_lead(corpus_docs):
    chunks = [c for c in chunk_corpus(corpus_docs) if "1958 Alkmaar" in c.text]
    assert len(chunks) == 1
    text = chunks[0].text
    assert "Seit mehr als einem halben Jahrhundert" in text and "2017 San Antonio" in text


def test_survey_table_stays_whole(corpus_docs):
    chunks = [c for c in chunk_corpus(corpus_docs) if "| Ziele:" in c.text]
    assert len(chunks) == 1
    assert chunks[0].kind == "table" and chunks[0].text.count("\n") == 8


def _doc(corpus_docs, text):
    return replace(corpus_docs[0], id="t", text=text)


def test_long_lists_split_between_items_and_repeat_their_lead(corpus_docs):
    items = "\n".join(f"- Punkt {i} mit etwas Text dazu" for i in range(30))
    doc = _doc(corpus_docs, f"# T\n\n## Liste\n\nEinleitung. Wir nennen:\n\n{items}\n")
    chunks = chunk_document(doc, max_chars=200)
    assert len(chunks) > 3
    assert all(c.section == "Liste" for c in chunks)
    for c in chunks[1:]:
        assert c.context == "Wir nennen:"
        assert c.text.startswith("- Punkt")
        assert c.passage_text.startswith("Wir nennen:\n- Punkt")
    joined = "\n".join(c.text for c in chunks)
    assert all(f"Punkt {i} " in joined for i in range(30))


def test_long_tables_split_between_rows_and_repeat_their_header(corpus_docs):
    rows = "\n".join(f"| Stadt {i} | ja |" for i in range(40))
    doc = _doc(corpus_docs, f"# T\n\n## Tabelle\n\n| Stadt | Ziel |\n|---|---|\n{rows}\n")
    chunks = chunk_document(doc, max_chars=200)
    assert len(chunks) > 3
    assert chunks[0].text.startswith("| Stadt | Ziel |") and not chunks[0].context
    for c in chunks[1:]:
        assert c.context == "| Stadt | Ziel |\n|---|---|"
        assert c.text.startswith("| Stadt ")


def test_long_paragraphs_split_only_between_sentences(corpus_docs):
    sentences = [f"Dies ist der {i}. Satz über Dr. Muster und die Partnerstadt." for i in range(40)]
    doc = _doc(corpus_docs, "# T\n\n## Text\n\n" + " ".join(sentences) + "\n")
    chunks = chunk_document(doc, max_chars=300)
    assert len(chunks) > 5
    for c in chunks:
        assert c.text.startswith("Dies ist der") and c.text.endswith("Partnerstadt.")
        assert len(c.text) <= 300


@pytest.mark.parametrize("max_chars", [300, 900, 2000])
def test_sizes_respect_the_limit_unless_a_unit_is_larger(corpus_docs, max_chars):
    for chunk in chunk_corpus(corpus_docs, max_chars):
        if len(chunk.text) > max_chars:
            assert chunk.kind in ("contact", "address", "lines", "prose")
            assert "\n\n" not in chunk.text  # a single indivisible block
