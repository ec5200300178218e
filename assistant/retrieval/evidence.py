"""Sentence-level evidence: does one sentence or line of a passage hold what a question asks?

The retrieval legs score whole passages; this stage looks inside the best of them. A
passage scores by its best quotable unit (a sentence of prose, a list with its lead line, a
contact or address block): the share of the question's concepts that unit holds (weighted by
how rare each concept is; a concept found only in the heading or the unit before counts
half), a bonus when the unit holds the kind of answer asked for (a year for "when", a phone
number for "phone" …), and half the score when it does not name the place or the rare name
the question is about, or when it asks questions instead of answering them. English
concepts are matched through their German glossary terms, so this stage bridges languages
where BM25 cannot. The answer composer quotes the same units.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from assistant.documents.chunking import sentence_spans
from assistant.language.intent import capitalised_names, intents, place_count, places, word_lists
from assistant.language.patterns import EMAIL, PHONE
from assistant.language.words import content_words, english_terms_in, fold_words, stems
from assistant.records import Chunk

YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
DATE = re.compile(
    r"\b\d{1,2}\.\s*(Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|"
    r"November|Dezember)\b"
)
NUMBER = re.compile(r"\b\d+\b")
DURATION = re.compile(
    r"\b(\d+|eine?[mnrs]?|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf)\s+"
    r"(Jahre?n?|Monate?n?|Wochen?|Tage?n?)\b",
    re.IGNORECASE,
)
MONEY = re.compile(r"\d\s*(€|Euro|EUR)\b|€\s*\d", re.IGNORECASE)
POSTCODE = re.compile(r"\b\d{5}\b")

CONTEXT_SHARE = 0.5  # a concept found only in the heading or the previous unit
FIT_BONUS = 0.3  # the unit holds the kind of answer the question asks for
MISSING_NAME = 0.5  # factor when the unit names none of the question's places or rare names
QUESTION_UNIT = 0.5  # factor for a unit that asks questions (a questionnaire) rather than answers
RARE_NAME_SHARE = 0.2  # a capitalised word in at most this share of passages is a name to find


@lru_cache(maxsize=65536)
def units(chunk: Chunk) -> tuple[str, ...]:
    """Quotable pieces of a passage, verbatim: sentences of prose; a list together with
    the line that introduces it; tables, contact and address blocks whole."""
    if chunk.kind in ("table", "contact", "address", "lines"):
        return (chunk.passage_text.strip(),)
    out: list[str] = []
    for line in chunk.passage_text.splitlines():
        line = line.strip()
        if not line:
            continue
        opens_list = bool(out) and (out[-1].endswith((":", "**")) or "\n- " in f"\n{out[-1]}")
        if line.startswith("- ") and opens_list:
            out[-1] = f"{out[-1]}\n{line}"  # a list stays with its lead line
        elif len(line) > 120:
            out += [line[s:e].strip() for s, e in sentence_spans(line)]
        else:
            out.append(line)
    return tuple(out)


def _count_in(unit: str) -> bool:
    """Does a sentence hold a number that can be a count (not a year, a date or a phone)?"""
    bare = PHONE.sub(" ", DATE.sub(" ", unit))
    return any(not YEAR.fullmatch(n) for n in NUMBER.findall(bare))


def fits(unit: str, wanted: set[str]) -> bool:
    """Does a sentence hold the kind of answer the question asks for?"""
    if "when" in wanted and not (YEAR.search(unit) or DATE.search(unit)):
        return False
    if "next" in wanted and "when" in wanted:  # the pages tell the past, not what comes
        years = [int(y) for y in YEAR.findall(unit)]
        if not years or max(years) < date.today().year:
            return False
    if "duration" in wanted and not (DURATION.search(unit) or YEAR.search(unit)):
        return False
    if "cost" in wanted and not MONEY.search(unit):
        return False
    if "how_many" in wanted and not _count_in(unit):
        return False
    if "phone" in wanted and not PHONE.search(unit):
        return False
    if "email" in wanted and not EMAIL.search(unit):
        return False
    if "which_places" in wanted and place_count(unit) < 2:
        return False
    return not ("address" in wanted and not POSTCODE.search(unit))


def _asks(unit: str) -> bool:
    """Is a unit mostly questions (a list of survey questions, say)?"""
    lines = [line.strip() for line in unit.splitlines() if line.strip()]
    asked = sum(line.endswith("?") for line in lines)
    return asked > 0 and 2 * asked >= len(lines)


@lru_cache(maxsize=65536)
def _stem_set(text: str) -> frozenset[str]:
    return frozenset(stems(fold_words(text)))


@lru_cache(maxsize=65536)
def _read(chunk: Chunk) -> tuple[frozenset[str], tuple[tuple[str, frozenset[str], bool], ...]]:
    """A chunk as the evidence stage reads it (once): the stems of its heading, and each
    unit with its stems and whether it mostly asks questions."""
    heading = _stem_set(f"{chunk.title} {chunk.section} {chunk.context}")
    return heading, tuple((u, _stem_set(u), _asks(u)) for u in units(chunk))


def read_ahead(chunks: Iterable[Chunk], seconds: float) -> int:
    """Read chunks as the evidence stage does (sentences split, stems found: 5-10 ms a
    chunk, once), for at most ``seconds``, so that the first question about them does not
    pay for it; the GIL is given up after each chunk. Returns how many were read."""
    end = time.monotonic() + seconds
    room = _read.cache_info().maxsize or 0  # no more than the cache keeps
    done = 0
    for chunk in chunks:
        if done >= room or time.monotonic() >= end:
            break
        _read(chunk)
        done += 1
        time.sleep(0)  # questions being answered go first
    return done


@lru_cache(maxsize=65536)
def _fits(unit: str, wanted: frozenset[str]) -> bool:
    return fits(unit, set(wanted))


@dataclass(frozen=True)
class Query:
    """What the evidence stage looks for: concepts (each a set of stems, any one of which
    stands for it) with their weights, the names one of which a unit must hold, and the
    kinds of answer asked for."""

    concepts: tuple[frozenset[str], ...]
    weights: tuple[float, ...]
    names: tuple[frozenset[str], ...]
    wanted: frozenset[str]


class EvidenceScorer:
    """Scores passages by their best unit; ``doc_freq`` gives a stem's passage count."""

    def __init__(self, doc_freq: Callable[[str], int], n_docs: int) -> None:
        self.doc_freq = doc_freq
        self.n_docs = max(1, n_docs)

    def _idf(self, stem: str) -> float:
        return math.log(1 + self.n_docs / (1 + self.doc_freq(stem)))

    def query(self, question: str, lang: str) -> Query:
        words = fold_words(question)
        covered: set[str] = set()
        concepts: list[frozenset[str]] = []
        if lang == "en":  # English phrases stand for their German glossary terms
            for phrase, german in english_terms_in(words):
                covered |= set(phrase)
                concepts.append(frozenset(stems(german)))
        groups = places(question)
        names = [frozenset(stems([w for v in g for w in v])) for g in groups]
        for group_stems, group in zip(names, groups, strict=True):
            covered |= {w for v in group for w in v}
            concepts.append(group_stems)
        for w in content_words(question):
            if w not in covered and len(w) > 2:
                concepts.append(frozenset(stems([w])))
        lists = word_lists()
        capitalised = [
            w
            for w in fold_words(" ".join(capitalised_names(question)))
            if len(w) > 2 and w not in lists["generic"] and w not in lists["cues"]
        ]
        for stem in stems(capitalised):
            if 0 < self.doc_freq(stem) <= RARE_NAME_SHARE * self.n_docs:
                names.append(frozenset([stem]))
        unique = list(dict.fromkeys(c for c in concepts if c))
        weights = tuple(max(self._idf(s) for s in c) for c in unique)
        return Query(tuple(unique), weights, tuple(names), frozenset(intents(question)))

    def score(self, query: Query, chunk: Chunk) -> float:
        """The best unit's score: weighted concept coverage, answer-type bonus, name factor."""
        total = sum(query.weights)
        if not total:
            return 0.0
        heading, parts = _read(chunk)
        best, previous = 0.0, frozenset()
        for unit, own, asks in parts:
            around = heading | previous
            held = sum(
                w * (1.0 if c & own else CONTEXT_SHARE if c & around else 0.0)
                for c, w in zip(query.concepts, query.weights, strict=True)
            )
            score = held / total
            if query.wanted and _fits(unit, query.wanted):
                score += FIT_BONUS
            if query.names and not any(n & own for n in query.names):
                score *= MISSING_NAME
            if asks:
                score *= QUESTION_UNIT
            best = max(best, score)
            previous = own
        return best

    def rank(self, question: str, lang: str, chunks: Sequence[Chunk]) -> list[tuple[str, float]]:
        """(chunk id, score) best first; ties keep the order the chunks came in."""
        query = self.query(question, lang)
        scored = [(c.id, self.score(query, c), i) for i, c in enumerate(chunks)]
        scored.sort(key=lambda x: (-round(x[1], 9), x[2]))
        return [(cid, score) for cid, score, _ in scored]


def blend(
    fused: Sequence[tuple[str, float]], evidence: dict[str, float], share: float
) -> list[tuple[str, float]]:
    """Evidence plus ``share`` × the fused score (scaled to the best), best first; ties keep
    the fused order. Used where rank fusion loses how much better the evidence is."""
    if not fused:
        return []
    top = fused[0][1] or 1.0
    scored = [
        (cid, evidence.get(cid, 0.0) + share * score / top, i)
        for i, (cid, score) in enumerate(fused)
    ]
    scored.sort(key=lambda x: (-round(x[1], 9), x[2]))
    return [(cid, score) for cid, score, _ in scored]
