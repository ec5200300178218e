"""Indexing: embedders (``embedding``), the Chroma store (``store``), the manifest
(``manifest``), building and updating the index (``ingest``), typed facts (``facts``), a
generation loaded to answer from (``generation``), following new generations (``live``) and
sharing them through a Chroma server (``shared``).

Entry points: ``ingest``, ``make_embedder``.
"""

from typing import TYPE_CHECKING

from assistant import lazy_entries

if TYPE_CHECKING:
    from assistant.indexing.embedding import make_embedder
    from assistant.indexing.ingest import ingest

ENTRIES = {
    "ingest": "assistant.indexing.ingest",
    "make_embedder": "assistant.indexing.embedding",
}
__all__ = ["ingest", "make_embedder"]
__getattr__ = lazy_entries(__name__, ENTRIES)
