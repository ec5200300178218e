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
