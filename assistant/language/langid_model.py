"""The language identifier's model, decoded once and kept uncompressed.

py3langid ships its model LZMA-compressed; decompressing it is 0.5-0.7 s of every cold start
(the longest step at corpus size). The decoded arrays are written once to the data folder
(``ASSISTANT_DATA_DIR``), named after the package version and the model file's size and
time, and memory-mapped by later starts. The copy is derived data: when it is missing,
damaged or cannot be written, the shipped model is decompressed as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from array import array
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from assistant.indexing.arrays import map_npz

_TYPES = {"H": np.uint16, "I": np.uint32, "L": np.uint64}  # array typecode → numpy dtype
_CODES = {np.dtype(t): c for c, t in _TYPES.items()}  # and back


def shipped_model() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def cache_path(folder: Path, source: Path | None = None) -> Path:
    """Where the decoded copy of ``source`` (the shipped model) is kept in ``folder``."""
    source = source or shipped_model()
    stat = source.stat()
    key = f"{version('py3langid')}|{source.name}|{stat.st_size}|{stat.st_mtime_ns}"
    return folder / f"langid-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"


def load_model(folder: Path | None) -> tuple[Any, ...]:
    """The model as py3langid's reader returns it (class log-probabilities, priors, class
    names, the tokenizer's transition table, its row per state, its outputs), from the
    decoded copy in ``folder`` when there is one; written there when there is none."""
    from py3langid.modelio import load_model as decompress

    source = shipped_model()
    if folder is None:
        return decompress(source)
    path = cache_path(folder, source)
    try:
        return _read(path)
    except (OSError, ValueError, KeyError):
        pass
    model = decompress(source)
    with contextlib.suppress(OSError):  # a read-only data folder: decompress at each start
        _write(path, model)
    return model


def _read(path: Path) -> tuple[Any, ...]:
    data = map_npz(path)
    nextmove = _to_array(data["nextmove"])
    row = _to_array(data["row"])
    return (data["ptc"], data["pc"], data["classes"].tolist(), nextmove, row, data["out"].tolist())


def _to_array(values: np.ndarray) -> array:
    out = array(_CODES[values.dtype])
    out.frombytes(values.tobytes())
    return out


def _write(path: Path, model: tuple[Any, ...]) -> None:
    ptc, pc, classes, nextmove, row, out = model
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".langid-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(
                fh,
                ptc=np.asarray(ptc),
                pc=np.asarray(pc),
                classes=np.asarray(classes, dtype=str),
                nextmove=np.frombuffer(nextmove, dtype=_TYPES[nextmove.typecode]),
                row=np.frombuffer(row, dtype=_TYPES[row.typecode]),
                out=np.asarray(out, dtype=np.int64),
            )
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["cache_path", "load_model"]
