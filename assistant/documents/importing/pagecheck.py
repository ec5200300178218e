"""Whether every unit of a web page's document is in the page's own visible text.

The check runs in time linear in the page and the units (a search of the whole page per
unit took hours on a 15 MB page). The units are looked for in the document's order with a
cursor that only moves forward, which finds almost all of them in one sweep; the few that a
sweep misses (out of the page's order, or past a few misses in all) are found in one more
pass over the page with an Aho-Corasick automaton (pyahocorasick) of just those units.

A unit is compared as the page shows it: emphasis and code markers dropped, and Markdown's
backslash escapes read as the characters they stand for, so a page that shows markup as text
(``&lt;script&gt;``, ``[1]``, ``*``) is found as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# a backslash escape (the character it stands for) | an emphasis run | a code-span marker
_MARKUP = re.compile(r"\\([!-/:-@\[-`{-~])|(?<![\w*])\*+|\*+(?![\w*])|`+")
_SPACES = re.compile(r"\s+")
MAX_MISSES = 16  # sweeps from the cursor that may fail (each reads the rest of the page)


def plain(unit: str) -> str:
    """A unit's text as the page shows it (markup dropped, escapes read, spaces folded)."""
    if "\\" not in unit and "*" not in unit and "`" not in unit:
        return " ".join(unit.split())  # most units: no markup, only spaces to fold
    return _SPACES.sub(" ", _MARKUP.sub(lambda m: m.group(1) or "", unit)).strip()


def first_missing(units: Iterable[str], page: str) -> str | None:
    """The first unit (as :func:`plain` text, in the units' order) that is not in ``page``,
    or None when every one is."""
    wanted = list(dict.fromkeys(p for p in map(plain, units) if p))
    left = _sweep(wanted, page)
    if not left:
        return None
    missing = _missed_by_automaton(left, page)
    return next((key for key in left if key in missing), None)


def _sweep(keys: list[str], page: str) -> list[str]:
    """The keys not found at or after the previous key's place in the page. The cursor
    stays at the start of each key found, never past where the next one can be; after
    :data:`MAX_MISSES` misses the rest are left to the automaton."""
    cursor, misses, left = 0, 0, []
    for n, key in enumerate(keys):
        if misses >= MAX_MISSES:
            return left + keys[n:]
        at = page.find(key, cursor)
        if at < 0:
            misses += 1
            left.append(key)
        else:
            cursor = at
    return left


def _missed_by_automaton(keys: list[str], page: str) -> set[str]:
    """Keys that do not occur in ``page`` (empty: every key does), in one pass over it.

    Only keys that are not the end of another key go into the automaton: a key found means
    its ends are in the page too, and a longer key missing refuses the page all the same.
    With no key the end of another, at most one key is reported at each position of the
    page, so the pass stays linear.
    """
    import ahocorasick

    searched = _not_ends_of_others(keys)
    automaton = ahocorasick.Automaton()
    for index, key in enumerate(searched):
        automaton.add_word(key, index)
    automaton.make_automaton()
    seen: set[int] = set()
    for _end, index in automaton.iter(page):
        seen.add(index)
        if len(seen) == len(searched):
            return set()
    return {key for index, key in enumerate(searched) if index not in seen}


def _not_ends_of_others(keys: list[str]) -> list[str]:
    """The keys that no other key ends with: sorted backwards, a key that another one ends
    with comes right before a key it begins (backwards)."""
    backwards = sorted({key[::-1] for key in keys})
    return [
        key[::-1]
        for key, after in zip(backwards, [*backwards[1:], ""], strict=True)
        if not after.startswith(key)
    ]
