"""Place names with their other spellings, and where a question names them: the places
the pages list, each with the other names the ingest found for it, and the supplement
``place_names.yaml``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from assistant.language.words import COMMON_WORD_ZIPF, contains_phrase, fold_words, zipf
from assistant.resources import load_data

FUZZY_PLACE = 0.8  # similarity at which a misspelt place name is recognised
NEAR_CACHE = 65536  # questions' words whose nearest place a gazetteer remembers


class Gazetteer:
    """Place names with their other spellings: the places the pages themselves list (partner
    cities, countries, the cities pages are about), each with the other names the ingest
    found for it (``other_names``: "Pressburg" for "Bratislava"), and the supplement
    ``place_names.yaml`` (exonyms and transliterations the pages do not use)."""

    def __init__(
        self, places: Iterable[str] = (), other_names: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        groups: list[list[tuple[str, ...]]] = []
        seen: dict[tuple[str, ...], int] = {}
        for group in load_data("place_names.yaml")["groups"]:
            variants = [tuple(fold_words(v)) for v in group]
            variants = [v for v in variants if v]
            for v in variants:
                seen.setdefault(v, len(groups))
            groups.append(variants)
        others = other_names or {}
        other: set[tuple[str, ...]] = set()  # met as written only, never by similarity
        for place in places:
            variant = tuple(fold_words(place))
            if not variant or len("".join(variant)) < 3:
                continue
            # a place's other names ("Pressburg" for "Bratislava") join its group
            more = [tuple(fold_words(n)) for n in others.get(place, ())]
            at = seen.get(variant)
            if at is None:
                at = seen[variant] = len(groups)
                groups.append([variant])
            for v in more:
                if v and v not in seen:
                    seen[v] = at
                    groups[at].append(v)
                    other.add(v)
        self.groups = groups
        self._singles = {
            v[0]: i for i, g in enumerate(groups) for v in g if len(v) == 1 and v not in other
        }
        self._others = frozenset(other)  # met as written only

    def in_words(self, words: Sequence[str]) -> list[list[tuple[str, ...]]]:
        """The place groups named in folded ``words``; a misspelt one is found by similarity
        and its group then holds the question's spelling too (so that word is the place,
        not a name of its own)."""
        found = [g for g in self.groups if any(contains_phrase(words, v) for v in g)]
        for w in words:
            if w in self._singles or (w,) in self._others:
                continue
            close = self.near(w)
            if close is not None:
                group = self.groups[close]
                at = next((i for i, g in enumerate(found) if g[: len(group)] == group), None)
                if at is None:
                    found.append([*group, (w,)])
                elif (w,) not in found[at]:
                    found[at] = [*found[at], (w,)]
        return found

    def as_written(self, variant: tuple[str, ...]) -> bool:
        """Is a variant one of the other names the ingest found, to be met only as written
        (no similar or longer word stands for it: "Amen", an old name of a French city, is
        not "Rahmen")?"""
        return variant in self._others

    def near(self, word: str) -> int | None:
        """The group of the place a (misspelt) word is nearest to, if any. A common word is
        itself ("start" is no misspelt "Startow", a place of the pages)."""
        return None if len(word) < 5 or zipf(word) >= COMMON_WORD_ZIPF else self._near(word)

    def _near(self, word: str) -> int | None:
        """The group of the place a (misspelt) word is nearest to, remembered per word."""
        cache = self.__dict__.setdefault("_near_cache", {})
        if word not in cache:
            if len(cache) >= NEAR_CACHE:
                cache.clear()
            close = difflib.get_close_matches(word, list(self._singles), n=1, cutoff=FUZZY_PLACE)
            cache[word] = self._singles[close[0]] if close else None
        return cache[word]
