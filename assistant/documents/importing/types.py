"""What every format's extractor returns, and the error that refuses an input."""

from __future__ import annotations

from dataclasses import dataclass


class ImportRefusedError(ValueError):
    """An input that cannot be imported; the message is one line saying why."""


@dataclass(frozen=True, slots=True)
class Extracted:
    """A file's text, extracted.

    ``body`` is the document's Markdown; ``extracted`` the text it must hold line for line
    (the cleaned source, before markup); ``page_text``, where not None, the page's visible
    words that every line of the body must be found in.
    """

    kind: str  # html | pdf | text
    title: str | None
    body: str
    extracted: str
    page_text: str | None = None
    url: str | None = None
    publisher: str | None = None
    sections: int = 0
