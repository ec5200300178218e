"""The one ``Assistant`` object that the CLI, the UI and the evals all use."""

from __future__ import annotations

import sys
from collections.abc import Callable

from .config import Settings
from .embedding import Embedder, make_embedder
from .ingest import index_problems, ingest
from .manifest import IndexUnavailableError, Manifest, read_manifest
from .records import Passage
from .retrieval import LEGS, Calibration, HybridRetriever, Retriever


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


class Assistant:
    """Answers questions about the corpus from the index described by its manifest."""

    def __init__(self, settings: Settings, manifest: Manifest, retriever: Retriever) -> None:
        self.settings = settings
        self.manifest = manifest
        self.retriever = retriever

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        auto_ingest: bool = True,
        log: Callable[[str], None] = _stderr,
    ) -> Assistant:
        """Open the index; when it is missing or stale, rebuild it first (or refuse)."""
        from .store import ChunkStore, open_client

        settings = settings or Settings()
        embedder = embedder or make_embedder(settings.embedding)
        problems = index_problems(settings)
        if problems:
            if not auto_ingest:
                raise IndexUnavailableError(
                    f"the index cannot be used: {'; '.join(problems)}. Run: assistant ingest"
                )
            log(f"index: {'; '.join(problems)} → ingesting")
            log("index: " + ingest(settings, embedder=embedder).summary())
        manifest = read_manifest(settings.manifest_path)
        assert manifest is not None
        try:
            store = ChunkStore.open(
                open_client(settings), manifest.collection, settings.exact_search_max
            )
        except Exception as exc:
            raise IndexUnavailableError(
                f"the index collection {manifest.collection} cannot be opened ({exc}). "
                "Rebuild it with: assistant ingest --rebuild"
            ) from exc
        legs = LEGS if settings.retriever == "hybrid" else (settings.retriever,)
        calibration = Calibration.load(embedder.name)
        retriever = HybridRetriever(store, embedder, legs, calibration=calibration)
        return cls(settings, manifest, retriever)

    def search(self, query: str, k: int | None = None, lang: str | None = None) -> list[Passage]:
        """Raw retrieval: the passages most relevant to ``query``, best first."""
        return self.retriever.retrieve(query, k or self.settings.top_k, lang)
