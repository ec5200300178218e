"""Plain text and Markdown files, cleaned as the seed documents were (markup only)."""

from __future__ import annotations

import re

from assistant.documents.importing.types import Extracted, ImportRefusedError
from assistant.documents.sources import clean_markup, text_units

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_MARKUP = re.compile(r"^[-*+|>]|\t|<[a-z]")
TITLE_MAX_CHARS = 120


def decode_text(raw: bytes) -> str:
    """UTF-8 text (a text file declares no charset, so nothing else is guessed)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportRefusedError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start}) and no charset can be declared"
        ) from exc


def extract_text_file(raw: bytes) -> Extracted:
    """The file cleaned by :func:`assistant.documents.sources.clean_markup`; a plain first
    line short enough to be a title is marked as the document's heading."""
    source = decode_text(raw)
    body = clean_markup(source)
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    title = None
    if first is not None:
        line = lines[first].strip()
        heading = _HEADING.match(line)
        if heading:
            title = heading.group(1)
        elif len(line) <= TITLE_MAX_CHARS and not _MARKUP.match(line):
            title = line
            lines[first] = f"# {line}"
            body = "\n".join(lines)
        else:
            title = " ".join(text_units(line))[:TITLE_MAX_CHARS].strip() or None
    return Extracted(
        kind="text",
        title=title,
        body=body if body.strip() else "",
        extracted=source,
        sections=sum(1 for line in body.split("\n") if _HEADING.match(line)),
    )
