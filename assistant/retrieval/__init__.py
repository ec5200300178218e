"""Retrieval: the lexical legs (``lexical``), which pages a question is about (``scope``),
sentence evidence (``evidence``), the language-aware hybrid fusion (``hybrid``) and the
llama-index default pipeline for comparison (``peer``).

Entry points: ``HybridRetriever``.
"""

from typing import TYPE_CHECKING

from assistant import lazy_entries

if TYPE_CHECKING:
    from assistant.retrieval.hybrid import HybridRetriever

ENTRIES = {
    "HybridRetriever": "assistant.retrieval.hybrid",
}
__all__ = ["HybridRetriever"]
__getattr__ = lazy_entries(__name__, ENTRIES)
