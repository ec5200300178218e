"""Candidate units: sentences, lines, list items with their lead, table rows, whole cards."""

from assistant.answering.reader.units import Span, chunk_units, split_spans
from assistant.records import Chunk


def _chunk(text: str, kind: str = "mixed", section: str = "Abschnitt") -> Chunk:
    return Chunk("c1", "seite", "Seite", section, 0, len(text), text, kind=kind)


def test_prose_lists_and_tables_become_quotable_units():
    text = (
        "Die Stadt pflegt 17 Partnerschaften. Die erste wurde 1958 geschlossen.\n"
        "Zu den Aufgaben zählen:\n\n"
        "- Pflege von Netzwerken\n"
        "- Planung von Begegnungen\n\n"
        "**Kulturelle Vielfalt**\n\n"
        "| Stadt | Jahr |\n|---|---|\n| Graz | 1968 |\n| Troyes | 1958 |"
    )
    units = chunk_units(_chunk(text))
    kinds = [(u.kind, u.text) for u in units]
    assert ("sentence", "Die Stadt pflegt 17 Partnerschaften.") in kinds
    assert ("sentence", "Die erste wurde 1958 geschlossen.") in kinds
    items = [u for u in units if u.kind == "item"]
    assert [u.text for u in items] == ["- Pflege von Netzwerken", "- Planung von Begegnungen"]
    assert all(u.lead == "Zu den Aufgaben zählen:" for u in items)  # the list's lead line
    whole = next(u for u in units if u.kind == "list")
    assert whole.text.startswith("Zu den Aufgaben zählen:") and "Planung" in whole.text
    rows = [u for u in units if u.kind == "row"]
    assert [r.text for r in rows] == ["| Graz | 1968 |", "| Troyes | 1958 |"]
    assert all(r.lead == "| Stadt | Jahr |" for r in rows)
    # a heading or a bold label is context, never a unit of its own
    assert not any(u.text.strip("*") == "Kulturelle Vielfalt" for u in units)
    for u in units:  # every unit is verbatim text of its passage
        assert u.text in text


def test_contact_and_address_blocks_are_one_card():
    card = "Frau Alina Seel\nPartnerstädte: Bursa, Szeged\nTelefon: +49 (6151) 13-3608"
    (unit,) = chunk_units(_chunk(card, kind="contact"))
    assert unit.kind == "card" and unit.text == card


def test_stored_spans_give_the_same_units():
    chunk = _chunk("Erster Satz hier. Zweiter Satz folgt.\n- a eins\n- b zwei")
    spans = split_spans(chunk)
    assert all(isinstance(s, Span) for s in spans)
    assert chunk_units(chunk, spans) == chunk_units(chunk)


def test_a_unit_is_embedded_with_its_section_and_keyed_by_its_content():
    (unit,) = chunk_units(_chunk("Ein Satz.", kind="prose", section="Jubiläen"))
    assert unit.embedding_text == "Jubiläen\nEin Satz."
    other = chunk_units(_chunk("Ein Satz.", kind="prose", section="Andere"))[0]
    assert unit.key != other.key and len(unit.key) == 24
