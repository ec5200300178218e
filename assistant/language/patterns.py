"""Patterns that every stage recognises the same way: contact details, and names given in
English on German pages."""

from __future__ import annotations

import re

# A telephone number with its area code: +49 (0)89 233-0, (0711) 216-80, 0221/221-0, and
# a dash between the area code and the number as some pages set it: 0761 – 201-1024.
PHONE = re.compile(
    r"(?:\+\s?\d{2,3}[\s/-]*(?:\(0\)\s?)?\d{2,5}|(?:\+\s?\d{2,3}[\s/-]*)?(?:\(0?\d{2,5}\)|0\d{2,5}))"
    r"(?:\s+[–—]\s+|[\s/-]*)\d{1,8}(?:[\s-]\d{1,6}){0,3}"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# A run of capitalised words joined by English linking words: a name given in English on a
# German page ("Mayors for Peace", "World Coalition against the Death Penalty").
_CAP = r"[A-ZÄÖÜ][\w'’-]*"
_LINK = r"(?:for|of|against|the|and)"
_CAPS = rf"{_CAP}(?:[ \t]+{_CAP})*"
_ENGLISH_TITLED = re.compile(rf"(?<![\w-]){_CAPS}(?:[ \t]+{_LINK}(?:[ \t]+the)?[ \t]+{_CAPS})+")


def english_titled(text: str) -> list[str]:
    """The English-titled names in a text: capitalised words linked by "for", "of",
    "against", "the" or "and" (a network or campaign named in English on a German page),
    each also without the capitalised words before its first link ("Bürgerbewegung Pulse
    of Europe" is "Pulse of Europe" too)."""
    names = []
    for m in _ENGLISH_TITLED.finditer(text):
        words = m.group(0).split()
        first_link = next(i for i, w in enumerate(words) if re.fullmatch(_LINK, w, re.I))
        names += [" ".join(words[i:]) for i in range(max(0, first_link - 1), -1, -1)]
    return names


__all__ = ["EMAIL", "PHONE", "english_titled"]
