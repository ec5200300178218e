"""The index describes itself: ``index/manifest.json``.

It names the live Chroma collection, the embedding model and the chunker it was built
with, and a content hash per corpus file (and when each document was last indexed).
Writing it is the atomic switch to a new index.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = 1


class IndexUnavailableError(RuntimeError):
    """The index is missing, unreadable or out of date; the message says how to fix it."""


@dataclass
class DocEntry:
    file: str
    hash: str
    title: str
    as_of: int | None
    chunks: int
    city: str
    indexed_at: str = ""  # when the document's chunks were last embedded (UTC, ISO 8601)


@dataclass
class Manifest:
    collection: str
    embedding: dict[str, Any]
    chunker: dict[str, Any]
    documents: dict[str, DocEntry] = field(default_factory=dict)
    chunk_count: int = 0
    built_at: str = ""
    previous_collections: list[str] = field(default_factory=list)
    reader: dict[str, Any] = field(default_factory=dict)  # what the reader's stored data is
    schema: int = SCHEMA

    def file_hashes(self) -> dict[str, str]:
        return {d.file: d.hash for d in self.documents.values()}

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        docs = {k: DocEntry(**v) for k, v in data.get("documents", {}).items()}
        return cls(
            collection=data["collection"],
            embedding=data["embedding"],
            chunker=data["chunker"],
            documents=docs,
            chunk_count=int(data.get("chunk_count", 0)),
            built_at=str(data.get("built_at", "")),
            previous_collections=list(data.get("previous_collections", [])),
            reader=dict(data.get("reader", {})),
            schema=int(data.get("schema", SCHEMA)),
        )


def read_manifest(path: Path) -> Manifest | None:
    """The manifest at ``path``, or None when there is none; raises when it is broken."""
    if not path.exists():
        return None
    try:
        return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexUnavailableError(
            f"{path} is unreadable ({exc}); rebuild the index with: assistant ingest --rebuild"
        ) from exc


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write atomically: a reader sees the old or the new manifest, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".manifest-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(manifest.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
