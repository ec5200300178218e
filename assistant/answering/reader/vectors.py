"""The units of every passage and their vectors, computed at ingest and kept with the index.

Splitting passages into sentences and embedding each unit is too slow for question time
(30 units take about 0.4 s to embed), so the ingest does both and stores them beside the
index: ``units-<collection>.npz`` holds each unit's span in its passage and its vector (as
float16), keyed by the unit's content, so an incremental ingest embeds only new units.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
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
from assistant.indexing.embedding import Embedder
from assistant.records import Chunk

UNITS_VERSION = 2  # of the stored file; bump when units or their embedded text change
BATCH = 64


class UnitVectors:
    """Unit spans by passage and unit vectors by content key; units missing from the store
    (a passage of an in-memory index, a test's own passage) are split and embedded on use."""

    def __init__(
        self,
        embedder: Embedder,
        spans: Mapping[str, tuple[Span, ...]] | None = None,
        keys: Sequence[str] = (),
        matrix: np.ndarray | None = None,
    ) -> None:
        self.embedder = embedder
        self.spans = dict(spans or {})
        self.row = {k: i for i, k in enumerate(keys)}
        dim = embedder.dim
        self.matrix = matrix if matrix is not None else np.zeros((0, dim), dtype=np.float16)
        self._extra: dict[str, np.ndarray] = {}

    def units(self, chunk: Chunk) -> tuple[Unit, ...]:
        return chunk_units(chunk, self.spans.get(chunk.id))

    def vectors(self, units: Sequence[Unit]) -> np.ndarray:
        """One L2-normalised vector per unit (float32)."""
        keys = [u.key for u in units]
        missing = [
            (k, u)
            for k, u in zip(keys, units, strict=True)
            if k not in self.row and k not in self._extra
        ]
        if missing:
            fresh = self.embedder.embed_passages([u.embedding_text for _, u in missing])
            for (k, _), v in zip(missing, fresh, strict=True):
                self._extra[k] = v.astype(np.float32)
        out = np.empty((len(units), self.matrix.shape[1] or self.embedder.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self.matrix[self.row[k]] if k in self.row else self._extra[k]
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
        reuse = previous.row if previous is not None else {}
        todo = [k for k in keys if k not in reuse]
        matrix = np.zeros((len(keys), embedder.dim), dtype=np.float16)
        fresh: dict[str, np.ndarray] = {}
        for i in range(0, len(todo), BATCH):
            batch = todo[i : i + BATCH]
            for k, v in zip(batch, embedder.embed_passages([texts[k] for k in batch]), strict=True):
                fresh[k] = v
        for i, k in enumerate(keys):
            matrix[i] = fresh[k] if k in fresh else previous.matrix[reuse[k]]
        return cls(embedder, spans, keys, matrix), len(todo)

    def save(self, path: Path) -> None:
        ids = sorted(self.spans)
        rows = [
            (n, s.start, s.end, KINDS.index(s.kind), s.lead_start, s.lead_end)
            for n, cid in enumerate(ids)
            for s in self.spans[cid]
        ]
        table = np.asarray(rows, dtype=np.int32).reshape(-1, 6)
        keys = sorted(self.row, key=self.row.get)
        meta = {"version": UNITS_VERSION, "embedder": self.embedder.name, "chunks": ids}
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            spans=table,
            keys=np.asarray(keys, dtype="S24"),
            vectors=self.matrix.astype(np.float16),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, embedder: Embedder) -> UnitVectors | None:
        """The stored units, or None when the file is missing, of another version or of
        another embedder."""
        try:
            with np.load(path) as data:
                meta = json.loads(bytes(data["meta"]).decode())
                if meta.get("version") != UNITS_VERSION or meta.get("embedder") != embedder.name:
                    return None
                table, keys, matrix = data["spans"], data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError):
            return None
        ids = meta["chunks"]
        spans: dict[str, list[Span]] = {cid: [] for cid in ids}
        for n, start, end, kind, lead_start, lead_end in table.tolist():
            spans[ids[n]].append(Span(start, end, KINDS[kind], lead_start, lead_end))
        return cls(
            embedder,
            {cid: tuple(s) for cid, s in spans.items()},
            [k.decode() for k in keys],
            matrix,
        )


__all__ = ["UnitVectors", "unit_embedding_text", "unit_key"]
