"""Words and languages: folding, stop words and stems (``words``, ``textnorm``), telling
German from English (``detect``), what a question asks for and which places it names
(``intent``).

Entry points: ``detect_language``.
"""

from typing import TYPE_CHECKING

from assistant import lazy_entries

if TYPE_CHECKING:
    from assistant.language.detect import detect_language

ENTRIES = {
    "detect_language": "assistant.language.detect",
}
__all__ = ["detect_language"]
__getattr__ = lazy_entries(__name__, ENTRIES)
