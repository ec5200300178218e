"""Candidate units: the pieces of a passage an answer can quote.

A unit is a verbatim span of a passage's text: a sentence of prose, a line, a list item (with
the line that introduces the list as its context), a table row (with the table's header), a
whole contact or address block, or a whole list. Headings and bare labels are context, never
units of their own, so an answer never quotes a heading alone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.documents.chunking import sentence_spans
from assistant.records import Chunk

KINDS = ("sentence", "line", "item", "row", "card", "list", "table")
BULLET = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+")
_RULE = re.compile(r"^\|?\s*:?-{2,}")
_LABEL = re.compile(r"^\*\*[^*].*\*\*:?$")
WHOLE_KINDS = ("contact", "address")  # chunk kinds quoted as one block


@dataclass(frozen=True, slots=True)
class Span:
    """Where a unit sits in its passage (``Chunk.passage_text``): its text span, its kind,
    and the span of the line that gives it context (a list's lead, a table's header)."""

    start: int
    end: int
    kind: str
    lead_start: int = 0
    lead_end: int = 0


@dataclass(frozen=True, slots=True)
class Unit:
    """A quotable piece of a passage."""

    chunk: Chunk
    text: str
    kind: str
    position: int  # its place among the passage's units
    lead: str = ""  # the list's lead line or the table's header

    @property
    def heading(self) -> str:
        """What stands above the unit: page title, section, and the list's lead line."""
        return " › ".join(x for x in (self.chunk.title, self.chunk.section, self.lead) if x)

    @property
    def embedding_text(self) -> str:
        return unit_embedding_text(self.chunk, self.text, self.lead)

    @property
    def key(self) -> str:
        return unit_key(self.embedding_text)


def unit_embedding_text(chunk: Chunk, text: str, lead: str) -> str:
    """What is embedded for a unit: its section and lead line give it context."""
    head = " › ".join(x for x in (chunk.section, lead) if x)
    return f"{head}\n{text}" if head else text


def unit_key(embedding_text: str) -> str:
    """Content key of a unit's vector (the same text keeps its vector across ingests)."""
    return hashlib.sha256(embedding_text.encode("utf-8")).hexdigest()[:24]


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((start + lead, start + lead + len(stripped)))
    return spans


def split_spans(chunk: Chunk) -> tuple[Span, ...]:
    """The unit spans of a passage, in reading order (sentence splitting is the slow part:
    this runs at ingest, and the spans are stored with the index)."""
    text = chunk.passage_text
    lines = _line_spans(text)
    if not lines:
        return ()
    if chunk.kind in WHOLE_KINDS:
        return (Span(lines[0][0], lines[-1][1], "card"),)
    out: list[Span] = []
    lead: tuple[int, int] = (0, 0)  # the line that introduces what follows (list, lines)
    header: tuple[int, int] | None = None  # the header row of the current table
    items: list[tuple[int, int]] = []
    rows: list[tuple[int, int]] = []

    def close_list() -> None:
        if len(items) >= 2:
            start = lead[0] if lead != (0, 0) else items[0][0]
            out.append(Span(start, items[-1][1], "list", *lead))
        items.clear()

    def close_table() -> None:
        if len(rows) >= 2 and header is not None:
            out.append(Span(header[0], rows[-1][1], "table"))
        rows.clear()

    for start, end in lines:
        line = text[start:end]
        if line.startswith("|"):
            close_list()
            if _RULE.match(line):
                continue
            if header is None:
                header = (start, end)
                continue
            rows.append((start, end))
            out.append(Span(start, end, "row", *header))
            continue
        close_table()
        header = None
        if BULLET.match(line):
            items.append((start, end))
            out.append(Span(start, end, "item", *lead))
            continue
        close_list()
        if _LABEL.match(line):
            lead = (start, end)
            continue
        if line.endswith(":") and len(line) <= 60:
            lead = (start, end)  # "Orientierung an nationalen Gesetzen:" introduces lines
            continue
        pieces = sentence_spans(line) if len(line) > 60 else [(0, len(line))]
        sentence = line[-1:] in '.!?:“”"' or len(pieces) > 1
        kind = "sentence" if sentence else "line"
        last = (0, 0)
        for s, e in pieces:
            piece = line[s:e].strip()
            if len(piece) >= 3:
                at = start + s + line[s:e].find(piece)
                # a short line stays with the lead above it ("Orientierung an …:" → its items)
                context = lead if kind == "line" else (0, 0)
                out.append(Span(at, at + len(piece), kind, *context))
                last = (at, at + len(piece))
        if line.endswith(":"):
            lead = last  # the sentence that introduces the list
        elif sentence:
            lead = (0, 0)
    close_list()
    close_table()
    return tuple(out)


@lru_cache(maxsize=65536)
def _computed_spans(chunk: Chunk) -> tuple[Span, ...]:
    return split_spans(chunk)


def chunk_units(chunk: Chunk, spans: tuple[Span, ...] | None = None) -> tuple[Unit, ...]:
    """The units of a passage, from stored spans or computed now."""
    spans = spans if spans is not None else _computed_spans(chunk)
    text = chunk.passage_text
    return tuple(
        Unit(chunk, text[s.start : s.end], s.kind, i, text[s.lead_start : s.lead_end])
        for i, s in enumerate(spans)
    )
