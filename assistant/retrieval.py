"""Find passages for a question."""

from __future__ import annotations

from typing import Protocol

from .embedding import Embedder
from .records import Passage
from .store import ChunkStore


class Retriever(Protocol):
    def retrieve(self, query: str, k: int) -> list[Passage]: ...


class DenseRetriever:
    """Cosine similarity between the question's and the passages' embeddings."""

    leg = "dense"

    def __init__(self, store: ChunkStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def retrieve(self, query: str, k: int) -> list[Passage]:
        if not query.strip():
            return []
        vector = self.embedder.embed_queries([query])[0]
        return [
            Passage(chunk=chunk, score=score, rank=i + 1, leg_scores={self.leg: score})
            for i, (chunk, score) in enumerate(self.store.query(vector, k))
        ]
