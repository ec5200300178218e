"""The index's own files kept in the Chroma server, so every replica can serve it.

With ``ASSISTANT_CHROMA_HOST`` set, the chunks live in the server and so do the files an
index generation needs beside them (the facts, the lexical index, the word bridge, the
unit vectors and the chunks): after an ingest writes them locally, :func:`publish` uploads
them as records of one collection, in pieces, and then the manifest record last, which is
the switch for every replica. :func:`pull` brings the generation the server serves into a
replica's ``ASSISTANT_INDEX_DIR`` (a cache: files already there are not fetched again), so
a replica needs only the server's address and an empty folder.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.indexing.manifest import Manifest, read_manifest, write_manifest

FILES_COLLECTION = "index-files"  # the index files of the generations the server keeps
MANIFEST_ID = "manifest"  # the record whose document is the served manifest
PIECE_CHARS = 1 << 20  # base64 characters per record: keeps each request small
PIECES_PER_REQUEST = 8


def _paths(settings: Settings, collection: str) -> tuple[list[Path], Path]:
    """A generation's files beside its chunk collection, and its lexical index's folder."""
    from assistant.indexing.ingest import (
        bridge_path,
        facts_path,
        lexical_path,
        passages_path,
        units_path,
    )

    paths = (facts_path, units_path, bridge_path, passages_path)
    files = [p(settings, collection) for p in paths]
    return files, lexical_path(settings, collection)


def generation_files(settings: Settings, collection: str) -> list[Path]:
    """The local files of a generation (a lexical index is a folder: its files)."""
    files, lexical = _paths(settings, collection)
    return files + sorted(p for p in lexical.rglob("*") if p.is_file())


_COLLECTIONS: dict[tuple[str | None, int], Any] = {}


def _files(settings: Settings, fresh: bool = False) -> Any:
    """The collection of index files, remembered per server so that a check for a new
    generation is one request (forgotten when a request fails); ``fresh`` opens it anew,
    for the rare publish and fetch."""
    from assistant.indexing.store import open_client

    key = (settings.chroma_host, settings.chroma_port)
    if fresh or key not in _COLLECTIONS:
        # the records carry their content as documents; the one-number vector is a
        # placeholder (Chroma wants one per record), never searched
        _COLLECTIONS[key] = open_client(settings).get_or_create_collection(
            FILES_COLLECTION, embedding_function=None, metadata={"hnsw:space": "l2"}
        )
    return _COLLECTIONS[key]


def _pieces(text: str) -> Iterator[str]:
    for i in range(0, len(text), PIECE_CHARS):
        yield text[i : i + PIECE_CHARS]


def publish(settings: Settings, manifest: Manifest) -> None:
    """Upload the generation ``manifest`` names, then the manifest (the switch); drop the
    files of generations the manifest no longer keeps."""
    collection = _files(settings, fresh=True)
    for path in generation_files(settings, manifest.collection):
        rel = path.relative_to(settings.index_dir).as_posix()
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        pieces = list(_pieces(base64.b64encode(data).decode("ascii"))) or [""]
        for start in range(0, len(pieces), PIECES_PER_REQUEST):
            batch = pieces[start : start + PIECES_PER_REQUEST]
            ids = [f"{rel}#{start + i}" for i in range(len(batch))]
            metas = [
                {
                    "collection": manifest.collection,
                    "path": rel,
                    "part": start + i,
                    "parts": len(pieces),
                    "sha256": digest,
                }
                for i in range(len(batch))
            ]
            collection.upsert(
                ids=ids, documents=batch, metadatas=metas, embeddings=[[1.0]] * len(batch)
            )
    collection.upsert(
        ids=[MANIFEST_ID],
        documents=[manifest.to_json()],
        metadatas=[{"collection": manifest.collection}],
        embeddings=[[1.0]],
    )
    keep = {manifest.collection, *manifest.previous_collections}
    stale = {
        m["collection"]
        for m in collection.get(include=["metadatas"])["metadatas"]
        if m and m.get("collection") not in keep
    }
    for name in stale:
        collection.delete(where={"collection": name})


def served_manifest(settings: Settings) -> Manifest | None:
    """The manifest the server serves (one small request), or None when it serves none."""
    try:
        got = _files(settings).get(ids=[MANIFEST_ID], include=["documents"])
    except Exception:
        _COLLECTIONS.pop((settings.chroma_host, settings.chroma_port), None)
        raise
    if not got["ids"]:
        return None
    return Manifest.from_dict(json.loads(got["documents"][0]))


def pull(settings: Settings, served: Manifest | None = None) -> Manifest | None:
    """Make the local index folder serve the server's generation (``served``, when already
    read): fetch its files unless they are there already, then write the local manifest.
    None when the server serves no index yet. Call under the index folder's ingest lock."""
    manifest = served or served_manifest(settings)
    if manifest is None:
        return None
    local = _local_manifest(settings)
    if local is not None and local.to_json() == manifest.to_json():
        return manifest
    if not _complete(settings, manifest.collection):
        _download(settings, manifest.collection)
    write_manifest(settings.manifest_path, manifest)
    return manifest


def _local_manifest(settings: Settings) -> Manifest | None:
    try:
        return read_manifest(settings.manifest_path)
    except Exception:  # a broken local copy is replaced by the server's
        return None


def _complete(settings: Settings, collection: str) -> bool:
    files, lexical = _paths(settings, collection)
    return all(p.exists() for p in files) and lexical.is_dir()


def _download(settings: Settings, collection: str) -> None:
    """Fetch a generation's files; each is written beside its final name and moved there
    whole, the lexical folder last (its presence marks a complete download)."""
    from assistant.indexing.store import GET_PAGE

    files = _files(settings, fresh=True)
    parts: dict[str, dict[int, str]] = {}
    digests: dict[str, str] = {}
    offset = 0
    while True:
        got = files.get(
            where={"collection": collection},
            include=["documents", "metadatas"],
            limit=GET_PAGE,
            offset=offset,
        )
        for doc, meta in zip(got["documents"], got["metadatas"], strict=True):
            if "path" not in meta:
                continue  # the manifest record
            parts.setdefault(meta["path"], {})[int(meta["part"])] = doc
            digests[meta["path"]] = meta["sha256"]
        if len(got["ids"]) < GET_PAGE:
            break
        offset += GET_PAGE
    if not parts:
        raise FileNotFoundError(f"the server holds no files of {collection}")
    _, lexical = _paths(settings, collection)
    staging = lexical.with_name(lexical.name + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    for rel, pieces in parts.items():
        data = base64.b64decode("".join(pieces[i] for i in sorted(pieces)))
        if hashlib.sha256(data).hexdigest() != digests[rel]:
            raise ValueError(f"{rel}: the server's copy is incomplete (checksum differs)")
        target = settings.index_dir / rel
        if target.is_relative_to(lexical):
            target = staging / target.relative_to(lexical)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    shutil.rmtree(lexical, ignore_errors=True)
    os.replace(staging, lexical)
