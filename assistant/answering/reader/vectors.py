"""The units of every passage and their vectors, computed at ingest and kept with the index.

Splitting passages into sentences and embedding each unit is too slow for question time
(30 units take about 0.4 s to embed), so the ingest does both and stores them beside the
index: ``units-<collection>.npz`` holds each unit's span in its passage and its vector (as
float16), keyed by the unit's content, so an incremental ingest embeds only new units.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from assistant.answering.reader.units import (
    KINDS,
    Span,
    Unit,
    chunk_units,
    split_spans,
    unit_embedding_text,
    unit_key,
)
from assistant.indexing.arrays import map_npz
from assistant.indexing.embedding import Embedder
from assistant.records import Chunk

UNITS_VERSION = 2  # of the stored file; bump when units or their embedded text change
BATCH = 64
KEY_DTYPE = "S24"  # a unit key: 24 hex digits


class SpanTable(Mapping[str, tuple[Span, ...]]):
    """Unit spans of every stored passage as one int32 table (passage number, start, end,
    kind, lead start, lead end per row, rows grouped by passage); a passage's spans become
    ``Span`` records only when it is read, so opening a large index builds none."""

    def __init__(self, ids: Sequence[str], table: np.ndarray) -> None:
        self._ids = list(ids)
        self._position = {cid: n for n, cid in enumerate(self._ids)}
        self._table = table
        self._bounds = np.searchsorted(table[:, 0], np.arange(len(self._ids) + 1))
        self._made: dict[int, tuple[Span, ...]] = {}

    def __getitem__(self, chunk_id: str) -> tuple[Span, ...]:
        n = self._position[chunk_id]
        made = self._made.get(n)
        if made is None:
            rows = self._table[self._bounds[n] : self._bounds[n + 1]].tolist()
            made = tuple(Span(a, b, KINDS[k], c, d) for _, a, b, k, c, d in rows)
            self._made[n] = made
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._position


class UnitVectors:
    """Unit spans by passage and unit vectors by content key; units missing from the store
    (a passage of an in-memory index, a test's own passage) are split and embedded on use.
    Keys are kept as one sorted fixed-width array and found by binary search, not as a
    dictionary of Python strings (half a million of them at 100k passages)."""

    def __init__(
        self,
        embedder: Embedder,
        spans: Mapping[str, tuple[Span, ...]] | None = None,
        keys: Sequence[str] | np.ndarray = (),
        matrix: np.ndarray | None = None,
    ) -> None:
        self.embedder = embedder
        self.spans: Mapping[str, tuple[Span, ...]] = spans if spans is not None else {}
        keys = np.asarray(keys, dtype=KEY_DTYPE)
        self._order = np.argsort(keys, kind="stable")
        self._sorted = keys[self._order]
        dim = embedder.dim
        self.matrix = matrix if matrix is not None else np.zeros((0, dim), dtype=np.float16)
        self._extra: dict[str, np.ndarray] = {}

    @property
    def keys(self) -> np.ndarray:
        """The stored keys in matrix row order."""
        out = np.empty_like(self._sorted)
        out[self._order] = self._sorted
        return out

    def rows(self, keys: Sequence[str]) -> np.ndarray:
        """The matrix row of each key, -1 where the store holds none."""
        wanted = np.asarray(keys, dtype=KEY_DTYPE)
        if not len(self._sorted) or not len(wanted):
            return np.full(len(wanted), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, wanted), len(self._sorted) - 1)
        return np.where(self._sorted[at] == wanted, self._order[at], -1)

    def units(self, chunk: Chunk) -> tuple[Unit, ...]:
        return chunk_units(chunk, self.spans.get(chunk.id))

    def vectors(self, units: Sequence[Unit]) -> np.ndarray:
        """One L2-normalised vector per unit (float32)."""
        keys = [u.key for u in units]
        rows = self.rows(keys)
        missing = [
            (k, u)
            for k, u, r in zip(keys, units, rows, strict=True)
            if r < 0 and k not in self._extra
        ]
        if missing:
            fresh = self.embedder.embed_passages([u.embedding_text for _, u in missing])
            for (k, _), v in zip(missing, fresh, strict=True):
                self._extra[k] = v.astype(np.float32)
        out = np.empty((len(units), self.matrix.shape[1] or self.embedder.dim), dtype=np.float32)
        for i, (k, r) in enumerate(zip(keys, rows, strict=True)):
            out[i] = self.matrix[r] if r >= 0 else self._extra[k]
        return out

    # --- at ingest ----------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        chunks: Iterable[Chunk],
        embedder: Embedder,
        previous: UnitVectors | None = None,
    ) -> tuple[UnitVectors, int]:
        """Spans and vectors for every unit of ``chunks``; vectors of ``previous`` are reused
        by content key. Returns the store and how many units were embedded."""
        spans: dict[str, tuple[Span, ...]] = {}
        texts: dict[str, str] = {}
        for chunk in sorted(chunks, key=lambda c: c.id):
            known = previous.spans.get(chunk.id) if previous is not None else None
            spans[chunk.id] = known if known is not None else split_spans(chunk)
            for unit in chunk_units(chunk, spans[chunk.id]):
                texts.setdefault(unit.key, unit.embedding_text)
        keys = sorted(texts)
        reuse = previous.rows(keys) if previous is not None else np.full(len(keys), -1)
        todo = [k for k, r in zip(keys, reuse, strict=True) if r < 0]
        matrix = np.zeros((len(keys), embedder.dim), dtype=np.float16)
        fresh: dict[str, np.ndarray] = {}
        for i in range(0, len(todo), BATCH):
            batch = todo[i : i + BATCH]
            for k, v in zip(batch, embedder.embed_passages([texts[k] for k in batch]), strict=True):
                fresh[k] = v
        for i, (k, r) in enumerate(zip(keys, reuse, strict=True)):
            matrix[i] = fresh[k] if r < 0 else previous.matrix[r]
        return cls(embedder, spans, keys, matrix), len(todo)

    def save(self, path: Path) -> None:
        ids = sorted(self.spans)
        rows = [
            (n, s.start, s.end, KINDS.index(s.kind), s.lead_start, s.lead_end)
            for n, cid in enumerate(ids)
            for s in self.spans[cid]
        ]
        table = np.asarray(rows, dtype=np.int32).reshape(-1, 6)
        meta = {"version": UNITS_VERSION, "embedder": self.embedder.name, "chunks": ids}
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            spans=table,
            keys=self.keys,
            vectors=self.matrix.astype(np.float16),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, embedder: Embedder) -> UnitVectors | None:
        """The stored units, or None when the file is missing, of another version or of
        another embedder."""
        try:
            data = map_npz(path)
            meta = json.loads(bytes(data["meta"]).decode())
            if meta.get("version") != UNITS_VERSION or meta.get("embedder") != embedder.name:
                return None
            table, keys, matrix = data["spans"], data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError):
            return None
        return cls(embedder, SpanTable(meta["chunks"], table), keys, matrix)


__all__ = ["UnitVectors", "unit_embedding_text", "unit_key"]
