"""The lexical legs: BM25 over German word stems and over character n-grams.

Text is folded the same way for passages and questions (Ł→l, ñ→n, ß→ss, ä and ae→a),
German stop words are dropped, words are reduced by the German Snowball stemmer. Questions
are expanded with other spellings of place names and, for English questions, with German
terms from a domain glossary (``assistant/data``).
"""

from __future__ import annotations

import difflib
import json
import shutil
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from assistant.indexing.arrays import map_npz
from assistant.language.words import (
    contains_phrase,
    content_words,
    expand_query,
    ngrams,
    stems,
    stopwords,
)

LEXICAL_VERSION = 2  # of the saved index; bump when words, stems, n-grams or the layout change
MATCH_CACHE = 65536  # words whose matches a vocabulary remembers
NEAR_CANDIDATES = 60  # words sharing the most trigrams that a near spelling is looked among


class Vocabulary:
    """The folded words of the pages, for "do the pages know this word?": as is, by stem,
    inside a compound, or with a typo. A trigram index keeps the compound and typo checks
    fast on large collections (only words sharing trigrams are compared)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)
        self.stems = frozenset(stems(sorted(self.words)))
        self._grams: dict[str, list[str]] | None = None
        self._stem_words: dict[str, set[str]] | None = None

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __len__(self) -> int:
        return len(self.words)

    @staticmethod
    def _trigrams(word: str) -> set[str]:
        padded = f"#{word}#"
        return {padded[i : i + 3] for i in range(len(padded) - 2)}

    def _index(self) -> dict[str, list[str]]:
        if self._grams is None:
            grams: dict[str, list[str]] = {}
            for w in sorted(self.words):
                for g in self._trigrams(w):
                    grams.setdefault(g, []).append(w)
            self._grams = grams
        return self._grams

    def _sharing(self, word: str) -> Counter[str]:
        """Words sharing trigrams with ``word``, with how many they share, counted in the
        trigrams' sorted order: ties keep one order in every process (a set's order follows
        the process's hash seed, and the nearest candidates are cut at a count)."""
        index = self._index()
        return Counter(w for g in sorted(self._trigrams(word)) for w in index.get(g, ()))

    def matches(self, word: str, cutoff: float = 0.8, loose: bool = True) -> frozenset[str]:
        """The pages' words that stand for ``word``: itself, its stem's words, and unless
        not ``loose``, compounds holding it (or held by it) and near spellings (typos).
        Remembered per word (questions repeat their words)."""
        key = (word, cutoff, loose)
        cache = self.__dict__.setdefault("_matches", {})
        if key not in cache:
            if len(cache) >= MATCH_CACHE:
                cache.clear()
            cache[key] = self._match(word, cutoff, loose)
        return cache[key]

    def _match(self, word: str, cutoff: float, loose: bool) -> frozenset[str]:
        if not word:
            return frozenset()
        stem = stems([word])[0]
        found = {word} if word in self.words else set()
        found |= self._by_stem().get(stem, set())
        if not loose:
            return frozenset(found)
        shared = self._sharing(word)
        if len(word) >= 5:
            found |= {
                v for v in shared if word in v or (len(v) >= max(6, 0.7 * len(word)) and v in word)
            }
        near = [w for w, _ in shared.most_common(NEAR_CANDIDATES)]
        if len(word) >= 4:
            found |= set(difflib.get_close_matches(word, near, n=3, cutoff=cutoff))
        if len(word) >= 8:  # a compound: the pages' words that hold both its parts
            found |= self._parts(word)  # (Partnerstadt ~ Städtepartnerschaft; Willkommens-
        return frozenset(found)  # und Anerkennungskultur for Willkommenskultur)

    def _parts(self, word: str) -> set[str]:
        """The pages' words that hold both parts of a compound (each part a word of the
        pages, or the start of one; a linking s may join them), or when none does, the
        words that start with its first part or end with its head."""
        for i in range(len(word) - 4, 3, -1):
            first, head = word[:i], word[i:]
            if first.endswith("s") and first[:-1] in self.words:
                first = first[:-1]
            starting = {w for w in self._sharing(first) if first in w}
            ending = {w for w in self._sharing(head) if head in w}
            if not starting or not ending:
                continue
            both = starting & ending
            if both:
                return both
            return {w for w in starting if w.startswith(first)} | {
                w for w in ending if w.endswith(head)
            }
        return set()

    def _by_stem(self) -> dict[str, set[str]]:
        if getattr(self, "_stem_words", None) is None:
            index: dict[str, set[str]] = {}
            words = sorted(self.words)
            for w, s in zip(words, stems(words), strict=True):
                index.setdefault(s, set()).add(w)
            self._stem_words = index
        return self._stem_words

    def known(self, word: str, cutoff: float = 0.85) -> bool:
        if word in self.words or stems([word])[0] in self.stems:
            return True
        shared = self._sharing(word)
        if len(word) >= 5 and any(
            word in v or (len(v) >= max(6, 0.7 * len(word)) and v in word) for v in shared
        ):
            return True
        near = [w for w, _ in shared.most_common(200)]
        return bool(difflib.get_close_matches(word, near, n=1, cutoff=cutoff))


class LexicalIndex:
    """Two BM25 indexes (word stems, character n-grams) over the same passages."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        import bm25s

        order = sorted(range(len(ids)), key=lambda i: ids[i])  # id order: deterministic ties
        self.ids = [ids[i] for i in order]
        self.position = {cid: i for i, cid in enumerate(self.ids)}
        words = [content_words(texts[i]) for i in order]
        self._set_stems([sorted(set(stems(w))) for w in words])
        self.words_seen = set().union(*words) if words else set()
        self.words = bm25s.BM25(k1=1.2, b=0.75)
        self.grams = bm25s.BM25(k1=1.2, b=0.75)
        if self.ids:
            self.words.index([stems(w) or ["_"] for w in words], show_progress=False)
            self.grams.index([ngrams(w) or ["_"] for w in words], show_progress=False)

    def _set_stems(self, per_passage: Sequence[Sequence[str]]) -> None:
        """Each passage's distinct stems as one sparse table (stem ids per passage, CSR):
        a few arrays instead of one set of strings per passage, which at 100k passages took
        seconds to rebuild at start and hundreds of MB to keep."""
        stem_id: dict[str, int] = {}
        lengths = np.fromiter((len(row) for row in per_passage), dtype=np.int64)
        indptr = np.zeros(len(per_passage) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.fromiter(
            (stem_id.setdefault(s, len(stem_id)) for row in per_passage for s in row),
            dtype=np.int32,
            count=int(indptr[-1]),
        )
        self._init_stems(list(stem_id), indptr, indices)

    def _init_stems(self, vocab: list[str], indptr: np.ndarray, indices: np.ndarray) -> None:
        self._stem_vocab = vocab
        self._stem_id = {s: i for i, s in enumerate(vocab)}
        self._indptr, self._indices = indptr, indices
        self._df = np.bincount(indices, minlength=len(vocab)).astype(np.int64)

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` (written beside, then renamed into place)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.ids:
            self.words.save(tmp / "words", show_progress=False)
            self.grams.save(tmp / "grams", show_progress=False)
        meta = {
            "version": LEXICAL_VERSION,
            "ids": self.ids,
            "stems": self._stem_vocab,
            "words": sorted(self.words_seen),
        }
        np.savez(tmp / "stems.npz", indptr=self._indptr, indices=self._indices)
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The index saved in ``folder``, or None when it is missing or of another version."""
        import bm25s

        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("version") != LEXICAL_VERSION:
            return None
        index = cls.__new__(cls)
        index.ids = meta["ids"]
        index.position = {cid: i for i, cid in enumerate(index.ids)}
        try:
            table = map_npz(folder / "stems.npz")
            indptr, indices = table["indptr"], table["indices"]
        except (OSError, ValueError, KeyError):
            return None
        if len(indptr) != len(index.ids) + 1:
            return None
        index._init_stems(meta["stems"], indptr, indices)
        index.words_seen = set(meta["words"])
        if index.ids:  # the score tables are mapped: a search reads only its words' columns
            index.words = bm25s.BM25.load(folder / "words", mmap=True, show_progress=False)
            index.grams = bm25s.BM25.load(folder / "grams", mmap=True, show_progress=False)
        else:
            index.words = bm25s.BM25(k1=1.2, b=0.75)
            index.grams = bm25s.BM25(k1=1.2, b=0.75)
        return index

    def _scores(self, model, tokens: list[str]) -> np.ndarray:
        if not self.ids or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        vocab = model.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(model.get_scores(known), dtype=np.float32)

    def search(
        self,
        text: str,
        lang: str,
        k: int,
        aliases: Mapping[tuple[str, ...], Sequence[str]] | None = None,
    ) -> dict[str, list[tuple[str, float]]]:
        """Ranked (id, score) per leg ("bm25", "ngram"); zero-score passages are dropped.
        ``aliases``: other names of the pages' places (folded) → the pages' words for them,
        added to a question that names a place so."""
        own, added = expand_query(text, lang)
        first = set(own)  # a name's first word must be among the question's (a set lookup)
        for name, page in (aliases or {}).items():
            if name and name[0] in first and contains_phrase(own, name):
                added += [w for w in page if w not in own and w not in added]
        stop = stopwords()
        own = [w for w in own if w not in stop]
        added = [w for w in added if w not in stop]
        legs = {
            "bm25": self._scores(self.words, stems(own + added)),
            "ngram": self._scores(self.grams, ngrams(own + added)),
        }
        out = {}
        for leg, scores in legs.items():
            order = np.lexsort((np.arange(len(self.ids)), -scores))[:k]
            out[leg] = [(self.ids[i], float(scores[i])) for i in order if scores[i] > 0]
        return out

    @property
    def known_stems(self) -> Collection[str]:
        """Every stem of the passages."""
        return self._stem_id.keys()

    def doc_freq(self, stem: str) -> int:
        """In how many passages a stem occurs."""
        found = self._stem_id.get(stem)
        return 0 if found is None else int(self._df[found])

    def coverage(self, text: str, chunk_id: str) -> float:
        """Share of the question's own content stems found in the passage."""
        wanted = set(stems(content_words(text)))
        if not wanted or chunk_id not in self.position:
            return 0.0
        p = self.position[chunk_id]
        held = set(self._indices[self._indptr[p] : self._indptr[p + 1]].tolist())
        ids = self._stem_id
        return sum(1 for s in wanted if s in ids and ids[s] in held) / len(wanted)
