"""Structured facts come from the chunks, by code."""

import pytest

from assistant.answering.reader.cards import parse_card
from assistant.documents.chunking import chunk_corpus
from assistant.indexing.facts import Facts, city_key, extract_facts


@pytest.fixture(scope="module")
def facts(corpus_docs):
    return extract_facts(chunk_corpus(corpus_docs))


def test_person_names_in_both_page_styles():
    assert parse_card("Seel, Alina\nTelefon (06151) 13-3608").person == "Alina Seel"
    card = parse_card("Frau Ana-Violeta Sacaliuc\nTelefon: +49 (6151) 13-2321")
    assert card.person == "Ana-Violeta Sacaliuc"
    assert parse_card("Telefon (06151) 13-3608") is None


def test_contact_cards_from_every_contact_block(facts):
    seel = [c for c in facts.contacts if c.person == "Alina Seel"]
    assert len(seel) == 3  # on three pages
    assert all(c.cities == ["Bursa", "Liepāja", "Szeged", "Uzhhorod"] for c in seel)
    assert {c.phone for c in seel} == {"(06151) 13-3608", "+49 (6151) 13-3608"}
    assert any(c.email == "international@darmstadt.de" for c in seel)
    head = [c for c in facts.contacts if c.role == "Abteilungsleiterin Internationale Beziehungen"]
    assert {c.person for c in head} == {"Ana-Violeta Sacaliuc"}
    covered = {city_key(x) for c in facts.contacts for x in c.cities}
    assert len(covered) == 17


def test_partnership_records_from_the_list(facts):
    years = {p.city: p.year for p in facts.partnerships}
    assert years["Alkmaar"] == years["Troyes"] == 1958
    assert years["Plock"] == 1988 and years["Gyönk"] == 1990 and years["San Antonio"] == 2017
    assert len(years) == 16 and {p.country for p in facts.partnerships if p.city == "Graz"} == {
        "Österreich"
    }


def test_a_year_list_under_a_heading_of_friendships_holds_no_partnerships():
    from assistant.records import Chunk

    def chunk(section, text):
        return Chunk(f"d:{section}", "d", "Partnerstädte und Freundschaften", section, 0, 0, text)

    facts = extract_facts(
        [
            chunk("Unsere Partnerstädte", "- 1961 Musterhaven (Niederlande)"),
            chunk("Städtefreundschaften", "- 2014 Beispielburg (China) – Freundschaft"),
        ]
    )
    assert [(p.city, p.year) for p in facts.partnerships] == [("Musterhaven", 1961)]


def test_addresses_of_every_page(facts):
    postcodes = {line for a in facts.addresses for line in a.lines if line[:5].isdigit()}
    assert "64283 Darmstadt" in postcodes and "64289 Darmstadt" in postcodes


def test_every_fact_points_to_its_chunk(facts, corpus_docs):
    chunks = {c.id: c for c in chunk_corpus(corpus_docs)}
    for card in facts.contacts:
        assert (
            card.cities == []
            or "Partnerstädte: " + ", ".join(card.cities) in chunks[card.chunk].text
        )
    for record in facts.partnerships:
        assert (
            str(record.year) in chunks[record.chunk].text
            and record.city in chunks[record.chunk].text
        )


def test_facts_round_trip(facts, tmp_path):
    path = tmp_path / "facts.json"
    facts.save(path)
    assert Facts.load(path) == facts


def test_english_titled_names_are_found_at_ingest(facts):
    assert {"Mayors for Peace", "Cities for Life", "Pulse of Europe"} <= set(facts.names)
    assert not any(n == "Darmstadt" for n in facts.names)  # a name alone is not English-titled


def test_a_facts_file_from_before_names_is_not_read_as_without_names(facts, tmp_path):
    import json

    data = json.loads(facts.to_json())
    del data["names"]
    with pytest.raises(KeyError):  # so the index extracts the facts again
        Facts.from_json(json.dumps(data))


def test_a_facts_file_of_another_extraction_is_extracted_again(facts, tmp_path):
    import json

    from assistant.indexing.facts import StaleFacts

    data = json.loads(facts.to_json())
    older = {k: v for k, v in data.items() if k != "extraction"} | {"version": 1}
    with pytest.raises(StaleFacts):  # it may lack what the extraction now finds
        Facts.from_json(json.dumps(older))
    data["extraction"] = data["extraction"][:-1] + "x"  # same version, other rules
    with pytest.raises(StaleFacts):
        Facts.from_json(json.dumps(data))


def test_the_extraction_changes_with_the_code_that_extracts(monkeypatch):
    from assistant.indexing import facts as module

    before = module.extraction()
    module.extraction.cache_clear()
    monkeypatch.setattr(module, "_EXTRACTING", module._EXTRACTING[:-1])
    try:
        assert module.extraction() != before
        assert module.extraction().startswith(f"{module.FACTS_VERSION}-")
    finally:
        module.extraction.cache_clear()
