"""Answer types: what a question asks for (``asked_types``), which types of a unit satisfy
each (``SATISFIED_BY``; what a unit holds is in ``held.py``), and the patterns of how German
pages write phone numbers, e-mail addresses, postcodes, dates and years.

General language data (``assistant/data/answer_types.yaml``) and patterns only; nothing here
knows a city, a person or a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

from assistant.language.patterns import EMAIL, PHONE
from assistant.language.words import contains_phrase, fold_words, phrase_starts, stopwords
from assistant.resources import load_data

# The types a question can ask for, and the types of a unit that answer each of them.
SATISFIED_BY: dict[str, frozenset[str]] = {
    "person": frozenset({"person", "organisation"}),
    "name": frozenset({"person"}),  # the holder of a role ("the mayor"), not an office
    "contact": frozenset({"phone", "email", "person"}),
    "phone": frozenset({"phone"}),
    "mobile": frozenset({"mobile"}),  # a mobile number, not the office's
    "email": frozenset({"email"}),
    "fax": frozenset({"fax"}),
    "address": frozenset({"address"}),
    "postal": frozenset({"address"}),  # asked by name ("Adresse", "postcode"), not by "wo ist"
    "when": frozenset({"year", "date", "time"}),
    "deadline": frozenset({"year", "date", "time", "duration"}),  # or "8 Wochen vorher"
    "clock": frozenset({"clock"}),  # a time of day ("um wie viel Uhr"), not a day or year
    "day": frozenset({"day"}),  # the day ("an welchem Tag"), not the month or year
    "since": frozenset({"year"}),
    "until": frozenset({"end"}),
    "count": frozenset({"count"}),
    "list": frozenset({"list"}),
    "place": frozenset({"place", "address"}),
    "cost": frozenset({"money"}),
    "hours": frozenset({"hours"}),
    "next": frozenset({"future"}),
    "duration": frozenset({"duration", "year"}),
    "url": frozenset({"url"}),
    "room": frozenset({"room"}),  # a room number or a floor ("Zimmer 214", "2. Stock")
    # "jährlich", "zweimal im Jahr"; or a count: "wie oft" also asks how many times
    "frequency": frozenset({"frequency", "count"}),
}
ASKED = tuple(SATISFIED_BY)  # types with a constraint on the answer
# asked, but any sentence may answer them ("duties": what a person it names looks after)
FREE = ("reason", "manner", "yes_no", "newest", "oldest", "duties")
# Types whose absence from a unit says for sure it does not answer ("who" may be answered
# by an organisation, "which" by a single thing, "where" by a building: those are soft).
HARD = frozenset(
    {
        "name",
        "phone",
        "mobile",
        "email",
        "fax",
        "when",
        "deadline",
        "clock",
        "day",
        "since",
        "until",
        "count",
        "cost",
        "hours",
        "next",
        "duration",
        "url",
        "room",
        "frequency",
        "postal",
    }
)

YEAR = re.compile(r"(?<![\d/.-])(1[89]\d\d|20\d\d)(?![\d/-])")
POSTCODE = re.compile(r"(?<![\d-])\d{5}(?![\d-])\s+[A-ZÄÖÜ]")
URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:de|org|eu|com|net)\b")
NUMBER = re.compile(r"(?<![\d.,/-])\d{1,3}(?:[.,]\d{3})*(?:,\d+)?(?![\d/-])")
NUMERIC_DATE = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{2}|\d{4})\b")
TIME_OF_DAY = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?\s*(?:Uhr|h\b)|\b\d{1,2}[:.]\d{2}\b")
# a room ("Zimmer 214", "Raum 1.07", "Zi. 12") or a floor ("2. Obergeschoss", "Erdgeschoss")
ROOM = re.compile(
    r"\b(?:Zimmer|Zi\.|Raum|Room|Büro):?\s*(?:Nr\.?\s*)?[A-Z]?\d"
    r"|\b\d{1,2}\.\s*(?:Stock|Etage|Obergeschoss|OG|Untergeschoss)\b"
    r"|\b(?:Erdgeschoss|Dachgeschoss|Untergeschoss|Hochparterre)\b"
    r"|\b(?:\d{1,2}(?:st|nd|rd|th)|ground|first|second|third|top)\s+floor\b",
    re.IGNORECASE,
)
MONEY = re.compile(r"\d\s*(?:€|EUR\b|Euro\b|Cent\b)|€\s*\d", re.IGNORECASE)
PERCENT = re.compile(r"\d\s*(?:%|Prozent\b|percent\b|per cent\b)", re.IGNORECASE)


@cache
def data() -> dict:
    """``answer_types.yaml``, with every phrase folded into a tuple of words."""
    raw = load_data("answer_types.yaml")
    out: dict = {"asks": {k: [tuple(fold_words(c)) for c in v] for k, v in raw["asks"].items()}}
    for key, values in raw.items():
        if key != "asks":
            out[key] = frozenset(w for v in values for w in fold_words(str(v)))
    return out


@cache
def cue_words() -> frozenset[str]:
    """Every word of the cues of what a question asks (``asks`` of answer_types.yaml), but
    those of a room or a floor: "Zimmer" and "floor" name what the unit that answers says
    ("Zimmer 2.07"), so they stay things the question names."""
    asks = data()["asks"]
    return frozenset(w for t, cues in asks.items() if t != "room" for c in cues for w in c)


@cache
def cue_phrases() -> tuple[tuple[str, ...], ...]:
    """The cues of what a question asks, as folded phrases, the longest first."""
    cues = {c for group in data()["asks"].values() for c in group}
    return tuple(sorted(cues, key=lambda c: (-len(c), c)))


# What a question for a person or a way to reach one asks.
CONTACT_ASKED = frozenset({"person", "contact", "phone", "email", "fax"})
LOCATED_WINDOW = 3  # words before a place in which "at", "im", "bei" … may stand
COUNTED_WITHIN = 3  # words after "how many" in which the thing counted stands


@cache
def _administration() -> tuple[frozenset[str], frozenset[str]]:
    lists = load_data("wordlists.yaml")
    office = frozenset(" ".join(fold_words(w)) for w in lists["administration"])
    return office, frozenset(lists["locatives"])


def administration_as_place(words: Sequence[str]) -> set[str]:
    """The words and two-word phrases of folded ``words`` that name the city's
    administration as where something is: after "at", "in", "im", "bei" … within a few
    words ("at Musterstadt city hall", "in der Verwaltung"), not "Wie heißt das Amt"."""
    office, openers = _administration()
    out: set[str] = set()
    for i in range(len(words)):
        if openers & set(words[max(0, i - LOCATED_WINDOW) : i]):
            out |= {words[i], " ".join(words[i : i + 2])} & office
    return out


@cache
def _cue_tails() -> dict[str, tuple[str, ...]]:
    """Single-word cues long enough to end a compound that asks the same ("beitrag" in
    "Mitgliedsbeitrag", "nummer" in "Faxnummer")."""
    out: dict[str, tuple[str, ...]] = {}
    for t, cues in data()["asks"].items():
        tails = tuple(c[0] for c in cues if len(c) == 1 and len(c[0]) >= 6)
        if tails:
            out[t] = tails
    return out


@lru_cache(maxsize=8192)
def asked_types(question: str, lang: str | None = None) -> frozenset[str]:
    """The answer types a question asks for (``SATISFIED_BY`` keys and ``FREE``), in its
    language ``lang`` (both languages' openers of a yes/no question when it is not known)."""
    words = fold_words(question)
    found = {
        t for t, cues in data()["asks"].items() if any(contains_phrase(words, c) for c in cues)
    }
    for t, tails in _cue_tails().items():  # a compound ending in a cue: "Mitgliedsbeitrag"
        if any(_compound_of(w, tails) for w in words):
            found.add(t)
    money = _names_a_sum(words) and "clock" not in found
    if money and any(contains_phrase(words, c) for c in _amount_cues()):
        found.add("cost")  # "Wie hoch ist der Zuschuss?": a sum
    if "email" in found and any(
        contains_phrase(words, p)
        for p in (
            ("mail", "address"),
            ("mail", "adresse"),
            ("email", "address"),
            ("email", "adresse"),
        )
    ):
        found.discard("address")  # an e-mail address is no postal address
    if {"email", "url"} & found:
        found.discard("postal")  # nor is a web address ("Internetadresse", "website address")
    if "count" in found and {"phone", "fax"} & found and _only_a_numbers_name(words):
        found.discard("count")  # "the fax number of the office" asks no count
    measured = {"count", "duration", "cost", "frequency", "deadline", "clock"}
    if measured & found or set(words) & data()["name_cues"]:
        found.discard("manner")  # "wie viele", "how long", "how often", "wie heißt": no "how"
    if _asks_plural(question):
        found.add("list")  # "which cities", "what best-practice examples": plural
    if "when" in found and _year_qualified(words):
        found.discard("when")  # "Wie viel gibt die Stadt pro Jahr?" asks no when
    if "when" in found and set(words) & data()["exact_words"]:
        found.add("day")  # "Wann wurde der Vertrag genau unterzeichnet?"
    if "deadline" in found:  # "when is the deadline", "bis wann muss …": a date, or a
        found -= {"when", "until"}  # time before something, not when something ends
    if "since" in found:
        found.add("when")
        found.discard("day")  # "since when exactly" asks the year it began
    if "person" in found and _asks_which_thing(words):
        found.discard("person")  # "Welche Partnerstädte betreut Herr …?": the cities
        if not found - {"list"}:  # and nothing else ("In welchem Zimmer sitzt …": a room)
            found.add("duties")
    if _asks_a_name(words, found):
        found.add("name")
    if words and words[0] in yes_no_openers(lang):
        found.add("yes_no")
        if any(w.isdigit() and not YEAR.fullmatch(w) for w in words):
            found.add("count")  # "Hat die Stadt 15 oder 17 Partnerstädte?" asks the count
    for extreme in ("newest", "oldest"):
        if set(words) & data()[extreme]:
            found.add(extreme)
    return frozenset(found)


@cache
def yes_no_openers(lang: str | None = None) -> frozenset[str]:
    """The words that open a yes/no question in ``lang`` ("Ist …", "Does …"), and those of
    the other language that are no stop word of ``lang`` (a question may be read as the
    wrong language: "Does … die Netzwerkstelle …?"), but "Was kostet …?" is German's
    "what"; either language's when ``lang`` is not known."""
    t = data()
    de, en = t["yes_no_openers_de"], t["yes_no_openers_en"]
    if lang == "de":
        return de | (en - stopwords("de"))
    if lang == "en":
        return en | (de - stopwords("en"))
    return de | en


def counted_words(words: Sequence[str]) -> list[str]:
    """The words right after a count cue ("wie viele", "how many", "Anzahl der"), where what
    is counted stands."""
    return [
        w
        for cue in data()["asks"]["count"]
        for i in phrase_starts(words, cue)
        for w in words[i + len(cue) : i + len(cue) + COUNTED_WITHIN]
    ]


# "which" or "what" and a plural, right after it or after one word ("what best-practice
# examples")
PLURAL_ASKED = tuple(
    re.compile(rf"\b(?:which|what)\s+{between}(\w+[^s\W]s)\b", re.IGNORECASE)
    for between in ("", r"[\w-]+\s+")
)


def _asks_plural(question: str) -> bool:
    """Does an English question ask "which" or "what" of a plural ("which cities", "what
    best-practice examples")? An auxiliary after the noun is none ("what time does …",
    "which year was …")."""
    return any(
        not set(fold_words(m.group(1))) & data()["yes_no_openers_en"]
        for pattern in PLURAL_ASKED
        for m in pattern.finditer(question)
    )


def _year_qualified(words: Sequence[str]) -> bool:
    """Is a question's only cue for when a "Jahr" or "year" that a qualifier makes a frequency
    or a time frame ("each year", "pro Jahr", "last year")?"""
    bare = {("jahr",), ("year",)}
    if any(contains_phrase(words, c) for c in data()["asks"]["when"] if c not in bare):
        return False
    at = [i for i, w in enumerate(words) if (w,) in bare]
    return bool(at) and all(i and words[i - 1] in data()["year_qualifiers"] for i in at)


@cache
def _amount_cues() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(fold_words(c)) for c in load_data("answer_types.yaml")["amount_cues"])


def _names_a_sum(words: Sequence[str]) -> bool:
    """Does a question name a sum of money (``money_nouns``, or a compound that ends in one
    of ``money_endings``: "Fördergeld")?"""
    t = data()
    return bool(set(words) & t["money_nouns"]) or any(
        _compound_of(w, t["money_endings"]) for w in words
    )


def _compound_of(word: str, heads: Iterable[str]) -> bool:
    """Is a folded ``word`` a compound that ends in one of ``heads``, with at least three
    letters before it ("mitgliedsbeitrag" of "beitrag", "fordergeld" of "geld")?"""
    return any(word.endswith(h) and len(word) > len(h) + 2 for h in heads)


def _asks_a_name(words: Sequence[str], found: set[str]) -> bool:
    """Does a question ask who holds a role ("Wer ist Vorsitzende …?", "Wie heißt der
    Oberbürgermeister …?", "who chairs …"): a role of ``person_roles`` (or a compound ending
    in one), asked for by "who" or "name"?"""
    if "person" not in found and not set(words) & data()["name_cues"]:
        return False
    return any(is_role(w) for w in words)


def _asks_which_thing(words: Sequence[str]) -> bool:
    """Does a question ask which thing, and no person ("Welche Partnerstädte betreut Herr
    …?", "for which cities is … responsible?"): a which-word among its first words, before a
    word that is no stop word and names no person, and no "wer" or "who"?"""
    t = data()
    if set(words) & t["who_words"]:
        return False
    for i, w in enumerate(words[:3]):
        if w in t["which_words"] and i + 1 < len(words):
            thing = words[i + 1]
            known = thing in stopwords() or len(thing) <= 2  # "what's": "s"
            return not known and thing not in _person_words() and not is_role(thing)
    return False


@cache
def _person_words() -> frozenset[str]:
    """The words that say a person: the cues of a person or a contact, ``person_nouns`` and
    the words for people counted."""
    t = data()
    cues = {w for c in (*t["asks"]["person"], *t["asks"]["contact"]) for w in c}
    return frozenset(cues | t["person_nouns"] | t["people_counted"])


def is_role(word: str) -> bool:
    """Is a folded ``word`` a role that one person holds (``person_roles``), or a compound
    ending in one ("oberburgermeister")?"""
    roles = data()["person_roles"]
    return word in roles or any(len(r) >= 6 and word.endswith(r) for r in roles)


def _only_a_numbers_name(words: Sequence[str]) -> bool:
    """Is every count cue of the question the "number" of a phone or fax ("phone number
    of", "Faxnummer")?"""
    named = {w for t in ("phone", "fax") for c in data()["asks"][t] for w in c} - {"number"}
    for cue in data()["asks"]["count"]:
        n = len(cue)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) == tuple(cue) and not (
                cue[0] == "number" and i > 0 and words[i - 1] in named
            ):
                return False
    return True


def constrained(asked: frozenset[str]) -> frozenset[str]:
    """The asked types that the answer's unit must hold something for."""
    return frozenset(t for t in asked if t in SATISFIED_BY)


def _phones(text: str) -> list[str]:
    out = []
    for m in PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) >= 6 and not YEAR.fullmatch(m.group(0).strip()):
            out.append(m.group(0).strip())
    return out


def phones(text: str) -> list[str]:
    """Phone (and fax) numbers as written: "(06151) 13-3608", "+49 (6151) 13-2321"."""
    return _phones(text)


def years(text: str) -> list[int]:
    """Years of a text (1800-2099), not the digits of a phone number or postcode."""
    bare = PHONE.sub(" ", EMAIL.sub(" ", text))
    return [int(y) for y in YEAR.findall(bare)]
