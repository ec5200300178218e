"""A running assistant switches to a new index generation without a restart, locally and
through a Chroma server whose replicas start from empty index folders."""

import threading
import time

import pytest

from assistant.app import Assistant
from assistant.indexing.embedding import FakeEmbedder
from assistant.indexing.ingest import ingest
from assistant.indexing.manifest import read_manifest
from assistant.indexing.shared import FILES_COLLECTION, MANIFEST_ID, served_manifest

PAGE = """---
id: neue-seite
title: "Jugendaustausch mit Quarnbek"
publisher: "Stadtverwaltung"
city: Darmstadt
source: "test page"
source_file: neue-seite.txt
language: de
as_of: 2026
---
# Jugendaustausch mit Quarnbek

Der Jugendaustausch mit Quarnbek findet jedes Jahr im Juli statt. Anmeldungen nimmt das
Jugendamt bis zum 30. April entgegen.
"""
QUESTION = "Wann findet der Jugendaustausch mit Quarnbek statt?"


def _open(settings, **kw):
    return Assistant.open(settings, embedder=FakeEmbedder(), log=lambda _m: None, **kw)


def _finds_page(assistant) -> bool:
    return any(p.chunk.doc_id == "neue-seite" for p in assistant.search(QUESTION, 3))


def _until(predicate, seconds: float) -> float:
    t0 = time.monotonic()
    while not predicate():
        assert time.monotonic() - t0 < seconds, "not within the time"
        time.sleep(0.05)
    return time.monotonic() - t0


def test_a_new_generation_is_served_without_a_restart(fake_settings):
    settings = fake_settings.model_copy(update={"index_check_seconds": 0.1})
    assistant = _open(settings)
    before = assistant.manifest.collection
    in_flight = assistant._current()  # what a question that started now holds
    assert not _finds_page(assistant)

    (settings.corpus_dir / "neue-seite.md").write_text(PAGE, encoding="utf-8")
    ingest(settings, embedder=FakeEmbedder())
    _until(lambda: _finds_page(assistant), 10)
    assert assistant.manifest.collection != before
    assert "neue-seite" in {c.doc for c in assistant.ask(QUESTION).citations}
    # the question in flight finishes on the generation it started with
    assert in_flight.manifest.collection == before
    assert in_flight.retriever.retrieve("Wer ist für Szeged zuständig?", 3, "de")


def test_the_check_is_cheap_and_at_most_every_interval(fake_settings, monkeypatch):
    import assistant.indexing.live as live

    settings = fake_settings.model_copy(update={"index_check_seconds": 3600})
    assistant = _open(settings)
    stats = []
    real = live._stamp
    monkeypatch.setattr(live, "_stamp", lambda p: stats.append(p) or real(p))
    for _ in range(50):
        assistant._current()
    assert stats == []  # not due: a clock read only
    assistant._watch._next = 0
    assistant._current()
    assert len(stats) == 1 and assistant._watch.thread is None  # unchanged: no thread


def test_watching_off_keeps_the_generation_opened_at_start(fake_settings):
    settings = fake_settings.model_copy(update={"index_check_seconds": 0})
    assistant = _open(settings)
    before = assistant.manifest.collection
    (settings.corpus_dir / "neue-seite.md").write_text(PAGE, encoding="utf-8")
    ingest(settings, embedder=FakeEmbedder())
    for _ in range(5):
        assistant.search(QUESTION, 3)
        time.sleep(0.05)
    assert assistant.manifest.collection == before


def test_a_generation_that_cannot_be_loaded_leaves_the_old_one_serving(fake_settings):
    logs: list[str] = []
    settings = fake_settings.model_copy(update={"index_check_seconds": 0.05})
    assistant = Assistant.open(settings, embedder=FakeEmbedder(), log=logs.append)
    before = assistant.manifest.collection
    manifest = read_manifest(settings.manifest_path)
    broken = settings.manifest_path.read_text().replace(manifest.collection, "chunks-missing")
    settings.manifest_path.write_text(broken)

    def refused() -> bool:
        assistant.search(QUESTION, 1)  # questions keep coming; each may trigger the check
        return any("cannot be loaded" in m for m in logs)

    _until(refused, 10)
    assert assistant.manifest.collection == before
    assert "Alina Seel" in assistant.ask("Wer ist für Szeged zuständig?").answer


@pytest.mark.slow
def test_replicas_with_empty_index_folders_follow_the_server(
    tmp_path, fake_settings, chroma_server
):
    server = {"chroma_host": "127.0.0.1", "chroma_port": chroma_server}
    staff = fake_settings.model_copy(update=server)
    ingest(staff, embedder=FakeEmbedder())
    import chromadb

    files = chromadb.HttpClient(host="127.0.0.1", port=chroma_server).get_collection(
        FILES_COLLECTION
    )
    assert files.get(ids=[MANIFEST_ID])["ids"] == [MANIFEST_ID]
    replicas = []
    for name in ("a", "b"):  # no corpus, an empty index folder: only the server's address
        settings = staff.model_copy(
            update={
                "corpus_dir": tmp_path / f"no-corpus-{name}",
                "index_dir": tmp_path / f"replica-{name}",
                "index_check_seconds": 0.2,
            }
        )
        replicas.append(_open(settings, auto_ingest=False))
    for replica in replicas:
        assert "Alina Seel" in replica.ask("Wer ist für Szeged zuständig?").answer

    stop, errors, asked = threading.Event(), [], [0]

    def user(replica) -> None:
        while not stop.is_set():
            try:
                assert replica.ask("Wer ist für Szeged zuständig?").citations
                asked[0] += 1
            except Exception as exc:  # pragma: no cover - the test reports it
                errors.append(repr(exc))

    threads = [threading.Thread(target=user, args=(r,)) for r in replicas for _ in range(2)]
    for t in threads:
        t.start()
    try:
        (staff.corpus_dir / "neue-seite.md").write_text(PAGE, encoding="utf-8")
        ingest(staff, embedder=FakeEmbedder())
        waited = [_until(lambda r=r: _finds_page(r), 10) for r in replicas]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == [] and asked[0] > 10 and max(waited) < 10
    served = served_manifest(staff)
    assert all(r.manifest.collection == served.collection for r in replicas)
    # an ingest from a second staff folder starts from the server's generation: incremental
    other = staff.model_copy(update={"index_dir": tmp_path / "staff-2"})
    report = ingest(other, embedder=FakeEmbedder())
    assert not report.changed
