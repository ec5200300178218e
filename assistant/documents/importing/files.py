"""Which files an import reads, and reading them.

A symbolic link is not followed unless the import is told to (``--follow-symlinks``): a link
to a system file must not become a corpus page. In a folder, a link is skipped and reported,
and so is any entry that resolves outside the folder. A file is read through one descriptor
that is opened without following a link, checked to be a regular file and read up to the size
cap, so what is checked is what is read.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.documents.importing.types import ImportRefusedError

MAX_BYTES = 20 * 1024 * 1024
KINDS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
}
SNIFF_BYTES = 8192
_KIND_NAMES = {"html": "HTML text", "text": "text"}
FOLLOW_HINT = "not followed (--follow-symlinks imports what it points to)"


@dataclass(frozen=True, slots=True)
class Entry:
    """A file to import, or (``refusal`` set) one that a folder import skips, and why."""

    path: Path
    refusal: str | None = None


def link_refusal(path: Path) -> str:
    """The one-line reason a symbolic link is not imported, with where it points."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return f"a symbolic link to {target}: {FOLLOW_HINT}"


def entries(paths: Iterable[Path], follow_symlinks: bool = False) -> list[Entry]:
    """Each path given, a folder as its files (recursively, hidden ones skipped, sorted).

    A path given by name is passed on as it is (reading it refuses a link); inside a folder,
    a link, or a file that resolves outside the folder, becomes a skipped entry unless
    ``follow_symlinks``.
    """
    out: list[Entry] = []
    for path in paths:
        if path.is_dir() and (follow_symlinks or not path.is_symlink()):
            out += sorted(_walk(path, follow_symlinks), key=lambda e: e.path)
        else:
            out.append(Entry(path))
    return out


def _walk(root: Path, follow_symlinks: bool) -> list[Entry]:
    """The files under ``root``; directories reached through links are walked once each."""
    base = root.resolve()
    seen = {base}
    out: list[Entry] = []
    todo = [root]
    while todo:
        folder = todo.pop()
        with os.scandir(folder) as listing:
            items = sorted(listing, key=lambda item: item.name)
        for item in items:
            if item.name.startswith("."):
                continue
            path = Path(item.path)
            if item.is_symlink() and not follow_symlinks:
                out.append(Entry(path, link_refusal(path)))
            elif item.is_dir():
                real = path.resolve()
                if real not in seen:  # a link back up the tree is walked no more than once
                    seen.add(real)
                    todo.append(path)
            elif item.is_file():
                if not follow_symlinks and not path.resolve().is_relative_to(base):
                    out.append(Entry(path, f"resolves outside {root}: {FOLLOW_HINT}"))
                else:
                    out.append(Entry(path))
    return out


def read_file(path: Path, follow_symlinks: bool = False) -> tuple[str, bytes]:
    """The file's kind (by its extension) and its bytes; refused: a link (unless
    ``follow_symlinks``), anything but a regular file, a file over :data:`MAX_BYTES`, an
    unknown type, or binary content under a text extension."""
    if path.is_symlink() and not follow_symlinks:
        raise ImportRefusedError(link_refusal(path))
    raw = _read_bytes(path, follow_symlinks)
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        what = "a binary file" if b"\x00" in raw[:SNIFF_BYTES] else "an unknown type"
        known = ", ".join(sorted(KINDS))
        raise ImportRefusedError(f"{what} ({path.suffix or 'no extension'}); importable: {known}")
    if kind != "pdf" and (b"\x00" in raw[:SNIFF_BYTES] or raw.startswith(b"%PDF-")):
        raise ImportRefusedError(f"a binary file, not {_KIND_NAMES[kind]}")
    return kind, raw


def _read_bytes(path: Path, follow_symlinks: bool) -> bytes:
    """Read through one descriptor: not through a link (the link may be swapped in after
    the check above), not blocking on a pipe, never more than the cap."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ImportRefusedError("no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ImportRefusedError(f"a symbolic link: {FOLLOW_HINT}") from None
        raise ImportRefusedError(f"cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ImportRefusedError("not a file")
        if info.st_size > MAX_BYTES:
            raise ImportRefusedError(_too_big(info.st_size))
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:  # it grew since
        raise ImportRefusedError(_too_big(len(raw)))
    return raw


def _too_big(size: int) -> str:
    return f"the file is {size / 1024 / 1024:.1f} MB, more than {MAX_BYTES // 1024 // 1024} MB"
