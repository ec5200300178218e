"""Incremental, atomic ingest and the manifest that describes the index."""

import json
import time

import pytest

from assistant.app import Assistant
from assistant.corpus import CorpusError
from assistant.embedding import FakeEmbedder
from assistant.ingest import index_problems, ingest
from assistant.manifest import IndexUnavailableError, read_manifest


class CountingEmbedder(FakeEmbedder):
    def __init__(self):
        super().__init__()
        self.passages = 0

    def embed_passages(self, texts):
        self.passages += len(texts)
        return super().embed_passages(texts)


def _open(settings, **kw):
    return Assistant.open(settings, embedder=FakeEmbedder(), log=lambda _m: None, **kw)


def test_cold_ingest_builds_a_described_index(fake_settings):
    report = ingest(fake_settings, embedder=FakeEmbedder())
    assert len(report.added) == 5 and report.rebuilt and report.chunks == report.embedded > 50
    manifest = read_manifest(fake_settings.manifest_path)
    assert manifest.embedding == {"spec": "fake", "name": "fake:256", "dim": 256}
    assert manifest.chunker["max_chars"] == fake_settings.chunk_max_chars
    assert manifest.chunker["version"]
    assert set(manifest.file_hashes()) == {p.name for p in fake_settings.corpus_dir.glob("*.md")}
    assert sum(d.chunks for d in manifest.documents.values()) == manifest.chunk_count
    assert index_problems(fake_settings) == []


def test_no_change_reingest_touches_nothing(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    before = fake_settings.manifest_path.read_text()
    emb = CountingEmbedder()
    t0 = time.perf_counter()
    report = ingest(fake_settings, embedder=emb)
    assert time.perf_counter() - t0 < 1.0
    assert not report.changed and len(report.unchanged) == 5 and emb.passages == 0
    assert fake_settings.manifest_path.read_text() == before


def test_changed_document_is_rechunked_and_its_old_chunks_deleted(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    old_ids = set(_open(fake_settings).retriever.store.chunks())
    path = fake_settings.corpus_dir / "darmstadt-internationales.md"
    path.write_text(path.read_text().replace("17 Partnerstädten", "18 Partnerstädten"))
    emb = CountingEmbedder()
    report = ingest(fake_settings, embedder=emb)
    assert report.updated == ["darmstadt-internationales"] and len(report.unchanged) == 4
    assert not report.rebuilt
    manifest = read_manifest(fake_settings.manifest_path)
    assert emb.passages == manifest.documents["darmstadt-internationales"].chunks
    chunks = _open(fake_settings).retriever.store.chunks()
    texts = "\n".join(c.text for c in chunks.values())
    assert "18 Partnerstädten" in texts and "17 Partnerstädten" not in texts
    assert len(chunks) == manifest.chunk_count
    assert len(old_ids - set(chunks)) == 1  # only the edited chunk got a new id


def test_removed_and_added_documents(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    src = fake_settings.corpus_dir / "darmstadt-netzwerke.md"
    text = src.read_text()
    src.unlink()
    (fake_settings.corpus_dir / "neu.md").write_text(
        text.replace("id: darmstadt-netzwerke", "id: neu-netzwerke")
    )
    report = ingest(fake_settings, embedder=FakeEmbedder())
    assert report.removed == ["darmstadt-netzwerke"] and report.added == ["neu-netzwerke"]
    doc_ids = {c.doc_id for c in _open(fake_settings).retriever.store.chunks().values()}
    assert "darmstadt-netzwerke" not in doc_ids and "neu-netzwerke" in doc_ids


def test_other_embedding_or_chunker_means_full_rebuild(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    other = fake_settings.model_copy(update={"embedding": "fake:32"})
    assert "embedding changed" in index_problems(other)[0]
    report = ingest(other, embedder=FakeEmbedder(32))
    assert report.rebuilt and "embedding changed" in report.reason and len(report.added) == 5
    assert read_manifest(other.manifest_path).embedding["dim"] == 32
    smaller = other.model_copy(update={"chunk_max_chars": 400})
    assert index_problems(smaller) == ["chunker changed"]
    report = ingest(smaller, embedder=FakeEmbedder(32))
    assert report.rebuilt and report.reason == "chunker changed"


def test_explicit_rebuild(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    report = ingest(fake_settings, rebuild=True, embedder=FakeEmbedder())
    assert report.rebuilt and report.reason == "requested" and len(report.added) == 5


def test_old_collections_are_dropped_but_the_previous_one_is_kept(fake_settings):
    from assistant.store import open_client

    for _ in range(4):
        ingest(fake_settings, rebuild=True, embedder=FakeEmbedder())
    manifest = read_manifest(fake_settings.manifest_path)
    names = {c.name for c in open_client(fake_settings).list_collections()}
    assert names == {manifest.collection, *manifest.previous_collections}
    assert len(manifest.previous_collections) == 1


def test_empty_corpus_is_refused_and_the_index_keeps_serving(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    before = fake_settings.manifest_path.read_text()
    for p in fake_settings.corpus_dir.glob("*.md"):
        p.unlink()
    with pytest.raises(CorpusError, match="no corpus documents"):
        ingest(fake_settings, embedder=FakeEmbedder())
    assert fake_settings.manifest_path.read_text() == before


def test_broken_file_is_named_and_the_previous_index_keeps_serving(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    before = fake_settings.manifest_path.read_text()
    (fake_settings.corpus_dir / "kaputt.md").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CorpusError, match=r"kaputt\.md"):
        ingest(fake_settings, embedder=FakeEmbedder())
    assert fake_settings.manifest_path.read_text() == before
    assert _open_retriever(fake_settings).retrieve("Szeged", 5)


def _open_retriever(settings):
    from assistant.retrieval import HybridRetriever
    from assistant.store import ChunkStore, open_client

    manifest = read_manifest(settings.manifest_path)
    store = ChunkStore.open(open_client(settings), manifest.collection)
    return HybridRetriever(store, FakeEmbedder())


def test_crash_during_ingest_leaves_the_previous_index_serving(fake_settings, monkeypatch):
    from assistant import store as store_module

    ingest(fake_settings, embedder=FakeEmbedder())
    before = fake_settings.manifest_path.read_text()
    path = fake_settings.corpus_dir / "darmstadt-internationales.md"
    path.write_text(path.read_text().replace("17 Partnerstädten", "18 Partnerstädten"))

    def crash(self, chunks, embeddings):
        raise KeyboardInterrupt("killed mid-ingest")

    monkeypatch.setattr(store_module.ChunkStore, "add", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest(fake_settings, embedder=FakeEmbedder())
    assert fake_settings.manifest_path.read_text() == before
    texts = [p.chunk.text for p in _open_retriever(fake_settings).retrieve("Partnerstädten", 50)]
    assert any("17 Partnerstädten" in t for t in texts)
    monkeypatch.undo()
    report = ingest(fake_settings, embedder=FakeEmbedder())
    assert report.updated == ["darmstadt-internationales"]


def test_stale_index_is_rebuilt_on_open_never_served_silently(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    path = fake_settings.corpus_dir / "darmstadt-internationales.md"
    path.write_text(path.read_text().replace("17 Partnerstädten", "18 Partnerstädten"))
    assert index_problems(fake_settings) == ["the corpus changed since the last ingest"]
    with pytest.raises(IndexUnavailableError, match="assistant ingest"):
        _open(fake_settings, auto_ingest=False)
    messages = []
    assistant = Assistant.open(fake_settings, embedder=FakeEmbedder(), log=messages.append)
    assert any("corpus changed" in m for m in messages)
    assert index_problems(fake_settings) == []
    texts = "".join(c.text for c in assistant.retriever.store.chunks().values())
    assert "18 Partnerstädten" in texts


def test_corrupt_manifest_gives_the_rebuild_command(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    fake_settings.manifest_path.write_text("{not json")
    assert "assistant ingest --rebuild" in index_problems(fake_settings)[0]
    with pytest.raises(IndexUnavailableError, match="assistant ingest --rebuild"):
        _open(fake_settings, auto_ingest=False)
    report = ingest(fake_settings, embedder=FakeEmbedder())
    assert report.rebuilt and json.loads(fake_settings.manifest_path.read_text())["collection"]


def test_missing_collection_gives_the_rebuild_command(fake_settings):
    from assistant.store import open_client

    ingest(fake_settings, embedder=FakeEmbedder())
    manifest = read_manifest(fake_settings.manifest_path)
    open_client(fake_settings).delete_collection(manifest.collection)
    with pytest.raises(IndexUnavailableError, match="assistant ingest --rebuild"):
        _open(fake_settings, auto_ingest=False)
    report = ingest(fake_settings, rebuild=True, embedder=FakeEmbedder())
    assert report.chunks == manifest.chunk_count


def test_the_lexical_index_is_saved_per_collection_and_used_on_open(fake_settings):
    from assistant.ingest import lexical_path
    from assistant.lexical import LexicalIndex

    ingest(fake_settings, embedder=FakeEmbedder())
    manifest = read_manifest(fake_settings.manifest_path)
    folder = lexical_path(fake_settings, manifest.collection)
    saved = LexicalIndex.load(folder)
    assert saved is not None and len(saved.ids) == manifest.chunk_count
    assistant = Assistant.open(fake_settings, embedder=FakeEmbedder(), auto_ingest=False)
    assert assistant.retriever.lexical.ids == saved.ids
    built = assistant.retriever.lexical.search("Wer betreut Szeged?", "de", 5)
    assert built == saved.search("Wer betreut Szeged?", "de", 5)
    for _ in range(3):  # old collections' lexical indexes go with them
        ingest(fake_settings, embedder=FakeEmbedder(), rebuild=True)
    kept = sorted(p.name for p in fake_settings.index_dir.glob("lexical-chunks-*"))
    current = read_manifest(fake_settings.manifest_path)
    assert kept == sorted(
        f"lexical-{c}" for c in [current.collection, *current.previous_collections]
    )
