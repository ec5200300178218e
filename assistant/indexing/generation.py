"""One generation of the index, loaded: the manifest, its chunk collection in memory, the
retriever over it with its lexical index, the typed facts, and the reader and composer that
answer from it; and how the generation the manifest names is opened (fetched from the Chroma
server first when one serves it)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answering.composer import Composer
from assistant.answering.reader import Reader, build_reader, page_names
from assistant.answering.reader.bridge import Bridge
from assistant.answering.reader.vectors import UnitVectors
from assistant.config import Settings
from assistant.indexing.embedding import Embedder
from assistant.indexing.facts import Facts, StaleFacts, extract_facts
from assistant.indexing.geonames import aliases
from assistant.indexing.ingest import (
    bridge_path,
    facts_path,
    ingest_lock,
    lexical_path,
    passages_path,
    units_path,
    vectors_path,
)
from assistant.indexing.manifest import IndexUnavailableError, Manifest, read_manifest
from assistant.indexing.passages import load_passages
from assistant.indexing.shared import pull
from assistant.indexing.store import ChunkStore, forget_client, open_client, stored_collections
from assistant.language.detect import names_pattern
from assistant.records import Chunk
from assistant.retrieval.hybrid import LEGS, Calibration, HybridRetriever, Retriever


@dataclass(frozen=True)
class Generation:
    """One index generation, loaded: what a question is answered from."""

    manifest: Manifest
    retriever: Retriever
    composer: Composer
    reader: Reader | None
    home: str | None
    names: re.Pattern[str] | None = None  # the pages' names, masked in language detection

    @property
    def places(self) -> list[str]:
        """The home city's partner cities as its pages list them, oldest first."""
        cities = self.composer.cities
        own = [
            p for p in self.composer.facts.partnerships if cities.get(p.doc) in (None, self.home)
        ]
        return list(dict.fromkeys(p.city for p in sorted(own, key=lambda p: p.year)))

    @classmethod
    def build(
        cls,
        settings: Settings,
        manifest: Manifest,
        retriever: Retriever,
        facts: Facts,
        units: UnitVectors | None = None,
        bridge: Bridge | None = None,
    ) -> Generation:
        chunks = retriever.chunks
        as_of = {doc_id: entry.as_of for doc_id, entry in manifest.documents.items()}
        cities = {doc_id: entry.city for doc_id, entry in manifest.documents.items()}
        home = home_city(settings, cities.values())
        reader: Reader | None = None
        if isinstance(retriever, HybridRetriever):
            units = units or UnitVectors(retriever.embedder)
            lexical = retriever.lexical
            if bridge is None:
                bridge = Bridge.build(lexical.words_seen, settings.dictionary)
            reader = build_reader(
                lexical.words_seen,
                lexical.doc_freq,
                len(chunks),
                facts,
                units,
                cities,
                home,
                bridge,
            )
        composer = Composer(facts, chunks, as_of, cities, home, reader)
        names = names_pattern(page_names(facts, cities.values()))
        return cls(manifest, retriever, composer, reader, home, names)

    @classmethod
    def load(cls, settings: Settings, embedder: Embedder, log: Callable[[str], None]) -> Generation:
        """The generation the manifest names, read from the index folder and the store."""
        manifest, store = _open_live_collection(settings)
        legs = LEGS if settings.retriever == "hybrid" else (settings.retriever,)
        calibration = Calibration.load(embedder.name)
        doc_cities = {doc_id: entry.city for doc_id, entry in manifest.documents.items()}
        path = facts_path(settings, manifest.collection)
        facts = _load_facts(path, lambda: store.chunks().values(), log)
        retriever = HybridRetriever(
            store,
            embedder,
            legs,
            calibration=calibration,
            lexical_path=lexical_path(settings, manifest.collection),
            doc_cities=doc_cities,
            home=home_city(settings, doc_cities.values()),
            aliases=aliases(facts.other_names),
        )
        units = UnitVectors.load(units_path(settings, manifest.collection), embedder)
        if units is None:
            log("index: the unit vectors are missing or stale; embedding them")
            units, _ = UnitVectors.build(retriever.chunks.values(), embedder)
        bridge = Bridge.load(bridge_path(settings, manifest.collection))
        return cls.build(settings, manifest, retriever, facts, units, bridge)


def pull_served(settings: Settings) -> None:
    """Fetch the generation the Chroma server serves into the index folder."""
    try:
        with ingest_lock(settings.index_dir):
            pull(settings)
    except Exception as exc:
        raise IndexUnavailableError(
            f"the index in the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
            f"cannot be read ({type(exc).__name__}: {exc})"
        ) from exc


OPEN_ATTEMPTS = 3  # an ingest may switch the index (and drop an old one) while we open it


def _open_live_collection(settings: Settings) -> tuple[Manifest, ChunkStore]:
    """The manifest and its collection, loaded into memory (its chunks from the file beside
    the index when there is one, else from Chroma). When the collection vanishes
    while it is being loaded because an ingest switched the index meanwhile, the new one is
    opened instead. Chroma itself is started only when the files beside the index do not
    answer every search (:attr:`ChunkStore.serves_alone`); the on-disk store is checked
    first all the same, by reading its collections from its SQLite file."""
    client = _Client(settings)
    for attempt in range(1, OPEN_ATTEMPTS + 1):
        manifest = read_manifest(settings.manifest_path)
        if manifest is None:
            raise IndexUnavailableError("the index is missing. Run: assistant ingest")
        try:
            if not settings.chroma_host:
                client.check(manifest.collection)
            store = ChunkStore.deferred(client, manifest.collection, settings.exact_search_max)
            path = passages_path(settings, manifest.collection)
            passages = load_passages(path, manifest.collection, manifest.chunk_count)
            vectors = vectors_path(settings, manifest.collection) if passages else None
            store.load(passages, vectors)
            if not store.serves_alone:
                store.collection  # noqa: B018 - opened now: a search will need it
            return manifest, store
        except _StoreBroken:
            raise
        except Exception as exc:
            now = read_manifest(settings.manifest_path)
            if attempt < OPEN_ATTEMPTS and now and now.collection != manifest.collection:
                continue  # switched while we read: open the new index
            raise IndexUnavailableError(
                f"the index collection {manifest.collection} cannot be opened ({exc}). "
                "Rebuild it with: assistant ingest --rebuild"
            ) from exc
    raise AssertionError("unreachable")


class _StoreBroken(IndexUnavailableError):
    """The Chroma store itself cannot be opened (not one collection of it)."""


class _Client:
    """The Chroma client, started at its first call; a store that cannot be opened raises
    :class:`_StoreBroken` with the rebuild command."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _broken(self, exc: Exception) -> _StoreBroken:
        if not self.settings.chroma_host:
            forget_client(self.settings)  # a later attempt starts afresh
        return _StoreBroken(
            f"the Chroma store cannot be opened ({type(exc).__name__}: {exc}). "
            "Rebuild the index with: assistant ingest --rebuild"
        )

    def check(self, collection: str) -> None:
        """The on-disk store is a readable Chroma database holding ``collection``."""
        try:
            names = stored_collections(self.settings)
        except sqlite3.Error as exc:
            raise self._broken(exc) from exc
        if collection not in names:
            raise LookupError(f"the store holds no collection {collection}")

    def __call__(self) -> Any:
        try:
            return open_client(self.settings)
        except Exception as exc:
            raise self._broken(exc) from exc


def home_city(settings: Settings, cities) -> str | None:
    """The city the assistant speaks for: ``ASSISTANT_HOME_CITY``, else the city most of the
    corpus's pages are about (front matter ``city``; ties by name)."""
    if settings.home_city:
        return settings.home_city
    counts: dict[str, int] = {}
    for city in cities:
        if city:
            counts[city] = counts.get(city, 0) + 1
    return min(counts, key=lambda c: (-counts[c], c)) if counts else None


def _load_facts(
    path: Path, chunks: Callable[[], Iterable[Chunk]], log: Callable[[str], None]
) -> Facts:
    """The facts stored beside the index; extracted again from the chunks, and stored, when
    the file is missing or unreadable (they are derived data)."""
    if path.exists():
        try:
            return Facts.load(path)
        except StaleFacts as exc:
            log(f"index: {path.name} is of another extraction ({exc}); extracting again")
        except Exception as exc:  # a damaged file costs a re-extraction, not the service
            log(f"index: {path.name} is unreadable ({type(exc).__name__}); extracting again")
    facts = extract_facts(chunks())
    try:  # kept for the next start (an older file lacks what the facts now hold)
        tmp = path.with_name(path.name + ".tmp")
        facts.save(tmp)
        tmp.replace(path)
    except OSError as exc:  # a read-only index folder: extracted at every start
        log(f"index: {path.name} could not be written ({exc.strerror})")
    return facts
