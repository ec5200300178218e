"""Which pages a question is about: the home city's, unless it names another city.

The index may hold pages about several cities (the home city's own pages, a related page
about another city, or thousands of pages about other municipalities). A question that names no
city of the index asks about the home city, so its passages are searched among the pages
whose ``city`` is the home city; one that names cities of the index is searched among theirs.
Pages about other cities are not hidden: a question whose words (a place, a name, a term)
occur in the index but in none of the scoped pages is searched everywhere ("Is Amiens a twin
town of <the home city>?" when only another city's page names Amiens).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from assistant.language.intent import capitalised_names, word_lists
from assistant.language.words import content_words, fold_words, stems


@dataclass(frozen=True)
class Scope:
    """The cities a question is searched among, and why."""

    cities: frozenset[str]
    named: bool  # the question names them (else: the home city, implied)


def city_words(city: str) -> frozenset[str]:
    return frozenset(fold_words(city))


class Cities:
    """The cities of the index, looked up by the words of a question; ``home`` is the city
    the assistant speaks for (from the settings or the corpus, ``generation.home_city``)."""

    def __init__(self, cities: Iterable[str], home: str | None = None) -> None:
        self.every = frozenset(cities)
        self.home = frozenset({home}) & self.every if home else frozenset()
        self._by_word: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for city in sorted(self.every):
            words = city_words(city)
            for word in words:
                self._by_word.setdefault(word, []).append((city, words))

    def named(self, words: set[str]) -> frozenset[str]:
        """The cities all of whose words are among ``words``."""
        return frozenset(
            city
            for word in words
            for city, city_words_ in self._by_word.get(word, ())
            if city_words_ <= words
        )


def question_scope(
    question: str, cities: Iterable[str] | Cities, home: str | None = None
) -> Scope | None:
    """The cities whose pages a question is about, or None when that is every page."""
    index = cities if isinstance(cities, Cities) else Cities(cities, home)
    every, home = index.every, index.home
    if len(every) < 2:
        return None
    named = index.named(set(fold_words(question)))
    if named - home:
        return Scope(named, True) if named != every else None
    return Scope(home, False) if home and home != every else None


def telling_stems(question: str, lang: str, home: Collection[str] = ()) -> list[str]:
    """The stems that would say a question is about something else than the scoped pages:
    the names and nouns of the question (its capitalised words; all its words when it is
    typed in lower case, and never an English question's other words — they are English,
    not the pages' German). Verbs such as "wenden" or "arbeitet" say nothing about where."""
    words = [w for w in content_words(question) if len(w) > 2 and not w.isdigit()]
    if lang == "en" or question != question.lower():
        names = set(fold_words(" ".join(capitalised_names(question))))
        words = [w for w in words if w in names]
    lists = word_lists()
    own = {w for city in home for w in fold_words(city)}  # the home city names no other page
    words = [w for w in words if not any(w.startswith(h) for h in own if len(h) >= 4)]
    return stems([w for w in words if w not in lists["generic"] and w not in lists["cues"]])


def must_widen(
    scope: Scope,
    question: str,
    lang: str,
    doc_freq: Callable[[str], int],
    scoped_stems: Collection[str],
    home: Collection[str] = (),
) -> bool:
    """Does the question use a word the index holds but none of the scoped pages do? (Never
    for a question that names its cities: it asked about them.)"""
    if scope.named:
        return False
    telling = telling_stems(question, lang, home)
    return any(doc_freq(s) > 0 and s not in scoped_stems for s in telling)


def chunk_positions(
    ids: list[str], doc_of: Mapping[str, str], doc_cities: Mapping[str, str], cities: frozenset
) -> list[int]:
    """Positions (in ``ids``) of the chunks of pages about ``cities``."""
    return [i for i, cid in enumerate(ids) if doc_cities.get(doc_of[cid]) in cities]
