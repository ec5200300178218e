"""Unit spans and vectors are computed at ingest, stored, and reused by content."""

import numpy as np

from assistant.answering.reader.bridge import Bridge
from assistant.answering.reader.vectors import UnitVectors
from assistant.indexing.embedding import FakeEmbedder
from assistant.records import Chunk


class Counting(FakeEmbedder):
    def __init__(self):
        super().__init__(16)
        self.passages = 0

    def embed_passages(self, texts):
        self.passages += len(texts)
        return super().embed_passages(texts)


LONG = "Die Stadt pflegt viele Partnerschaften in Europa. Die erste wurde 1958 geschlossen."


def _chunks(*texts):
    return [Chunk(f"c{i}", "d", "T", "S", 0, len(t), t) for i, t in enumerate(texts)]


def test_units_are_embedded_once_and_reused_by_their_content(tmp_path):
    emb = Counting()
    store, embedded = UnitVectors.build(_chunks(LONG), emb)
    assert embedded == emb.passages == 2
    store.save(tmp_path / "u.npz")
    loaded = UnitVectors.load(tmp_path / "u.npz", emb)
    assert loaded is not None and loaded.spans == store.spans
    again, embedded = UnitVectors.build(_chunks(LONG, "Neu hier."), emb, loaded)
    assert embedded == 1 and emb.passages == 3  # only the new unit
    units = again.units(_chunks(LONG)[0])
    vectors = again.vectors(units)
    assert vectors.shape == (2, 16) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-2)


def test_stored_units_of_another_embedder_are_not_used(tmp_path):
    store, _ = UnitVectors.build(_chunks("Ein Satz."), FakeEmbedder(16))
    store.save(tmp_path / "u.npz")
    assert UnitVectors.load(tmp_path / "u.npz", FakeEmbedder(32)) is None
    assert UnitVectors.load(tmp_path / "missing.npz", FakeEmbedder(16)) is None


def test_a_unit_not_in_the_store_is_embedded_when_read():
    emb = Counting()
    store = UnitVectors(emb)
    (chunk,) = _chunks("Nur ein Satz.")
    store.vectors(store.units(chunk))
    store.vectors(store.units(chunk))
    assert emb.passages == 1  # kept after the first time


def test_the_bridge_is_stored_with_the_index(tmp_path):
    dictionary = tmp_path / "de-en"
    dictionary.write_text("Partnerstadt {f} | Partnerstädte {pl} :: twin town | twin towns\n")
    bridge = Bridge.build({"partnerstadte", "stadtepartnerschaft"}, dictionary)
    bridge.save(tmp_path / "b.npz")
    loaded = Bridge.load(tmp_path / "b.npz")
    assert loaded.translations("twin towns") == bridge.translations("twin towns") != frozenset()
    assert loaded.zipf("town", "en") == bridge.zipf("town", "en") is not None
    assert not Bridge.build({"partnerstadte"}, tmp_path / "none")  # no dictionary: empty


def test_stored_keys_are_found_by_content_and_unknown_ones_are_not(tmp_path):
    emb = FakeEmbedder(16)
    store, _ = UnitVectors.build(_chunks(LONG, "Noch ein Satz."), emb)
    store.save(tmp_path / "u.npz")
    loaded = UnitVectors.load(tmp_path / "u.npz", emb)
    keys = list(store.keys.astype(str))
    assert len(keys) == 3
    assert list(loaded.rows(keys)) == list(store.rows(keys)) == [0, 1, 2]
    assert list(loaded.rows(["0" * 24, keys[1]])) == [-1, 1]
    unit = loaded.units(_chunks(LONG)[0])[0]
    assert np.array_equal(loaded.vectors([unit]), store.vectors([unit]))
    assert "c1" in loaded.spans and "c9" not in loaded.spans and len(loaded.spans) == 2
