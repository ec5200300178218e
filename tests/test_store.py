"""The Chroma store: exact, deterministic search; never Chroma's own embedding function."""

import numpy as np

from assistant.ingest import ingest
from assistant.manifest import read_manifest
from assistant.records import Chunk
from assistant.store import ChunkStore, open_client


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
    from assistant.chunking import chunk_document

    chunks = chunk_document(corpus_docs[0])
    store = ChunkStore.create(open_client(fake_settings), "chunks-rt", len(chunks))
    store.add(chunks, fake_embedder.embed_passages([c.embedding_text for c in chunks]))
    assert store.count() == len(chunks)
    assert store.chunks() == {c.id: c for c in chunks}
