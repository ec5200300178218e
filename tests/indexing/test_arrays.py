"""Arrays of an ``.npz`` file mapped from disk (``arrays.py``): the same values ``np.load``
reads, read-only, without copying; compressed members are still read; a damaged or
object-holding file is refused."""

import numpy as np
import pytest

from assistant.indexing.arrays import map_npz


def _arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    return {
        "vectors": rng.standard_normal((50, 8)).astype(np.float16),
        "fortran": np.asfortranarray(rng.integers(0, 9, (6, 4)).astype(np.int32)),
        "keys": np.array([b"a" * 24, b"b" * 24], dtype="S24"),
        "names": np.array(["Wörter", "straße"]),
        "empty": np.zeros((0, 3), dtype=np.int64),
        "scalar": np.array(3.5),
    }


def test_mapped_arrays_equal_what_np_load_reads(tmp_path):
    path = tmp_path / "a.npz"
    np.savez(path, **_arrays())
    mapped = map_npz(path)
    with np.load(path) as loaded:
        assert sorted(mapped) == sorted(loaded.files)
        for name in loaded.files:
            assert mapped[name].dtype == loaded[name].dtype
            assert mapped[name].shape == loaded[name].shape
            np.testing.assert_array_equal(mapped[name], loaded[name])


def test_stored_arrays_are_read_only_views_of_the_file(tmp_path):
    path = tmp_path / "a.npz"
    np.savez(path, vectors=np.arange(1000, dtype=np.float32))
    vectors = map_npz(path)["vectors"]
    assert type(vectors) is np.ndarray  # a plain array, not np.memmap
    assert not vectors.flags.writeable
    assert not vectors.flags.owndata  # no copy: the mapping holds the data
    with pytest.raises(ValueError):
        vectors[0] = 1.0


def test_compressed_members_are_read_into_memory(tmp_path):
    path = tmp_path / "c.npz"
    np.savez_compressed(path, **_arrays())
    mapped = map_npz(path)
    with np.load(path) as loaded:
        for name in loaded.files:
            np.testing.assert_array_equal(mapped[name], loaded[name])


def test_object_arrays_are_refused(tmp_path):
    path = tmp_path / "o.npz"
    np.savez(path, things=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(ValueError):
        map_npz(path)


def test_a_file_that_is_no_archive_is_refused(tmp_path):
    path = tmp_path / "bad.npz"
    path.write_bytes(b"not a zip file at all" * 10)
    with pytest.raises(ValueError):  # as np.load raises: callers catch OSError and ValueError
        map_npz(path)


def test_a_truncated_archive_is_refused(tmp_path):
    path = tmp_path / "t.npz"
    np.savez(path, vectors=np.arange(10_000, dtype=np.float64))
    path.write_bytes(path.read_bytes()[:40_000])  # the directory at the end is gone
    with pytest.raises((ValueError, OSError)):
        map_npz(path)
