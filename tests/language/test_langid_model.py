"""The language model decoded once into the data folder (``langid_model.py``): later loads
read the copy instead of decompressing, give the identical model and the identical
languages; a damaged copy is replaced, an unwritable folder only costs the decompression."""

import numpy as np
import py3langid.modelio
import pytest
from py3langid.langid import LanguageIdentifier

from assistant.language import langid_model
from assistant.language.langid_model import cache_path, load_model, shipped_model

TEXTS = ("Wer ist für die Partnerstadt zuständig?", "Who handles the twin town?", "Bonjour")


def _same(a, b) -> None:
    assert len(a) == len(b) == 6
    for x, y in zip(a, b, strict=True):
        if isinstance(x, list):
            assert x == y
        else:
            assert type(x) is type(y)
            assert getattr(x, "typecode", None) == getattr(y, "typecode", None)
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def _identifier(model) -> LanguageIdentifier:
    ptc, pc, classes, nextmove, row, output = model
    return LanguageIdentifier(
        np.asarray(ptc), np.asarray(pc), classes, nextmove, output, True, tk_row=row
    )


@pytest.fixture(scope="module")
def shipped():
    return py3langid.modelio.load_model(shipped_model())


def test_the_copy_is_written_once_and_read_without_decompressing(tmp_path, shipped, monkeypatch):
    first = load_model(tmp_path)
    assert cache_path(tmp_path).is_file()
    _same(first, shipped)

    def no_decompressing(path):
        raise AssertionError("the shipped model was decompressed again")

    monkeypatch.setattr(py3langid.modelio, "load_model", no_decompressing)
    again = load_model(tmp_path)
    _same(again, shipped)
    for text in TEXTS:
        assert _identifier(again).classify(text) == _identifier(shipped).classify(text)


def test_a_damaged_copy_is_replaced(tmp_path, shipped):
    path = cache_path(tmp_path)
    path.write_bytes(b"broken")
    _same(load_model(tmp_path), shipped)
    _same(langid_model._read(path), shipped)  # rewritten whole


def test_an_unwritable_folder_costs_only_the_decompression(tmp_path, shipped, monkeypatch):
    def refuse(path, model):
        raise PermissionError("read-only")

    monkeypatch.setattr(langid_model, "_write", refuse)
    _same(load_model(tmp_path), shipped)
    assert not cache_path(tmp_path).exists()


def test_without_a_folder_the_shipped_model_is_decompressed(shipped):
    _same(load_model(None), shipped)


def test_the_copy_is_named_after_the_model_file(tmp_path):
    source = tmp_path / "model.npz.xz"
    source.write_bytes(b"one")
    before = cache_path(tmp_path, source)
    source.write_bytes(b"other model")
    assert cache_path(tmp_path, source) != before
