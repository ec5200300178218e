"""English words → the pages' German words, from a German-English dictionary.

An English question about German pages cannot be matched word by word. The ingest reads a
German-English dictionary (by default Debian's ``trans-de-en``, the Ding dictionary, at
``/usr/share/trans/de-en``; ``ASSISTANT_DICTIONARY`` names another file of that format) and
keeps, for the words the pages use, their English translations: the dictionary's entry of
the word itself, of its stem, and of the parts of a compound (``Willkommenskultur`` →
welcome, culture). Only that small table is stored with the index. It also keeps which
English words the dictionary knows at all, so a question's English word that the pages
never translate ("inhabitants" → Einwohner, which no page uses) is told apart from a name
the dictionary does not know.

Without the dictionary file the bridge is empty and English words are matched only through
the glossary (``assistant/data/glossary.yaml``) and as they are.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from assistant.indexing.arrays import map_npz
from assistant.language.words import fold_words, stems, stopwords

DEFAULT_DICTIONARY = Path("/usr/share/trans/de-en")
BRIDGE_VERSION = 5
MIN_PART = 4  # shortest German word accepted as the part of a compound
MIN_HEAD = 3  # shortest head of a compound whose first part is a word too (…rat, …amt)
MAX_ENGLISH_WORDS = 3  # longest English phrase kept
MAX_TRANSLATIONS = 12  # English phrases kept per German word (the dictionary's first ones)
MIN_FREQUENCY = 1e-8  # rarer words of the frequency lists are left out (Zipf 1)
_NOTE = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|<[^>]*>")


def _clean(text: str) -> str:
    return " ".join(_NOTE.sub(" ", text).split())


@cache
def _english_stop() -> frozenset[str]:
    return stopwords("en") | {"sb", "sth", "to", "be", "etw", "jdn", "jdm"}


def _base(word: str) -> str:
    """An English word without its plural or verb ending ("cities" → city, "signed" →
    sign, "meeting" → meet): a light lemma, so that a question's inflected word finds the
    dictionary's base form without the collisions of a stemmer (population ≠ populism)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-1] if word.endswith(("ated", "ised", "ized", "uced")) else word[:-2]
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def english_key(phrase: str) -> str:
    """An English phrase by its words' light lemmas ("signed" and "sign" meet)."""
    return " ".join(_base(w) for w in phrase.split())


def dictionary_fingerprint(path: Path | None) -> str:
    """Which dictionary file (and which frequency lists) a bridge was built from."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        wordfreq_version = version("wordfreq")
    except PackageNotFoundError:  # pragma: no cover - wordfreq is a dependency
        wordfreq_version = "none"
    if path is None or not path.is_file():
        return f"none; wordfreq {wordfreq_version}"
    stat = path.stat()
    return f"{path.name} {stat.st_size} bytes; wordfreq {wordfreq_version}"


def parse_dictionary(path: Path) -> tuple[dict[str, list[str]], frozenset[str]]:
    """(German headword, folded → English phrases, folded), and every English word the
    dictionary holds. Lines read ``German | plural … :: English | plural …``. Parsed once
    per process and file version."""
    stat = path.stat()
    return _parse(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=2)
def _parse(path: str, size: int, mtime: int):
    german: dict[str, list[str]] = {}
    english: set[str] = set()
    nouns: set[str] = set()  # English words that translate a German noun
    verbs: set[str] = set()  # English words the dictionary gives as "to …"
    stop = _english_stop()
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith("#") or " :: " not in line:
                continue
            left, right = line.rstrip("\n").split(" :: ", 1)
            for g_seg, e_seg in zip(left.split(" | ")[:2], right.split(" | ")[:2], strict=False):
                heads = [fold_words(_clean(g)) for g in g_seg.split(";")]
                heads = [h[0] for h in heads if len(h) == 1 and len(h[0]) >= 3]
                noun = any(tag in g_seg for tag in ("{m}", "{f}", "{n}", "{pl}"))
                phrases = []
                for e in e_seg.split(";"):
                    raw = fold_words(_clean(e))
                    if len(raw) == 2 and raw[0] == "to":
                        verbs.add(raw[1])
                    elif noun and len(raw) == 1:
                        nouns.add(raw[0])
                    words = [w for w in raw if w not in stop]
                    if not 0 < len(words) <= MAX_ENGLISH_WORDS:
                        continue
                    phrase = " ".join(words)
                    phrases.append(phrase)
                    if phrase not in heads:
                        english.update(words)
                # a phrase spelt as its headword is no translation of it ("Musterstadt ::
                # Musterstadt", a name), but it is one of the line's other headwords ("Reise;
                # Trip :: trip": Reise → trip)
                for head in heads:
                    mine = [p for p in phrases if p != head]
                    if mine:
                        known = german.setdefault(head, [])
                        known += [p for p in mine if p not in known]
    return german, frozenset(english), frozenset(nouns), frozenset(verbs)


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")


@lru_cache(maxsize=2)
def frequencies(lang: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted word hashes, Zipf frequency × 10 as uint8) of every word ``wordfreq`` knows
    in a language (empty when it is not installed)."""
    try:
        from wordfreq import get_frequency_dict

        frequency = get_frequency_dict(lang)
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        frequency = {}
    table: dict[int, int] = {}
    for w, f in frequency.items():
        if f < MIN_FREQUENCY:
            break  # the list is ordered by frequency
        folded = _fold_one(w) if w.isascii() and w.isalpha() else "".join(fold_words(w))
        if folded:
            h = _word_hash(folded)
            table[h] = max(table.get(h, 0), round(10 * (math.log10(f) + 9)))
    keys = np.asarray(sorted(table), dtype=np.uint64)
    return keys, np.asarray([table[int(k)] for k in keys], dtype=np.uint8)


_DIGRAPH = re.compile(r"(?<=[a-z])([aou])e")


def _fold_one(word: str) -> str:
    """``fold_words`` of one lower-case ASCII word, without its general machinery."""
    return _DIGRAPH.sub(r"\1", word.lower())


def _lookup(keys: np.ndarray, values: np.ndarray, word: str) -> int | None:
    h = np.uint64(_word_hash(word))
    i = int(np.searchsorted(keys, h))
    return int(values[i]) if i < len(keys) and keys[i] == h else None


class Bridge:
    """English word or phrase (folded) → the pages' words that translate it."""

    def __init__(
        self,
        table: dict[str, list[str]] | None = None,
        english: tuple[np.ndarray, np.ndarray] | None = None,
        german: tuple[np.ndarray, np.ndarray] | None = None,
        kinds: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        empty = (np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint8))
        self.kinds = kinds if kinds is not None else empty
        self.table = {k: frozenset(v) for k, v in (table or {}).items()}
        self.english = english if english is not None else empty
        self.german = german if german is not None else empty

    def __bool__(self) -> bool:
        return bool(len(self.english[0]))

    def translations(self, phrase: str) -> frozenset[str]:
        found = self.table.get(phrase)
        return found if found is not None else self.table.get(english_key(phrase), frozenset())

    def zipf(self, word: str, lang: str) -> float | None:
        """How common a word of the language is (Zipf scale, 0–8), or None when the
        dictionary does not know it (a name, a typo, a word of another language)."""
        keys, values = self.english if lang == "en" else self.german
        found = _lookup(keys, values, word)
        if found is None and lang == "en":
            found = _lookup(keys, values, english_key(word))
        return None if found is None else found / 10

    def correction(self, word: str, lang: str, min_zipf: float) -> str | None:
        """The most common word of the language one typing slip away from ``word`` (a
        letter dropped, added, changed or two swapped), when it is at least ``min_zipf``
        common; None when there is none."""
        keys, values = self.english if lang == "en" else self.german
        if not len(keys):
            return None
        letters = "abcdefghijklmnopqrstuvwxyz"
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
        edits |= {a + c + b for a, b in splits for c in letters}
        edits.discard(word)
        candidates = sorted(edits)
        hashes = np.asarray([_word_hash(w) for w in candidates], dtype=np.uint64)
        at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
        hit = keys[at] == hashes
        if not hit.any():
            return None
        zipfs = np.where(hit, values[at], 0)
        best = int(np.argmax(zipfs))  # the first of the most common, in sorted order
        return candidates[best] if zipfs[best] / 10 >= min_zipf else None

    def names_a_thing(self, word: str) -> bool:
        """Is an English word a noun of the dictionary and never a verb ("population", not
        "approved" or "become")?"""
        bits = 0
        base = _base(word)
        for form in dict.fromkeys((word, base, base + "e")):
            bits |= _lookup(*self.kinds, form) or 0
        return bits == 1

    def is_english(self, word: str) -> bool:
        """Does the dictionary know ``word`` as English (a word, not a name it lacks)?"""
        return self.zipf(word, "en") is not None

    @classmethod
    def build(cls, page_words: Iterable[str], dictionary: Path | None) -> Bridge:
        """The bridge for the pages' words, from the dictionary file (empty without one)."""
        if dictionary is None or not dictionary.is_file():
            return cls()
        german, by_stem, english_freq, german_freq, kinds = _prepared(dictionary)
        table: dict[str, set[str]] = {}
        words = sorted(set(page_words))
        for word, stem in zip(words, stems(words), strict=True):
            for head in _sources(word, stem, german, by_stem):
                for phrase in german[head][:MAX_TRANSLATIONS]:
                    table.setdefault(phrase, set()).add(word)
                    table.setdefault(english_key(phrase), set()).add(word)
        return cls({k: sorted(v) for k, v in table.items()}, english_freq, german_freq, kinds)

    def save(self, path: Path) -> None:
        meta = {"version": BRIDGE_VERSION, "table": {k: sorted(v) for k, v in self.table.items()}}
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
            english_keys=self.english[0],
            english_zipf=self.english[1],
            german_keys=self.german[0],
            german_zipf=self.german[1],
            kind_keys=self.kinds[0],
            kind_bits=self.kinds[1],
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Bridge | None:
        try:
            data = map_npz(path)
            meta = json.loads(bytes(data["meta"]).decode())
            english = (data["english_keys"], data["english_zipf"])
            german = (data["german_keys"], data["german_zipf"])
            kinds = (data["kind_keys"], data["kind_bits"])
        except (OSError, ValueError, KeyError):
            return None
        if meta.get("version") != BRIDGE_VERSION:
            return None
        return cls(meta["table"], english, german, kinds)


def _prepared(path: Path):
    """The parsed dictionary, its headwords by stem and both languages' word frequencies:
    made once per process and dictionary file (parsing takes seconds)."""
    stat = path.stat()
    return _prepare(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=2)
def _prepare(path: str, size: int, mtime: int):
    german, _english, nouns, verbs = parse_dictionary(Path(path))
    by_stem: dict[str, list[str]] = {}
    heads = sorted(german)
    for head, stem in zip(heads, stems(heads), strict=True):
        by_stem.setdefault(stem, []).append(head)
    kinds: dict[int, int] = {}
    for bit, words in ((1, nouns), (2, verbs)):
        for w in words:
            h = _word_hash(w)
            kinds[h] = kinds.get(h, 0) | bit
    keys = np.asarray(sorted(kinds), dtype=np.uint64)
    kind_table = (keys, np.asarray([kinds[int(k)] for k in keys], dtype=np.uint8))
    return german, by_stem, frequencies("en"), frequencies("de"), kind_table


def _sources(word: str, stem: str, german: dict, by_stem: dict) -> list[str]:
    """The dictionary's headwords that a page's word stands for: itself, a word of its
    stem, a woman's form's base (``Schatzmeisterin`` → Schatzmeister), and the head and
    first part of a compound."""
    found = [word] if word in german else []
    found += [h for h in by_stem.get(stem, ()) if h not in found]
    if found or len(word) < 2 * MIN_PART:
        return found
    for ending in ("innen", "in"):  # a woman's form: the dictionary often has only the man's
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= MIN_PART and base in german:
            return [base]
    # a compound of two words: its head (…rat → council, …transporte → Transport) and its
    # first part, as written or without the letters that join it (hilfs… → Hilfe, schul… →
    # Schule, senioren… → Senior); the longest first part, so that a joining letter is not
    # read as the head's (partnerschafts|tag, not partnerschaft|stag)
    cuts = range(MIN_PART, len(word) - MIN_HEAD + 1)  # where the first part ends
    tails = [word[n:] for n in cuts]
    tail_stems = dict(zip(cuts, stems(tails), strict=True))
    heads = {n: _headword(word[n:], tail_stems[n], german, by_stem) for n in cuts}
    firsts = {n: [c for c in _joined(word[:n]) if c in german] for n in cuts}
    for n in reversed(cuts):
        if heads[n] and firsts[n]:
            return [heads[n], *firsts[n][:2]]
    # else the last part alone says what it is (…kultur → culture): the longest one, so that
    # a short word inside it does not win (…transporte is no …orte)
    head = next((heads[n] for n in cuts if heads[n] and len(word) - n >= MIN_PART), None)
    found = [head] if head else []
    # and the first part alone what kind (willkommens… → welcome)
    for n in reversed(range(MIN_PART, len(word) - MIN_PART + 1)):
        forms = [c for c in firsts[n] if c not in found]
        if forms:
            return found + forms[:2]
    return found


def _headword(tail: str, stem: str, german: dict, by_stem: dict) -> str | None:
    """The headword a compound's last part is, or is a form of (…transporte → Transport);
    a part shorter than ``MIN_PART`` only as written (…rat, …amt)."""
    if tail in german:
        return tail
    inflected = tail.startswith(stem) and tail[len(stem) :] in _INFLECTIONS
    if len(tail) < MIN_PART or not inflected:
        return None
    return next(iter(by_stem.get(stem, ())), None)


# what a noun's stem takes in its plural or another case (Transport-e, Begegnung-en)
_INFLECTIONS = frozenset({"", "e", "en", "n", "s", "es", "er", "ern", "nen"})


def _joined(first: str) -> tuple[str, ...]:
    """A compound's first part as written, without its joining ending (-s, -n, -en), with
    -s read as -e (Hilfs… → Hilfe), and with the -e it drops (Schul… → Schule)."""
    forms = [first]
    if first.endswith("s"):
        forms += [first[:-1], first[:-1] + "e"]
    if first.endswith("n"):
        forms += [first[:-1]]
    if first.endswith("en"):
        forms += [first[:-2]]
    forms += [first + "e"]  # Schul… → Schule
    return tuple(f for f in dict.fromkeys(forms) if len(f) >= MIN_PART)
