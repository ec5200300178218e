"""Question scope: the home city's pages unless the question names another city, widened when
only other pages hold a word of the question."""

import sys
from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.config import Settings
from assistant.indexing.embedding import FakeEmbedder
from assistant.language.words import stems
from assistant.retrieval.scope import Scope, must_widen, question_scope, telling_stems

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import haystack  # noqa: E402

CITIES = {"Darmstadt", "Dortmund", "Wendelbach"}
HOME = "Darmstadt"  # the home city comes from the settings or the corpus (app.home_city)
PAGES = 100


def test_a_question_naming_no_city_is_about_the_home_city():
    assert question_scope("Wer ist für Szeged zuständig?", CITIES, HOME) == Scope(
        frozenset({"Darmstadt"}), False
    )
    # naming the home city changes nothing: it is the implied scope anyway
    assert question_scope("Seit wann ist Graz Partnerstadt von Darmstadt?", CITIES, HOME) == Scope(
        frozenset({"Darmstadt"}), False
    )


def test_naming_other_cities_scopes_to_them_and_to_the_home_city_when_named_too():
    assert question_scope("Wie viele Partnerstädte hat Dortmund?", CITIES, HOME) == Scope(
        frozenset({"Dortmund"}), True
    )
    both = question_scope("Haben Darmstadt und Wendelbach dieselbe Partnerstadt?", CITIES, HOME)
    assert both == Scope(frozenset({"Darmstadt", "Wendelbach"}), True)


def test_no_scope_when_every_page_is_in_it():
    assert question_scope("Wer ist für Szeged zuständig?", {"Darmstadt"}, HOME) is None
    assert question_scope("Wer ist für Szeged zuständig?", set()) is None
    assert question_scope("Wer ist in Dortmund zuständig?", {"Dortmund", "Wendelbach"}) == Scope(
        frozenset({"Dortmund"}), True
    )
    assert question_scope("Wer ist für Szeged zuständig?", {"Dortmund", "Wendelbach"}) is None


def test_english_questions_are_told_apart_by_their_names_only():
    found = telling_stems("Is Amiens a twin town of Darmstadt?", "en", [HOME])
    assert found == stems(["amiens"])  # the home city's name tells nothing
    assert telling_stems("how are the cities chosen?", "en") == []
    assert telling_stems("Seit wann gibt es die Netzwerkstelle?", "de") == stems(["netzwerkstelle"])
    assert telling_stems("An wen wende ich mich?", "de") == []  # a verb says nothing
    assert telling_stems("seit wann gibt es die netzwerkstelle", "de")  # all lower case


def test_widening_needs_a_word_that_only_other_pages_hold():
    home = Scope(frozenset({"Darmstadt"}), False)
    df = {stems(["amiens"])[0]: 1, "szeged": 3}.get
    assert must_widen(home, "Ist Amiens eine Partnerstadt?", "de", lambda s: df(s, 0), {"szeged"})
    assert not must_widen(home, "Wer betreut Szeged?", "de", lambda s: df(s, 0), {"szeged"})
    # a word no page holds says nothing about where to look
    assert not must_widen(home, "Ist Atlantis Partnerstadt?", "de", lambda s: 0, {"szeged"})
    named = Scope(frozenset({"Dortmund"}), True)
    assert not must_widen(named, "Hat Dortmund Amiens?", "de", lambda s: 1, set())


@pytest.fixture(scope="module")
def haystack_assistant(tmp_path_factory):
    """The real pages among 100 look-alike pages about fictional municipalities (fake
    embedder: the dense leg is noise, so the scope has to do the work)."""
    root = tmp_path_factory.mktemp("haystack")
    corpus = root / "corpus"
    haystack.write_haystack(corpus, PAGES, corpus_dir=REPO / "corpus")
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", embedding="fake")
    return Assistant.open(settings, embedder=FakeEmbedder(), log=lambda _m: None)


def test_the_home_city_contact_comes_first_among_look_alike_cards(haystack_assistant):
    twins = [p for p in haystack.pages(haystack.DEFAULT_SEED, PAGES) if "Szeged" in p.text]
    assert len(twins) >= 3  # the haystack does hold other Szeged contact cards
    for question in ("Wer ist für Szeged zuständig?", "Who handles Szeged?"):
        top = haystack_assistant.search(question, 5)
        assert top[0].chunk.doc_id.startswith("darmstadt-"), question
        assert "Seel" in top[0].chunk.text
        answer = haystack_assistant.ask(question)
        assert "Seel" in answer.answer and not answer.abstained


def test_a_question_naming_a_municipality_is_searched_among_its_pages(haystack_assistant):
    page = next(p for p in haystack.pages(haystack.DEFAULT_SEED, PAGES) if " " not in p.city)
    top = haystack_assistant.search(f"Wer ist in {page.city} für Partnerschaften zuständig?", 5)
    assert top and all(p.chunk.doc_id.startswith("haystack-") for p in top)
    assert all(page.city in p.chunk.title for p in top)


def test_a_word_only_another_page_holds_widens_the_search(haystack_assistant):
    retriever = haystack_assistant.retriever
    question = "Ist Amiens eine Partnerstadt von Darmstadt?"  # only Dortmund's page has Amiens
    assert retriever.scoped(question, "de") is None
    top = haystack_assistant.search(question, 3)
    assert any(p.chunk.doc_id.startswith("dortmund-") for p in top)
    scoped = retriever.scoped("Wer ist für Szeged zuständig?", "de")
    assert scoped is not None and len(scoped.chunks) < len(retriever.chunks) / 5
    assert {c.doc_id for c in scoped.chunks.values()} == {
        d for d, city in retriever.doc_cities.items() if city == "Darmstadt"
    }
