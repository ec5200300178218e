"""The chunks kept beside the index (``passages-<collection>.npz``): a generation opened from
them holds the chunks Chroma holds and answers the same; without the file (an index built
before it existed) the chunks are read from Chroma; a Chroma server carries the file to
replicas."""

import json

import numpy as np
import pytest

from assistant.indexing.embedding import FakeEmbedder
from assistant.indexing.generation import Generation
from assistant.indexing.ingest import ingest, passages_path
from assistant.indexing.manifest import read_manifest
from assistant.indexing.passages import load_passages, save_passages
from assistant.indexing.store import ChunkStore, open_client
from assistant.records import Chunk

QUESTIONS = ("Wer ist für Szeged zuständig?", "Who handles Szeged?", "Mayors for Peace")


def _from_chroma(settings, collection: str) -> dict[str, Chunk]:
    return ChunkStore.open(open_client(settings), collection).chunks()


def _no_chunks_from_chroma(monkeypatch) -> None:
    real = ChunkStore._get_all

    def get_all(self, include):
        assert "documents" not in include, "the chunks were read from Chroma"
        return real(self, include)

    monkeypatch.setattr(ChunkStore, "_get_all", get_all)


def _results(generation: Generation) -> list:
    out = []
    for question in QUESTIONS:
        passages = generation.retriever.retrieve(question, 5)
        out.append([(p.chunk, round(p.score, 9)) for p in passages])
    return out


def test_the_ingest_keeps_the_chunks_chroma_holds_in_its_order(fake_settings, fake_embedder):
    ingest(fake_settings, embedder=fake_embedder)
    manifest = read_manifest(fake_settings.manifest_path)
    path = passages_path(fake_settings, manifest.collection)
    stored = load_passages(path, manifest.collection, manifest.chunk_count)
    chroma = _from_chroma(fake_settings, manifest.collection)
    assert stored == chroma
    assert list(stored) == list(chroma)
    assert len(stored) == manifest.chunk_count


def test_a_generation_opened_from_the_file_answers_as_one_read_from_chroma(
    fake_settings, fake_embedder, monkeypatch
):
    ingest(fake_settings, embedder=fake_embedder)
    manifest = read_manifest(fake_settings.manifest_path)
    path = passages_path(fake_settings, manifest.collection)
    with monkeypatch.context() as patched:
        _no_chunks_from_chroma(patched)
        fast = Generation.load(fake_settings, fake_embedder, print)
    path.unlink()  # an index built before the file existed: the chunks come from Chroma
    slow = Generation.load(fake_settings, fake_embedder, print)
    assert fast.retriever.chunks == slow.retriever.chunks
    assert list(fast.retriever.chunks) == list(slow.retriever.chunks)
    assert _results(fast) == _results(slow)
    question = QUESTIONS[0]
    assert fast.composer is not None and slow.composer is not None
    assert fast.retriever.retrieve(question, 5) == slow.retriever.retrieve(question, 5)


def test_hnsw_search_takes_its_chunks_from_memory(fake_settings, fake_embedder):
    ingest(fake_settings, embedder=fake_embedder)
    manifest = read_manifest(fake_settings.manifest_path)
    client = open_client(fake_settings)
    exact = ChunkStore.open(client, manifest.collection, exact_search_max=10**6)
    hnsw = ChunkStore.open(client, manifest.collection, exact_search_max=0)
    path = passages_path(fake_settings, manifest.collection)
    hnsw.load(load_passages(path, manifest.collection))
    vector = fake_embedder.embed_queries([QUESTIONS[0]])[0]
    got = hnsw.query(vector, 5)
    assert [c for c, _ in got] == [c for c, _ in exact.query(vector, 5)]
    assert all(c is hnsw.chunks()[c.id] for c, _ in got)


@pytest.mark.parametrize("damage", ["missing", "version", "collection", "count", "garbage"])
def test_a_file_that_does_not_fit_is_not_used(tmp_path, damage):
    chunks = {
        f"d:{i}": Chunk(f"d:{i}", "d", "T", "S", i, i + 2, "Ää„“" * i, context="") for i in range(3)
    }
    path = tmp_path / "passages-chunks-x.npz"
    save_passages(path, "chunks-x", chunks)
    assert load_passages(path, "chunks-x", 3) == chunks
    count = 3
    if damage == "missing":
        path.unlink()
    elif damage == "version":
        with np.load(path) as data:
            arrays = dict(data)
        meta = json.loads(bytes(arrays["meta"]).decode())
        meta["version"] = -1
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        np.savez(path, **arrays)
    elif damage == "collection":
        save_passages(path, "chunks-y", chunks)
    elif damage == "count":
        count = 4
    else:
        path.write_bytes(b"not a file of chunks")
    assert load_passages(path, "chunks-x", count) is None


def test_an_index_without_the_file_opens_from_chroma(fake_settings, fake_embedder):
    ingest(fake_settings, embedder=fake_embedder)
    manifest = read_manifest(fake_settings.manifest_path)
    passages_path(fake_settings, manifest.collection).unlink()
    generation = Generation.load(fake_settings, fake_embedder, print)
    assert generation.retriever.chunks == _from_chroma(fake_settings, manifest.collection)
    assert generation.retriever.retrieve(QUESTIONS[0], 5)


def test_the_files_of_dropped_generations_go(fake_settings, fake_embedder):
    ingest(fake_settings, embedder=fake_embedder)
    first = read_manifest(fake_settings.manifest_path).collection
    ingest(fake_settings, embedder=fake_embedder, rebuild=True)
    assert passages_path(fake_settings, first).exists()  # kept for readers still on it
    ingest(fake_settings, embedder=fake_embedder, rebuild=True)
    assert not passages_path(fake_settings, first).exists()
    now = read_manifest(fake_settings.manifest_path).collection
    assert passages_path(fake_settings, now).exists()


@pytest.mark.slow
def test_a_chroma_server_carries_the_file_to_replicas(tmp_path, fake_settings, chroma_server):
    from assistant.indexing.shared import generation_files, pull

    server = {"chroma_host": "127.0.0.1", "chroma_port": chroma_server}
    staff = fake_settings.model_copy(update=server)
    ingest(staff, embedder=FakeEmbedder())
    manifest = read_manifest(staff.manifest_path)
    assert passages_path(staff, manifest.collection) in generation_files(staff, manifest.collection)
    replica = staff.model_copy(
        update={"corpus_dir": tmp_path / "no-corpus", "index_dir": tmp_path / "replica"}
    )
    assert pull(replica).collection == manifest.collection
    path = passages_path(replica, manifest.collection)
    assert path.read_bytes() == passages_path(staff, manifest.collection).read_bytes()
    stored = load_passages(path, manifest.collection, manifest.chunk_count)
    assert stored == _from_chroma(replica, manifest.collection)
