"""A corpus document from extracted text: its id, language, date, front matter and the
check that it holds exactly the extracted text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from anyascii import anyascii

from assistant.documents.importing.pagecheck import first_missing
from assistant.documents.importing.types import Extracted, ImportRefusedError
from assistant.documents.sources import iter_units, text_units
from assistant.resources import load_data

MIN_WORDS = 20  # fewer words than this is not a page
LANGUAGE_SAMPLE_CHARS = 100_000  # the text that tells a document's language
FIRST_YEAR = 1900  # the earliest --as-of: no page of a city's partnerships is older
SLUG_MAX_CHARS = 60
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_YEAR = re.compile(r"(?<![\d.,/-])(1[89]\d\d|20\d\d)(?:\s*[-–]\s*(\d\d)(?!\d))?(?![\d,]|\.\d)")
_WORD = re.compile(r"[^\W\d_]{2,}")


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
        return detect(" ".join(_sample(text)))
    except LangDetectException:
        return "und"


def _sample(text: str) -> list[str]:
    """The text's distinct units up to :data:`LANGUAGE_SAMPLE_CHARS` (a longer page's
    language shows in its first pages; all of it took seconds)."""
    seen: dict[str, None] = {}
    size = 0
    for unit in iter_units(text):
        if unit not in seen:
            seen[unit] = None
            size += len(unit) + 1
            if size > LANGUAGE_SAMPLE_CHARS:
                break
    return list(seen)


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


def check_as_of(year: int, now: int | None = None) -> None:
    """Refuse an ``--as-of`` that is no year a page could be as of: before
    :data:`FIRST_YEAR` or after this year."""
    now = now or datetime.now(UTC).year
    if not FIRST_YEAR <= year <= now:
        raise ImportRefusedError(f"--as-of must be a year from {FIRST_YEAR} to {now}, not {year}")


def _context(line: str, start: int, end: int, width: int = 40) -> str:
    left, right = max(0, start - width), min(len(line), end + width)
    piece = " ".join(text_units(line[left:right]))
    return ("…" if left else "") + piece.replace('"', "'") + ("…" if right < len(line) else "")


def check_faithful(extracted: Extracted) -> None:
    """Every line of the extracted text is in the document and nothing else is (the check
    the seed documents pass); for a web page, every line is also in the page itself (in
    time linear in the page, :mod:`.pagecheck`)."""
    units = text_units(extracted.body)
    same = extracted.extracted == extracted.body  # a web page: the body is the extraction
    source = units if same else text_units(extracted.extracted)
    lost, invented = source - units, units - source
    if lost or invented:
        which = f"lost {sorted(lost)[:1]}" if lost else f"added {sorted(invented)[:1]}"
        raise ImportRefusedError(f"the document would not hold the file's text ({which})")
    if extracted.page_text is not None:
        missing = first_missing(units, extracted.page_text)
        if missing is not None:
            raise ImportRefusedError(f"extracted text not found in the page: {missing[:60]!r}")


def check_enough_text(extracted: Extracted) -> None:
    """At least :data:`MIN_WORDS` words (counting stops there: a long page is not read)."""
    words = 0
    for unit in iter_units(extracted.body):
        words += len(_WORD.findall(unit))
        if words >= MIN_WORDS:
            return
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
