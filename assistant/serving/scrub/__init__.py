"""Masking personal data in a question before the unanswered-questions log keeps it:
e-mail addresses (also spelled out: "x dot y at gmail dot com"), phone numbers, IBANs,
long digit runs, ID numbers after a cue word, birth dates, street addresses, and person
names (after a cue or a title, a first name of ``assistant/data/first_names.yaml`` with a
surname, or two adjacent capitalised words no dictionary knows — also in lower case).

The pattern rules are in :mod:`assistant.serving.scrub.rules`, the names in
:mod:`assistant.serving.scrub.names`; the cue words are data
(``assistant/data/masking.yaml``). Names the corpus writes (the office's contacts) and the
index's place names stay readable.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from itertools import pairwise

from assistant.language.names import first_names
from assistant.serving.scrub.names import Known, name_spans
from assistant.serving.scrub.rules import pattern_spans

MASKS = {
    "email": "[E-Mail]",
    "phone": "[Telefon]",
    "number": "[Nummer]",
    "name": "[Name]",
    "address": "[Adresse]",
    "date": "[Datum]",
}
_PRIORITY = ("email", "address", "number", "date", "phone", "name")  # wins an overlap
_WORD = re.compile(r"[\w'’-]+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _place_words(places: Iterable[str]) -> frozenset[str]:
    return frozenset(w for place in places for w in _words(place))


class Scrubber:
    """Masks personal data in a question; names that a corpus page writes are kept (the
    office's contacts are public), and so are the words of ``places`` (the index's place
    names, e.g. ``page_names(facts, cities)`` or ``Assistant.places``: a place is no
    person). ``corpus_texts`` may be a function that gives them: the words are then
    gathered at the first question to scrub, not when the log opens (at 100k passages
    that took 2.4 s, and most questions are never recorded), and only for a question that
    holds a name candidate (most hold none)."""

    def __init__(
        self,
        corpus_texts: Iterable[str] | Callable[[], Iterable[str]] = (),
        places: Iterable[str] = (),
    ) -> None:
        self._source = corpus_texts
        self._lock = threading.Lock()
        self._words: set[str] | None = None
        self._pairs: set[tuple[str, str]] = set()
        self._known = Known(lambda: self.words, lambda: self.pairs, _place_words(places))

    def _gather(self) -> tuple[set[str], set[tuple[str, str]]]:
        if self._words is not None:  # gathered: read without the lock (set last, below)
            return self._words, self._pairs
        with self._lock:
            if self._words is None:
                source = self._source
                words: set[str] = set()
                for text in source() if callable(source) else source:
                    found = _words(text)
                    words.update(found)
                    self._pairs.update(pairwise(found))
                self._words, self._source = words, ()
            return self._words, self._pairs

    @property
    def words(self) -> set[str]:
        """Every word the corpus writes (lower-case)."""
        return self._gather()[0]

    @property
    def pairs(self) -> set[tuple[str, str]]:
        """Every pair of adjacent words the corpus writes (lower-case)."""
        return self._gather()[1]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """The personal data in ``text``: non-overlapping ``(start, end, kind)``, in order."""
        found = list(pattern_spans(text))
        found += [(s, e, "name") for s, e in name_spans(text, self._known)]
        found.sort(key=lambda s: (_PRIORITY.index(s[2]), s[0] - s[1]))
        kept: list[tuple[int, int, str]] = []
        for start, end, kind in found:
            end = start + len(text[start:end].rstrip())
            overlaps = [k for k in kept if k[0] < end and start < k[1]]
            if not overlaps:
                kept.append((start, end, kind))
            elif all(start <= k[0] and k[1] <= end for k in overlaps) and kind != "name":
                kept = [k for k in kept if k not in overlaps] + [(start, end, kind)]
        return sorted(kept)

    def scrub(self, text: str) -> str:
        """``text`` with its personal data replaced by ``MASKS`` ("[Name]", "[E-Mail]")."""
        for start, end, kind in reversed(self.spans(text)):
            text = text[:start] + MASKS[kind] + text[end:]
        return text


__all__ = ["MASKS", "Scrubber", "first_names"]
