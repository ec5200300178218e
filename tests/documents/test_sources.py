"""The corpus is faithful to its sources: nothing lost, nothing invented."""

import re

import pytest
from conftest import CORPUS, SOURCES

from assistant.documents.corpus import load_corpus
from assistant.documents.sources import clean_markup, text_units, unit_differences

DOCS = {d.source_file: d for d in load_corpus(CORPUS)}

needs_sources = pytest.mark.skipif(
    not SOURCES.is_dir(), reason="../shared/source-documents is not beside the checkout"
)


@needs_sources
def test_every_source_has_one_corpus_document():
    sources = sorted(p.name for p in SOURCES.glob("*.txt"))
    assert sorted(DOCS) == sources


@needs_sources
@pytest.mark.parametrize("name", sorted(DOCS))
def test_corpus_document_holds_exactly_the_source_text(name):
    lost, invented = unit_differences((SOURCES / name).read_text(encoding="utf-8"), DOCS[name].text)
    assert not lost, f"lines of {name} missing from the corpus: {sorted(lost)[:5]}"
    assert not invented, f"corpus lines not in {name}: {sorted(invented)[:5]}"


@needs_sources
def test_source_typos_are_kept():
    texts = "\n".join(d.text for d in DOCS.values())
    for typo in ("Neugikeiten", "Interntionale Beziehungen", "Sister Cities Internationalist"):
        assert typo in texts


def test_text_units_sees_through_markup():
    raw = "Titel\nA\tB\n<ul style='x'> - eins - zwei \tdrei"
    md = "# Titel\n\n| A | B |\n|---|---|\n\n- eins\n- zwei\n\n**drei**"
    assert text_units(raw) == text_units(md)


def test_text_units_notice_a_lost_or_changed_word():
    assert text_units("Ein Satz.\nZwei Sätze.") != text_units("Ein Satz.")
    assert text_units("Partnerstädte: Płock") != text_units("Partnerstädte: Plock")


def test_clean_markup_turns_tabs_into_a_table_and_ul_into_a_list():
    raw = "Kopf\n\n\n\nZiele:\tA\tB\n\tX\t\tX\n\nA\tB\n<ul> - a1 - a2 \t<ul> - b1\n"
    md = clean_markup(raw)
    assert "| Ziele: | A | B |" in md
    assert "|  | X |  |" in md or "| | X | |" in md.replace("  ", " ")
    assert "**A**\n\n- a1\n- a2" in md and "**B**\n\n- b1" in md
    assert "\n\n\n" not in md
    assert text_units(md) == text_units(raw)


def test_clean_markup_collapses_blank_runs_and_no_break_spaces():
    md = clean_markup("a\u00a0b\n\n\n\n\u00a0\n\nc\n")
    assert md == "a b\n\nc\n"
    assert not re.search(r"\n{3,}", md)
