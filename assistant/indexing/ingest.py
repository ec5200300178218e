"""Build and update the index: incremental, atomic, and never silently mixed."""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.documents.chunking import chunk_document, chunker_params
from assistant.documents.corpus import CorpusError, corpus_files, corpus_hashes, load_corpus
from assistant.guard import looks_like_instruction
from assistant.indexing.embedding import Embedder, make_embedder
from assistant.indexing.facts import extract_facts
from assistant.indexing.manifest import (
    DocEntry,
    IndexUnavailableError,
    Manifest,
    read_manifest,
    write_manifest,
)
from assistant.indexing.store import store_file
from assistant.records import Document

if TYPE_CHECKING:
    from assistant.answering.reader.vectors import UnitVectors
    from assistant.indexing.store import ChunkStore

try:
    import fcntl
except ImportError:  # not on POSIX: ingests are not serialised
    fcntl = None  # type: ignore[assignment]

CORPUS_CHANGED = "the corpus changed since the last ingest"
KEEP_PREVIOUS = 1  # collections kept after a switch, so readers still open on them keep working


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    units_embedded: int = 0
    rebuilt: bool = False
    reason: str = ""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)

    def summary(self) -> str:
        how = f"full rebuild ({self.reason})" if self.rebuilt else "incremental"
        return (
            f"documents: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed; "
            f"chunks: {self.chunks} ({self.embedded} embedded, {self.units_embedded} units "
            f"embedded); {how}; {self.seconds:.2f} s"
        )


def _rebuild_reason(settings: Settings, manifest: Manifest | None, rebuild: bool) -> str:
    if rebuild:
        return "requested"
    if manifest is None:
        return "no index yet"
    if manifest.embedding.get("spec") != settings.embedding:
        return f"embedding changed from {manifest.embedding.get('spec')} to {settings.embedding}"
    if manifest.chunker != chunker_params(settings.chunk_max_chars):
        return "chunker changed"
    if manifest.reader != reader_params(settings):
        return "the reader's units or dictionary changed"
    if not settings.chroma_host and not store_file(settings).exists():
        return f"the Chroma store {settings.chroma_path} is missing"
    return ""


def reader_params(settings: Settings) -> dict[str, object]:
    """What the manifest records about the reader's stored data: a change means a rebuild."""
    from assistant.answering.reader.bridge import BRIDGE_VERSION, dictionary_fingerprint
    from assistant.answering.reader.vectors import UNITS_VERSION

    return {
        "units": UNITS_VERSION,
        "bridge": BRIDGE_VERSION,
        "dictionary": dictionary_fingerprint(settings.dictionary),
    }


def hashes_path(settings: Settings) -> Path:
    """Where the corpus files' hashes are remembered with their stat (derived data)."""
    return settings.data_dir / "cache" / "corpus-hashes.json"


def index_problems(settings: Settings) -> list[str]:
    """Why the index cannot serve this corpus and these settings as it is (empty: it can)."""
    try:
        manifest = read_manifest(settings.manifest_path)
    except IndexUnavailableError as exc:
        return [str(exc)]
    reason = _rebuild_reason(settings, manifest, rebuild=False)
    if reason:
        return [reason]
    assert manifest is not None
    if settings.chroma_host and not corpus_files(settings.corpus_dir):
        return []  # a replica without the corpus serves the server's index as it is
    if manifest.file_hashes() != corpus_hashes(settings.corpus_dir, hashes_path(settings)):
        return [CORPUS_CHANGED]
    return []


def ingest(
    settings: Settings, *, rebuild: bool = False, embedder: Embedder | None = None
) -> IngestReport:
    """Bring the index in line with the corpus.

    Nothing changed → returns at once, without loading the model or Chroma. Otherwise a
    new collection is built (unchanged documents' vectors are copied, changed ones are
    re-chunked and embedded) and the manifest is switched to it in one atomic write, so a
    crash at any point leaves the previous index serving. One ingest runs at a time per
    index folder (others wait for it, then find their work done).
    """
    with ingest_lock(settings.index_dir):
        return _ingest(settings, rebuild, embedder)


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """An exclusive lock on ``index_dir/.ingest.lock`` while an ingest runs; the system
    releases it when the process ends, however it ends (``kill -9`` included)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".ingest.lock").open("a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _ingest(settings: Settings, rebuild: bool, embedder: Embedder | None) -> IngestReport:
    t0 = time.perf_counter()
    report = IngestReport()
    if not corpus_files(settings.corpus_dir):
        raise CorpusError(f"{settings.corpus_dir}: no corpus documents (*.md); index left as it is")
    if settings.chroma_host:  # start from the generation the server serves, wherever built
        from assistant.indexing.shared import pull

        pull(settings)
    try:
        manifest = read_manifest(settings.manifest_path)
    except IndexUnavailableError:
        manifest = None  # unreadable manifest: rebuild from scratch
    report.reason = _rebuild_reason(settings, manifest, rebuild)
    report.rebuilt = bool(report.reason)

    unchanged = manifest is not None and not report.rebuilt
    if unchanged and manifest.file_hashes() == corpus_hashes(
        settings.corpus_dir, hashes_path(settings)
    ):
        report.unchanged = sorted(manifest.documents)
        report.chunks = manifest.chunk_count
        report.seconds = time.perf_counter() - t0
        return report

    docs = load_corpus(settings.corpus_dir)  # raises on any unusable file, before any change
    report.warnings = instruction_warnings(docs)

    from assistant.indexing.store import ChunkStore

    client = _open_store(settings, report)
    old_store = None
    if manifest is not None and not report.rebuilt:
        try:
            old_store = ChunkStore.open(client, manifest.collection, settings.exact_search_max)
        except Exception:  # the live collection is gone: nothing to copy from
            report.rebuilt, report.reason = True, f"collection {manifest.collection} is missing"
    old_docs = manifest.documents if (manifest is not None and not report.rebuilt) else {}
    changed = []
    for doc in docs:
        entry = old_docs.get(doc.id)
        if entry is None:
            report.added.append(doc.id)
            changed.append(doc)
        elif entry.hash != doc.content_hash:
            report.updated.append(doc.id)
            changed.append(doc)
        else:
            report.unchanged.append(doc.id)
    report.removed = sorted(set(old_docs) - {d.id for d in docs})

    chunks_by_doc = {doc.id: chunk_document(doc, settings.chunk_max_chars) for doc in changed}
    new_chunks = [c for doc in changed for c in chunks_by_doc[doc.id]]
    embedder = embedder or make_embedder(settings.embedding, settings.embedding_threads or None)
    if new_chunks:
        vectors = embedder.embed_passages([c.embedding_text for c in new_chunks])
        dim = int(vectors.shape[1])
    else:  # only removals: the model is not needed
        vectors, dim = None, int(manifest.embedding["dim"]) if manifest else 0
    report.embedded = len(new_chunks)

    size = len(new_chunks) + sum(old_docs[d].chunks for d in report.unchanged)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    name = f"chunks-{stamp}-{secrets.token_hex(3)}"
    store = ChunkStore.create(client, name, size, settings.exact_search_max)
    if old_store is not None and report.unchanged:
        store.copy_docs_from(old_store, report.unchanged)
    if new_chunks:
        store.add(new_chunks, vectors)

    documents = {}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for doc in docs:
        if doc.id in chunks_by_doc:
            n, indexed_at = len(chunks_by_doc[doc.id]), now
        else:  # copied unchanged: it keeps the time it was indexed
            n, indexed_at = old_docs[doc.id].chunks, old_docs[doc.id].indexed_at
        documents[doc.id] = DocEntry(
            doc.path.name, doc.content_hash, doc.title, doc.as_of, n, doc.city, indexed_at
        )
    previous = [] if manifest is None else [manifest.collection, *manifest.previous_collections]
    new_manifest = Manifest(
        collection=name,
        embedding={"spec": settings.embedding, "name": embedder.name, "dim": dim},
        chunker=chunker_params(settings.chunk_max_chars),
        documents=documents,
        chunk_count=store.count(),
        built_at=now,
        previous_collections=previous[:KEEP_PREVIOUS],
        reader=reader_params(settings),
    )
    previous_units = None
    if manifest is not None and not report.rebuilt:
        from assistant.answering.reader.vectors import UnitVectors

        previous_units = UnitVectors.load(units_path(settings, manifest.collection), embedder)
    report.units_embedded = switch_to(settings, store, new_manifest, embedder, previous_units)
    _drop_stale_collections(settings, client, keep={name, *new_manifest.previous_collections})
    report.chunks = new_manifest.chunk_count
    report.seconds = time.perf_counter() - t0
    return report


def switch_to(
    settings: Settings,
    store: ChunkStore,
    manifest: Manifest,
    embedder: Embedder,
    previous_units: UnitVectors | None = None,
) -> int:
    """Write the chunks, the facts, the lexical index and the unit vectors of a complete
    collection, then its manifest (the switch: from then on the index serves this
    collection; with a Chroma server, the files and the manifest are published there too,
    the manifest last). Returns how many units were embedded (the others' vectors come
    from ``previous_units``)."""
    from assistant.answering.reader.bridge import Bridge
    from assistant.answering.reader.vectors import UnitVectors
    from assistant.indexing.passages import save_passages
    from assistant.retrieval.hybrid import build_lexical  # heavy: only when a new index is written

    settings.index_dir.mkdir(parents=True, exist_ok=True)
    chunks = store.chunks()
    save_passages(passages_path(settings, store.name), store.name, chunks)
    store.save_vectors(vectors_path(settings, store.name))
    extract_facts(chunks.values()).save(facts_path(settings, store.name))
    lexical = build_lexical(chunks)
    lexical.save(lexical_path(settings, store.name))
    Bridge.build(lexical.words_seen, settings.dictionary).save(bridge_path(settings, store.name))
    units, embedded = UnitVectors.build(chunks.values(), embedder, previous_units)
    units.save(units_path(settings, store.name))
    write_manifest(settings.manifest_path, manifest)
    if settings.chroma_host:  # every replica's switch: the manifest record, written last
        from assistant.indexing.shared import publish

        publish(settings, manifest)
    return embedded


def instruction_warnings(docs: list[Document]) -> list[str]:
    """A warning for every line of a document that reads like an instruction to a language
    model: it is only ever quoted as text, and the optional LLM sees it as "[…]", but the
    page's editors should know."""
    out = []
    for doc in docs:
        offset = doc.path.read_text(encoding="utf-8").count("\n") - doc.text.count("\n")
        for i, line in enumerate(doc.text.split("\n"), offset + 1):
            if looks_like_instruction(line):
                out.append(
                    f"{doc.path}:{i}: reads like an instruction to a language model "
                    "(quoted as text only; the LLM sees it as '[…]')"
                )
    return out


def _open_store(settings: Settings, report: IngestReport):
    """The Chroma client. An on-disk store that cannot be opened is set aside (renamed, not
    deleted) when the index is being rebuilt anyway; otherwise the error says how to
    rebuild."""
    from assistant.indexing.store import forget_client, open_client

    try:
        return open_client(settings)
    except Exception as exc:
        forget_client(settings)
        problem = f"the Chroma store cannot be opened ({type(exc).__name__}: {exc})"
        if settings.chroma_host or not report.rebuilt:
            raise IndexUnavailableError(
                f"{problem}. Rebuild the index with: assistant ingest --rebuild"
            ) from exc
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    aside = settings.chroma_path.with_name(f"chroma.broken-{stamp}")
    settings.chroma_path.rename(aside)
    report.warnings.append(f"{problem}; moved to {aside} and building a new one")
    return open_client(settings)


def facts_path(settings: Settings, collection: str) -> Path:
    """Where the structured facts of a collection are kept."""
    return settings.index_dir / f"facts-{collection}.json"


def units_path(settings: Settings, collection: str) -> Path:
    """Where the unit spans and vectors of a collection are kept."""
    return settings.index_dir / f"units-{collection}.npz"


def bridge_path(settings: Settings, collection: str) -> Path:
    """Where the English translations of a collection's words are kept."""
    return settings.index_dir / f"bridge-{collection}.npz"


def passages_path(settings: Settings, collection: str) -> Path:
    """Where the chunks of a collection are kept, for a fast open (``passages.py``)."""
    return settings.index_dir / f"passages-{collection}.npz"


def vectors_path(settings: Settings, collection: str) -> Path:
    """Where the chunk vectors of a collection are kept, in the order of its passages file."""
    return settings.index_dir / f"vectors-{collection}.npy"


def lexical_path(settings: Settings, collection: str) -> Path:
    """Where the lexical (BM25) index of a collection is kept."""
    return settings.index_dir / f"lexical-{collection}"


def _drop_stale_collections(settings: Settings, client, keep: set[str]) -> None:
    """Delete chunk collections that neither the manifest nor a recent reader can use."""
    for collection in client.list_collections():
        name = collection if isinstance(collection, str) else collection.name
        if name.startswith("chunks-") and name not in keep:
            client.delete_collection(name)
    for path in settings.index_dir.glob("facts-chunks-*.json"):
        if path.stem.removeprefix("facts-") not in keep:
            path.unlink(missing_ok=True)
    for prefix, suffix in (
        ("units", ".npz"),
        ("bridge", ".npz"),
        ("passages", ".npz"),
        ("vectors", ".npy"),
    ):
        for path in settings.index_dir.glob(f"{prefix}-chunks-*{suffix}"):
            if path.name.removeprefix(f"{prefix}-").removesuffix(suffix) not in keep:
                path.unlink(missing_ok=True)
    for path in settings.index_dir.glob("lexical-chunks-*"):
        if path.name.removeprefix("lexical-") not in keep:
            shutil.rmtree(path, ignore_errors=True)
