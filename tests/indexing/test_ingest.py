"""Incremental, atomic ingest and the manifest that describes the index."""

import json
import time

import pytest

from assistant.app import Assistant
from assistant.documents.corpus import CorpusError
from assistant.indexing.embedding import FakeEmbedder
from assistant.indexing.ingest import index_problems, ingest
from assistant.indexing.manifest import IndexUnavailableError, read_manifest


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
    chunks = manifest.documents["darmstadt-internationales"].chunks
    # the changed page's chunks, and of their units only the one whose text changed
    assert report.units_embedded == 1
    assert emb.passages == chunks + report.units_embedded
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
    from assistant.indexing.store import open_client

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
    from assistant.indexing.store import ChunkStore, open_client
    from assistant.retrieval.hybrid import HybridRetriever

    manifest = read_manifest(settings.manifest_path)
    store = ChunkStore.open(open_client(settings), manifest.collection)
    return HybridRetriever(store, FakeEmbedder())


def test_crash_during_ingest_leaves_the_previous_index_serving(fake_settings, monkeypatch):
    from assistant.indexing import store as store_module

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
    from assistant.indexing.store import open_client

    ingest(fake_settings, embedder=FakeEmbedder())
    manifest = read_manifest(fake_settings.manifest_path)
    open_client(fake_settings).delete_collection(manifest.collection)
    with pytest.raises(IndexUnavailableError, match="assistant ingest --rebuild"):
        _open(fake_settings, auto_ingest=False)
    report = ingest(fake_settings, rebuild=True, embedder=FakeEmbedder())
    assert report.chunks == manifest.chunk_count


def test_a_deleted_store_is_rebuilt_by_the_next_ingest_not_reported_unchanged(fake_settings):
    import shutil

    from assistant.indexing.store import forget_client

    ingest(fake_settings, embedder=FakeEmbedder())
    forget_client(fake_settings)
    shutil.rmtree(fake_settings.chroma_path)  # the manifest stays, naming a store now gone
    assert any("Chroma store" in p and "missing" in p for p in index_problems(fake_settings))
    report = ingest(fake_settings, embedder=FakeEmbedder())
    assert report.rebuilt and "missing" in report.reason and not report.unchanged
    assert index_problems(fake_settings) == []
    assert "Alina Seel" in _open(fake_settings, auto_ingest=False).ask(SZEGED).answer


def test_the_lexical_index_is_saved_per_collection_and_used_on_open(fake_settings):
    from assistant.indexing.ingest import lexical_path
    from assistant.retrieval.lexical import LexicalIndex

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


# --- faults in the corpus while an index serves ---------------------------------------------
SZEGED = "Wer ist für Szeged zuständig?"
NEW_FILE_FAULTS = {
    "not-utf8": b"---\nid: kaputt\n---\n\xff\xfe Text\n",
    "empty-file": b"",
    "no-front-matter": b"# Nur Text, kein Kopf\n",
    "broken-front-matter": b"---\nid: [unclosed\ntitle: x\n---\nText\n",
    "unclosed-front-matter": b"---\nid: offen\ntitle: x\nText ohne Ende\n",
    "front-matter-not-a-mapping": b"---\n- a\n- b\n---\nText\n",
    "missing-fields": b"---\nid: halb\ntitle: Halb\n---\nText\n",
}


def _answers_from_the_previous_index(settings, name: str) -> None:
    messages: list[str] = []
    assistant = Assistant.open(settings, embedder=FakeEmbedder(), log=messages.append)
    assert any(name in m and "previous index keeps serving" in m for m in messages), messages
    assert "Alina Seel" in assistant.ask(SZEGED).answer


@pytest.mark.parametrize("fault", NEW_FILE_FAULTS)
def test_a_broken_new_file_is_named_and_the_previous_index_keeps_serving(fake_settings, fault):
    ingest(fake_settings, embedder=FakeEmbedder())
    before = fake_settings.manifest_path.read_text()
    (fake_settings.corpus_dir / f"{fault}.md").write_bytes(NEW_FILE_FAULTS[fault])
    with pytest.raises(CorpusError, match=rf"{fault}\.md: "):
        ingest(fake_settings, embedder=FakeEmbedder())
    assert fake_settings.manifest_path.read_text() == before
    _answers_from_the_previous_index(fake_settings, f"{fault}.md")


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.encode("latin-1", "replace"),  # saved in the wrong encoding
        lambda text: text.split("\n---\n", 1)[1].encode(),  # front matter lost
        lambda text: text.replace("as_of:", "as_of: [", 1).encode(),  # YAML broken
        lambda text: b"",  # emptied
    ],
    ids=["latin-1", "front-matter-lost", "yaml-broken", "emptied"],
)
def test_a_damaged_existing_file_keeps_its_old_version_serving(fake_settings, damage):
    ingest(fake_settings, embedder=FakeEmbedder())
    path = fake_settings.corpus_dir / "darmstadt-internationales.md"
    path.write_bytes(damage(path.read_text(encoding="utf-8")))
    with pytest.raises(CorpusError, match=r"darmstadt-internationales\.md: "):
        ingest(fake_settings, embedder=FakeEmbedder())
    _answers_from_the_previous_index(fake_settings, "darmstadt-internationales.md")


def test_a_duplicate_id_names_both_files_and_the_previous_index_keeps_serving(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    before = fake_settings.manifest_path.read_text()
    source = fake_settings.corpus_dir / "darmstadt-netzwerke.md"
    copy = fake_settings.corpus_dir / "netzwerke-kopie.md"
    copy.write_text(source.read_text().replace("Mayors for Peace", "Mayors for Peace (Kopie)"))
    with pytest.raises(CorpusError, match="duplicate document id 'darmstadt-netzwerke'") as info:
        ingest(fake_settings, embedder=FakeEmbedder())
    assert "netzwerke-kopie.md" in str(info.value) and "darmstadt-netzwerke.md" in str(info.value)
    assert fake_settings.manifest_path.read_text() == before
    _answers_from_the_previous_index(fake_settings, "netzwerke-kopie.md")
    copy.unlink()
    assert index_problems(fake_settings) == []


def test_a_broken_file_without_a_previous_index_is_an_error(fake_settings):
    (fake_settings.corpus_dir / "leer.md").write_bytes(b"")
    with pytest.raises(CorpusError, match=r"leer\.md"):
        _open(fake_settings)


def test_the_command_line_names_the_file_and_answers_from_the_previous_index(
    fake_settings, monkeypatch, capsys
):
    from assistant.cli import main

    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(fake_settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(fake_settings.index_dir))
    monkeypatch.setenv("ASSISTANT_EMBEDDING", "fake")
    assert main(["ingest"]) == 0
    (fake_settings.corpus_dir / "kaputt.md").write_bytes(b"\xff\xfe")
    capsys.readouterr()
    assert main(["ingest"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "kaputt.md: not UTF-8" in err and "Traceback" not in err
    assert main(["ask", SZEGED]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Für Szeged ist Alina Seel")
    assert "kaputt.md" in captured.err and "previous index keeps serving" in captured.err


# --- a damaged or missing index -------------------------------------------------------------
def test_a_damaged_store_gives_the_rebuild_command_and_the_rebuild_sets_it_aside(fake_settings):
    from assistant.indexing.store import forget_client

    ingest(fake_settings, embedder=FakeEmbedder())
    forget_client(fake_settings)  # as a freshly started process would
    (fake_settings.chroma_path / "chroma.sqlite3").write_bytes(b"not a database " * 500)
    for _ in range(2):  # the same message again, not a stale half-opened client
        with pytest.raises(IndexUnavailableError, match="assistant ingest --rebuild"):
            _open(fake_settings, auto_ingest=False)
    with pytest.raises(IndexUnavailableError, match="assistant ingest --rebuild"):
        path = fake_settings.corpus_dir / "darmstadt-internationales.md"
        path.write_text(path.read_text().replace("17 Partnerstädten", "18 Partnerstädten"))
        ingest(fake_settings, embedder=FakeEmbedder())  # an update cannot copy from it
    report = ingest(fake_settings, rebuild=True, embedder=FakeEmbedder())
    assert report.rebuilt and any("moved to" in w for w in report.warnings)
    (aside,) = fake_settings.index_dir.glob("chroma.broken-*")
    assert (aside / "chroma.sqlite3").read_bytes().startswith(b"not a database")
    assert "Alina Seel" in _open(fake_settings, auto_ingest=False).ask(SZEGED).answer


def test_a_deleted_index_gives_the_ingest_command(fake_settings):
    import shutil

    from assistant.indexing.store import forget_client

    ingest(fake_settings, embedder=FakeEmbedder())
    shutil.rmtree(fake_settings.index_dir)
    forget_client(fake_settings)
    with pytest.raises(IndexUnavailableError, match="Run: assistant ingest"):
        _open(fake_settings, auto_ingest=False)
    assert "Alina Seel" in _open(fake_settings).ask(SZEGED).answer  # rebuilt on open


def test_damaged_facts_are_extracted_again(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    (facts,) = fake_settings.index_dir.glob("facts-*.json")
    facts.write_text("{broken")
    messages: list[str] = []
    assistant = Assistant.open(fake_settings, embedder=FakeEmbedder(), log=messages.append)
    assert any("unreadable" in m and "extracting again" in m for m in messages)
    assert "Alina Seel" in assistant.ask(SZEGED).answer
    messages.clear()  # kept for the next start
    Assistant.open(fake_settings, embedder=FakeEmbedder(), log=messages.append)
    assert not any("unreadable" in m for m in messages)


def test_facts_of_another_extraction_are_extracted_again(fake_settings):
    from assistant.indexing.facts import extraction

    ingest(fake_settings, embedder=FakeEmbedder())
    (facts,) = fake_settings.index_dir.glob("facts-*.json")
    data = json.loads(facts.read_text(encoding="utf-8"))
    data["extraction"] = "3-older-rules"  # same version number, other rules
    data["other_names"] = {}
    facts.write_text(json.dumps(data), encoding="utf-8")
    messages: list[str] = []
    assistant = Assistant.open(fake_settings, embedder=FakeEmbedder(), log=messages.append)
    assert any("another extraction" in m and "extracting again" in m for m in messages)
    assert "Alina Seel" in assistant.ask(SZEGED).answer
    stored = json.loads(facts.read_text(encoding="utf-8"))  # kept for the next start
    assert stored["extraction"] == extraction() and stored["other_names"]


# --- readers during a rebuild ---------------------------------------------------------------
def test_readers_keep_answering_while_the_index_is_rebuilt(fake_settings):
    import threading

    ingest(fake_settings, embedder=FakeEmbedder())
    assistant = _open(fake_settings)
    stop, answers, errors = threading.Event(), [], []

    def reader() -> None:
        while not stop.is_set():
            try:
                answers.append("Alina Seel" in assistant.ask(SZEGED).answer)
                answers.append("Alina Seel" in _open(fake_settings).ask(SZEGED).answer)
            except Exception as exc:  # pragma: no cover - the test reports it
                errors.append(repr(exc))

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in range(3):
            ingest(fake_settings, rebuild=True, embedder=FakeEmbedder())
        path = fake_settings.corpus_dir / "darmstadt-internationales.md"
        path.write_text(path.read_text().replace("17 Partnerstädten", "18 Partnerstädten"))
        ingest(fake_settings, embedder=FakeEmbedder())
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == [] and len(answers) >= 6 and all(answers)


# --- kill -9 during `assistant ingest` (real processes) -------------------------------------
# Runs the real command line with ChunkStore.add slowed down: half the new chunks are written,
# a marker file says so, and the process waits there to be killed.
HALF_WRITTEN = """
import sys, time, pathlib
from assistant.indexing import store
marker, original = pathlib.Path(sys.argv[1]), store.ChunkStore.add
def add(self, chunks, embeddings):
    half = len(chunks) // 2
    original(self, chunks[:half], embeddings[:half])
    marker.write_text("half of the new collection is written")
    time.sleep(120)
    original(self, chunks[half:], embeddings[half:])
store.ChunkStore.add = add
from assistant.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _env(settings) -> dict[str, str]:
    import os

    return {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_EMBEDDING": "fake",
    }


def _cli(settings, *args: str):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _kill_when_half_written(settings, tmp_path, *args: str) -> None:
    import signal
    import subprocess
    import sys

    marker = tmp_path / "half-written"
    marker.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-c", HALF_WRITTEN, str(marker), *args],
        env=_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, "the ingest ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def _asks_szeged(settings) -> str:
    done = _cli(settings, "ask", SZEGED, "--json")
    assert done.returncode == 0, done.stderr
    assert "Alina Seel" in json.loads(done.stdout)["answer"]
    return done.stderr


def _collections(settings) -> set[str]:
    from assistant.indexing.store import forget_client, open_client

    forget_client(settings)  # this process opens the store afresh, as a new process would
    names = {c.name for c in open_client(settings).list_collections()}
    forget_client(settings)
    return names


@pytest.mark.slow
def test_kill_9_during_a_rebuild_leaves_the_previous_index_answering(fake_settings, tmp_path):
    assert _cli(fake_settings, "ingest").returncode == 0
    before = fake_settings.manifest_path.read_text()
    for _ in range(2):
        _kill_when_half_written(fake_settings, tmp_path, "ingest", "--rebuild")
        assert fake_settings.manifest_path.read_text() == before  # no switch happened
        assert "ingesting" not in _asks_szeged(fake_settings)  # the old index, as it was
    assert len(_collections(fake_settings)) == 3  # the live one and two half-written ones
    done = _cli(fake_settings, "ingest", "--rebuild")
    assert done.returncode == 0 and "full rebuild (requested)" in done.stdout, done.stderr
    manifest = read_manifest(fake_settings.manifest_path)
    assert manifest.collection not in before
    assert _collections(fake_settings) == {manifest.collection, *manifest.previous_collections}
    _asks_szeged(fake_settings)


@pytest.mark.slow
def test_kill_9_during_an_update_then_the_next_ingest_completes(fake_settings, tmp_path):
    assert _cli(fake_settings, "ingest").returncode == 0
    before = fake_settings.manifest_path.read_text()
    path = fake_settings.corpus_dir / "darmstadt-internationales.md"
    path.write_text(path.read_text().replace("17 Partnerstädten", "18 Partnerstädten"))
    _kill_when_half_written(fake_settings, tmp_path, "ingest")
    assert fake_settings.manifest_path.read_text() == before
    done = _cli(fake_settings, "ingest")
    assert done.returncode == 0 and "0 added, 1 updated, 4 unchanged" in done.stdout
    found = _cli(fake_settings, "search", "Partnerstädten", "-k", "30", "--json")
    texts = [row["text"] for row in json.loads(found.stdout)]
    assert any("18 Partnerstädten" in t for t in texts)
    assert not any("17 Partnerstädten" in t for t in texts)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.7, 1.4, 2.1])
def test_kill_9_at_any_moment_never_breaks_the_index(fake_settings, delay):
    """The plain command, killed after ``delay`` seconds, wherever it happens to be."""
    import signal
    import subprocess
    import sys

    assert _cli(fake_settings, "ingest").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", "--rebuild"],
        env=_env(fake_settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert "ingesting" not in _asks_szeged(fake_settings)
    assert _cli(fake_settings, "ingest", "--rebuild").returncode == 0
    _asks_szeged(fake_settings)


@pytest.mark.slow
def test_two_ingests_at_once_take_turns(fake_settings):
    import subprocess
    import sys

    assert _cli(fake_settings, "ingest").returncode == 0
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "ingest", "--rebuild"],
            env=_env(fake_settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and "full rebuild" in out, err
    manifest = read_manifest(fake_settings.manifest_path)
    assert _collections(fake_settings) == {manifest.collection, *manifest.previous_collections}
    _asks_szeged(fake_settings)


@pytest.mark.slow
def test_readers_in_this_process_keep_answering_while_another_process_rebuilds(fake_settings):
    import subprocess
    import sys

    assert _cli(fake_settings, "ingest").returncode == 0
    assistant = _open(fake_settings, auto_ingest=False)
    loop = f"for i in 1 2 3; do {sys.executable} -m assistant.cli ingest --rebuild || exit 1; done"
    proc = subprocess.Popen(["bash", "-c", loop], env=_env(fake_settings))
    answered = opened = 0
    try:
        while proc.poll() is None:
            assert "Alina Seel" in assistant.ask(SZEGED).answer
            answered += 1
            if answered % 25 == 0:  # a reader that starts in the middle of a rebuild
                assert "Alina Seel" in _open(fake_settings, auto_ingest=False).ask(SZEGED).answer
                opened += 1
    finally:
        proc.wait(timeout=300)
    assert proc.returncode == 0 and answered > 50 and opened >= 1


def test_a_manifest_from_before_indexed_times_still_serves_and_is_not_rebuilt(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    data = json.loads(fake_settings.manifest_path.read_text())
    for entry in data["documents"].values():
        del entry["indexed_at"]
    fake_settings.manifest_path.write_text(json.dumps(data))
    assert index_problems(fake_settings) == []
    manifest = read_manifest(fake_settings.manifest_path)
    assert all(entry.indexed_at == "" for entry in manifest.documents.values())
    report = ingest(fake_settings, embedder=FakeEmbedder())
    assert not report.changed
