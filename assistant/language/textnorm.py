"""Text folding shared by matching code: case, diacritics and special letters."""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII form: Ł→l, ñ→n, ā→a, ß→ss, ä→a."""
    return _SPACE.sub(" ", anyascii(text).lower()).strip()


def contains_folded(haystack: str, needle: str) -> bool:
    """Case- and diacritic-insensitive substring test."""
    return fold(needle) in fold(haystack)
