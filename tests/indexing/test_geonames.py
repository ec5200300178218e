"""Other names of the cities the pages name, from GeoNames at ingest."""

from assistant.indexing.facts import Facts, extract_facts
from assistant.indexing.geonames import aliases, named_cities, other_names
from assistant.records import Chunk


def test_a_city_has_the_names_other_languages_give_it():
    names = other_names(["Bratislava", "Alessandria"])
    assert {"Pressburg", "Pozsony"} <= set(names["Bratislava"])
    assert "Bratislava" not in names["Bratislava"]  # only the other names, each once
    assert "Alexandria" in names["Alessandria"]


def test_a_city_is_the_one_of_that_own_name_and_common_words_are_no_names():
    names = other_names(["Siracusa", "Musterville"])
    assert "Syracuse" in names["Siracusa"]
    assert "Cossitts Corners" not in names["Siracusa"]  # Syracuse, New York is larger
    assert "Musterville" not in names
    assert "Mailand" not in other_names(["Milano"]).get("Milano", [])  # as common as a word


def test_the_cities_a_text_names_and_not_its_nouns():
    text = "Unsere Partnerstädte Bratislava und Alessandria; die Büros und Kitas in Essen."
    assert named_cities(text) == {"Bratislava", "Alessandria"}
    assert named_cities("Grüße aus Pressburg") == {"Pressburg"}  # another name, as written


def test_other_names_lead_to_the_pages_words():
    table = aliases({"Bratislava": ["Pressburg", "Pozsony"]})
    assert table[("pressburg",)] == ("bratislava",)


def test_the_facts_keep_the_other_names_of_the_cities_the_pages_name():
    text = "Seit 1993 ist Bratislava unsere Partnerstadt."
    chunk = Chunk("p#1", "p", "Partnerstädte", "Übersicht", 0, len(text), text)
    facts = extract_facts([chunk])
    assert "Pressburg" in facts.other_names["Bratislava"]
    assert Facts.from_json(facts.to_json()).other_names == facts.other_names


def test_the_facts_list_each_place_they_know_once():
    facts = Facts(other_names={"Bratislava": ["Pressburg"]})
    text = "- 1990 Bratislava (Slowakei)"
    chunk = Chunk("p#2", "p", "Partnerstädte", "Liste", 0, len(text), text)
    facts.partnerships = extract_facts([chunk]).partnerships
    places = facts.places()
    assert places == ["Bratislava", "Slowakei"]  # the city once, its country; no other name
