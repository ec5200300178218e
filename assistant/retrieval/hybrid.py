"""Find passages for a question: dense, lexical, and their language-aware fusion."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Protocol

from assistant.indexing.embedding import Embedder
from assistant.indexing.store import ChunkStore
from assistant.language.detect import detect_language
from assistant.language.intent import folded_lines, intents, places, structure_score, word_lists
from assistant.language.words import fold_words, german_terms, stems, stopwords
from assistant.records import Chunk, Passage
from assistant.resources import DATA
from assistant.retrieval.ahead import VectorsAhead
from assistant.retrieval.evidence import EvidenceScorer, blend, read_ahead
from assistant.retrieval.lexical import LexicalIndex, Vocabulary
from assistant.retrieval.scope import Cities, chunk_positions, must_widen, question_scope

LEGS = ("dense", "dense_de", "bm25", "ngram", "structure", "evidence")
# Weights of each leg in the fusion, by question language: BM25 cannot bridge English to
# German, so for English questions the dense leg leads; the glossary gives BM25 a voice.
# "dense_de" is the dense leg of an English question embedded with its glossary terms (it
# replaces "dense" then). "evidence" (sentence level, evidence.py) reranks the first
# fusion's best candidates.
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "de": {"dense": 1.0, "bm25": 1.0, "ngram": 1.0, "structure": 1.0, "evidence": 1.0},
    "en": {"dense": 1.0, "dense_de": 1.0, "bm25": 0.6, "ngram": 0.3, "structure": 1.0},
}
# For English questions rank fusion keeps too little of the evidence (the lexical legs are
# weak across languages): there the final order is evidence + this share × fused score.
EVIDENCE_BLEND: dict[str, float] = {"en": 0.4}
# Weights fitted on the training questions per embedder (benchmarks/fit_fusion.py); the
# defaults above serve an embedder without an entry.
FUSION_PATH = DATA / "fusion.json"
RRF_K = 5
DEPTH = 50  # candidates taken from each leg
EVIDENCE_DEPTH = 30  # candidates of the first fusion that the evidence stage reads
# German terms added per English glossary phrase to the embedded question (None: all): the
# first one ranks better on the eval questions (English Hit@1 0.876 against 0.857 with all,
# MRR@10 0.930 against 0.918) with less text to embed
DENSE_TERMS: int | None = 1
_WORD_TOKEN = re.compile(r"\S+")
MAX_SCOPES = 8  # retrievers over a scope's passages kept
RARE_SHARE = 0.05  # a place named by at most this share of passages marks them by itself


@cache
def _english_stopwords() -> frozenset[str]:
    return stopwords("en") - word_lists()["meaning"]


def dense_text(query: str, lang: str) -> tuple[str, str]:
    """The leg name and the text the dense leg embeds for a question.

    An English question naming glossary phrases is embedded with their German terms added
    (leg ``dense_de``: one vector that bridges both languages). Its English stop words are
    left out then (question words and negation stay: word list ``meaning``), so the text is
    hardly longer than the question: the engine's time grows with every token.
    """
    terms = german_terms(query, DENSE_TERMS) if lang == "en" else []
    if not terms:
        return "dense", query
    stop = _english_stopwords()
    kept = [t for t in _WORD_TOKEN.findall(query) if "".join(fold_words(t)) not in stop]
    return "dense_de", " ".join([*(kept or [query]), *terms])


class Retriever(Protocol):
    def retrieve(self, query: str, k: int, lang: str | None = None) -> list[Passage]: ...


def weighted_rrf(
    rankings: Mapping[str, Sequence[str]], weights: Mapping[str, float], k: int = RRF_K
) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: Σ weight / (k + rank), best first, ties by id.

    A chunk listed twice by one leg counts once, at its best rank.
    """
    fused: dict[str, float] = {}
    for leg, ids in rankings.items():
        weight = weights.get(leg, 0.0)
        if weight <= 0:
            continue
        seen: set[str] = set()
        for rank, cid in enumerate(ids, 1):
            if cid in seen:
                continue
            seen.add(cid)
            fused[cid] = fused.get(cid, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def fitted_fusion(embedder: str, path: Path = FUSION_PATH):
    """(weights, evidence blend) fitted for an embedder, or None."""
    if not path.exists():
        return None
    entry = json.loads(path.read_text(encoding="utf-8")).get(embedder)
    if not entry:
        return None
    return entry["weights"], entry.get("evidence_blend", {})


def question_language(query: str, lang: str | None) -> str:
    """The language the retriever weighs for: the explicit one, else detected; others → de."""
    found = lang or detect_language(query)
    return found if found in ("de", "en") else "de"


class Calibration:
    """Relevance probability of a passage from its dense score, term coverage, rank and
    sentence-level evidence (a logistic model fitted by ``benchmarks/calibrate.py``)."""

    def __init__(self, coef: Sequence[float], intercept: float, embedder: str) -> None:
        self.coef = list(coef)
        self.intercept = intercept
        self.embedder = embedder

    @classmethod
    def load(cls, embedder: str, path: Path = DATA / "calibration.json") -> Calibration | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        entry = data.get(embedder)
        return cls(entry["coef"], entry["intercept"], embedder) if entry else None

    @staticmethod
    def features(dense: float, coverage: float, rank: int, evidence: float) -> list[float]:
        return [dense, coverage, 1.0 / rank, evidence]

    def probability(self, dense: float, coverage: float, rank: int, evidence: float) -> float:
        x = self.features(dense, coverage, rank, evidence)
        z = self.intercept + sum(c * f for c, f in zip(self.coef, x, strict=True))
        return 1.0 / (1.0 + math.exp(-z))


def build_lexical(chunks: Mapping[str, Chunk]) -> LexicalIndex:
    """The BM25 legs over the chunks: title, section and passage text of each."""
    ids = sorted(chunks)
    texts = [f"{chunks[i].title}\n{chunks[i].section}\n{chunks[i].passage_text}" for i in ids]
    return LexicalIndex(ids, texts)


@lru_cache(maxsize=65536)
def _lines(chunk: Chunk) -> list:
    return folded_lines(chunk.passage_text)


class HybridRetriever:
    """Dense (Chroma) + BM25 on German stems + character n-grams, fused by weighted RRF.

    ``legs`` selects the legs used (("dense",) or ("bm25",) for comparisons).
    """

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        legs: Sequence[str] = LEGS,
        weights: Mapping[str, Mapping[str, float]] | None = None,
        calibration: Calibration | None = None,
        lexical_path: Path | None = None,
        doc_cities: Mapping[str, str] | None = None,
        among: Sequence[str] | None = None,
        blend: Mapping[str, float] | None = None,
        home: str | None = None,
        ahead: VectorsAhead | None = None,
        aliases: Mapping[tuple[str, ...], Sequence[str]] | None = None,
    ) -> None:
        self.store = store
        # another name of a place on the pages → the pages' words for it (the lexical legs)
        self.aliases = dict(aliases or {})
        self.ahead = ahead or VectorsAhead()  # shared with the scopes' retrievers
        self.doc_cities = dict(doc_cities or {})  # page id → the city it is about
        self.among = tuple(sorted(among)) if among is not None else None  # a scope's chunks
        self._scopes: dict[frozenset[str], HybridRetriever] = {}
        self.embedder = embedder
        self.legs = tuple(legs)
        fitted = fitted_fusion(embedder.name) if weights is None else None
        self.weights = weights or (fitted[0] if fitted else DEFAULT_WEIGHTS)
        if blend is None:
            blend = fitted[1] if fitted else EVIDENCE_BLEND
        self.blend = dict(blend)
        self.home = home
        self.calibration = calibration
        self.lexical_path = lexical_path

    @cached_property
    def chunks(self) -> dict[str, Chunk]:
        every = self.store.chunks()
        return every if self.among is None else {cid: every[cid] for cid in self.among}

    @cached_property
    def lexical(self) -> LexicalIndex:
        """The lexical index saved at ingest when it matches the collection, else built."""
        if self.lexical_path is not None and self.among is None:
            saved = LexicalIndex.load(self.lexical_path)
            if saved is not None and saved.ids == sorted(self.chunks):
                return saved
        return build_lexical(self.chunks)

    @cached_property
    def cities(self) -> Cities:
        return Cities(self.doc_cities.values(), self.home)

    def scoped(self, query: str, lang: str) -> HybridRetriever | None:
        """A retriever over the passages the question is about (with their own term
        statistics), or None when that is every passage (``scope.py``)."""
        if self.among is not None or not self.doc_cities:
            return None
        scope = question_scope(query, self.cities, self.home)
        if scope is None:
            return None
        if scope.cities not in self._scopes:
            if len(self._scopes) >= MAX_SCOPES:
                self._scopes.pop(next(iter(self._scopes)))
            doc_of = {cid: c.doc_id for cid, c in self.chunks.items()}
            rows = chunk_positions(self.lexical.ids, doc_of, self.doc_cities, scope.cities)
            self._scopes[scope.cities] = HybridRetriever(
                self.store,
                self.embedder,
                self.legs,
                self.weights,
                self.calibration,
                among=[self.lexical.ids[i] for i in rows],
                blend=self.blend,
                ahead=self.ahead,
                aliases=self.aliases,
            )
        sub = self._scopes[scope.cities]
        home = self.cities.home
        if must_widen(scope, query, lang, self.lexical.doc_freq, sub.lexical.known_stems, home):
            return None
        return sub

    def leg_results(self, query: str, lang: str, depth: int = DEPTH) -> dict[str, list]:
        """Ranked (chunk id, score) lists of each selected leg."""
        out: dict[str, list[tuple[str, float]]] = {}
        if "dense" in self.legs:
            leg, text = dense_text(query, lang) if "dense_de" in self.legs else ("dense", query)
            vector = self.ahead.get(text)
            if vector is None:
                vector = self.embedder.embed_queries([text])[0]
            self._last_vector = (query, vector)
            out[leg] = [(c.id, s) for c, s in self.store.query(vector, depth, self.among)]
        if {"bm25", "ngram"} & set(self.legs):
            lexical = self.lexical.search(query, lang, depth, self.aliases)
            out.update({leg: v for leg, v in lexical.items() if leg in self.legs})
        if "structure" in self.legs:
            out["structure"] = self.structure(query, out)
        return out

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """Every word of the passages (as the lexical index saw them), stop words, and the
        domain words of the glossary and the place names."""
        lists = word_lists()
        return Vocabulary(self.lexical.words_seen | stopwords() | lists["domain"])

    @cached_property
    def evidence(self) -> EvidenceScorer:
        return EvidenceScorer(self.lexical.doc_freq, len(self.chunks))

    def _with_evidence(self, query, lang, ranked, rankings, results) -> list[tuple[str, float]]:
        """Read the best candidates sentence by sentence; fuse that ranking with the legs
        (by weight), or for English blend it with the fused score (``EVIDENCE_BLEND``)."""
        head = [self.chunks[cid] for cid, _ in ranked[:EVIDENCE_DEPTH]]
        results["evidence"] = self.evidence.rank(query, lang, head)
        if self.weights[lang].get("evidence", 0) > 0:
            rankings["evidence"] = [cid for cid, _ in results["evidence"]]
            ranked = weighted_rrf(rankings, self.weights[lang])
        share = self.blend.get(lang)
        if share is not None:
            top = blend(ranked[:EVIDENCE_DEPTH], dict(results["evidence"]), share)
            ranked = top + ranked[EVIDENCE_DEPTH:]
        return ranked

    def structure(self, query: str, legs: dict[str, list]) -> list[tuple[str, float]]:
        """Of the passages the other legs found, those whose structure fits what the question
        asks for, best first; ties go to the better dense rank, then the chunk id."""
        wanted, groups = intents(query), places(query)
        if not wanted and not groups:
            return []
        dense = legs.get("dense") or legs.get("dense_de") or []
        dense_rank = {cid: i for i, (cid, _) in enumerate(dense)}
        candidates = sorted({cid for hits in legs.values() for cid, _ in hits})
        scores = {
            cid: structure_score(wanted, groups, _lines(self.chunks[cid]), self.chunks[cid].kind)
            for cid in candidates
        }
        rare = self._naming(groups) <= max(3, RARE_SHARE * len(self.chunks))
        # a real fit, or, for a place few passages name, naming it
        scored = [(cid, s) for cid, s in scores.items() if s >= 2 or (rare and s >= 1)]
        scored.sort(key=lambda x: (-x[1], dense_rank.get(x[0], len(dense_rank)), x[0]))
        return scored[:DEPTH]

    def _naming(self, groups: list) -> int:
        """About how many passages name one of the places (from the lexical index's counts:
        for each spelling, its rarest word)."""
        total = 0
        for group in groups:
            counts = [
                min(self.lexical.doc_freq(s) for s in stems(list(variant)))
                for variant in group
                if variant
            ]
            total += max(counts, default=0)
        return total

    def read_ahead(self, seconds: float) -> int:
        """Read the chunks for the evidence stage ahead of the questions about them, for at
        most ``seconds`` (:func:`assistant.retrieval.evidence.read_ahead`); how many."""
        return read_ahead(self.chunks.values(), seconds) if "evidence" in self.legs else 0

    def prefetch(self, queries: Sequence[str], lang: str | None = None) -> int:
        """Embed ``queries`` (one question's parts) as the dense leg will, in one call,
        before their searches, which then look the vectors up (:class:`VectorsAhead`): the
        engine's time, spent outside the GIL, is not spent holding the caller's lock. How
        many texts were embedded (none without a dense leg, or for blank queries)."""
        if isinstance(queries, str):  # one question, not its characters
            queries = [queries]
        texts: list[str] = []
        if "dense" in self.legs:
            bridged = "dense_de" in self.legs
            for query in (q for q in queries if q.strip()):
                qlang = question_language(query, lang)
                texts.append(dense_text(query, qlang)[1] if bridged else query)
        texts = list(dict.fromkeys(texts))
        vectors = self.embedder.embed_queries(texts) if texts else []
        self.ahead.keep(dict(zip(texts, vectors, strict=True)))
        return len(texts)

    def retrieve(self, query: str, k: int, lang: str | None = None) -> list[Passage]:
        if not query.strip():
            return []
        lang = question_language(query, lang)
        sub = self.scoped(query, lang)
        if sub is not None:
            passages = sub.retrieve(query, k, lang)
            self._last_vector = getattr(sub, "_last_vector", None)
            return passages
        results = self.leg_results(query, lang)
        if len(self.legs) == 1:
            ranked = results[self.legs[0]]
        else:
            rankings = {leg: [cid for cid, _ in hits] for leg, hits in results.items()}
            ranked = weighted_rrf(rankings, self.weights[lang])
            if "evidence" in self.legs:
                ranked = self._with_evidence(query, lang, ranked, rankings, results)
        by_leg = {leg: dict(hits) for leg, hits in results.items()}
        passages = []
        for rank, (cid, score) in enumerate(ranked[:k], 1):
            leg_scores = {leg: by_leg[leg][cid] for leg in by_leg if cid in by_leg[leg]}
            passages.append(Passage(self.chunks[cid], score, rank, leg_scores))
        if self.calibration is not None:
            self._calibrate(query, passages)
        return passages

    def query_vector(self, query: str):
        """The vector the dense leg used for ``query`` (embedded now if it was not the last
        query)."""
        last = getattr(self, "_last_vector", None)
        if last and last[0] == query:
            return last[1]
        return self.embedder.embed_queries([query])[0]

    def dense_scores(self, query: str, passages: list[Passage]) -> dict[str, float]:
        """Each passage's cosine to the vector the dense leg used for ``query`` (computed for
        passages that leg did not return)."""
        dense = {
            p.chunk.id: p.leg_scores.get("dense", p.leg_scores.get("dense_de")) for p in passages
        }
        missing = [cid for cid, score in dense.items() if score is None]
        if missing:
            last = getattr(self, "_last_vector", None)
            vector = last[1] if last and last[0] == query else None
            if vector is None:
                vector = self.embedder.embed_queries([query])[0]
            for cid, vec in zip(missing, self.store.vectors_for(missing), strict=True):
                dense[cid] = float(vec @ vector)
        return dense

    def _calibrate(self, query: str, passages: list[Passage]) -> None:
        """Set each passage's relevance probability from its dense score, term coverage,
        rank and sentence-level evidence."""
        dense = self.dense_scores(query, passages)
        for p in passages:
            p.relevance = self.calibration.probability(
                dense[p.chunk.id],
                self.lexical.coverage(query, p.chunk.id),
                p.rank,
                p.leg_scores.get("evidence", 0.0),
            )
