"""Documents: loading and checking the corpus (``corpus``), importing HTML, PDF and text files
(``importing``), cleaning source markup (``sources``), chunking along the structure
(``chunking``), and the ``add`` / ``remove`` commands (``commands``).

Entry points: ``load_corpus``, ``chunk_corpus``, ``import_paths``.
"""

from typing import TYPE_CHECKING

from assistant import lazy_entries

if TYPE_CHECKING:
    from assistant.documents.chunking import chunk_corpus
    from assistant.documents.corpus import load_corpus
    from assistant.documents.importing import import_paths

ENTRIES = {
    "load_corpus": "assistant.documents.corpus",
    "chunk_corpus": "assistant.documents.chunking",
    "import_paths": "assistant.documents.importing",
}
__all__ = ["chunk_corpus", "import_paths", "load_corpus"]
__getattr__ = lazy_entries(__name__, ENTRIES)
