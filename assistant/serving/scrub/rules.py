"""Pattern rules for masking: e-mail addresses (also written "x dot y at gmail dot com",
"x(at)y.de", "x [at] y [dot] de"), phone numbers, IBANs, long digit runs, ID numbers after
a cue word ("Ausweisnummer", "passport no."), birth dates after or before a cue word
("geboren am 3.4.1987", "born 12 March 1990", "DOB 1990-03-12") and street addresses
(German, English and common foreign forms, with postcode and town). The words the rules
are built from are data (``assistant/data/masking.yaml``).

A rule gives spans ``(start, end, kind)``; :class:`assistant.serving.scrub.Scrubber` joins
them with the names it finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from assistant.resources import load_data

Span = tuple[int, int, str]

_BRACKETED_AT = r"\s*[(\[{<]\s*(?:at|ät|@)\s*[)\]}>]"
_AT = rf"(?:{_BRACKETED_AT}\s*|\s+(?:at|ät)\s+|\s*@\s*)"
_DOT = r"(?:\s*[(\[{<]\s*(?:dot|punkt|\.)\s*[)\]}>]\s*|\s+(?:dot|punkt)\s+|\.)"
_PART = r"[\w+-]+"
EMAIL = re.compile(
    rf"(?<![\w.+-]){_PART}(?:{_DOT}{_PART})*{_AT}{_PART}(?:{_DOT}{_PART})*{_DOT}[^\W\d_]{{2,6}}\b"
    # not the local part of another address ("reach me at x.y(at)z.de": x.y(at)z.de is one)
    rf"(?![@\w]|{_BRACKETED_AT})",
    re.IGNORECASE,
)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")
PHONE = re.compile(r"(?<![\w+])(?:\+|00|0|\(0)[\d ()/.\-]{4,}\d")
_DATE_SHAPE = re.compile(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}")  # 05.07.2025 is no phone number
GROUPS = re.compile(r"\b\d{3,}(?:[ ./-]\d{3,}){2,}\b")  # card and account numbers
DIGITS = re.compile(r"\d{6,}")
# an ID without a cue: 8-12 capitals and digits, two digits and a letter at least (L01X00T47)
CODE = re.compile(r"\b(?=[A-Z0-9]*\d[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{8,12}\b")
# the value after an ID cue: groups of digits and capitals (65 170839 J 003, 4711-0815-2023)
_ID_GROUP = r"(?:[A-Z]{0,3}\d[A-Z\d]*|[A-Z](?=[ -]\d))"
_ID_VALUE = rf"{_ID_GROUP}(?:[ -]{_ID_GROUP})*"


def _alternation(words) -> str:
    """A regex alternation of ``words`` (longest first, escaped, spaces as any space)."""
    parts = sorted({str(w) for w in words}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts)


@cache
def _data() -> dict:
    return load_data("masking.yaml")


@cache
def _id_rule() -> re.Pattern[str]:
    cues = _alternation(_data()["id_cues"])
    filler = r"(?:[\s:#.()\-]+|[^\W\d_]+\.?){0,9}?"  # "-Nr.", " meiner Tochter ist ", " no. is "
    return re.compile(rf"(?i:\b(?:{cues}))\w*{filler}(?<![\w-])(?P<value>{_ID_VALUE})(?![\w-])")


def _date_pattern() -> str:
    months = _data()["months"]
    names = _alternation([*months["de"], *months["en"]])
    numeric = (
        r"\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d{2})\b|\d{4}-\d{2}-\d{2}\b|\d{1,2}/\d{1,2}/\d{2,4}\b"
    )
    worded = (
        rf"\d{{1,2}}(?:\.|st|nd|rd|th)?\s+(?:of\s+)?(?i:{names})\s+\d{{4}}\b"
        rf"|(?i:{names})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    )
    return rf"(?:{numeric}|{worded})"


@cache
def _birth_rules() -> tuple[re.Pattern[str], re.Pattern[str]]:
    cues = _alternation(_data()["birth_cues"])
    date = _date_pattern()
    before = re.compile(
        rf"(?i:(?<!\w)(?:{cues}))(?:[\s:,(]+|\b(?:am|on|im|the|is|ist|der|den|war|was|lautet|of)\b){{1,6}}?(?P<value>{date})"
    )
    after = re.compile(rf"(?P<value>{date})\s+(?i:geboren|born)\b")
    return before, after


@cache
def _address_rules() -> list[re.Pattern[str]]:
    d = _data()
    number = r"\d{1,3}(?:\s?[a-zA-Z](?!\w))?(?:\s?[-/]\s?\d{1,3}[a-z]?)?(?![\w.,]\d)"
    town = r"[A-ZÄÖÜÀ-Ý][\w'’-]+"
    tail_de = (
        rf"(?:,?\s*(?:[A-Z]{{1,2}}-)?(?:\d{{5}}|\d{{4}}|\d{{2}}-\d{{3}})\s+{town}"
        rf"(?:\s(?:am|an\sder|im|in\sder|ob\sder|bei)\s{town})?)?"
    )
    uk_postcode = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"
    tail_en = (
        rf"(?:,\s*{town}(?:\s{town})?,?\s(?:{uk_postcode}|[A-Z]{{2}}\s\d{{5}}(?:-\d{{4}})?\b))?"
    )
    not_street = _alternation([*d["not_streets"], *d["months"]["de"]])
    endings = _alternation(d["street_endings"])
    words = _alternation(d["street_words"])
    starts = _alternation(d["street_starts"])
    types = _alternation(d["street_types_en"])
    after = r"(?!\s*(?:Uhr|h\b|%|€|Euro|Prozent|Jahre|Minuten|km|years|hours|minutes|people)\b)"
    after_start = rf"{after}(?!\s+[A-ZÄÖÜ][a-zäöüß])"  # "Im Juni 12 Schüler" is no address
    return [
        re.compile(rf"(?i:\b[\w-]{{2,}}(?:{endings}))\s*{number}{after}{tail_de}"),
        re.compile(rf"\b(?:[A-ZÄÖÜÀ-Ý][\w'’-]+\s)(?i:{words})\s+{number}{after}{tail_de}"),
        re.compile(
            rf"\b(?i:{starts})\s+(?!(?i:{not_street})\b)(?:[A-ZÄÖÜÀ-Ý][\w'’-]+\s){{1,2}}"
            rf"{number}{after_start}{tail_de}"
        ),
        re.compile(rf"\b\d{{1,5}}[A-Z]?\s(?:[A-Z][\w'’-]+\s){{1,3}}(?i:{types})\b\.?{tail_en}"),
    ]


def pattern_spans(text: str) -> Iterator[Span]:
    """The spans the pattern rules find in ``text`` (they may overlap)."""
    for m in EMAIL.finditer(text):
        yield m.start(), m.end(), "email"
    for m in IBAN.finditer(text):
        yield m.start(), m.end(), "number"
    for rule in _address_rules():
        for m in rule.finditer(text):
            yield m.start(), m.end(), "address"
    for rule in _birth_rules():
        for m in rule.finditer(text):
            yield m.start("value"), m.end("value"), "date"
    for m in _id_rule().finditer(text):
        yield m.start("value"), m.end("value"), "number"
    for m in PHONE.finditer(text):
        if sum(ch.isdigit() for ch in m[0]) >= 6 and not _DATE_SHAPE.search(m[0]):
            yield m.start(), m.end(), "phone"
    for rule in (GROUPS, DIGITS, CODE):
        for m in rule.finditer(text):
            yield m.start(), m.end(), "number"
