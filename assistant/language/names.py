"""Person names as pages and questions write them: the first names of
``assistant/data/first_names.yaml`` (general language data: German first names and common
international ones), and whether a capitalised first name stands before a capitalised
surname ("Erika Mustermann", "Jiří Novák").

Nothing here knows a corpus's people: the list holds first names only, and a surname is any
capitalised word after one.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise

from assistant.resources import load_data

WORD = re.compile(r"[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*")


@cache
def first_names() -> frozenset[str]:
    """The first names of ``assistant/data/first_names.yaml``, lower-cased."""
    return frozenset(n.lower() for n in load_data("first_names.yaml")["names"])


def is_first_name(word: str) -> bool:
    """Is ``word`` (any case) a first name, or a double name starting with one ("Hans-Georg")?"""
    low = word.lower()
    return low in first_names() or low.split("-")[0] in first_names()


def first_and_surname(text: str) -> bool:
    """Does ``text`` write a capitalised first name and, right after it on the same line, a
    capitalised word ("Vorsitzende ist Erika Muster.")?"""
    for a, b in pairwise(WORD.finditer(text)):
        gap = text[a.end() : b.start()]
        joined = not gap.strip() and "\n" not in gap
        if joined and a[0][0].isupper() and b[0][0].isupper() and is_first_name(a[0]):
            return True
    return False
