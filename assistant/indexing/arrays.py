"""Arrays saved beside the index, opened without reading them into memory.

``np.savez`` stores each array uncompressed in a zip file, so every array is a contiguous run
of bytes inside it. ``np.load`` cannot memory-map an ``.npz`` (only a ``.npy``) and copies
each array out; at 100k passages that was 0.6 s for the unit vectors alone. ``map_npz`` maps
each stored array read-only instead, so the system pages in only the rows a question reads,
and processes serving the same index share those pages.
"""

from __future__ import annotations

import struct
import threading
import zipfile
from pathlib import Path

import numpy as np

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, …, file name length, extra field length
_LOCAL_SIGNATURE = b"PK\x03\x04"


def map_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file by name, memory-mapped read-only where it is stored
    uncompressed (as ``np.savez`` writes it), else read into memory. Arrays of Python objects
    are refused, as ``np.load`` refuses them by default. Raises ``OSError`` or ``ValueError``
    for a file that is not such an archive."""
    try:
        return _map_members(path)
    except zipfile.BadZipFile as exc:  # not an OSError or ValueError: callers catch those
        raise ValueError(f"{path.name}: {exc}") from exc


def _map_members(path: Path) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive, path.open("rb") as fh:
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            if info.compress_type != zipfile.ZIP_STORED:
                with archive.open(info) as member:
                    arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
                continue
            fh.seek(info.header_offset)
            signature, name_len, extra_len = _LOCAL_HEADER.unpack(fh.read(_LOCAL_HEADER.size))
            if signature != _LOCAL_SIGNATURE:
                raise ValueError(f"{path.name}: damaged member {info.filename}")
            fh.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
            arrays[name] = _mapped(path, fh, info.file_size)
    return arrays


# numpy reads an array's header with ``ast.literal_eval``; CPython 3.11 raises SystemError
# ("AST constructor recursion depth mismatch") when threads do that at once, as indexes
# opened side by side did. Every header is read under this lock.
HEADER_LOCK = threading.Lock()


def _mapped(path: Path, fh, size: int) -> np.ndarray:
    """The ``.npy`` array that starts at ``fh``'s position, ``size`` bytes long, mapped."""
    start = fh.tell()
    version = np.lib.format.read_magic(fh)
    with HEADER_LOCK:
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise ValueError(f"{path.name}: array format {version} is not supported")
    if dtype.hasobject:
        raise ValueError(f"{path.name}: holds Python objects")
    offset = fh.tell()
    count = int(np.prod(shape, dtype=np.int64))
    if offset - start + count * dtype.itemsize != size:
        raise ValueError(f"{path.name}: an array's size does not match its header")
    if count == 0:
        return np.zeros(shape, dtype=dtype)
    order = "F" if fortran else "C"
    mapped = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order=order)
    return mapped.view(np.ndarray)  # a plain read-only array over the mapping


__all__ = ["map_npz"]
