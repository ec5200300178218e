"""Question vectors embedded ahead of their search, handed over within one thread.

A question is embedded before the assistant takes its lock, so that the engine (which runs
outside the GIL) works on one question while another is being composed. The search, under
the lock, then finds the vector here instead of running the engine while holding it. This
works whatever the question-vector cache keeps (also with none).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import numpy as np


class VectorsAhead:
    """Per thread, the vectors of the question that thread embedded last (its parts): a new
    question's vectors replace the previous ones, so each thread keeps a handful at most.
    A vector is the one its text embeds to, so one found here is never stale for the
    retriever (and its scopes) that embedded it."""

    def __init__(self) -> None:
        self._local = threading.local()

    def keep(self, vectors: Mapping[str, np.ndarray]) -> None:
        self._local.vectors = dict(vectors)

    def get(self, text: str) -> np.ndarray | None:
        return getattr(self._local, "vectors", {}).get(text)
