import hashlib
import os
import time

import pytest

from assistant.documents import hashes
from assistant.documents.corpus import corpus_hashes


def _old(path, seconds=60):
    """Set a file's times well in the past, as for a page not touched lately."""
    past = time.time() - seconds
    os.utime(path, (past, past))


@pytest.fixture
def folder(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (corpus / name).write_text(f"---\nid: {name[0]}\n---\nText {name}\n")
        _old(corpus / name)
    return corpus


def _reads(monkeypatch):
    read: list[str] = []
    real = hashes.file_hash
    monkeypatch.setattr(hashes, "file_hash", lambda p: read.append(p.name) or real(p))
    return read


def test_remembered_hashes_equal_the_files_and_unchanged_files_are_not_read(
    folder, tmp_path, monkeypatch
):
    memo = tmp_path / "cache" / "hashes.json"
    read = _reads(monkeypatch)
    first = corpus_hashes(folder, memo)
    assert first == corpus_hashes(folder) and sorted(read) == ["a.md", "b.md", "c.md"]
    expected = hashlib.sha256((folder / "b.md").read_bytes()).hexdigest()
    assert first["b.md"] == expected
    read.clear()
    assert corpus_hashes(folder, memo) == first and read == []


def test_a_changed_added_or_removed_file_is_seen(folder, tmp_path, monkeypatch):
    memo = tmp_path / "hashes.json"
    corpus_hashes(folder, memo)
    read = _reads(monkeypatch)
    stat = (folder / "a.md").stat()
    (folder / "a.md").write_text("---\nid: a\n---\nText a.md\n".replace("Text", "Txet"))
    os.utime(folder / "a.md", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and mtime
    (folder / "d.md").write_text("new page\n")
    (folder / "c.md").unlink()
    got = corpus_hashes(folder, memo)
    assert got == corpus_hashes(folder)  # the change time gives the rewritten file away
    assert set(got) == {"a.md", "b.md", "d.md"} and "b.md" not in read and "a.md" in read


def test_a_file_modified_just_before_it_was_hashed_is_hashed_again(folder, tmp_path, monkeypatch):
    memo = tmp_path / "hashes.json"
    (folder / "a.md").write_text("just written\n")  # modified now: racy
    corpus_hashes(folder, memo)
    read = _reads(monkeypatch)
    corpus_hashes(folder, memo)
    assert read == ["a.md"]  # only the racy file; from now on it is old enough
    read.clear()
    monkeypatch.setattr(hashes, "RACY_SECONDS", 0.0)
    corpus_hashes(folder, memo)
    assert read == []


def test_a_damaged_or_foreign_memory_or_an_unwritable_folder_only_costs_hashing(
    folder, tmp_path, monkeypatch
):
    memo = tmp_path / "hashes.json"
    reference = corpus_hashes(folder)
    memo.write_text("{not json")
    assert corpus_hashes(folder, memo) == reference
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("another corpus\n")
    _old(other / "a.md")
    assert corpus_hashes(other, memo) == corpus_hashes(other)  # another folder's memory
    read = _reads(monkeypatch)
    assert corpus_hashes(folder, memo) == reference and len(read) == 3
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    assert corpus_hashes(folder, blocked / "hashes.json") == reference
    assert corpus_hashes(tmp_path / "empty-corpus", memo) == {}
