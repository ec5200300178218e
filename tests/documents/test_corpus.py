"""Corpus metadata and the errors a broken corpus file gives."""

import re

import pytest
from conftest import CORPUS

from assistant.documents.corpus import CorpusError, load_corpus, parse_document


def test_five_documents_with_complete_metadata(corpus_docs):
    assert len(corpus_docs) == 5
    for doc in corpus_docs:
        assert re.fullmatch(r"[a-z0-9-]+", doc.id)
        assert doc.language == "de"
        assert doc.title and doc.publisher and doc.source
        assert doc.as_of is None or 2000 <= doc.as_of <= 2026


def test_as_of_is_evidenced_by_the_text_and_explained(corpus_docs):
    for doc in corpus_docs:
        front = doc.path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        assert re.search(r"^as_of: .*#\s*\S", front, re.M), f"{doc.id}: as_of lacks its reason"
        if doc.as_of is not None:
            assert str(doc.as_of) in doc.text or f"-{str(doc.as_of)[2:]})" in doc.text
            years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)\b", doc.text)]
            assert doc.as_of >= max(years), f"{doc.id}: a later year is in the text"
        else:
            assert not re.findall(r"\b(19\d\d|20\d\d)\b", doc.text)


def test_the_dortmund_page_says_it_is_from_dortmund(corpus_docs):
    by_city = {d.id: d.city for d in corpus_docs}
    dortmund = [d for d in corpus_docs if "Dortmund" in d.text and "Darmstadt" not in d.text]
    assert len(dortmund) == 1
    doc = dortmund[0]
    assert doc.city == "Dortmund"
    assert "Dortmund" in doc.publisher and "Darmstadt" not in doc.id
    assert sorted(c for c in by_city.values() if c != "Dortmund") == ["Darmstadt"] * 4


def test_no_invented_urls(corpus_docs):
    for doc in corpus_docs:
        for url in re.findall(r"(?:https?://|www\.)\S+", doc.source):
            assert url.rstrip(".,;)") in doc.text, f"{doc.id}: source URL not in the text"


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


GOOD = (
    b"---\nid: a-doc\ntitle: T\npublisher: P\ncity: Darmstadt\nsource: S\n"
    b"language: de\nas_of: null  # no year\n---\n# T\n\nText.\n"
)


def test_a_good_file_parses(tmp_path):
    doc = parse_document(_write(tmp_path, "a.md", GOOD))
    assert doc.id == "a-doc" and doc.text == "# T\n\nText.\n" and doc.as_of is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"", "missing YAML front matter"),
        (b"# just text\n", "missing YAML front matter"),
        (b"---\nid: x\n", "not closed"),
        (b"---\nid: [unclosed\n---\ntext\n", "broken front matter"),
        (b"---\nid: x\n---\ntext\n", "lacks"),
        (GOOD.replace(b"a-doc", b"Not A Slug"), "slug"),
        (GOOD.replace(b"Text.\n", b"").replace(b"# T\n\n", b""), "no text"),
    ],
)
def test_unusable_files_give_an_error_naming_the_file(tmp_path, data, message):
    path = _write(tmp_path, "bad.md", data)
    with pytest.raises(CorpusError, match=message) as info:
        parse_document(path)
    assert "bad.md" in str(info.value)


def test_duplicate_ids_are_refused(tmp_path):
    _write(tmp_path, "a.md", GOOD)
    _write(tmp_path, "b.md", GOOD)
    with pytest.raises(CorpusError, match="duplicate document id 'a-doc'"):
        load_corpus(tmp_path)


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(CorpusError, match="no corpus documents"):
        load_corpus(tmp_path)


def test_the_real_corpus_loads():
    assert {d.id for d in load_corpus(CORPUS)} >= {"darmstadt-internationales"}
