"""The chunks of a collection kept beside the index, so a serving process opens it fast.

Reading every chunk back from Chroma takes seconds on a large collection (about 8 s at
100k chunks), so the ingest writes them once more to ``passages-<collection>.npz``: the
texts as one UTF-8 blob with their end offsets, the repeated fields (page id, title,
section, kind, context) as tables of their distinct values with one code per chunk, and
the chunks' order as Chroma returns it. Loading builds the same chunks, in the same order,
with each distinct title or section held once. The file is derived data: when it is
missing, damaged, of another version or of another collection, the chunks are read from
Chroma as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from assistant.indexing.arrays import map_npz
from assistant.records import Chunk

PASSAGES_VERSION = 1  # of the stored file; bump when its layout or the chunk fields change
COLUMNS = ("doc_id", "title", "section", "kind", "context")  # repeated: table + codes


def save_passages(path: Path, collection: str, chunks: Mapping[str, Chunk]) -> None:
    """Write the chunks of ``collection`` (written beside, then renamed into place)."""
    ids = list(chunks)
    tables: dict[str, dict[str, int]] = {name: {} for name in COLUMNS}
    codes = np.zeros((len(ids), len(COLUMNS)), dtype=np.int32)
    spans = np.zeros((len(ids), 2), dtype=np.int64)
    texts = []
    for n, cid in enumerate(ids):
        chunk = chunks[cid]
        for c, name in enumerate(COLUMNS):
            table = tables[name]
            codes[n, c] = table.setdefault(getattr(chunk, name), len(table))
        spans[n] = (chunk.start, chunk.end)
        texts.append(chunk.text.encode("utf-8"))
    ends = np.cumsum([len(t) for t in texts], dtype=np.int64) if texts else np.zeros(0, np.int64)
    meta = {
        "version": PASSAGES_VERSION,
        "collection": collection,
        "ids": ids,
        "tables": {name: list(tables[name]) for name in COLUMNS},
    }
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(
        tmp,
        meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
        codes=codes,
        spans=spans,
        text=np.frombuffer(b"".join(texts), dtype=np.uint8),
        ends=ends,
    )
    tmp.replace(path)


def load_passages(path: Path, collection: str, count: int | None = None) -> dict[str, Chunk] | None:
    """The chunks stored for ``collection`` in their stored order, or None when the file is
    missing, unreadable, of another version or another collection, or (with ``count``)
    holds another number of chunks."""
    try:
        data = map_npz(path)
        meta = json.loads(bytes(data["meta"]).decode())
        if meta.get("version") != PASSAGES_VERSION or meta.get("collection") != collection:
            return None
        codes, spans = data["codes"].tolist(), data["spans"].tolist()
        blob, ends = data["text"].tobytes(), data["ends"].tolist()
        ids, tables = meta["ids"], [meta["tables"][name] for name in COLUMNS]
        if count is not None and len(ids) != count:
            return None
        if not len(ids) == len(codes) == len(spans) == len(ends):
            return None
        doc_ids, titles, sections, kinds, contexts = tables
        chunks = {}
        begin = 0
        for cid, (d, t, s, k, c), (start, end), stop in zip(ids, codes, spans, ends, strict=True):
            chunks[cid] = Chunk(
                id=cid,
                doc_id=doc_ids[d],
                title=titles[t],
                section=sections[s],
                start=start,
                end=end,
                text=blob[begin:stop].decode("utf-8"),
                kind=kinds[k],
                context=contexts[c],
            )
            begin = stop
        return chunks
    except (OSError, ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError):
        return None
