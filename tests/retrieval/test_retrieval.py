"""Weighted RRF, the hybrid retriever's legs, and the structure leg."""

import pytest

from assistant.app import Assistant
from assistant.indexing.embedding import FakeEmbedder
from assistant.language.intent import folded_lines, intents, places, structure_score
from assistant.retrieval.hybrid import (
    DEFAULT_WEIGHTS,
    Calibration,
    HybridRetriever,
    dense_text,
    weighted_rrf,
)


def test_rrf_sums_weighted_reciprocal_ranks():
    fused = weighted_rrf({"a": ["x", "y"], "b": ["y", "z"]}, {"a": 1.0, "b": 2.0}, k=1)
    scores = dict(fused)
    assert scores["x"] == pytest.approx(1 / 2)
    assert scores["y"] == pytest.approx(1 / 3 + 2 / 2)
    assert scores["z"] == pytest.approx(2 / 3)
    assert [cid for cid, _ in fused] == ["y", "z", "x"]


def test_rrf_deduplicates_within_a_leg_and_breaks_ties_by_id():
    fused = weighted_rrf({"a": ["q", "p", "q"], "b": ["p", "q"]}, {"a": 1, "b": 1}, k=0)
    assert dict(fused)["q"] == pytest.approx(1 + 1 / 2)
    assert [c for c, _ in weighted_rrf({"a": ["b"], "c": ["a"]}, {"a": 1, "c": 1})] == ["a", "b"]


def test_rrf_ignores_legs_without_weight():
    assert weighted_rrf({"a": ["x"], "b": ["y"]}, {"a": 1.0}) == [("x", pytest.approx(1 / 6))]


def test_english_questions_weigh_the_dense_legs_more():
    for leg in ("bm25", "ngram"):
        assert DEFAULT_WEIGHTS["en"][leg] < DEFAULT_WEIGHTS["de"][leg]
    assert DEFAULT_WEIGHTS["en"]["dense"] >= DEFAULT_WEIGHTS["de"]["dense"]


def test_intents_and_places():
    assert intents("Seit wann ist Graz Partnerstadt?") == {"when", "since"}
    assert {"who", "contact"} <= intents("Who handles Szeged?")
    assert "phone" in intents("Telefonnummer von Frau Seel")
    assert "which_places" in intents("Which twin towns take part in the project?")
    assert "which_places" in intents("Mit welchen Partnerstädten gab es Begegnungen?")
    found = {g[0] for g in places("Wer betreut Uschhorod und Plock?")}
    assert found == {("uzhhorod",), ("plock",)}


def test_structure_prefers_the_year_line_for_when_and_the_card_for_who():
    groups = places("Trondheim")
    years = folded_lines("- 1968 Graz(Österreich), Trondheim (Norwegen)")
    card = folded_lines("Otto, Jessica\nPartnerstädte: Chesterfield, Trondheim\nTelefon 13-2323")
    when, who = intents("Seit wann ist Trondheim Partnerstadt?"), intents("Wer ist zuständig?")
    assert structure_score(when, groups, years, "list") > structure_score(
        when, groups, card, "contact"
    )
    assert structure_score(who, groups, card, "contact") > structure_score(
        who, groups, years, "list"
    )
    assert structure_score(set(), [], years, "list") == 0


def test_calibration_is_monotonic_in_each_feature():
    cal = Calibration([10.0, 0.6, 3.9, 2.0], -12.0, "x")
    assert cal.probability(0.85, 0.5, 1, 0.5) > cal.probability(0.80, 0.5, 1, 0.5)
    assert cal.probability(0.85, 0.5, 1, 0.5) > cal.probability(0.85, 0.5, 3, 0.5)
    assert cal.probability(0.85, 0.5, 1, 0.9) > cal.probability(0.85, 0.5, 1, 0.5)
    assert 0 < cal.probability(0.0, 0.0, 50, 0.0) < cal.probability(1.0, 1.0, 1, 1.0) < 1


@pytest.fixture
def fake_assistant(fake_settings):
    return Assistant.open(fake_settings, embedder=FakeEmbedder(), log=lambda _m: None)


def test_hybrid_retrieval_is_deterministic_and_reports_every_leg(fake_assistant):
    first = fake_assistant.search("Wer ist für Szeged zuständig?", 5)
    again = fake_assistant.search("Wer ist für Szeged zuständig?", 5)
    assert [p.chunk.id for p in first] == [p.chunk.id for p in again]
    assert [p.rank for p in first] == [1, 2, 3, 4, 5]
    assert first[0].score >= first[-1].score
    assert {"dense", "bm25", "ngram"} <= set().union(*(p.leg_scores for p in first))
    assert "Szeged" in first[0].chunk.text


def test_single_legs_stay_selectable(fake_assistant):
    store, emb = fake_assistant.retriever.store, fake_assistant.retriever.embedder
    for leg in ("dense", "bm25"):
        passages = HybridRetriever(store, emb, (leg,)).retrieve("Mayors for Peace Hiroshima", 3)
        assert passages and all(set(p.leg_scores) == {leg} for p in passages)


def test_english_questions_get_a_bridged_dense_leg(fake_assistant):
    legs = fake_assistant.retriever.leg_results("Who handles the twin town Szeged?", "en")
    assert "dense_de" in legs
    assert "dense_de" not in fake_assistant.retriever.leg_results("Wer betreut Szeged?", "de")


def test_the_bridged_dense_text_is_hardly_longer_than_the_question():
    question = "Who is responsible for the twin town Bursa at the City of Darmstadt?"
    leg, text = dense_text(question, "en")
    assert leg == "dense_de"
    # the German terms are added, the English stop words go, question words stay
    assert text.split()[-2:] == ["Partnerstadt", "zuständig"]
    assert "Who" in text.split() and "Bursa" in text and "Darmstadt?" in text
    assert not {"is", "for", "the", "at", "of"} & set(text.split())
    assert len(text.split()) <= len(question.split())
    # negation keeps its meaning; a question of stop words only stays as it is
    assert "not" in dense_text("Which twin towns are not in Europe?", "en")[1].split()
    assert dense_text("Wer betreut Szeged?", "de") == ("dense", "Wer betreut Szeged?")
    assert dense_text("What is it?", "en") == ("dense", "What is it?")


def test_the_hybrid_reads_the_best_candidates_sentence_by_sentence(fake_assistant):
    passages = fake_assistant.search("Seit wann ist Trondheim Partnerstadt?", 5)
    assert all("evidence" in p.leg_scores for p in passages)
    english = fake_assistant.search("Since when is Trondheim a twin town?", 5)
    assert all("evidence" in p.leg_scores for p in english)
    assert [p.rank for p in english] == [1, 2, 3, 4, 5]
    assert english == sorted(english, key=lambda p: -p.score)


def test_empty_question_finds_nothing(fake_assistant):
    assert fake_assistant.search("   ") == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who handles Uzhgorod", "Partnerstädte: Bursa, Liepāja, Szeged, Uzhhorod"),
        ("ansprechpartner plock", "Partnerstädte: Alkmaar, Gyönk, Płock, Troyes"),
        ("Seit wann ist Darmstadt bei Mayors for Peace?", "Darmstadt ist seit 1998 aktives"),
        ("Who handles Szeged?", "Partnerstädte: Bursa, Liepāja, Szeged, Uzhhorod"),
        ("Seit wann ist Trondheim Partnerstadt?", "1968 Graz(Österreich), Trondheim"),
        ("Can I volunteer at the Schlossgrabenfest?", "als Volunteers mitzuarbeiten"),
        ("When did the first town twinning start?", "die ersten wurden bereits im Jahr 1958"),
    ],
)
def test_the_right_passage_comes_first(real_assistant, question, expected):
    top = real_assistant.search(question, 1)[0]
    assert expected in top.chunk.passage_text
    assert top.relevance is not None and 0 < top.relevance < 1


@pytest.mark.slow
def test_llama_index_default_peer_runs_over_the_same_collection(real_assistant):
    from assistant.retrieval.peer import LlamaIndexDefaultRetriever

    peer = LlamaIndexDefaultRetriever(
        real_assistant.retriever.store, real_assistant.retriever.embedder
    )
    hits = peer.retrieve("Who handles Szeged?", 5)
    assert len(hits) == 5 and "Szeged" in hits[0].chunk.text


class CountingFake(FakeEmbedder):
    """The fake embedder, keeping the questions it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_queries(self, texts):
        self.embedded += list(texts)
        return super().embed_queries(texts)


@pytest.mark.parametrize("cache", [0, 16])
def test_a_question_embedded_ahead_is_looked_up_by_its_search(fake_assistant, cache):
    from assistant.indexing.embedding import cached_queries

    store = fake_assistant.retriever.store
    inner = CountingFake()
    retriever = HybridRetriever(store, cached_queries(inner, cache))
    for question, lang in (
        ("Who handles the twin town Szeged?", "en"),
        ("Wer betreut Graz?", None),
    ):
        assert retriever.prefetch([question], lang) == 1
        ahead = list(inner.embedded)
        passages = retriever.retrieve(question, 3, lang)
        assert passages and inner.embedded == ahead  # the search embedded nothing more
    assert len(inner.embedded) == 2
    _, bridged = dense_text("Who handles the twin town Szeged?", "en")
    assert inner.embedded[0] == bridged  # the text the dense leg embeds, not the question


def test_the_parts_of_a_question_are_embedded_ahead_in_one_call(fake_assistant):
    store = fake_assistant.retriever.store
    calls: list[list[str]] = []

    class Batches(CountingFake):
        def embed_queries(self, texts):
            calls.append(list(texts))
            return super().embed_queries(texts)

    retriever = HybridRetriever(store, Batches())
    parts = ["Wer betreut Graz?", "Seit wann ist Szeged Partnerstadt?", "Wer betreut Graz?"]
    assert retriever.prefetch(parts, "de") == 2  # the same text once
    assert calls == [parts[:2]]
    for part in parts[:2]:
        assert retriever.retrieve(part, 3, "de")
    assert calls == [parts[:2]]  # neither search (a scope's retriever among them) embedded
    assert retriever.prefetch("Wer betreut Graz?", "de") == 1  # one question, as it is
    assert calls[-1] == ["Wer betreut Graz?"]


def test_vectors_embedded_ahead_stay_with_their_thread_and_their_question(fake_assistant):
    import threading

    store = fake_assistant.retriever.store
    inner = CountingFake()
    retriever = HybridRetriever(store, inner)
    retriever.prefetch(["Wer betreut Graz?"], "de")
    other = threading.Thread(target=retriever.retrieve, args=("Wer betreut Graz?", 3, "de"))
    other.start()
    other.join()
    assert inner.embedded == ["Wer betreut Graz?"] * 2  # another thread embeds its own
    retriever.prefetch(["Wer ist für Szeged zuständig?"], "de")
    retriever.retrieve("Wer betreut Graz?", 3, "de")  # the previous question's: dropped
    assert inner.embedded[-1] == "Wer betreut Graz?" and len(inner.embedded) == 4


def test_nothing_is_embedded_ahead_without_a_dense_leg_or_a_question(fake_assistant):
    store = fake_assistant.retriever.store
    plain = CountingFake()
    lexical = HybridRetriever(store, plain, ("bm25",))
    assert lexical.prefetch(["Wer betreut Graz?"]) == 0 and plain.embedded == []
    assert HybridRetriever(store, plain).prefetch(["   ", ""]) == 0 and plain.embedded == []


def test_the_assistant_embeds_a_question_once_and_a_repeated_one_never(fake_settings):
    inner = CountingFake()
    assistant = Assistant.open(fake_settings, embedder=inner, log=lambda _m: None)
    assert assistant.retriever.embedder.inner is inner  # the settings' cache around it
    assistant.ask("Who handles the twin town Szeged?")
    assert len(inner.embedded) == 1
    assistant.ask("Who handles the twin town Szeged?")
    assert len(inner.embedded) == 1
    uncached = fake_settings.model_copy(update={"query_cache_size": 0})
    plain = CountingFake()
    assert Assistant.open(uncached, embedder=plain, log=lambda _m: None).retriever.embedder is plain


@pytest.mark.parametrize("cache", [0, 4096])
def test_the_assistant_embeds_outside_its_lock_whatever_the_cache(fake_settings, cache):
    import threading

    held: list[bool] = []

    def lock_is_held() -> bool:  # asked from another thread: the lock is re-entrant
        free: list[bool] = []

        def probe() -> None:
            free.append(assistant._lock.acquire(blocking=False))
            if free[0]:
                assistant._lock.release()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        return not free[0]

    class Watching(CountingFake):
        def embed_queries(self, texts):
            held.append(lock_is_held())
            return super().embed_queries(texts)

    settings = fake_settings.model_copy(update={"query_cache_size": cache})
    assistant = Assistant.open(settings, embedder=Watching(), log=lambda _m: None)
    for question in ("Who handles the twin town Szeged?", "Wer betreut Graz und wer Szeged?"):
        assistant.ask(question)
    assert held and not any(held)


def test_passages_are_read_ahead_within_the_time_given(fake_assistant):
    from assistant.retrieval import evidence

    chunks = list(fake_assistant.retriever.chunks.values())
    evidence._read.cache_clear()
    assert evidence.read_ahead(chunks, 0.0) == 0 and evidence._read.cache_info().currsize == 0
    assert fake_assistant.read_ahead(60.0) == len(chunks)
    assert evidence._read.cache_info().currsize == len(chunks)
    hits = evidence._read.cache_info().hits
    fake_assistant.ask("Wer ist für Szeged zuständig?")  # its passages were read already
    info = evidence._read.cache_info()
    assert info.hits > hits and info.currsize == len(chunks)
    lexical = HybridRetriever(fake_assistant.retriever.store, FakeEmbedder(), ("bm25",))
    assert lexical.read_ahead(60.0) == 0  # no evidence stage, nothing to read
