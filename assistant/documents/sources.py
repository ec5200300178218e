"""Turn a raw source page into corpus Markdown, cleaning markup only.

The cleaning never rewrites words: it turns tab-separated tables into Markdown
tables, HTML ``<ul>`` fragments into Markdown lists, replaces no-break spaces by
spaces and collapses runs of blank lines.  :func:`text_units` is the shared
normalisation that proves a corpus document holds exactly the text of its source.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

_UL = re.compile(r"<ul[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"(?<!\\)<[^>]+>")  # not an escaped "\<": text that shows markup
_ITEM_SEP = re.compile(r"\s+-\s+")
_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^[-*]\s+")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_SPACES = re.compile(r"\s+")
_CELL_SEP = re.compile(r"(?<!\\)\|")  # a pipe, not an escaped "\|" inside a cell


def _list_items(fragment: str) -> list[str]:
    """Items of one ``<ul> - a - b`` fragment."""
    body = _UL.sub("", fragment).strip()
    body = body[1:] if body.startswith("-") else body
    return [item.strip() for item in _ITEM_SEP.split(" " + body + " ") if item.strip()]


def _table(rows: list[list[str]]) -> list[str]:
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    out = ["| " + " | ".join(c.strip() for c in rows[0]) + " |"]
    out.append("|" + "---|" * width)
    out += ["| " + " | ".join(c.strip() for c in r) + " |" for r in rows[1:]]
    return out


def _list_table(header: list[str], cells: list[str]) -> list[str]:
    """A header row over one row of ``<ul>`` cells becomes one list per column."""
    out: list[str] = []
    for title, cell in zip(header, cells, strict=True):
        out += ["", f"**{title.strip()}**", ""]
        out += [f"- {item}" for item in _list_items(cell)]
    return out


def clean_markup(raw: str) -> str:
    """Clean the markup of one raw source text; the words stay as they are."""
    lines = raw.replace("\r\n", "\n").replace("\u00a0", " ").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if "\t" in line:
            block = []
            while i < len(lines) and "\t" in lines[i]:
                block.append(lines[i].rstrip("\n").split("\t"))
                i += 1
            if len(block) == 2 and any(_UL.search(c) for c in block[1]):
                out += _list_table(block[0], block[1])
            else:
                out += ["", *_table(block), ""]
            continue
        if _UL.search(line):
            out += [f"- {item}" for item in _list_items(line)]
        elif _BULLET.match(line) and line.endswith("**") and line.count("**") == 1:
            out.append(line[:-2])  # a stray bold marker left over from the page
        else:
            out.append(line.strip() if not line.strip() else line)
        i += 1
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def text_units(text: str) -> Counter[str]:
    """The words of a text as a multiset of units, with all markup removed.

    A unit is a line, a table cell or a list item with whitespace folded and
    Markdown/HTML markup (headings, bullets, bold, pipes, tags) dropped. Markup that the
    text shows as text (escaped: ``\\<b>``, ``a \\| b``) stays in its unit.
    """
    return Counter(iter_units(text))


def iter_units(text: str) -> Iterator[str]:
    """The units of :func:`text_units` one by one, in the text's order (a caller that
    needs only the first few does not pay for a long text)."""
    for line in text.replace("\u00a0", " ").split("\n"):
        line = line.strip()
        if _TABLE_RULE.match(line):
            continue
        pieces = _CELL_SEP.split(line.strip("|")) if line.startswith("|") else line.split("\t")
        for piece in pieces:  # each step only where its mark is (a long page has many)
            piece = piece.strip()
            if piece.startswith("#"):
                piece = _HEADING.sub("", piece)
            if "<" in piece:
                piece = _TAG.sub(" ", piece)
            for item in _ITEM_SEP.split(" " + piece + " ") if "-" in piece else (piece,):
                item = item.strip()
                if item.startswith(("-", "*")):
                    item = _BULLET.sub("", item)
                item = " ".join(item.replace("**", "").split())
                if item and item != "-":
                    yield item


def unit_differences(source: str, document: str) -> tuple[Counter[str], Counter[str]]:
    """What a document lost of its source's text units, and what it holds that the source
    does not (both empty: the document is faithful to its source)."""
    source_units, document_units = text_units(source), text_units(document)
    return source_units - document_units, document_units - source_units
