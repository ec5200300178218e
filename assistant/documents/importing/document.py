"""A corpus document from extracted text: its id, language, date, front matter and the
check that it holds exactly the extracted text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from anyascii import anyascii

from assistant.documents.importing.types import Extracted, ImportRefusedError
from assistant.documents.sources import text_units, unit_differences
from assistant.resources import load_data

MIN_WORDS = 20  # fewer words than this is not a page
SLUG_MAX_CHARS = 60
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_YEAR = re.compile(r"(?<![\d.,/-])(1[89]\d\d|20\d\d)(?:\s*[-–]\s*(\d\d)(?!\d))?(?![\d,]|\.\d)")
_WORD = re.compile(r"[^\W\d_]{2,}")
_EMPHASIS = re.compile(r"(?<![\w*])\*+|\*+(?![\w*])")
_SPACES = re.compile(r"\s+")


@cache
def texts() -> dict:
    return load_data("importing.yaml")


def slugify(text: str) -> str:
    """A lower-case ASCII slug of at most :data:`SLUG_MAX_CHARS`, cut between words."""
    slug = _NOT_SLUG.sub("-", anyascii(text.translate(_UMLAUTS)).lower()).strip("-")
    if len(slug) > SLUG_MAX_CHARS:
        slug = slug[: SLUG_MAX_CHARS + 1].rsplit("-", 1)[0]
    return slug


def detect_language(text: str) -> str:
    """The document's language by langdetect (seeded, so the same text gives the same
    answer); "und" when it cannot tell."""
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    try:
        return detect(" ".join(text_units(text)))
    except LangDetectException:
        return "und"


@dataclass(frozen=True, slots=True)
class AsOf:
    year: int | None
    reason: str


def latest_year(text: str, now: int | None = None) -> AsOf:
    """The latest year the text evidences (a range "2014-24" counts as 2024), no later than
    this year, with the line it stands in as the reason."""
    now = now or datetime.now(UTC).year
    best: tuple[int, str] | None = None
    for line in text.split("\n"):
        for match in _YEAR.finditer(line):
            year = int(match.group(1))
            if match.group(2):
                end = year // 100 * 100 + int(match.group(2))
                year = end if year < end <= now else year
            if year <= now and (best is None or year > best[0]):
                best = (year, _context(line, match.start(), match.end()))
    if best is None:
        return AsOf(None, texts()["as_of_none"])
    return AsOf(best[0], f'{texts()["as_of_latest"]}: "{best[1]}"')


def _context(line: str, start: int, end: int, width: int = 40) -> str:
    left, right = max(0, start - width), min(len(line), end + width)
    piece = " ".join(text_units(line[left:right]))
    return ("…" if left else "") + piece.replace('"', "'") + ("…" if right < len(line) else "")


def check_faithful(extracted: Extracted) -> None:
    """Every line of the extracted text is in the document and nothing else is (the check
    the seed documents pass); for a web page, every line is also in the page itself."""
    lost, invented = unit_differences(extracted.extracted, extracted.body)
    if lost or invented:
        which = f"lost {sorted(lost)[:1]}" if lost else f"added {sorted(invented)[:1]}"
        raise ImportRefusedError(f"the document would not hold the file's text ({which})")
    if extracted.page_text is not None:
        page = extracted.page_text
        for unit in text_units(extracted.body):
            plain = _SPACES.sub(" ", _EMPHASIS.sub("", unit)).strip()
            if plain and plain not in page:
                raise ImportRefusedError(f"extracted text not found in the page: {plain[:60]!r}")


def check_enough_text(extracted: Extracted) -> None:
    words = sum(len(_WORD.findall(unit)) for unit in text_units(extracted.body))
    if words < MIN_WORDS:
        found = "no text" if words == 0 else f"only {words} words"
        raise ImportRefusedError(f"{found}: too little text to be a page (at least {MIN_WORDS})")


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML scalar


def render_document(
    *,
    doc_id: str,
    title: str,
    publisher: str,
    city: str,
    source: str,
    source_file: str,
    language: str,
    as_of: AsOf,
    body: str,
) -> str:
    """The corpus file: YAML front matter (``as_of`` with its reason as a comment), then
    the Markdown body."""
    year = "null" if as_of.year is None else str(as_of.year)
    lines = [
        "---",
        f"id: {doc_id}",
        f"title: {_quoted(title)}",
        f"publisher: {_quoted(publisher)}",
        f"city: {_quoted(city)}",
        f"source: {_quoted(source)}",
        f"source_file: {_quoted(source_file)}",
        f"language: {language}",
        f"as_of: {year}  # {as_of.reason}",
        "---",
    ]
    return "\n".join(lines) + "\n" + body.strip() + "\n"
