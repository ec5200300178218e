"""The sentence-level evidence stage: units, answer types, scoring and blending."""

import pytest

from assistant.language.words import content_words, stems
from assistant.records import Chunk
from assistant.retrieval.evidence import EvidenceScorer, blend, fits, units

PROSE = (
    "Die Stadt pflegt viele Partnerschaften. Die Partnerschaft mit Troyes wurde im Jahr 1958 "
    "geschlossen, gemeinsam mit Alkmaar, und sie ist bis heute lebendig geblieben.\n"
    "Kontakt: Telefon (06151) 13-3608"
)


def _chunk(cid: str, text: str, kind: str = "prose", section: str = "Abschnitt") -> Chunk:
    return Chunk(cid, "doc", "Titel", section, 0, len(text), text, kind)


def _scorer(chunks: list[Chunk]) -> EvidenceScorer:
    """A scorer whose document frequencies come from ``chunks``, as in the retriever."""
    sets = [set(stems(content_words(f"{c.title} {c.section} {c.passage_text}"))) for c in chunks]
    return EvidenceScorer(lambda s: sum(s in x for x in sets), len(chunks))


def test_units_split_long_prose_into_sentences_and_keep_blocks_whole():
    prose = _chunk("a", PROSE * 2)
    assert all(u in prose.passage_text for u in units(prose))
    assert len(units(prose)) >= 4
    card = _chunk("b", "Seel, Alina\nPartnerstädte: Bursa\nTelefon 13-3608", "contact")
    assert units(card) == (card.passage_text,)
    listed = _chunk("c", "Partnerstädte:\n- Troyes\n- Alkmaar")
    assert units(listed) == ("Partnerstädte:\n- Troyes\n- Alkmaar",)


def test_fits_checks_the_kind_of_answer():
    assert fits("1958 Troyes (Frankreich)", {"when"})
    assert not fits("Troyes in Frankreich", {"when"})
    assert fits("Telefon (06151) 13-3608", {"phone"})
    assert not fits("Telefon folgt", {"phone"})
    assert fits("Tel. 0711 216-80050", {"phone"})  # any city's numbers, not one exchange's
    assert fits("Fon +49 (0)89 233-92412", {"phone"})
    assert not fits("Seit 1992 mit 13 Schulen", {"phone"})
    assert fits("E-Mail: international@darmstadt.de", {"email"})
    assert fits("64283 Darmstadt", {"address"})
    assert fits("irgendein Satz", set())
    assert fits("in der Regel für zwei bis maximal sechs Jahre entsandt", {"duration"})
    assert not fits("Seit langem beteiligt sich das Amt", {"duration"})
    assert fits("Darmstadt pflegt 17 Städtepartnerschaften.", {"how_many"})
    assert not fits("Die Vision wurde im Juli 2021 verabschiedet.", {"how_many"})
    assert fits(
        "Darmstadt, Brescia, Liepāja und Płock haben sich zusammengeschlossen", {"which_places"}
    )
    assert not fits("Die Partnerstädte haben sich zusammengeschlossen", {"which_places"})


def test_the_unit_with_the_place_and_the_year_wins_for_when():
    year_line = _chunk("y", "Jubiläen:\n- 1958 Troyes (Frankreich), Alkmaar (Niederlande)")
    general = _chunk(
        "g", "Die ersten Städtepartnerschaften wurden bereits im Jahr 1958 geschlossen."
    )
    other = _chunk("o", "Troyes ist eine schöne Stadt in Frankreich.")
    chunks = [general, other, year_line]
    ranked = _scorer(chunks).rank("Seit wann ist Troyes Partnerstadt?", "de", chunks)
    assert ranked[0][0] == "y"


def test_english_concepts_match_through_the_glossary():
    twinning = _chunk("t", "Die Städtepartnerschaft mit Szeged wurde 1990 begründet.")
    office = _chunk("o", "Das Amt liegt am Luisenplatz in Szeged-Nähe.")
    chunks = [office, twinning]
    scorer = _scorer(chunks)
    query = scorer.query("When was the town twinning with Szeged founded?", "en")
    assert query.wanted == {"when"}
    assert scorer.score(query, twinning) > scorer.score(query, office)
    assert scorer.rank("When was the town twinning with Szeged founded?", "en", chunks)[0][0] == "t"


def test_a_unit_without_the_asked_name_or_made_of_questions_counts_less():
    named = _chunk("n", "Europe Direct informiert über die Europäische Union.")
    unnamed = _chunk("u", "Das Büro informiert über die Europäische Union.")
    asked = _chunk("q", "Fragen:\n- Was macht Europe Direct?\n- Wo informiert Europe Direct?")
    chunks = [named, unnamed, asked]
    scorer = _scorer(chunks)
    query = scorer.query("Worüber informiert Europe Direct?", "de")
    assert scorer.score(query, named) > scorer.score(query, unnamed)
    assert scorer.score(query, named) > scorer.score(query, asked)


def test_rank_keeps_the_incoming_order_for_ties_and_is_deterministic():
    a, b = _chunk("a", "Nichts Passendes hier."), _chunk("b", "Auch nichts Passendes.")
    scorer = _scorer([a, b])
    assert [c for c, _ in scorer.rank("Hiroshima?", "de", [b, a])] == ["b", "a"]
    assert scorer.rank("Hiroshima?", "de", [b, a]) == scorer.rank("Hiroshima?", "de", [b, a])


def test_blend_adds_a_share_of_the_scaled_fused_score():
    fused = [("x", 0.4), ("y", 0.2), ("z", 0.1)]
    ranked = blend(fused, {"y": 0.5, "z": 0.5}, share=0.4)
    scores = dict(ranked)
    assert scores["x"] == pytest.approx(0.4)
    assert scores["y"] == pytest.approx(0.5 + 0.4 * 0.5)
    assert [c for c, _ in ranked] == ["y", "z", "x"]
    assert blend([], {}, 0.4) == []
    assert [c for c, _ in blend([("p", 1.0), ("q", 1.0)], {}, 0.4)] == ["p", "q"]
