"""Finding person names in a question: after a cue ("mein Name ist", "my name is", "ich
bin", a sign-off), after a title ("Frau", "Mr", "Dr."), before "hier"/"here", a first name
of ``assistant/data/first_names.yaml`` with a surname, and two adjacent capitalised words
that no dictionary knows ("Olusegun Adebayo") — capitalised or in lower case.

How common a word is comes from ``wordfreq`` (German and English): a common word after a
weak cue is no name ("ich bin Lehrerin"), a function word ends a name ("kevin schmidt
from ..."). A German compound ("Partnerstadt": it ends in a common word) is no name.
Known words (:class:`Known`: the corpus's words and pairs, the index's place names) keep a
name readable: the office's contacts are public, and a place is no person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from assistant.language.names import is_first_name
from assistant.language.words import zipf
from assistant.resources import load_data

TOKEN = re.compile(r"[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*\.?")
FUNCTION_ZIPF = 5.0  # a word this common in German or English ends a name
COMMON_ZIPF = 4.0  # after a cue, a word this common is no name (unless a first name)
RARE_ZIPF = 3.5  # two adjacent capitalised words this rare are a name


@dataclass(frozen=True)
class Known:
    """What keeps a found name readable: the corpus's words and pairs (gathered on first
    call), and the index's place names (lower-case words)."""

    words: Callable[[], set[str]]
    pairs: Callable[[], set[tuple[str, str]]]
    places: frozenset[str]


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str  # without a trailing full stop
    low: str
    cap: bool


@cache
def _data() -> dict:
    return load_data("masking.yaml")


@cache
def _words(key: str) -> frozenset[str]:
    return frozenset(str(w).lower() for w in _data()[key])


@cache
def _cues(key: str) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted((tuple(str(c).split()) for c in _data()[key]), key=len, reverse=True))


@cache
def _compound(word: str) -> bool:
    """A German compound: ``word`` ends in a common German word ("partnerstadt")."""
    from wordfreq import zipf_frequency

    if len(word) < 7:
        return False
    return any(zipf_frequency(word[i:], "de") >= RARE_ZIPF for i in range(3, len(word) - 3))


def _tokens(text: str) -> list[_Token]:
    found = []
    for m in TOKEN.finditer(text):
        word = m[0].rstrip(".")
        low = re.sub(r"['’]s$", "", word.lower())  # "Kuz's" is Kuz
        found.append(_Token(m.start(), m.start() + len(word), word, low, word[0].isupper()))
    return found


def _adjacent(text: str, a: _Token, b: _Token) -> bool:
    return text[a.end : b.start].strip(" .") == "" and "\n" not in text[a.end : b.start]


def _office(low: str) -> bool:
    return low.endswith(tuple(_words("office_endings")))


def _nameish(tok: _Token, limit: float, known: Known) -> bool:
    """``tok`` may start a name: a first name, or a word rarer than ``limit`` that is no
    place, title or office."""
    if tok.low in _words("titles") or tok.low in _words("name_particles"):
        return False
    if _office(tok.low) or tok.low in known.places:
        return False
    return is_first_name(tok.low) or zipf(tok.low) < limit


def _extend(text: str, toks: list[_Token], i: int, known: Known, most: int = 4) -> int:
    """The index after the name starting at ``toks[i]``: capitalised words (and particles
    between them) when it is capitalised, uncommon lower-case words when it is not."""
    j = i + 1
    while j < len(toks) and j - i < most and _adjacent(text, toks[j - 1], toks[j]):
        tok = toks[j]
        if toks[i].cap:
            if tok.cap and tok.low not in known.places and not _office(tok.low):
                j += 1
                continue
            nxt = toks[j + 1] if j + 1 < len(toks) else None
            particle = tok.low in _words("name_particles")
            if particle and nxt and nxt.cap and zipf(nxt.low) < COMMON_ZIPF:
                j += 1
                continue
            break
        if tok.cap or zipf(tok.low) >= FUNCTION_ZIPF or tok.low in known.places:
            break
        j += 1
    while j - 1 > i and toks[j - 1].low in _words("name_particles"):
        j -= 1  # a name does not end in "de"
    return j


def _cue_at(toks: list[_Token], i: int, key: str) -> int:
    """The length of the cue of ``key`` that ends just before ``toks[i]`` (0: none)."""
    for cue in _cues(key):
        n = len(cue)
        if i >= n and tuple(t.low for t in toks[i - n : i]) == cue:
            return n
    return 0


def _public(toks: list[_Token], known: Known) -> bool:
    """Every word of the name is written by a page, and its pairs too (a contact)."""
    lows = [t.low for t in toks]
    if not all(w in known.words() for w in lows):
        return False
    return all(p in known.pairs() for p in pairwise(lows))


def name_spans(text: str, known: Known) -> list[tuple[int, int]]:
    """The spans of the person names in ``text``."""
    toks = _tokens(text)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        end = _name_at(text, toks, i, known)
        if end > i:
            spans.append((toks[i].start, toks[end - 1].end))
            i = end
        else:
            i += 1
    for k, tok in enumerate(toks):  # "Tamás Szabó hier"
        if tok.low in _words("name_after_cues") and k >= 2:
            first = k - 1
            while first > 0 and k - first < 3 and toks[first - 1].cap:
                first -= 1
            names = toks[first:k]
            capitalised = len(names) >= 2 and all(t.cap for t in names)
            joined = all(_adjacent(text, a, b) for a, b in pairwise(names))
            if capitalised and joined and _nameish(names[0], COMMON_ZIPF, known):
                spans.append((names[0].start, names[-1].end))
    return spans


def _name_at(text: str, toks: list[_Token], i: int, known: Known) -> int:
    """The index after a name starting at ``toks[i]``, or ``i`` when none starts there."""
    tok = toks[i]
    if _cue_at(toks, i, "titles") or (i and toks[i - 1].low in _words("titles")):
        if tok.low in _words("titles"):
            return i
        if not _nameish(tok, FUNCTION_ZIPF, known):
            return i
        end = _extend(text, toks, i, known)
        return i if _public(toks[i:end], known) else end
    if _cue_at(toks, i, "name_cues"):
        return _extend(text, toks, i, known) if _nameish(tok, COMMON_ZIPF, known) else i
    if _cue_at(toks, i, "weak_name_cues"):
        limit = RARE_ZIPF if tok.cap else 3.0
        if _nameish(tok, limit, known) and tok.low not in known.words():
            return _extend(text, toks, i, known)
        if is_first_name(tok.low):
            return _extend(text, toks, i, known)
        return i
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is None or not _adjacent(text, tok, nxt):
        return i
    lower_ok = tok.cap or zipf(tok.low) < FUNCTION_ZIPF  # "will travel" is no name
    if is_first_name(tok.low) and lower_ok and tok.cap == nxt.cap:
        if nxt.low in _words("titles") or nxt.low in known.places:
            return i
        if not tok.cap and zipf(nxt.low) >= FUNCTION_ZIPF:
            return i
        end = _extend(text, toks, i, known, 3)
        return i if (tok.low, toks[i + 1].low) in known.pairs() else end
    return _rare_pair(text, toks, i, known)


def _rare_pair(text: str, toks: list[_Token], i: int, known: Known) -> int:
    """Adjacent capitalised words (a particle may stand between) that no dictionary, page
    or place list knows and that are no compounds: "Olusegun Adebayo", "Tran Van Duc"."""
    if i and toks[i - 1].low in _words("articles"):
        return i  # "die Kantorei ...": no name follows an article
    names = [i]
    j = i + 1
    while j < len(toks) and len(names) < 3 and _adjacent(text, toks[j - 1], toks[j]):
        if toks[j].low in _words("name_particles") and j + 1 < len(toks):
            j += 1
            continue
        names.append(j)
        j += 1
        if not toks[names[-1]].cap:
            break
    picked = [toks[k] for k in names]
    ok = []
    for t in picked:
        if not t.cap or zipf(t.low) >= RARE_ZIPF or t.low in known.places or _compound(t.low):
            break
        ok.append(t)
    if len(ok) < 2:
        return i
    if any(t.low in known.words() for t in ok):
        return i
    return toks.index(ok[-1]) + 1
