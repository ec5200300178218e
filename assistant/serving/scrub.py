"""Masking personal data in a question before the unanswered-questions log keeps it: e-mail
addresses, phone numbers, long digit runs, IBANs, and names (a first name of
``assistant/data/first_names.yaml`` with a capitalised surname that no corpus page writes,
or a title such as "Frau"/"Mr" with a surname no page writes).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from functools import cache
from itertools import pairwise

from assistant.language.patterns import EMAIL
from assistant.resources import load_data

MASKS = {"email": "[E-Mail]", "phone": "[Telefon]", "number": "[Nummer]", "name": "[Name]"}

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00|0|\(0)[\d ()/.\-]{4,}\d")
_GROUPS = re.compile(r"\b\d{3,}(?:[ ./-]\d{3,}){2,}\b")  # card and account numbers
_DIGITS = re.compile(r"\d{6,}")
_CAPITALISED = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’-]+")
_WORD = re.compile(r"[\w'’-]+")
_TITLES = frozenset({"frau", "herr", "herrn", "mr", "mrs", "ms", "miss", "dr", "prof"})


@cache
def first_names() -> frozenset[str]:
    """The first names of ``assistant/data/first_names.yaml``, lower-cased."""
    return frozenset(n.lower() for n in load_data("first_names.yaml")["names"])


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


class Scrubber:
    """Masks personal data in a question; names that a corpus page writes are kept (the
    office's contacts are public). ``corpus_texts`` may be a function that gives them: the
    words are then gathered at the first question to scrub, not when the log opens (at 100k
    passages that took 2.4 s, and most questions are never recorded), and only for a question
    that holds a first name or a title followed by a capitalised word (most hold none)."""

    def __init__(self, corpus_texts: Iterable[str] | Callable[[], Iterable[str]]) -> None:
        self._source = corpus_texts
        self._lock = threading.Lock()
        self._words: set[str] | None = None
        self._pairs: set[tuple[str, str]] = set()

    def _known(self) -> tuple[set[str], set[tuple[str, str]]]:
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
        return self._known()[0]

    @property
    def pairs(self) -> set[tuple[str, str]]:
        """Every pair of adjacent words the corpus writes (lower-case)."""
        return self._known()[1]

    def scrub(self, text: str) -> str:
        text = EMAIL.sub(MASKS["email"], text)
        text = _IBAN.sub(MASKS["number"], text)
        text = _PHONE.sub(_phone, text)
        text = _GROUPS.sub(MASKS["number"], text)
        text = _DIGITS.sub(MASKS["number"], text)
        return self._names(text)

    def _names(self, text: str) -> str:
        found = list(_CAPITALISED.finditer(text))
        names = first_names()
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(found) - 1:
            first, nxt = found[i], found[i + 1]
            adjacent = text[first.end() : nxt.start()].isspace()
            head = first[0].lower().rstrip(".")
            if adjacent and (head in names or head.split("-")[0] in names):
                last = i + 1
                if (
                    last + 1 < len(found)
                    and found[last][0].lower() in names
                    and text[found[last].end() : found[last + 1].start()].isspace()
                ):
                    last += 1  # a middle name: Anna Maria Müller
                surname = _words(found[last][0])
                pair = (head, surname[0] if surname else "")
                if pair not in self.pairs:
                    spans.append((first.start(), found[last].end()))
                i = last + 1
                continue
            titled = text[first.end() : nxt.start()].lstrip(".").isspace()  # "Dr. Xy"
            surname = nxt[0].lower()
            if titled and head in _TITLES and surname not in _TITLES and surname not in self.words:
                spans.append((nxt.start(), nxt.end()))
                i += 2
                continue
            i += 1
        for start, end in reversed(spans):
            text = text[:start] + MASKS["name"] + text[end:]
        return text


def _phone(m: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in m[0])
    return MASKS["phone"] if digits >= 6 else m[0]
