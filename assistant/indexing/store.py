"""Chroma storage of chunks and their vectors.

Every client comes from :func:`open_client` (one settings object, telemetry off), and every
collection is opened with ``embedding_function=None``: vectors always come from our own
embedder, never from Chroma's default function, which would download a model.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.indexing.arrays import HEADER_LOCK
from assistant.records import Chunk

_CLIENTS: dict[tuple[str, ...], Any] = {}
GET_PAGE = 5000  # records per ``get``: SQLite allows only so many variables per statement
COPY_DOCS = 200  # documents per ``get`` when copying


def open_client(settings: Settings) -> Any:
    """A Chroma client: HttpClient when a server is configured, else a PersistentClient."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        key = ("http", settings.chroma_host, str(settings.chroma_port))
        if key not in _CLIENTS:
            _CLIENTS[key] = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        return _CLIENTS[key]
    key = ("path", str(settings.chroma_path.resolve()))
    if key not in _CLIENTS:
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        _CLIENTS[key] = chromadb.PersistentClient(
            path=str(settings.chroma_path), settings=chroma_settings
        )
    return _CLIENTS[key]


def store_file(settings: Settings) -> Path:
    """The on-disk store's SQLite file (Chroma's own name for it)."""
    return settings.chroma_path / "chroma.sqlite3"


def stored_collections(settings: Settings) -> set[str]:
    """The names of the collections in the on-disk store, read from its SQLite file without
    starting Chroma (milliseconds, where importing Chroma takes about half a second);
    :class:`sqlite3.DatabaseError` when the file is no database or lacks Chroma's tables."""
    path = store_file(settings)
    if not path.is_file():
        raise sqlite3.DatabaseError(f"{path} is missing")
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        return {str(row[0]) for row in db.execute("SELECT name FROM collections")}


def forget_client(settings: Settings) -> None:
    """Forget the on-disk store's client, here and in chromadb's own per-path cache, so that
    the next :func:`open_client` starts afresh (after the store failed to open or was
    moved aside)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    path = settings.chroma_path
    _CLIENTS.pop(("path", str(path.resolve())), None)
    for identifier in {str(path), str(path.resolve())}:
        SharedSystemClient._identifier_to_system.pop(identifier, None)
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)


def _metadata(chunk: Chunk) -> dict[str, Any]:
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "start": chunk.start,
        "end": chunk.end,
        "kind": chunk.kind,
        "context": chunk.context,
    }


def _chunk(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        id=chunk_id,
        doc_id=str(meta["doc_id"]),
        title=str(meta["title"]),
        section=str(meta["section"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        kind=str(meta.get("kind", "prose")),
        context=str(meta.get("context", "")),
    )


def best_rows(scores: np.ndarray, ids: Sequence[str], k: int) -> list[int]:
    """The rows of the ``k`` highest scores, best first, equal scores in the order of their
    ids. Only the rows scoring at least the ``k``-th best are sorted."""
    n = len(scores)
    rows = np.arange(n)
    if k < n:
        kth = np.partition(scores, n - k)[n - k]
        rows = np.flatnonzero(scores >= kth)
    return sorted(rows.tolist(), key=lambda r: (-float(scores[r]), ids[r]))[:k]


class Deferred:
    """A Chroma collection known by its name, opened at its first use (once, whichever
    thread comes first)."""

    def __init__(self, name: str, opener: Callable[[], Any]) -> None:
        self.name = name
        self._opener = opener
        self._opened: Any = None
        self._lock = threading.Lock()

    @property
    def opened(self) -> bool:
        return self._opened is not None

    def open(self) -> Any:
        if self._opened is None:  # once opened, read without the lock (every search asks)
            with self._lock:
                if self._opened is None:
                    self._opened = self._opener()
        return self._opened


class ChunkStore:
    """One Chroma collection of chunks (cosine space).

    The collection can be opened when first needed (:meth:`deferred`): a store loaded with
    its passages and vectors files answers every search from them and never needs it.
    """

    def __init__(self, collection: Any, exact_search_max: int = 20_000) -> None:
        self._collection = collection  # a Chroma collection, or a Deferred one
        self.exact_search_max = exact_search_max
        self._matrix: tuple[list[str], np.ndarray] | None = None
        self._chunks: dict[str, Chunk] | None = None
        self._subsets: dict[tuple[str, ...], tuple[list[str], np.ndarray]] = {}
        self._size: int | None = None
        self._mapped: np.ndarray | None = None  # the vectors file beside the index, mapped
        self._mapped_ids: list[str] = []
        self._mapped_row: dict[str, int] = {}

    @property
    def name(self) -> str:
        return str(self._collection.name)

    @property
    def collection(self) -> Any:
        """The Chroma collection (opened now if it was deferred)."""
        deferred = self._collection
        return deferred.open() if isinstance(deferred, Deferred) else deferred

    @property
    def collection_opened(self) -> bool:
        return not isinstance(self._collection, Deferred) or self._collection.opened

    @classmethod
    def create(cls, client: Any, name: str, size_hint: int, exact_search_max: int = 20_000):
        """A new, empty collection; HNSW ``ef_search`` is raised to the expected size."""
        ef = max(100, min(size_hint, 2_000))
        collection = client.create_collection(
            name=name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_construction": 200, "ef_search": ef}},
            metadata={"kind": "chunks"},
        )
        return cls(collection, exact_search_max)

    @classmethod
    def open(cls, client: Any, name: str, exact_search_max: int = 20_000) -> ChunkStore:
        return cls(client.get_collection(name=name, embedding_function=None), exact_search_max)

    @classmethod
    def deferred(
        cls, client: Callable[[], Any], name: str, exact_search_max: int = 20_000
    ) -> ChunkStore:
        """The collection ``name`` of the client ``client()`` gives, both opened only when
        a search or a write first needs them."""
        opener = lambda: client().get_collection(name=name, embedding_function=None)  # noqa: E731
        return cls(Deferred(name, opener), exact_search_max)

    def count(self) -> int:
        return int(self.collection.count())

    def add(self, chunks: Sequence[Chunk], embeddings: np.ndarray) -> None:
        step = 1000
        for i in range(0, len(chunks), step):
            part = chunks[i : i + step]
            self.collection.add(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[_metadata(c) for c in part],
                embeddings=np.asarray(embeddings[i : i + step], dtype=np.float32),
            )
        self._matrix = self._chunks = self._size = self._mapped = None
        self._subsets = {}

    def copy_docs_from(self, other: ChunkStore, doc_ids: Iterable[str]) -> int:
        """Copy the chunks (with their vectors) of some documents from another collection."""
        ids = sorted(set(doc_ids))
        copied = 0
        for i in range(0, len(ids), COPY_DOCS):
            got = other.collection.get(
                where={"doc_id": {"$in": ids[i : i + COPY_DOCS]}},
                include=["documents", "metadatas", "embeddings"],
            )
            if not got["ids"]:
                continue
            self.collection.add(
                ids=got["ids"],
                documents=got["documents"],
                metadatas=got["metadatas"],
                embeddings=np.asarray(got["embeddings"], dtype=np.float32),
            )
            copied += len(got["ids"])
        self._matrix = self._chunks = self._size = self._mapped = None
        self._subsets = {}
        return copied

    def load(self, chunks: dict[str, Chunk] | None = None, vectors: Path | None = None) -> None:
        """Read the chunks, and the vectors when searches are exact, into memory now: from
        then on this store answers without Chroma, even if an ingest drops its collection.
        ``chunks``: the collection's chunks as stored beside the index (``passages.py``),
        taken instead of reading them from Chroma; ``vectors``: their vectors in the same
        order (:meth:`save_vectors`), mapped from disk instead of read from Chroma."""
        if chunks is not None:
            self._chunks, self._size = chunks, len(chunks)
            if vectors is not None:
                self._map(vectors, chunks)
        self.chunks()
        if self._size is None:
            self._size = self.count()
        if self._size <= self.exact_search_max:
            self._exact()

    def save_vectors(self, path: Path) -> None:
        """Write every chunk's vector, in the order of :meth:`chunks`, as one float32 array
        (written beside, then renamed into place)."""
        ids = list(self.chunks())
        if self._matrix is not None:
            matrix = self._matrix[1][[self._row[cid] for cid in ids]]
        else:
            got = self._get_all(["embeddings"])
            row = {cid: i for i, cid in enumerate(got["ids"])}
            matrix = np.asarray(got["embeddings"], dtype=np.float32)[[row[c] for c in ids]]
        tmp = path.with_name(path.name + ".tmp.npy")
        np.save(tmp, np.asarray(matrix, dtype=np.float32).reshape(len(ids), -1))
        tmp.replace(path)

    def _map(self, path: Path, chunks: dict[str, Chunk]) -> None:
        """Map the vectors file when it holds one vector per chunk; else Chroma serves them."""
        try:
            with HEADER_LOCK:  # its header is read with ast (see arrays.HEADER_LOCK)
                mapped = np.load(path, mmap_mode="r")
        except (OSError, ValueError):
            return
        if mapped.ndim == 2 and mapped.shape[0] == len(chunks) and mapped.dtype == np.float32:
            self._mapped = mapped
            self._mapped_ids = list(chunks)
            self._mapped_row = {cid: i for i, cid in enumerate(self._mapped_ids)}

    @property
    def serves_alone(self) -> bool:
        """Whether every search and read is answered from memory and the mapped vectors,
        without the collection."""
        return self._chunks is not None and (self._mapped is not None or self._matrix is not None)

    def chunks(self) -> dict[str, Chunk]:
        """Every chunk of the collection by id (cached)."""
        if self._chunks is None:
            got = self._get_all(["documents", "metadatas"])
            self._chunks = {
                cid: _chunk(cid, text, meta)
                for cid, text, meta in zip(
                    got["ids"], got["documents"], got["metadatas"], strict=True
                )
            }
        return self._chunks

    def _get_all(self, include: list[str]) -> dict[str, list]:
        """Every record of the collection, read in pages (one ``get`` of a large collection
        fails: SQLite allows only so many variables in one statement)."""
        out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
        offset = 0
        while True:
            got = self.collection.get(include=include, limit=GET_PAGE, offset=offset)
            out["ids"] += got["ids"]
            for key in include:
                out[key] += list(got[key])
            if len(got["ids"]) < GET_PAGE:
                return out
            offset += GET_PAGE

    def vectors_for(self, ids: list[str]) -> np.ndarray:
        """The stored vectors of some chunks, in the order of ``ids``."""
        if self._matrix is not None:  # the exact-search matrix is in memory already
            rows = [self._row[i] for i in ids]
            return self._matrix[1][rows]
        if self._mapped is not None:
            return np.array(self._mapped[[self._mapped_row[i] for i in ids]], dtype=np.float32)
        got = self.collection.get(ids=ids, include=["embeddings"])
        by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
        return np.asarray([by_id[i] for i in ids], dtype=np.float32)

    def _exact(self) -> tuple[list[str], np.ndarray]:
        if self._matrix is None:
            if self._mapped is not None:
                got = {"ids": list(self._mapped_row), "embeddings": self._mapped}
            else:
                got = self._get_all(["embeddings"])
            order = np.argsort(np.asarray(got["ids"]))  # id order: deterministic ties
            ids = [got["ids"][i] for i in order]
            matrix = np.asarray(got["embeddings"], dtype=np.float32)[order]
            self._matrix = (ids, matrix)
            self._row = {cid: i for i, cid in enumerate(ids)}
        return self._matrix

    def query(
        self, vector: np.ndarray, k: int, among: Sequence[str] | None = None
    ) -> list[tuple[Chunk, float]]:
        """The ``k`` chunks most similar to ``vector`` (cosine), ties broken by chunk id;
        with ``among``, only of those chunks (sorted ids).

        Up to ``exact_search_max`` chunks the search is exhaustive, over the vectors in
        memory; above, it is exhaustive over the vectors file when one is mapped (at 100k
        chunks 4.5 ms against 7 ms for Chroma's HNSW, whose first search loads its graph
        for over a second), else HNSW is used. A search ``among`` a few chunks stays
        exhaustive: their vectors are read once.
        """
        # a collection does not change while it is served (ingest writes a new one), so its
        # size is read once (Chroma's count takes milliseconds at 100k chunks)
        if self._size is None:
            self._size = len(self._matrix[0]) if self._matrix is not None else self.count()
        n = self._size
        if n == 0 or k <= 0:
            return []
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        if among is not None:
            ids, matrix = self._subset(tuple(among))
        elif n <= self.exact_search_max:
            ids, matrix = self._exact()
        elif self._mapped is not None:
            ids, matrix = self._mapped_ids, self._mapped
        else:
            return self._hnsw(vector, k, n)
        chunks = self.chunks()
        scores = matrix @ vector
        return [(chunks[ids[i]], float(scores[i])) for i in best_rows(scores, ids, k)]

    def _subset(self, ids: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
        """The vectors of some chunks (the last few subsets are kept)."""
        cache = self._subsets
        if ids not in cache:
            if len(cache) >= 8:
                cache.pop(next(iter(cache)))
            cache[ids] = (list(ids), self.vectors_for(list(ids)))
        return cache[ids]

    def _hnsw(self, vector: np.ndarray, k: int, n: int) -> list[tuple[Chunk, float]]:
        # the chunks are in memory: only ids and distances are asked for
        res = self.collection.query(
            query_embeddings=[vector], n_results=min(n, k + 10), include=["distances"]
        )
        chunks = self.chunks()
        found = [
            (chunks[cid], 1.0 - float(dist))
            for cid, dist in zip(res["ids"][0], res["distances"][0], strict=True)
        ]
        found.sort(key=lambda p: (-round(p[1], 6), p[0].id))
        return found[:k]
