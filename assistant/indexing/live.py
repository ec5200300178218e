"""A running assistant follows the index: a new generation is noticed and switched to.

The check on the question path is cheap and runs at most every
``ASSISTANT_INDEX_CHECK_SECONDS``: locally one ``stat`` of the manifest; with a Chroma server
the request for the served manifest runs in a background thread, never in the question's
time. A new generation is loaded in that thread and then handed over in one assignment, so
a question already in flight finishes on the generation it started with and no question
waits for the load.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from assistant.config import Settings
from assistant.indexing.manifest import read_manifest

T = TypeVar("T")


def _stamp(path: os.PathLike) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ino, st.st_size)


class GenerationWatch(Generic[T]):
    """Calls ``load()`` when the index names another collection than ``current`` and hands
    the result to ``switch`` (which returns the collection it now serves); a failed load is
    logged and tried again at a later check."""

    def __init__(
        self,
        settings: Settings,
        current: str,
        load: Callable[[], T],
        switch: Callable[[T], str],
        log: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.current = current
        self.interval = settings.index_check_seconds
        self._load, self._switch, self._log = load, switch, log
        self._remote = bool(settings.chroma_host)
        self._stamp = None if self._remote else _stamp(settings.manifest_path)
        self._next = time.monotonic() + self.interval
        self._busy = threading.Lock()
        self.thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self.interval > 0

    def poll(self) -> None:
        """The check on the question path (a clock read; a ``stat`` when it is due)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + self.interval
        if not self._remote:
            stamp = _stamp(self.settings.manifest_path)
            if stamp == self._stamp:
                return
            self._stamp = stamp
        if self._busy.locked():
            return
        self.thread = threading.Thread(target=self._check, name="index-watch", daemon=True)
        self.thread.start()

    def _check(self) -> None:
        if not self._busy.acquire(blocking=False):
            return
        try:
            collection = self._newest()
            if collection and collection != self.current:
                self._log(f"index: a new generation ({collection}); loading it")
                t0 = time.perf_counter()
                self.current = self._switch(self._load())
                self._log(f"index: now serving {self.current} ({time.perf_counter() - t0:.1f} s)")
        except Exception as exc:  # the generation in use keeps serving; tried again later
            self._stamp = None
            problem = f"{type(exc).__name__}: {exc}"
            self._log(f"index: the new generation cannot be loaded yet ({problem})")
        finally:
            self._busy.release()

    def _newest(self) -> str | None:
        """The collection the index names now; with a server, its files are pulled first."""
        if self._remote:
            from assistant.indexing.ingest import ingest_lock
            from assistant.indexing.shared import pull, served_manifest

            served = served_manifest(self.settings)
            if served is None or served.collection == self.current:
                return None
            with ingest_lock(self.settings.index_dir):
                manifest = pull(self.settings, served)
            return manifest.collection if manifest else None
        manifest = read_manifest(self.settings.manifest_path)
        return manifest.collection if manifest else None
