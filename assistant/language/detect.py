"""Tell German from English in short questions (and notice other languages).

py3langid restricted to de/en decides when nothing simpler does; before it, names are
masked (a question about "Mayors for Peace" is not English), German letters (ä ö ü ß) mean
German unless English marker words clearly outnumber German ones, and marker words
vote. Measured on ``tests/data/language_queries.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.language.langid_model import load_model
from assistant.resources import load_data

_WORD = re.compile(r"[^\W\d_]+(?:[-.][^\W\d_]+)*", re.UNICODE)
_GERMAN_LETTERS = re.compile(r"[äöüß]")
_model_folder: Path | None = None  # set by warm_up: where the decoded model is kept
_FOREIGN = re.compile(r"[éèêàâçòóôőűşğıąęłżźćńñ¿¡œ]|[^\W\d_A-Za-zÄÖÜäöüß]")


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of the names as whole words (longest first), or None."""
    folded = {n.strip().lower() for n in names if n and n.strip()}
    if not folded:
        return None
    pattern = "|".join(re.escape(n) for n in sorted(folded, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)


@cache
def _markers() -> dict[str, Any]:
    data = load_data("language_markers.yaml")
    places = load_data("place_names.yaml")["groups"]
    return {
        "de": {w.lower() for w in data["de"]},
        "en": {w.lower() for w in data["en"]},
        "names": names_pattern(v for group in places for v in group),
    }


@cache
def _identifiers() -> tuple[Any, Any]:
    """The identifier restricted to German and English, and the full one: one model read
    (its decompression is most of the cold start's language time), two views of it."""
    from py3langid.langid import LanguageIdentifier

    ptc, pc, classes, nextmove, row, output = load_model(_model_folder)

    def view() -> Any:
        return LanguageIdentifier(
            np.asarray(ptc), np.asarray(pc), classes, nextmove, output, True, tk_row=row
        )

    de_en, full = view(), view()
    de_en.set_languages(["de", "en"])
    return de_en, full


def warm_up(model_folder: Path | None = None) -> None:
    """Load the language model and the sentence splitter now (the assistant does it while its
    index opens, so the first question does not wait for them).
    ``model_folder``: where the decoded model is kept between starts (``langid_model.py``)."""
    from assistant.documents.chunking import sentence_spans

    global _model_folder
    _model_folder = model_folder
    _identifiers()
    sentence_spans("Ein Satz. Noch einer.")


_QUOTED = re.compile(r"[„“\"«»‘’']([^„“\"«»‘’']{2,80})[“”\"«»‘’']")
_PARENS = re.compile(r"\(([^()]{2,60})\)")


def mask_names(text: str, names: re.Pattern[str] | None = None) -> str:
    """The text without the names of places (and ``names``: the pages' own people, places
    and networks, :func:`names_pattern`), and without quoted or bracketed titles (a question
    may quote a German project name)."""
    text = _PARENS.sub(" ", _QUOTED.sub(" ", text))
    for pattern in (_markers()["names"], names):
        if pattern is not None:
            text = pattern.sub(" ", text)
    return text


FREQUENCY_MARGIN = 1.5  # Zipf points by which a word is more common in one language


@lru_cache(maxsize=65536)
def _frequency_vote(word: str) -> int:
    """+1 when a word is far more common in German than in English, -1 for the reverse, else
    0 (``wordfreq``'s general frequency lists)."""
    from wordfreq import zipf_frequency

    diff = zipf_frequency(word, "de") - zipf_frequency(word, "en")
    return 1 if diff >= FREQUENCY_MARGIN else -1 if diff <= -FREQUENCY_MARGIN else 0


def warm_frequencies() -> None:
    """Load ``wordfreq``'s lists now: the first question that needs them would wait half a
    second. A server does it before it serves; a single question from the command line,
    which seldom needs them, does not pay for it at start."""
    _frequency_vote("hallo")


def detect_language(text: str, names: re.Pattern[str] | None = None) -> str:
    """ "de", "en", or the ISO code of another language for text clearly in neither;
    ``names`` (the pages' own, :func:`names_pattern`) decide nothing."""
    markers = _markers()
    masked = mask_names(text, names)
    words = [w.lower() for w in _WORD.findall(masked)]
    de_votes = sum(w in markers["de"] for w in words)
    en_votes = sum(w in markers["en"] for w in words)
    de_en, full = _identifiers()
    foreign = bool(_FOREIGN.search(masked))
    votes = de_votes + en_votes
    if words and (foreign or votes <= len(words) // 4):
        other, prob = full.classify(masked)
        clear = (foreign and votes < 2) or (len(words) >= 3 and prob >= 0.6)
        if other not in ("de", "en") and clear:
            return str(other)
    # German letters mean German, unless English words clearly carry the question (an
    # English question may name a German office: "When was the Netzwerkstelle set up?")
    english_frame = en_votes >= 3 and en_votes >= de_votes + 2
    if _GERMAN_LETTERS.search(masked.lower()) and not english_frame:
        return "de"
    if de_votes != en_votes:
        return "de" if de_votes > en_votes else "en"
    # no marker word decides: words far more common in one language than the other do
    # ("Hallo", "Moin", "schedule"), by the general frequency lists
    by_frequency = sum(_frequency_vote(w) for w in words)
    if by_frequency:
        return "de" if by_frequency > 0 else "en"
    probe = masked if words else text
    if not _WORD.search(probe):
        return "de"
    return str(de_en.classify(probe)[0])
