"""What a question asks for (a date, a person, a phone number …) and which places it names."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cache, lru_cache

from assistant.language.words import contains_phrase, fold_words
from assistant.resources import load_data

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@cache
def _cues() -> dict[str, list[tuple[str, ...]]]:
    data = load_data("intents.yaml")
    return {intent: [tuple(fold_words(c)) for c in cues] for intent, cues in data.items()}


@cache
def _places() -> list[list[tuple[str, ...]]]:
    data = load_data("place_names.yaml")
    return [[tuple(fold_words(v)) for v in group] for group in data["groups"]]


@lru_cache(maxsize=4096)
def _intents(question: str) -> frozenset[str]:
    words = fold_words(question)
    return frozenset(
        i for i, cues in _cues().items() if any(contains_phrase(words, c) for c in cues)
    )


def intents(question: str) -> set[str]:
    """The kinds of answer a question asks for (the keys of ``data/intents.yaml``)."""
    return set(_intents(question))


@cache
def _single_word_variants() -> dict[str, int]:
    return {v[0]: i for i, g in enumerate(_places()) for v in g if len(v) == 1 and len(v[0]) >= 5}


def places(question: str) -> list[list[tuple[str, ...]]]:
    """The place-name groups (each as its variants' folded words) a question names;
    a misspelt name (Trondhiem, Chesterfeld) is matched by similarity."""
    return list(_places_in(question))


@lru_cache(maxsize=4096)
def _places_in(question: str) -> tuple[list[tuple[str, ...]], ...]:
    words = fold_words(question)
    found = [g for g in _places() if any(contains_phrase(words, v) for v in g)]
    singles = _single_word_variants()
    for w in words:
        if len(w) < 5 or w in singles:
            continue
        close = difflib.get_close_matches(w, list(singles), n=1, cutoff=0.8)
        if close and _places()[singles[close[0]]] not in found:
            found.append(_places()[singles[close[0]]])
    return tuple(found)


@cache
def word_lists() -> dict[str, set[str]]:
    """Folded word lists: ``generic`` words, question ``cues``, and the ``domain`` words of
    the place names and the glossary."""
    data = load_data("wordlists.yaml")
    cue_words = {w for phrases in _cues().values() for p in phrases for w in p}
    glossary = load_data("glossary.yaml")
    domain = {w for g in _places() for v in g for w in v}
    domain |= {w for e in glossary["en_de"] for t in e["en"] + e["de"] for w in fold_words(t)}
    domain |= {w for e in glossary["de_de"] for t in e["terms"] + e["add"] for w in fold_words(t)}
    return {
        "generic": {w for g in data["generic"] for w in fold_words(g)},
        "cues": cue_words,
        "domain": domain,
        "countries": {w for c in data["countries"] for w in fold_words(c)},
        "start": {w for c in data["start"] for w in fold_words(c)},
        "meaning": {w for c in data["meaning"] for w in fold_words(c)},
    }


def capitalised_names(question: str) -> list[str]:
    """Capitalised words after the first, outside brackets and quotes."""
    bare = re.sub(r"\([^)]*\)|[„“\"«»'‘’][^„“\"«»'‘’]*[“”\"«»'‘’]", " ", question)
    tokens = bare.split()
    return [t for i, t in enumerate(tokens) if i and t[:1].isupper()]


@lru_cache(maxsize=65536)
def place_count(text: str) -> int:
    """How many different places of the place-name list a text names."""
    words = fold_words(text)
    wordset = set(words)
    return sum(_names_in(words, wordset, [group]) for group in _places())


def _names_in(words: list[str], wordset: set[str], groups: Iterable[list]) -> bool:
    for group in groups:
        for variant in group:
            if len(variant) == 1:
                if variant[0] in wordset:
                    return True
            elif set(variant) <= wordset and contains_phrase(words, variant):
                return True
    return False


def folded_lines(text: str) -> list[tuple[str, list[str], set[str]]]:
    """Each line of a passage with its folded words (precomputed once per passage)."""
    out = []
    for line in text.splitlines():
        words = fold_words(line)
        out.append((line, words, set(words)))
    return out


def structure_score(
    question_intents: set[str],
    groups: list,
    lines: list[tuple[str, list[str], set[str]]],
    kind: str,
) -> float:
    """How well a passage's structure fits the question: a year on the line naming the
    place for 'when', a contact block naming it for 'who', and so on (0 when nothing fits)."""
    named = [raw for raw, words, wordset in lines if groups and _names_in(words, wordset, groups)]
    score = 1.0 if named else 0.0
    if "when" in question_intents and any(_YEAR.search(raw) for raw in named):
        score += 2.0
    contact_fit = kind == "contact" and (named or not groups)
    if {"contact", "phone", "email"} & question_intents and contact_fit:
        score += 2.0
    if "address" in question_intents and kind == "address":
        score += 2.0
    return score
