"""Typed records that flow between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Document:
    """One corpus document: its metadata and its Markdown body."""

    id: str
    title: str
    publisher: str
    city: str
    source: str
    language: str
    as_of: int | None
    text: str
    path: Path
    content_hash: str
    source_file: str | None = None


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable piece of a document.

    ``text`` is exactly ``document.text[start:end]``; ``context`` is the heading of a list or
    table that is repeated when the list had to be split, so each part stays readable.
    """

    id: str
    doc_id: str
    title: str
    section: str
    start: int
    end: int
    text: str
    kind: str = "prose"
    context: str = ""

    @property
    def handle(self) -> str:
        """Human citation handle: document title and section."""
        return f"{self.title} › {self.section}" if self.section else self.title

    @property
    def passage_text(self) -> str:
        """What a reader sees: the repeated heading (if any) and the chunk's text."""
        return f"{self.context}\n{self.text}" if self.context else self.text

    @property
    def embedding_text(self) -> str:
        """What is embedded: title and section give the passage its context."""
        return f"{self.title}\n{self.section}\n{self.passage_text}"


@dataclass(slots=True)
class Passage:
    """A chunk found for a query: its fused score, each leg's score, and (when calibrated)
    the probability that it is relevant."""

    chunk: Chunk
    score: float
    rank: int
    leg_scores: dict[str, float] = field(default_factory=dict)
    relevance: float | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered source of an answer: the passage that holds what the answer says."""

    n: int
    doc: str
    title: str
    section: str
    text: str
    score: float
    quote: str = ""  # what of ``text`` the answer quotes: a span, or some rows of a table

    def to_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "doc": self.doc,
            "title": self.title,
            "section": self.section,
            "text": self.text,
            "score": round(self.score, 4),
            "quote": self.quote,
        }


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two sources that give different values for the same fact."""

    topic: str
    values: list[dict[str, object]]  # each: value, citation n, doc, as_of
    newer: str | None = None  # doc id of the newer page, by as_of

    def to_dict(self) -> dict[str, object]:
        return {"topic": self.topic, "values": self.values, "newer": self.newer}


@dataclass(slots=True)
class Answer:
    """What ``Assistant.ask`` returns; ``to_dict`` is the JSON contract in the README."""

    question: str
    language: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    note: str = ""  # e.g. the English note when the question was in another language
    resolved_question: str = ""  # the question after follow-up resolution
    # not part of the JSON contract: what a report of unanswered questions reads
    confidence: float | None = None  # the reader's answerability probability, if it read
    closest: list[dict[str, object]] = field(default_factory=list)  # doc, section, relevance

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "language": self.language,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "note": self.note,
            "resolved_question": self.resolved_question,
        }
