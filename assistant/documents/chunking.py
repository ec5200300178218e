"""Split documents into chunks along their structure.

Headings give each chunk its ``section``. Paragraphs are cut only between sentences
(SoMaJo, a German-capable splitter). Contact and address blocks are chunks of their own.
Lists and tables stay whole when they fit, else they are split between items and the
list's lead line (or the table's header) is repeated as the chunk's ``context``.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from assistant.records import Chunk, Document

CHUNKER_VERSION = "2"

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
_BULLET = re.compile(r"^[-*]\s+")
_LABEL = re.compile(r"^\*\*[^*].*\*\*$")
_PERSON = re.compile(r"^(?:(?:Frau|Herr)\s+\w|[A-ZÄÖÜ][\w-]+,\s+[A-ZÄÖÜ][\w-]+$)")
_POSTCODE = re.compile(r"\b\d{5}\b")


def chunker_params(max_chars: int) -> dict[str, object]:
    """What the manifest records about the chunker: a change means a rebuild."""
    return {"version": CHUNKER_VERSION, "max_chars": max_chars, "sentences": "somajo de_CMC"}


@dataclass(slots=True)
class _Block:
    kind: str  # prose | label | list | table | contact | address | lines
    lines: list[tuple[int, int]]  # (start, end) offsets of each line


@dataclass(slots=True)
class _Unit:
    start: int
    end: int
    group: int
    kind: str
    lead: str = ""  # text repeated when a chunk starts inside this unit's list or table


@cache
def _splitter():
    from somajo import SoMaJo

    return SoMaJo("de_CMC", split_camel_case=False, split_sentences=True, character_offsets=True)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph; the spans cover every word."""
    if not text.strip():
        return []
    spans = []
    for sentence in _splitter().tokenize_text([text]):
        spans.append((sentence[0].character_offset[0], sentence[-1].character_offset[1]))
    # A boundary with no space after it is inside a name ("Rhein.Main.Fair e.V."): join.
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and start == joined[-1][1]:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    # Attach anything a tokenizer skipped (closing quotes, stray marks) to its sentence.
    fixed: list[tuple[int, int]] = []
    for i, (start, _end) in enumerate(joined):
        nxt = joined[i + 1][0] if i + 1 < len(joined) else len(text.rstrip())
        start = 0 if i == 0 else start
        end = len(text[:nxt].rstrip())
        fixed.append((start, end))
    return fixed


def _classify(text: str, lines: list[tuple[int, int]]) -> str:
    rows = [text[s:e] for s, e in lines]
    if all(r.startswith("|") for r in rows):
        return "table"
    if all(_BULLET.match(r) for r in rows):
        return "list"
    if len(rows) > 1:
        if _PERSON.match(rows[0]):
            return "contact"
        if any(_POSTCODE.search(r) for r in rows):
            return "address"
        return "lines"
    return "label" if _LABEL.match(rows[0]) else "prose"


def _sections(text: str) -> list[tuple[str, list[_Block]]]:
    """Section name and blocks of each heading-delimited part of a Markdown text."""
    sections: list[tuple[str, list[_Block]]] = []
    heads: dict[int, str] = {}
    blocks: list[_Block] = []
    current: list[tuple[int, int]] = []
    name = ""

    def close_block() -> None:
        if current:
            blocks.append(_Block(_classify(text, current), list(current)))
            current.clear()

    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        heading = _HEADING.match(line)
        if heading:
            close_block()
            if blocks:
                sections.append((name, blocks))
            blocks = []
            level = len(heading.group(1))
            heads = {k: v for k, v in heads.items() if k < level}
            heads[level] = heading.group(2)
            inner = [heads[k] for k in sorted(heads) if k > 1] or [heads.get(1, "")]
            name = " › ".join(inner)
        elif line.strip():
            stripped = len(line.rstrip())
            current.append((start, start + stripped))
        else:
            close_block()
    close_block()
    if blocks:
        sections.append((name, blocks))
    return sections


def _units(text: str, blocks: list[_Block]) -> list[_Unit]:
    units: list[_Unit] = []
    group = 0
    lead_for_next = ""  # a label or a sentence ending in ':' introduces the next list/table
    for block in blocks:
        if block.kind in ("list", "table") and lead_for_next:
            gid, lead = group - 1, lead_for_next  # glue to the introducing block
        else:
            gid, lead = group, ""
            group += 1
        first = block.lines[0][0]
        if block.kind == "prose":
            s0, e0 = block.lines[0]
            spans = sentence_spans(text[s0:e0])
            for s, e in spans:
                units.append(_Unit(s0 + s, s0 + e, gid, "prose"))
            last = text[s0 + spans[-1][0] : s0 + spans[-1][1]] if spans else ""
            lead_for_next = last if last.endswith(":") else ""
        elif block.kind == "label":
            s, e = block.lines[0]
            units.append(_Unit(s, e, gid, "label"))
            lead_for_next = text[s:e]
        elif block.kind in ("list", "table"):
            rows = block.lines
            if block.kind == "table" and len(rows) > 2:
                lead = text[rows[0][0] : rows[1][1]]  # header and rule row
                rows = [(rows[0][0], rows[2][1]), *rows[3:]]
            units += [_Unit(s, e, gid, block.kind, lead=lead) for s, e in rows]
            lead_for_next = ""
        else:  # contact, address and other line blocks stay whole
            units.append(_Unit(first, block.lines[-1][1], gid, block.kind))
            lead_for_next = ""
    return units


def _pack(units: list[_Unit], max_chars: int) -> list[list[_Unit]]:
    groups: list[list[_Unit]] = []
    for unit in units:
        if groups and groups[-1][0].group == unit.group:
            groups[-1].append(unit)
        else:
            groups.append([unit])
    chunks: list[list[_Unit]] = []
    cur: list[_Unit] = []

    def flush() -> None:
        if cur:
            chunks.append(list(cur))
            cur.clear()

    for g in groups:
        if g[0].kind in ("contact", "address"):
            flush()
            chunks.append(g)
            continue
        if cur and g[-1].end - cur[0].start <= max_chars:
            cur.extend(g)
            continue
        flush()
        for unit in g:
            if cur and unit.end - cur[0].start > max_chars:
                flush()
            cur.append(unit)
    flush()
    return chunks


def chunk_document(doc: Document, max_chars: int = 900) -> list[Chunk]:
    """Chunks of one document, in document order, with stable content-derived ids."""
    chunks: list[Chunk] = []
    seen: Counter[str] = Counter()
    for section, blocks in _sections(doc.text):
        for part in _pack(_units(doc.text, blocks), max_chars):
            start, end = part[0].start, part[-1].end
            text = doc.text[start:end]
            lead = part[0].lead
            context = lead if lead and lead not in text else ""
            kinds = {u.kind for u in part} - {"label"}
            kind = kinds.pop() if len(kinds) == 1 else "mixed"
            digest = hashlib.sha256(
                "\x00".join((doc.id, section, context, text)).encode()
            ).hexdigest()[:16]
            seen[digest] += 1
            suffix = f"-{seen[digest]}" if seen[digest] > 1 else ""
            chunks.append(
                Chunk(
                    id=f"{doc.id}:{digest}{suffix}",
                    doc_id=doc.id,
                    title=doc.title,
                    section=section,
                    start=start,
                    end=end,
                    text=text,
                    kind=kind,
                    context=context,
                )
            )
    return chunks


def chunk_corpus(docs: list[Document], max_chars: int = 900) -> list[Chunk]:
    return [c for doc in docs for c in chunk_document(doc, max_chars)]
