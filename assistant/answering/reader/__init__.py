"""The reader: from retrieved passages to the units that answer a question, or a refusal.

Candidate units (sentences, lines, list items, table rows, contact cards) of the top
passages → general features (``features.py``) → a learned scorer (``model.py``) → the best
units and one calibrated probability that they answer the question, which decides between
answering and refusing. ``compose.py`` turns a reading into the answer text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.answering.reader.bridge import Bridge
from assistant.answering.reader.candidates import Candidate, make_candidates
from assistant.answering.reader.features import featurize
from assistant.answering.reader.model import ReaderModel
from assistant.answering.reader.question import Analysis, Gazetteer, QuestionReader
from assistant.answering.reader.vectors import UnitVectors
from assistant.guard import looks_like_instruction
from assistant.language.words import fold_words
from assistant.records import Passage
from assistant.retrieval.lexical import Vocabulary

READ_PASSAGES = 8  # passages whose units are candidates


@dataclass
class Reading:
    """What the reader made of a question: its analysis, the candidates best first, and the
    probability that the best of them answers it."""

    analysis: Analysis
    candidates: list[Candidate]
    answerable: float
    threshold: float

    @property
    def answers(self) -> bool:
        return bool(self.candidates) and self.answerable >= self.threshold

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class Reader:
    def __init__(
        self,
        questions: QuestionReader,
        units: UnitVectors,
        model: ReaderModel | None,
        doc_cities: Mapping[str, str],
        home: str | None,
    ) -> None:
        self.questions = questions
        self.units = units
        self.model = model
        self.doc_cities = dict(doc_cities)
        self.home = home

    def candidates(
        self,
        question: str,
        lang: str,
        passages: Sequence[Passage],
        query_vector: np.ndarray | None = None,
        dense: Mapping[str, float] | None = None,
    ) -> tuple[Analysis, list[Candidate]]:
        """The question's analysis and every candidate unit with its features."""
        analysis = self.questions.analyse(question, lang)
        passages = self._speaking(passages[:READ_PASSAGES], analysis)
        # a line that tries to instruct a model (flagged at ingest) is never an answer
        candidates = [
            c for c in make_candidates(self.units.units, passages) if not _instructs(c.unit.text)
        ]
        if not candidates:
            return analysis, []
        if query_vector is None:
            query_vector = self.units.embedder.embed_queries([question])[0]
        vectors = self.units.vectors([c.unit for c in candidates])
        dense_units = vectors @ np.asarray(query_vector, dtype=np.float32)
        if dense is None:
            dense = {}
        x = featurize(analysis, candidates, dense_units, dict(dense), self.doc_cities, self.home)
        for c, row in zip(candidates, x, strict=True):
            c.features = row
        return analysis, candidates

    def _speaking(self, passages: Sequence[Passage], analysis: Analysis) -> list[Passage]:
        """The passages that can answer the question. A page about another city than the
        home city answers only a question that names that city, asks yes or no ("Is Amiens
        a twin town of <home>?" — no, of that city), or names something that only such
        pages hold (what the retriever widened its search for)."""
        if not self.home:
            return list(passages)

        def foreign(p: Passage) -> bool:
            city = self.doc_cities.get(p.chunk.doc_id)
            return bool(city) and city != self.home and city not in analysis.cities

        if "yes_no" in analysis.asked or not any(foreign(p) for p in passages):
            return list(passages)
        if self.home in analysis.cities:  # about the home city: another city's page can't say
            return [p for p in passages if not foreign(p)]
        words = [k.words for k in analysis.concepts if k.words and (k.name or k.thing)]

        def holds(p: Passage) -> set[int]:
            text = set(_passage_words(p))
            return {i for i, w in enumerate(words) if w & text}

        home_held = set().union(*(holds(p) for p in passages if not foreign(p)))
        return [p for p in passages if not foreign(p) or holds(p) - home_held]

    def read(
        self,
        question: str,
        lang: str,
        passages: Sequence[Passage],
        query_vector: np.ndarray | None = None,
        dense: Mapping[str, float] | None = None,
    ) -> Reading:
        analysis, candidates = self.candidates(question, lang, passages, query_vector, dense)
        if not candidates or self.model is None:
            return Reading(analysis, [], 0.0, 1.0)
        x = np.stack([c.features for c in candidates])
        scores = self.model.unit_scores(x)
        for c, s in zip(candidates, scores, strict=True):
            c.score = float(s)
        order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
        ranked = [candidates[i] for i in order]
        return Reading(analysis, ranked, self.model.answerability(scores, x), self.model.threshold)


def _passage_words(p: Passage) -> list[str]:
    return fold_words(f"{p.chunk.title} {p.chunk.section}\n{p.chunk.passage_text}")


def gazetteer_places(facts, cities: Iterable[str]) -> list[str]:
    """The cities the pages are about, and the places the facts know (``Facts.places``:
    partner cities and their countries, the places contact cards are responsible for, the
    cities the pages name)."""
    return [*cities, *facts.places()]


def page_names(facts, cities: Iterable[str]) -> list[str]:
    """The names a question may take from the pages, which say nothing of its language: the
    places of the gazetteer, the people of the contact cards (and their surnames alone), and
    the English-titled names the ingest found (a network named in English on a German
    page)."""
    names = gazetteer_places(facts, cities)
    for card in facts.contacts:
        person = card.person.strip()
        names.append(person)
        parts = [w for w in person.replace(",", " ").split() if len(w) > 2 and w[:1].isupper()]
        names += parts[1:] if len(parts) > 1 else parts  # a surname alone; not the first name
    names += facts.names
    return names


def build_reader(
    words: Iterable[str],
    doc_freq,
    n_passages: int,
    facts,
    units: UnitVectors,
    doc_cities: Mapping[str, str],
    home: str | None,
    bridge: Bridge | None = None,
) -> Reader:
    """A reader over an index: its words and their passage counts, its facts (for the
    gazetteer), its unit vectors and the weights fitted for its embedder."""
    cities = sorted(set(doc_cities.values()))
    gazetteer = Gazetteer(gazetteer_places(facts, cities), facts.other_names)
    questions = QuestionReader(
        Vocabulary(words), doc_freq, n_passages, gazetteer, cities, bridge or Bridge(), home
    )
    model = ReaderModel.load(units.embedder.name)
    return Reader(questions, units, model, doc_cities, home)


__all__ = ["READ_PASSAGES", "Candidate", "Reader", "Reading", "build_reader", "page_names"]


@lru_cache(maxsize=65536)
def _instructs(text: str) -> bool:
    return looks_like_instruction(text)
