"""The Chroma store: exact, deterministic search; never Chroma's own embedding function."""

import numpy as np

from assistant.indexing.ingest import ingest
from assistant.indexing.manifest import read_manifest
from assistant.indexing.store import ChunkStore, open_client
from assistant.records import Chunk


def _chunk(i: int) -> Chunk:
    return Chunk(id=f"d:{i:03d}", doc_id="d", title="T", section="S", start=i, end=i + 1, text="x")


def test_collections_have_no_embedding_function_and_cosine_space(fake_settings):
    store = ChunkStore.create(open_client(fake_settings), "chunks-test", 10)
    assert store.collection._embedding_function is None
    assert store.collection.configuration["hnsw"]["space"] == "cosine"


def test_ties_are_broken_by_chunk_id(fake_settings):
    store = ChunkStore.create(open_client(fake_settings), "chunks-ties", 20)
    chunks = [_chunk(i) for i in (5, 3, 9, 1, 7)]
    vectors = np.tile(np.eye(4, dtype=np.float32)[0], (5, 1))
    store.add(chunks, vectors)
    got = store.query(np.eye(4, dtype=np.float32)[0], 3)
    assert [c.id for c, _ in got] == ["d:001", "d:003", "d:005"]
    assert all(abs(s - 1.0) < 1e-6 for _, s in got)


def test_exact_and_hnsw_search_agree_on_the_corpus(fake_settings, fake_embedder):
    ingest(fake_settings, embedder=fake_embedder)
    manifest = read_manifest(fake_settings.manifest_path)
    client = open_client(fake_settings)
    exact = ChunkStore.open(client, manifest.collection, exact_search_max=10**6)
    hnsw = ChunkStore.open(client, manifest.collection, exact_search_max=0)
    for query in ("Wer ist für Szeged zuständig?", "Mayors for Peace", "Schlossgrabenfest"):
        vector = fake_embedder.embed_queries([query])[0]
        a = [(c.id, round(s, 4)) for c, s in exact.query(vector, 5)]
        b = [(c.id, round(s, 4)) for c, s in hnsw.query(vector, 5)]
        assert a == b


def test_store_round_trips_chunks(fake_settings, fake_embedder, corpus_docs):
    from assistant.documents.chunking import chunk_document

    chunks = chunk_document(corpus_docs[0])
    store = ChunkStore.create(open_client(fake_settings), "chunks-rt", len(chunks))
    store.add(chunks, fake_embedder.embed_passages([c.embedding_text for c in chunks]))
    assert store.count() == len(chunks)
    assert store.chunks() == {c.id: c for c in chunks}


def test_a_collection_is_read_in_pages(tmp_path, monkeypatch):
    """Reading every chunk (and every vector) of a collection larger than one page of
    ``get`` returns all of them: one ``get`` of 100k records fails in SQLite."""
    import chromadb
    import numpy as np

    from assistant.indexing import store as store_module
    from assistant.indexing.store import ChunkStore
    from assistant.records import Chunk

    monkeypatch.setattr(store_module, "GET_PAGE", 7)
    monkeypatch.setattr(store_module, "COPY_DOCS", 2)
    client = chromadb.PersistentClient(str(tmp_path / "chroma"))
    chunks = [
        Chunk(f"d{i % 5}:{i:03d}", f"d{i % 5}", "T", "S", 0, 1, f"text {i}") for i in range(30)
    ]
    vectors = np.eye(30, 8, dtype=np.float32) + 0.01
    store = ChunkStore.create(client, "big", 30)
    store.add(chunks, vectors)
    assert sorted(store.chunks()) == sorted(c.id for c in chunks)
    ids, matrix = store._exact()
    assert len(ids) == 30 and matrix.shape == (30, 8)
    copy = ChunkStore.create(client, "copy", 30)
    assert copy.copy_docs_from(store, ["d0", "d1", "d2", "d4"]) == 24
    assert {c.doc_id for c in copy.chunks().values()} == {"d0", "d1", "d2", "d4"}


def test_a_store_opened_with_its_vectors_file_answers_without_reading_vectors_back(
    fake_settings, fake_embedder
):
    from assistant.indexing.ingest import passages_path, vectors_path
    from assistant.indexing.passages import load_passages

    ingest(fake_settings, embedder=fake_embedder)
    manifest = read_manifest(fake_settings.manifest_path)
    client = open_client(fake_settings)
    path = vectors_path(fake_settings, manifest.collection)
    assert path.exists()  # written by the ingest, beside the passages
    passages = load_passages(passages_path(fake_settings, manifest.collection), manifest.collection)
    plain = ChunkStore.open(client, manifest.collection, exact_search_max=0)
    plain.load(passages)
    mapped = ChunkStore.open(client, manifest.collection, exact_search_max=0)
    mapped.load(passages, path)
    exact = ChunkStore.open(client, manifest.collection, exact_search_max=10**6)
    exact.load(passages, path)
    ids = sorted(passages)[::3]
    assert mapped._mapped is not None and exact._mapped is not None
    assert np.array_equal(mapped.vectors_for(ids), plain.vectors_for(ids))
    vector = fake_embedder.embed_queries(["Wer ist für Szeged zuständig?"])[0]
    reference = ChunkStore.open(client, manifest.collection, exact_search_max=10**6)
    reference.load()  # vectors read from Chroma
    assert exact.query(vector, 5) == reference.query(vector, 5)
    assert mapped.query(vector, 5, among=ids) == plain.query(vector, 5, among=ids)


def test_a_vectors_file_of_another_size_is_not_used(fake_settings, fake_embedder, tmp_path):
    from assistant.indexing.ingest import passages_path
    from assistant.indexing.passages import load_passages

    ingest(fake_settings, embedder=fake_embedder)
    manifest = read_manifest(fake_settings.manifest_path)
    passages = load_passages(passages_path(fake_settings, manifest.collection), manifest.collection)
    np.save(tmp_path / "short.npy", np.zeros((3, fake_embedder.dim), dtype=np.float32))
    store = ChunkStore.open(open_client(fake_settings), manifest.collection, exact_search_max=0)
    store.load(passages, tmp_path / "short.npy")
    assert store._mapped is None
    assert store.vectors_for(sorted(passages)[:2]).shape == (2, fake_embedder.dim)


def test_best_rows_are_the_highest_scores_with_ties_in_id_order():
    from assistant.indexing.store import best_rows

    rng = np.random.default_rng(3)
    for n, k in ((1, 5), (40, 7), (300, 50), (300, 300), (1000, 1)):
        scores = rng.integers(0, 6, n).astype(np.float32) / 5  # many equal scores
        ids = [f"d:{i:04d}" for i in rng.permutation(n)]  # rows not in id order
        reference = sorted(range(n), key=lambda r: (-scores[r], ids[r]))[:k]
        assert best_rows(scores, ids, k) == reference


def test_a_large_store_with_its_files_searches_them_exactly_and_never_opens_chroma(
    fake_settings, fake_embedder
):
    from assistant.indexing.ingest import passages_path, vectors_path
    from assistant.indexing.passages import load_passages

    ingest(fake_settings, embedder=fake_embedder)
    manifest = read_manifest(fake_settings.manifest_path)
    client = open_client(fake_settings)
    opened: list[str] = []

    def counting_client():
        opened.append("client")
        return client

    passages = load_passages(passages_path(fake_settings, manifest.collection), manifest.collection)
    path = vectors_path(fake_settings, manifest.collection)
    mapped = ChunkStore.deferred(counting_client, manifest.collection, exact_search_max=0)
    mapped.load(passages, path)  # above the exact-search size: the mapped file is searched
    reference = ChunkStore.open(client, manifest.collection, exact_search_max=10**6)
    reference.load()
    for query in ("Wer ist für Szeged zuständig?", "Mayors for Peace", "Schlossgrabenfest"):
        vector = fake_embedder.embed_queries([query])[0]
        assert mapped.query(vector, 8) == reference.query(vector, 8)
    assert mapped.serves_alone and not mapped.collection_opened and opened == []
    without_file = ChunkStore.deferred(counting_client, manifest.collection, exact_search_max=0)
    without_file.load(passages)
    assert not without_file.serves_alone and opened == []
    vector = fake_embedder.embed_queries(["Mayors for Peace"])[0]
    hits = without_file.query(vector, 5)  # HNSW: the collection is opened now, once
    assert [c.id for c, _ in hits] == [c.id for c, _ in reference.query(vector, 5)]
    without_file.query(vector, 5)
    assert opened == ["client"] and without_file.name == manifest.collection


def test_the_assistant_serves_from_the_files_beside_the_index_without_chroma(fake_settings):
    from assistant.app import Assistant
    from assistant.indexing.embedding import FakeEmbedder
    from assistant.indexing.ingest import vectors_path

    ingest(fake_settings, embedder=FakeEmbedder())
    assistant = Assistant.open(fake_settings, embedder=FakeEmbedder(), log=lambda _m: None)
    assert "Seel" in assistant.ask("Wer ist für Szeged zuständig?").answer
    assistant.ask("Mayors for Peace")
    assert not assistant.retriever.store.collection_opened
    vectors_path(fake_settings, read_manifest(fake_settings.manifest_path).collection).unlink()
    reopened = Assistant.open(fake_settings, embedder=FakeEmbedder(), log=lambda _m: None)
    assert reopened.retriever.store.collection_opened  # its vectors are read from Chroma
    assert "Seel" in reopened.ask("Wer ist für Szeged zuständig?").answer


def test_the_store_is_checked_without_chroma_and_a_missing_collection_is_named(
    fake_settings, fake_embedder
):
    import pytest

    from assistant.indexing.generation import _Client
    from assistant.indexing.store import stored_collections

    ingest(fake_settings, embedder=fake_embedder)
    manifest = read_manifest(fake_settings.manifest_path)
    assert manifest.collection in stored_collections(fake_settings)
    _Client(fake_settings).check(manifest.collection)
    with pytest.raises(LookupError, match="chunks-gone"):
        _Client(fake_settings).check("chunks-gone")
