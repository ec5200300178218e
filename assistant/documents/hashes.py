"""Content hashes of files, remembered with their stat so that an unchanged file is not
read again.

A remembered hash is used only when the file's size, inode, modification and change times
are the ones it had when it was hashed, and it had last been modified more than
``RACY_SECONDS`` before that: a file written in the same instant as it was hashed could
change again without its times showing it, so it is hashed anew (the rule git applies to
its index). The change time cannot be set back by ordinary tools, so a file rewritten
with its old modification time is caught too. The remembered file is derived data: when
it is missing, unreadable or cannot be written, every file is hashed.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import orjson

RACY_SECONDS = 2.0
VERSION = 1


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


def file_hash(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read(remembered: Path, folder: str) -> tuple[int, dict]:
    try:
        data = orjson.loads(remembered.read_bytes())
        if data.get("version") == VERSION and data.get("folder") == folder:
            return int(data["taken_ns"]), dict(data["files"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return 0, {}


def remembered_hashes(files: list[Path], remembered: Path) -> dict[str, str]:
    """The sha256 of each of ``files`` (one folder's) by name, reusing the hashes kept in
    ``remembered`` where the files are unchanged, and keeping the new ones there."""
    folder = str(files[0].parent.resolve()) if files else ""
    taken_before, known = _read(remembered, folder)
    racy_ns = int(RACY_SECONDS * 1e9)
    taken_ns = time.time_ns()  # before any file is read: later changes show in their times
    hashes: dict[str, str] = {}
    entries: dict[str, list] = {}
    changed = False
    for path in files:
        key = _stat_key(path)
        entry = known.get(path.name)
        if entry and entry[0] == key and key[2] + racy_ns < taken_before:
            hashes[path.name] = entry[1]
        else:
            hashes[path.name] = file_hash(path)
            changed = True
        entries[path.name] = [key, hashes[path.name]]
    if changed or set(known) != set(entries):
        _write(
            remembered,
            {"version": VERSION, "folder": folder, "taken_ns": taken_ns, "files": entries},
        )
    return hashes


def _write(remembered: Path, data: dict) -> None:
    try:
        remembered.parent.mkdir(parents=True, exist_ok=True)
        tmp = remembered.with_name(f"{remembered.name}.{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(data))
        tmp.replace(remembered)
    except OSError:
        pass  # a read-only folder: the files are hashed again next time
