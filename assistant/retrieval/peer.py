"""The llama-index default pipeline over the same Chroma collection and embedder.

What a user would pick instead: ``VectorStoreIndex(...).as_retriever(similarity_top_k=k)``.
Used by the benchmarks to compare against the assistant's own retrieval.
"""

from __future__ import annotations

from typing import Any

from assistant.indexing.embedding import Embedder, llama_index_embedding
from assistant.indexing.store import ChunkStore
from assistant.records import Chunk, Passage


class LlamaIndexDefaultRetriever:
    def __init__(self, store: ChunkStore, embedder: Embedder) -> None:
        from llama_index.core import VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.store = store
        vector_store = ChromaVectorStore(chroma_collection=store.collection)
        self.index = VectorStoreIndex.from_vector_store(
            vector_store, embed_model=llama_index_embedding(embedder)
        )
        self._retrievers: dict[int, Any] = {}

    def retrieve(self, query: str, k: int, lang: str | None = None) -> list[Passage]:
        if k not in self._retrievers:
            self._retrievers[k] = self.index.as_retriever(similarity_top_k=k)
        chunks = self.store.chunks()
        out = []
        for rank, hit in enumerate(self._retrievers[k].retrieve(query), 1):
            chunk = chunks.get(hit.node.node_id) or _chunk_from_node(hit.node)
            out.append(Passage(chunk, float(hit.score or 0.0), rank, {"llama-index": hit.score}))
        return out


def _chunk_from_node(node: Any) -> Chunk:
    meta = node.metadata or {}
    return Chunk(
        id=node.node_id,
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        section=str(meta.get("section", "")),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        text=node.get_content(),
    )
