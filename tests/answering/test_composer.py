"""The composer: from the reader's best units to the answer text (no model: readings are
made by hand)."""

import re

import numpy as np

from assistant.answering.composer import Composer
from assistant.answering.phrases import phrases
from assistant.answering.reader import Reading
from assistant.answering.reader.candidates import Candidate
from assistant.answering.reader.features import FEATURES
from assistant.answering.reader.held import held_types
from assistant.answering.reader.question import Analysis, Concept
from assistant.answering.reader.types import asked_types, constrained
from assistant.answering.reader.units import chunk_units
from assistant.indexing.facts import Address, ContactCard, Facts
from assistant.records import Chunk, Passage


def _chunk(cid, text, doc="seite", kind="prose", section="Abschnitt", title="Seite"):
    return Chunk(cid, doc, title, section, 0, len(text), text, kind=kind)


def _reading(question, lang, scored, concepts=(), places=()):
    """A reading whose candidates are (chunk, unit position, score), best first."""
    asked = asked_types(question)
    analysis = Analysis(question, lang, asked, constrained(asked), tuple(concepts), places)
    candidates = []
    for rank, (chunk, position, score) in enumerate(scored, 1):
        unit = chunk_units(chunk)[position]
        passage = Passage(chunk, 1.0, rank, relevance=score)
        c = Candidate(unit, passage, held_types(unit.text, chunk.kind))
        c.score = score
        candidates.append(c)
    return Reading(analysis, candidates, 0.9, 0.5)


def _composer(chunks, as_of=None, cities=None, facts=None):
    as_of = as_of or {c.doc_id: 2024 for c in chunks}
    cities = cities or {c.doc_id: "Musterstadt" for c in chunks}
    return Composer(facts or Facts(), {c.id: c for c in chunks}, as_of, cities, "Musterstadt")


def _markers(text):
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def test_an_english_answer_says_once_that_its_quotes_are_german():
    a = _chunk(
        "a", "Das Fest lädt junge Leute aus den Partnerstädten ein. Sie helfen beim Catering mit."
    )
    b = _chunk("b", "Der Verein organisiert eine jährliche Reise.", doc="andere")
    composer = _composer([a, b])
    reading = _reading("What do volunteers do?", "en", [(a, 0, 0.8), (b, 0, 0.7), (a, 1, 0.1)])
    draft = composer.quote(reading, "en")
    assert draft.text.count(phrases("en")["quote_intro"]) == 1
    # what the paragraph goes on to say is quoted with it, as one span of the passage
    together = "Das Fest lädt junge Leute aus den Partnerstädten ein. Sie helfen beim Catering mit."
    assert f"«{together}» [1]" in draft.text
    assert draft.citations[0].quote == together
    assert "«Der Verein organisiert eine jährliche Reise.» [2]" in draft.text
    assert _markers(draft.text) == {c.n for c in draft.citations} == {1, 2}
    for c in draft.citations:
        assert c.quote in c.text  # verbatim


def test_sentences_that_follow_each_other_in_a_supporting_passage_are_one_quote():
    a = _chunk("a", "Die Partnerschaft mit Nordhafen besteht seit 1990.")
    b = _chunk(
        "b",
        "Die erste Partnerschaft war die mit Karlsbad. Sie wurde 1962 unterzeichnet.",
        doc="andere",
    )
    reading = _reading("Seit wann?", "de", [(a, 0, 0.9), (b, 0, 0.8), (b, 1, 0.7)])
    draft = _composer([a, b]).quote(reading, "de")
    second = "Die erste Partnerschaft war die mit Karlsbad. Sie wurde 1962 unterzeichnet."
    assert draft.text == (
        f"Laut „Seite“: „Die Partnerschaft mit Nordhafen besteht seit 1990.“ [1] „{second}“ [2]"
    )
    assert draft.citations[1].quote == second  # verbatim, one span of its passage
    # chosen the other way round, they are one quote in the passage's order all the same
    ahead = _reading("Seit wann?", "de", [(a, 0, 0.9), (b, 1, 0.8), (b, 0, 0.7)])
    assert _composer([a, b]).quote(ahead, "de").text == draft.text


def test_a_passage_quoted_twice_keeps_both_quotes_in_its_citation():
    a = _chunk(
        "a",
        "Die Partnerschaft mit Nordhafen besteht seit 1990. Es gab viele Feste. "
        "Sie wurde 2010 erneuert.",
    )
    b = _chunk("b", "Der Verein feierte 2010 ein Jubiläum.", doc="andere")
    reading = _reading("Seit wann?", "de", [(a, 0, 0.9), (b, 0, 0.8), (a, 2, 0.7)])
    draft = _composer([a, b]).quote(reading, "de")
    assert draft.text == (
        "Laut „Seite“: „Die Partnerschaft mit Nordhafen besteht seit 1990.“ [1] "
        "„Der Verein feierte 2010 ein Jubiläum.“ [2] „Sie wurde 2010 erneuert.“ [1]"
    )
    # the first citation holds both quotes of its passage, a line each, each verbatim
    quotes = draft.citations[0].quote.split("\n")
    assert quotes == [
        "Die Partnerschaft mit Nordhafen besteht seit 1990.",
        "Sie wurde 2010 erneuert.",
    ]
    assert all(q in draft.citations[0].text for q in quotes)


def test_a_german_answer_names_the_page_it_leads_with_once():
    a = _chunk("a", "Die Partnerschaft wurde 1958 geschlossen.", title="Partner", section="Jahre")
    b = _chunk("b", "Sie wurde 2008 erneuert.", title="Chronik", section="Jahre", doc="andere")
    draft = _composer([a, b]).quote(_reading("Wann?", "de", [(a, 0, 0.9), (b, 0, 0.8)]), "de")
    assert draft.text == (
        "Laut „Partner“: „Die Partnerschaft wurde 1958 geschlossen.“ [1] "
        "„Sie wurde 2008 erneuert.“ [2]"
    )


def test_the_best_unit_is_quoted_with_the_sentences_around_it_and_nothing_more():
    text = (
        "Vorher war nichts. Das Netz entstand 1982. Die Stadt ist seit 1998 Mitglied. "
        "Danach kam mehr."
    )
    a = _chunk("a", text)
    others = [_chunk(k, f"Weitere Aussage {k} über das Netz.", doc=k) for k in "bcd"]
    reading = _reading(
        "Seit wann ist die Stadt Mitglied?",
        "de",
        [(a, 2, 0.9), (a, 1, 0.8), (a, 3, 0.7), *[(o, 0, 0.6) for o in others]],
    )
    draft = _composer([a, *others]).quote(reading, "de")
    # the best and the two around it fill the answer: one quote of the passage, in its order
    span = "Das Netz entstand 1982. Die Stadt ist seit 1998 Mitglied. Danach kam mehr."
    assert draft.text == f"Laut „Seite“: „{span}“ [1]"
    assert draft.citations[0].quote == span
    assert len(draft.citations) == 1


def test_a_contact_card_is_answered_as_a_sentence_with_the_email_of_the_other_card():
    card = _chunk(
        "a",
        "Frau Alina Seel\nPartnerstädte: Bursa, Szeged\nTelefon: +49 (6151) 13-3608\nE-Mail",
        kind="contact",
    )
    other = _chunk(
        "b",
        "Seel, Alina\nPartnerstädte: Bursa, Szeged\nTelefon (06151) 13-3608\n"
        "E-Mail international@example.org",
        doc="andere",
        kind="contact",
    )
    szeged = (("szeged",),)
    reading = _reading(
        "Who handles Szeged?",
        "en",
        [(card, 0, 0.9), (other, 0, 0.8)],
        [Concept("szeged", frozenset({"szeged"}), 3.0, name=True)],
        (szeged,),
    )
    draft = _composer([card, other]).compose_reading(reading, "en")
    assert draft.text.startswith("Alina Seel is responsible for Szeged. Phone +49 (6151) 13-3608")
    assert "international@example.org [2]" in draft.text
    assert _markers(draft.text) == {c.n for c in draft.citations} == {1, 2}


def test_a_question_about_a_person_gets_what_they_look_after_and_the_fax_when_asked():
    card = _chunk(
        "a",
        "Frau Alina Seel\nPartnerstädte: Bursa, Szeged\nTelefon: +49 (6151) 13-3608\n"
        "Telefax: +49 (6151) 13-3584\nE-Mail a.seel@example.org",
        kind="contact",
    )
    seel = [Concept("seel", frozenset({"seel"}), 3.0, name=True)]
    which = _reading(
        "Which partner cities does Alina Seel look after?", "en", [(card, 0, 0.9)], seel
    )
    text = _composer([card]).compose_reading(which, "en").text
    assert text.startswith("Alina Seel, responsible for Bursa, Szeged: phone +49 (6151) 13-3608")
    assert "fax" not in text  # not asked
    fax = _reading("Welche Faxnummer hat Frau Seel?", "de", [(card, 0, 0.9)], seel)
    text = _composer([card]).compose_reading(fax, "de").text
    assert "Telefax +49 (6151) 13-3584" in text and text.endswith("[1].")


def test_asked_what_a_person_looks_after_a_card_that_does_not_list_it_is_not_the_answer():
    said = _chunk(
        "a",
        "Für die Partnerschaften mit Musterhaven und Beispielburg ist Herr Max Muster "
        "zuständig (Tel. 01234 56-789, E-Mail m.muster@example.org).",
    )
    muster = [Concept("muster", frozenset({"muster"}), 3.0, name=True)]
    which = _reading("Welche Partnerstädte betreut Herr Muster?", "de", [(said, 0, 0.9)], muster)
    text = _composer([said]).compose_reading(which, "de").text
    assert "Musterhaven und Beispielburg" in text  # the sentence, not the card's phone line


def test_the_oldest_and_newest_entries_of_a_year_list_are_answered_as_a_sentence():
    years = _chunk(
        "a",
        "Jubiläen:\n\n- 1958 Alkmaar (Niederlande), Troyes (Frankreich)\n- 1968 Graz (Österreich)",
    )
    oldest = _reading("Welche ist die älteste Partnerstadt?", "de", [(years, 1, 0.9)])
    text = _composer([years]).compose_reading(oldest, "de").text
    assert text == (
        "Am längsten besteht die Verbindung mit Alkmaar (Niederlande), Troyes (Frankreich): "
        "seit 1958 [1]."
    )
    newest = _reading("Which is the newest twin town?", "en", [(years, 1, 0.9)])
    assert _composer([years]).compose_reading(newest, "en").text == (
        "The newest is Graz (Österreich), since 1968 [1]."
    )
    first = _reading("Welche war die erste Partnerstadt?", "de", [(years, 1, 0.9)])
    assert "Am längsten" not in _composer([years]).compose_reading(first, "de").text


def test_a_sentence_that_states_the_newest_year_beats_the_list():
    said = _chunk("a", "Die jüngste Städtepartnerschaft wurde im Jahr 2023 begründet.")
    years = _chunk("b", "Jubiläen:\n\n- 1958 Alkmaar (Niederlande)\n- 1968 Graz (Österreich)")
    reading = _reading(
        "Welches ist die jüngste Partnerstadt?", "de", [(said, 0, 0.9), (years, 1, 0.5)]
    )
    assert "2023" in _composer([said, years]).compose_reading(reading, "de").text


def test_an_event_with_its_own_date_is_not_answered_with_the_partnership_year():
    event = _chunk("a", "Die Bürgerfahrt nach Graz findet im September 2025 statt.")
    years = _chunk("b", "Jubiläen:\n\n- 1958 Alkmaar (Niederlande)\n- 1968 Graz (Österreich)")
    graz = [Concept("graz", frozenset({"graz"}), 3.0, name=True)]
    reading = _reading(
        "When is the citizens' trip to Graz?",
        "en",
        [(event, 0, 0.9), (years, 1, 0.5)],
        graz,
        ((("graz",),),),
    )
    text = _composer([event, years]).compose_reading(reading, "en").text
    assert "September 2025" in text and "twinned" not in text


def test_a_year_of_a_partnership_list_is_answered_as_a_sentence():
    years = _chunk("a", "Jubiläen:\n\n- 1958 Alkmaar (Niederlande)\n- 1968 Graz (Österreich)")
    reading = _reading(
        "Since when is Graz a twin town?",
        "en",
        [(years, 1, 0.9)],
        [Concept("graz", frozenset({"graz"}), 3.0, name=True)],
        ((("graz",),),),
    )
    draft = _composer([years]).compose_reading(reading, "en")
    assert draft.text == "Musterstadt has been twinned with Graz (Österreich) since 1968 [1]."
    assert draft.citations[0].quote == "- 1968 Graz (Österreich)"


def test_pages_that_disagree_on_an_address_are_both_cited_with_the_newer_named():
    new = _chunk(
        "a", "Referat Internationales\nSchlossgasse 7\n63480 Musterstadt", doc="neu", kind="address"
    )
    old = _chunk(
        "b", "Büro für Partnerschaften\nMarktplatz 1\n63481 Musterstadt", doc="alt", kind="address"
    )
    composer = _composer([new, old], as_of={"neu": 2024, "alt": 2017})
    reading = _reading("Wie lautet die Adresse des Büros?", "de", [(new, 0, 0.9), (old, 0, 0.5)])
    draft = composer.compose_reading(reading, "de")
    (conflict,) = draft.conflicts
    assert conflict.topic == "address" and conflict.newer == "neu"
    assert "widersprechen sich" in draft.text and "Neuer ist" in draft.text
    assert _markers(draft.text) == {c.n for c in draft.citations} == {1, 2}
    # the first sentence states both values, before the quotes that hold them
    lead = draft.text[: draft.text.index("[")]
    assert "„Schlossgasse 7, 63480 Musterstadt“ laut „Seite“ (Stand 2024)" in lead
    assert "„Marktplatz 1, 63481 Musterstadt“ laut „Seite“ (Stand 2017)" in lead


def test_pages_that_disagree_on_a_count_state_both_counts_first():
    new = _chunk("a", "Die Stadt hat heute 12 Partnerstädte in Europa.", doc="neu")
    old = _chunk("b", "Damals pflegte die Stadt 9 Partnerstädte.", doc="alt")
    composer = _composer([new, old], as_of={"neu": 2024, "alt": 2015})
    partner = Concept("partnerstadte", frozenset({"partnerstadte"}), 2.0)
    reading = _reading("How many partner cities?", "en", [(new, 0, 0.9), (old, 0, 0.6)], [partner])
    draft = composer.compose_reading(reading, "en")
    assert draft.text.startswith(
        "Note: the sources disagree (number): «12 Partnerstädte» according to “Seite” (as of "
        "2024), «9 Partnerstädte» according to “Seite” (as of 2015)."
    )
    assert draft.text.endswith(
        "«Die Stadt hat heute 12 Partnerstädte in Europa.» [1] "
        "«Damals pflegte die Stadt 9 Partnerstädte.» [2]"
    )


def test_a_count_of_the_past_is_no_disagreement():
    now = _chunk("a", "Die Stadt pflegt heute zehn Partnerstädte und 17 Partnerstädten-Kontakte.")
    then = _chunk("b", "Am Workshop nahmen 12 von damals 15 Partnerstädten teil.", doc="alt")
    topic = [Concept("partnerstadte", frozenset({"partnerstadten"}), 1.0)]
    composer = _composer([now, then])
    reading = _reading(
        "Wie viele Partnerstädte gibt es?", "de", [(now, 0, 0.9), (then, 0, 0.6)], topic
    )
    assert composer.conflict(reading, "de") is None
    asked_both = _reading(
        "Hat die Stadt 15 oder 17 Partnerstädte?", "de", [(now, 0, 0.9), (then, 0, 0.6)], topic
    )
    assert composer.conflict(asked_both, "de") is not None


def test_a_count_is_read_whole_and_a_date_or_a_time_counts_nothing():
    a = _chunk("a", "Die Kreisstadt hat rund 24.000 Einwohner.", doc="neu")
    b = _chunk("b", "Mit 24.000 Einwohnern ist sie eine Kleinstadt.", doc="alt")
    people = [Concept("einwohner", frozenset({"einwohner", "einwohnern"}), 2.0)]
    composer = _composer([a, b], as_of={"neu": 2024, "alt": 2015})
    reading = _reading("Wie viele Einwohner?", "de", [(a, 0, 0.9), (b, 0, 0.6)], people)
    assert composer.conflict(reading, "de") is None  # one count, not "24" against "000"
    c = _chunk("c", "Am 8. Juli um 17.00 Uhr kamen Gäste zum Flaggentag.", doc="neu")
    d = _chunk("d", "Zum Flaggentag kamen 300 Gäste.", doc="alt")
    guests = [Concept("gaste", frozenset({"gaste"}), 2.0)]
    composer = _composer([c, d], as_of={"neu": 2024, "alt": 2015})
    reading = _reading("Wie viele Gäste kamen?", "de", [(c, 0, 0.9), (d, 0, 0.6)], guests)
    assert composer.conflict(reading, "de") is None  # "8" and "17" count no guests
    e = _chunk("e", "8 Partnerstädte, 9. Partnerschaft in Vorbereitung", doc="neu")
    f = _chunk("f", "Die Stadt hat 8 Partnerstädte.", doc="alt")
    cities = [Concept("partnerstadte", frozenset({"partnerstadte", "partnerschaft"}), 2.0)]
    composer = _composer([e, f], as_of={"neu": 2024, "alt": 2015})
    reading = _reading("Wie viele Partnerstädte?", "de", [(e, 0, 0.9), (f, 0, 0.6)], cities)
    assert composer.conflict(reading, "de") is None  # "9." is an ordinal, no count


def test_a_refusal_gives_the_closest_sources_and_the_offices_contact():
    address = _chunk(
        "a", "Referat Internationales\nSchlossgasse 7\n63480 Musterstadt", kind="address"
    )
    card = _chunk(
        "b",
        "Frau Dr. Johanna Kerkhoff\nLeiterin des Referats\nTelefon: 06144 71-4410\n"
        "E-Mail: referat@example.org",
        kind="contact",
    )
    facts = Facts(
        contacts=[
            ContactCard(
                "Dr. Johanna Kerkhoff",
                "Leiterin des Referats",
                [],
                "06144 71-4410",
                "",
                "referat@example.org",
                "seite",
                "b",
            )
        ],
        addresses=[
            Address(
                ["Referat Internationales", "Schlossgasse 7", "63480 Musterstadt"], "seite", "a"
            )
        ],
    )
    composer = _composer([address, card], facts=facts)
    draft = composer.refuse("de", [Passage(address, 0.5, 1)])
    assert draft.abstained and draft.text.startswith(phrases("de")["refusal"])
    assert "06144 71-4410" in draft.text and "referat@example.org" in draft.text
    assert _markers(draft.text) == {c.n for c in draft.citations}


def test_a_refusal_names_the_offices_phone_once_when_its_address_block_holds_it():
    lines = [
        "Ansprechpartnerin: Johanna Kerkhoff",
        "Schlossgasse 7, 63480 Musterstadt",
        "Telefon: 06144 71-4410, E-Mail: referat@example.org",
    ]
    address = _chunk("a", "\n".join(lines), kind="address")
    card = ContactCard(
        "Johanna Kerkhoff", "", [], "06144 71-4410", "", "referat@example.org", "seite", "a"
    )
    facts = Facts(contacts=[card], addresses=[Address(lines, "seite", "a")])
    draft = _composer([address], facts=facts).refuse("en", [Passage(address, 0.5, 1)])
    assert draft.text.count("06144 71-4410") == 1
    assert draft.text.count("referat@example.org") == 1
    assert draft.text.endswith(f"{', '.join(lines)} [1].")
    assert _markers(draft.text) == {c.n for c in draft.citations}


def _year_list():
    from assistant.indexing.facts import Partnership

    text = "1958 Alkmaar (Niederlande)\n1960 Troyes (Frankreich)\n1975 Amiens (Frankreich)"
    chunk = _chunk("a", text, kind="list")
    rows = [("Alkmaar", "Niederlande", 1958), ("Troyes", "Frankreich", 1960)]
    rows.append(("Amiens", "Frankreich", 1975))
    facts = Facts(partnerships=[Partnership(c, k, y, "seite", "a") for c, k, y in rows])
    return chunk, facts


def test_a_question_for_the_partner_cities_gets_the_whole_list_with_years():
    chunk, facts = _year_list()
    reading = _reading("Welche Partnerstädte hat die Stadt?", "de", [(chunk, 0, 0.9)])
    text = _composer([chunk], facts=facts).compose_reading(reading, "de").text
    assert text == (
        "Die Partnerstädte von Musterstadt (3): Alkmaar (Niederlande, 1958), "
        "Troyes (Frankreich, 1960), Amiens (Frankreich, 1975). [1]"
    )


def test_the_partner_cities_are_listed_when_the_search_missed_the_list():
    chunk, facts = _year_list()
    intro = _chunk("i", "Die Stadt pflegt drei Partnerschaften in Europa.", doc="intro")
    partner = Concept("partnerstadte", frozenset({"partnerstadte"}), 1.0)
    reading = _reading("Welche Partnerstädte hat die Stadt?", "de", [(intro, 0, 0.9)], [partner])
    text = _composer([chunk, intro], facts=facts).compose_reading(reading, "de").text
    assert text.startswith("Die Partnerstädte von Musterstadt (3): Alkmaar (Niederlande, 1958)")
    # a question about something else the partner cities share is left to what was read
    person = Concept("oberdieck", frozenset({"oberdieck"}), 3.0)
    reading = _reading(
        "Welche Partnerstädte betreut Frau Oberdieck?", "de", [(intro, 0, 0.9)], [partner, person]
    )
    text = _composer([chunk, intro], facts=facts).compose_reading(reading, "de").text
    assert text.startswith("Laut „Seite“: „Die Stadt pflegt drei Partnerschaften")


def test_the_list_keeps_the_country_asked_for_and_leaves_a_named_city_to_the_quotes():
    chunk, facts = _year_list()
    france = ((("frankreich",), ("france",)),)
    reading = _reading("Which partner cities are in France?", "en", [(chunk, 0, 0.9)], (), france)
    text = _composer([chunk], facts=facts).compose_reading(reading, "en").text
    assert text.startswith("Musterstadt's partner cities (2): Troyes (Frankreich, 1960), Amiens")
    troyes = ((("troyes",),),)
    reading = _reading(
        "Which partner cities does Troyes have?", "en", [(chunk, 0, 0.9)], (), troyes
    )
    assert (
        "partner cities ("
        not in _composer([chunk], facts=facts).compose_reading(reading, "en").text
    )


def test_a_why_question_gets_what_the_paragraph_goes_on_to_say_before_what_came_before():
    text = (
        "Davor stand etwas. Der Tag ist am 30. November. "
        "Denn 1786 schaffte die Toskana sie ab. Das war neu."
    )
    a = _chunk("a", text)
    reading = _reading(
        "Warum ist der Tag am 30. November?",
        "de",
        [(a, 1, 0.9), (a, 0, 0.8), (a, 2, 0.7), (a, 3, 0.6)],
    )
    draft = _composer([a]).quote(reading, "de")
    assert "Toskana" in draft.text and "Das war neu." in draft.text
    assert "Davor stand etwas." not in draft.text  # context: the first left out at two more


def _table_facts():
    from assistant.indexing.facts import extract_facts

    chunk = _chunk(
        "t",
        "| Partnerstadt | Land | Partnerschaft seit |\n|---|---|---|\n"
        "| Beispielburg | Ungarn | 1991 |\n| Musterhaven | Polen | 2003 |",
        kind="table",
    )
    other = _chunk("o", "Im Mai 2017 fand ein Fest in Beispielburg statt.", doc="fest")
    return chunk, other, extract_facts([chunk, other])


def test_a_partnership_is_answered_from_its_table_row_although_the_best_unit_states_a_year():
    chunk, other, facts = _table_facts()
    place = ((("beispielburg",),),)
    reading = _reading(
        "Wie lange besteht die Partnerschaft mit Beispielburg schon?",
        "de",
        [(other, 0, 0.9), (chunk, 0, 0.4)],
        (),
        place,
    )
    draft = _composer([chunk, other], facts=facts).compose_reading(reading, "de")
    assert draft.text == (
        "Die Städtepartnerschaft zwischen Musterstadt und Beispielburg (Ungarn) besteht seit "
        "1991 [1]."
    )
    assert draft.citations[0].quote == "| Beispielburg | Ungarn | 1991 |"


def test_what_a_question_says_around_its_asking_sentence_keeps_the_partnership_year():
    chunk, other, facts = _table_facts()
    place = ((("beispielburg",),),)
    for question in (
        "Seit wann ist Beispielburg Partnerstadt? Ohne Akzent geschrieben, sorry.",
        "Unsere Schule plant einen Austausch. Seit wann ist Beispielburg Partnerstadt?",
    ):
        reading = _reading(question, "de", [(other, 0, 0.9), (chunk, 0, 0.4)], (), place)
        text = _composer([chunk, other], facts=facts).compose_reading(reading, "de").text
        assert text.startswith("Die Städtepartnerschaft zwischen Musterstadt und Beispielburg")


def test_two_partnerships_are_compared_by_their_years():
    chunk, other, facts = _table_facts()
    places = ((("musterhaven",),), (("beispielburg",),))  # not in the question's order
    composer = _composer([chunk, other], facts=facts)
    reading = _reading(
        "Welche Partnerschaft ist älter: die mit Musterhaven oder die mit Beispielburg?",
        "de",
        [(other, 0, 0.9), (chunk, 0, 0.4)],
        (),
        places,
    )
    draft = composer.compose_reading(reading, "de")
    assert draft.text == (
        "Die Partnerschaft mit Beispielburg (1991) ist älter als die mit Musterhaven (2003) [1]."
    )
    assert (
        draft.citations[0].quote
        == "| Beispielburg | Ungarn | 1991 |\n| Musterhaven | Polen | 2003 |"
    )
    # a yes/no question begins with yes or no, by the place it names first
    for question, start in (
        ("Is the partnership with Musterhaven younger than Beispielburg?", "Yes: "),
        ("Is the twin town Musterhaven older than Beispielburg?", "No: "),
    ):
        reading = _reading(question, "en", [(other, 0, 0.9), (chunk, 0, 0.4)], (), places)
        text = composer.compose_reading(reading, "en").text
        assert text.startswith(start), text
        assert "Musterhaven (2003)" in text and "Beispielburg (1991)" in text
    # no comparison asked: the year of the one partnership
    reading = _reading(
        "Seit wann ist Beispielburg Partnerstadt?", "de", [(chunk, 0, 0.9)], (), places[1:]
    )
    assert composer.compose_reading(reading, "de").text.startswith("Die Städtepartnerschaft")


def test_a_yes_no_question_about_a_listed_partnership_begins_with_yes():
    chunk, other, facts = _table_facts()
    reading = _reading(
        "Is Beispielburg a partner city?", "en", [(chunk, 0, 0.9)], (), ((("beispielburg",),),)
    )
    text = _composer([chunk, other], facts=facts).compose_reading(reading, "en").text
    assert text == (
        "Yes: Beispielburg (Ungarn) has been a partner city of Musterstadt since 1991 [1]."
    )
    # a country named: its one partner city
    reading = _reading(
        "Hat die Stadt eine Partnerstadt in Polen?", "de", [(chunk, 0, 0.9)], (), ((("polen",),),)
    )
    text = _composer([chunk, other], facts=facts).compose_reading(reading, "de").text
    assert text.startswith("Ja: Musterhaven (Polen) ist seit 2003 Partnerstadt von Musterstadt")


def test_a_question_about_something_else_of_a_partnership_is_not_answered_with_its_year():
    chunk, other, facts = _table_facts()
    place = ((("beispielburg",),),)
    for question in (
        "Is the partnership with Beispielburg still active?",  # not only that it exists
        "Ist Beispielburg seit 1990 Partnerstadt?",  # a year the list does not give
        "How much money per year for the Beispielburg partnership?",  # asks an amount
    ):
        reading = _reading(question, "en", [(other, 0, 0.9), (chunk, 0, 0.4)], (), place)
        text = _composer([chunk, other], facts=facts).compose_reading(reading, "en").text
        assert not text.startswith(("Yes", "Musterstadt has been")), question


def test_of_two_lists_as_long_the_one_read_first_leads_the_partner_list():
    from assistant.indexing.facts import extract_facts

    table = _chunk(
        "t",
        "| Partnerstadt | Land | seit |\n|---|---|---|\n| Musterhaven | Polen | 1991 |\n"
        "| Beispielburg | Polen | 1998 |",
        kind="table",
    )
    years = _chunk("y", "1998 Beispielburg (Polen)\n1991 Musterhaven (Polen)", doc="chronik")
    facts = extract_facts([table, years])
    for order in ([(years, 0, 0.9), (table, 0, 0.8)], [(table, 0, 0.9), (years, 0, 0.8)]):
        reading = _reading("Welche Partnerstädte hat die Stadt?", "de", order)
        draft = _composer([table, years], facts=facts).compose_reading(reading, "de")
        assert draft.citations[0].doc == order[0][0].doc_id, draft.text


def _typed(reading, fits):
    """The readings' candidates with the share of the asked typed kinds each holds."""
    for c, fit in zip(reading.candidates, fits, strict=True):
        c.features = np.zeros(len(FEATURES), dtype=np.float32)
        c.features[FEATURES.index("hard_type_fit")] = fit
    return reading


def test_a_quote_that_holds_the_kind_of_answer_asked_leads_the_best_that_lacks_it():
    a = _chunk(
        "a",
        "Im Frühjahr stellte die Schule einen Antrag. Die Schule liegt am Markt. "
        "Der Antrag wurde im Juli genehmigt.",
    )
    reading = _typed(
        _reading("Wann wurde der Antrag genehmigt?", "de", [(a, 0, 0.9), (a, 2, 0.6)]), (0, 1)
    )
    draft = _composer([a]).quote(reading, "de")
    assert draft.text == (
        "Laut „Seite“: „Der Antrag wurde im Juli genehmigt.“ [1] "
        "„Im Frühjahr stellte die Schule einen Antrag.“ [1]"
    )
    # a best unit that holds it keeps the lead
    both = _typed(
        _reading("Wann wurde der Antrag genehmigt?", "de", [(a, 0, 0.9), (a, 2, 0.6)]), (1, 1)
    )
    assert _composer([a]).quote(both, "de").text.startswith("Laut „Seite“: „Im Frühjahr")


def test_a_label_is_quoted_with_the_line_it_labels():
    a = _chunk(
        "a", "Zuständige Stellen:\n\nKarlsbad\n\nAmt für Integration\n\nNordhafen\n\nBürgerbüro"
    )
    karlsbad = [Concept("karlsbad", frozenset({"karlsbad"}), 3.0, name=True)]
    question = "Wer ist in Karlsbad zuständig?"
    reading = _reading(question, "de", [(a, 0, 0.9), (a, 1, 0.5)], karlsbad, ((("karlsbad",),),))
    draft = _composer([a]).quote(reading, "de")
    assert draft.text == "Laut „Seite“: „Karlsbad“ „Amt für Integration“ [1]"
    assert draft.citations[0].quote == "Karlsbad\n\nAmt für Integration"  # verbatim
    # the line it labels chosen first: one quote in the passage's order all the same
    office = _reading(question, "de", [(a, 1, 0.9), (a, 0, 0.5)], karlsbad)
    assert _composer([a]).quote(office, "de").text == draft.text
    # a line that says more than the question is a quote of its own, without the next line
    alone = _reading(question, "de", [(a, 1, 0.9), (a, 2, 0.1)], karlsbad)
    assert _composer([a]).quote(alone, "de").text == "Laut „Seite“: „Amt für Integration“ [1]"


def test_a_label_named_earlier_in_its_passage_is_quoted_with_its_own_line():
    text = "Karlsbad\n\nBürgermeister\n\nZuständige Stellen:\n\nKarlsbad\n\nAmt für Integration"
    a = _chunk("a", text)
    units = [u.text for u in chunk_units(a)]
    first, value = units.index("Karlsbad", 1), units.index("Amt für Integration")
    karlsbad = [Concept("karlsbad", frozenset({"karlsbad"}), 3.0, name=True)]
    question = "Wer ist in Karlsbad zuständig?"
    reading = _reading(question, "de", [(a, first, 0.9), (a, value, 0.5)], karlsbad)
    draft = _composer([a]).quote(reading, "de")
    assert draft.text == "Laut „Seite“: „Karlsbad“ „Amt für Integration“ [1]"
    assert draft.citations[0].quote == "Karlsbad\n\nAmt für Integration"  # the second one


def test_a_contact_question_about_a_place_is_answered_from_the_card_that_lists_it():
    prose = _chunk("a", "Die Partnerschaft mit Karlsbad wird von vielen Vereinen getragen.")
    card = _chunk(
        "b",
        "Frau Eva Muster\nPartnerstädte: Karlsbad, Nordhafen\nTelefon: 01234 5678\n"
        "E-Mail e.muster@example.org",
        doc="kontakt",
        kind="contact",
    )
    karlsbad = [Concept("karlsbad", frozenset({"karlsbad"}), 3.0, name=True)]
    places = ((("karlsbad",),),)
    scored = [(prose, 0, 0.9), (card, 0, 0.7)]
    who = _reading("Who looks after Karlsbad?", "en", scored, karlsbad, places)
    text = _composer([prose, card]).compose_reading(who, "en").text
    assert text.startswith("Eva Muster is responsible for Karlsbad. Phone 01234 5678")
    # a question that asks more than the contact is not led by the card
    since = _reading("Who looks after Karlsbad, and since when?", "en", scored, karlsbad, places)
    text = _composer([prose, card]).compose_reading(since, "en").text
    assert text.startswith("The city's pages say (in German): «Die Partnerschaft mit Karlsbad")


def test_a_supporting_table_gives_only_the_rows_about_what_is_asked():
    prose = _chunk("a", "Die Partnerschaft mit Karlsbad wurde 1991 geschlossen.")
    table = _chunk(
        "t",
        "| Partnerstadt | Land | seit |\n|---|---|---|\n| Nordhafen | Dänemark | 1962 |\n"
        "| Karlsbad | Tschechien | 1991 |\n| Südburg | Italien | 1974 |",
        doc="liste",
        kind="table",
    )
    whole = len(chunk_units(table)) - 1  # the whole table follows its rows
    assert chunk_units(table)[whole].kind == "table"
    karlsbad = [Concept("karlsbad", frozenset({"karlsbad"}), 3.0, name=True)]
    scored = [(prose, 0, 0.9), (table, whole, 0.6)]
    question = "Wie heißt die Partnerschaft mit Karlsbad?"
    reading = _reading(question, "de", scored, karlsbad, ((("karlsbad",),),))
    draft = _composer([prose, table]).quote(reading, "de")
    assert draft.text == (
        "Laut „Seite“: „Die Partnerschaft mit Karlsbad wurde 1991 geschlossen.“ [1] "
        "„Partnerstadt | Land | seit“ „Karlsbad | Tschechien | 1991“ [2]"
    )
    for c in draft.citations:  # each quoted line stands in its passage
        assert all(line in c.text for line in c.quote.split("\n"))
    # a table that names nothing asked, or a question asking for a list, keeps every row
    other = _reading("Wie heißt die Partnerschaft?", "de", scored)
    assert "Südburg" in _composer([prose, table]).quote(other, "de").text
    listed = _reading("Welche Partnerstädte gibt es, alle?", "de", scored, karlsbad)
    assert "Südburg" in _composer([prose, table]).quote(listed, "de").text
    # a short table that leads the answer is quoted whole
    lead = _reading(question, "de", [(table, whole, 0.9)], karlsbad)
    assert "Südburg" in _composer([table]).quote(lead, "de").text


def test_a_long_table_that_leads_the_answer_gives_the_rows_about_what_is_asked():
    rows = [("Nordhafen", "Dänemark", 1962), ("Südburg", "Italien", 1974)]
    rows += [(f"Weststadt {i}", "Frankreich", 1980 + i) for i in range(5)]
    rows.insert(3, ("Karlsbad", "Tschechien", 1991))
    body = "".join(f"| {p} | {k} | {y} |\n" for p, k, y in rows)
    table = _chunk("t", f"| Partnerstadt | Land | seit |\n|---|---|---|\n{body}", kind="table")
    whole = len(chunk_units(table)) - 1
    karlsbad = [Concept("karlsbad", frozenset({"karlsbad"}), 3.0, name=True)]
    question = "Seit wann ist Karlsbad Partnerstadt?"
    lead = _reading(question, "de", [(table, whole, 0.9)], karlsbad, ((("karlsbad",),),))
    text = _composer([table]).quote(lead, "de").text
    assert text == "Laut „Seite“: „Partnerstadt | Land | seit“ „Karlsbad | Tschechien | 1991“ [1]"


def test_a_supporting_list_keeps_the_items_that_name_what_is_asked():
    prose = _chunk("a", "Das Welcome Center hilft beim Ankommen.")
    items = _chunk(
        "l",
        "Beratung:\n- Anmeldung der Wohnung\n- Aufenthaltstitel\n"
        "- Suche einer Wohnung für Studierende",
        doc="liste",
    )
    whole = len(chunk_units(items)) - 1
    assert chunk_units(items)[whole].kind == "list"
    flat = [Concept("flat", frozenset({"wohnung"}), 2.0)]
    reading = _reading(
        "who helps me find a flat", "en", [(prose, 0, 0.9), (items, whole, 0.5)], flat
    )
    text = _composer([prose, items]).quote(reading, "en").text
    assert "«Beratung:» «Anmeldung der Wohnung» «Suche einer Wohnung für Studierende» [2]" in text
    assert "Aufenthaltstitel" not in text


def test_a_supporting_unit_that_says_nothing_the_question_does_not_is_not_quoted():
    best = _chunk("a", "Karlsbad ist seit 1991 Partnerstadt. Die Schulen tauschen Schüler aus.")
    label = _chunk("b", "Partnerstadt Karlsbad", doc="liste")
    note = _chunk("c", "Karlsbad hat eine Altstadt mit heißen Quellen.", doc="info")
    karlsbad = [Concept("karlsbad", frozenset({"karlsbad"}), 3.0, name=True)]
    reading = _reading(
        "Was verbindet uns mit der Partnerstadt Karlsbad?",
        "de",
        [(best, 0, 0.9), (label, 0, 0.8), (note, 0, 0.7)],
        karlsbad,
        ((("karlsbad",),),),
    )
    draft = _composer([best, label, note]).quote(reading, "de")
    # the bare name is left out; the unit that says more about the place is quoted
    assert "„Partnerstadt Karlsbad“" not in draft.text
    assert "heißen Quellen" in draft.text
    assert [c.doc for c in draft.citations] == ["seite", "info"]


def test_a_bare_supporting_row_leaves_its_place_empty_and_its_table_out():
    best = _chunk("a", "Karlsbad hat ein eigenes Integrationsgesetz.")
    table = _chunk(
        "t",
        "| Ziele | Vielfalt | Teilhabe |\n|---|---|---|\n| Karlsbad | Karlsbad |  |\n"
        "| Nordhafen | | Nordhafen |",
        doc="tabelle",
        kind="table",
    )
    units = chunk_units(table)
    row = next(i for i, u in enumerate(units) if u.text.startswith("| Karlsbad"))
    whole = len(units) - 1
    karlsbad = [Concept("karlsbad", frozenset({"karlsbad"}), 3.0, name=True)]
    reading = _reading(
        "Woran orientiert sich Karlsbad?",
        "de",
        [(best, 0, 0.9), (table, row, 0.8), (table, whole, 0.7)],
        karlsbad,
        ((("karlsbad",),),),
    )
    draft = _composer([best, table]).quote(reading, "de")
    assert draft.text == "Laut „Seite“: „Karlsbad hat ein eigenes Integrationsgesetz.“ [1]"


def test_a_quote_shows_no_bold_markup_and_its_citation_keeps_the_page_verbatim():
    text = "**Vierzon (Frankreich), seit 1964** – Die älteste Partnerschaft entstand 1964."
    a = _chunk("a", text)
    reading = _reading("Seit wann besteht die Partnerschaft mit Vierzon?", "de", [(a, 0, 0.9)])
    draft = _composer([a]).quote(reading, "de")
    assert "**" not in draft.text
    assert "Vierzon (Frankreich), seit 1964 – Die älteste" in draft.text
    assert draft.citations[0].quote in a.text  # the citation's quote stays verbatim


def test_a_question_only_for_what_a_card_lacks_is_refused_not_answered_with_not_given():
    card = _chunk(
        "a", "Frau Alina Seel\nPartnerstädte: Bursa, Szeged\nTelefon: 06151 13-3608", kind="contact"
    )
    seel = [Concept("seel", frozenset({"seel"}), 3.0, name=True)]
    composer = _composer([card])
    email = _reading("Wie lautet die E-Mail-Adresse von Frau Seel?", "de", [(card, 0, 0.9)], seel)
    assert composer.compose_reading(email, "de") is None
    # the same person's card on another page that gives the address answers it
    other = _chunk("b", "Seel, Alina\nE-Mail: a.seel@example.org", doc="andere", kind="contact")
    both = _reading("email of Alina Seel?", "en", [(card, 0, 0.9), (other, 0, 0.5)], seel)
    assert "a.seel@example.org" in _composer([card, other]).compose_reading(both, "en").text
    # asked who and how to reach them, the card answers with what it has
    who = _reading("Wer ist Frau Seel und welche E-Mail hat sie?", "de", [(card, 0, 0.9)], seel)
    assert "06151 13-3608" in composer.compose_reading(who, "de").text
    phone = _reading("phone number of Alina Seel?", "en", [(card, 0, 0.9)], seel)
    assert "06151 13-3608" in composer.compose_reading(phone, "en").text
