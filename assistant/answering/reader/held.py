"""What a unit of a page holds: the answer types (``HELD``) a sentence, line, row or card
shows by its words and patterns (a person, a phone number, a year, a day, a time of day, a
count, an amount …), the counterpart of what a question asks for (``types.py``).

General language data (``assistant/data/answer_types.yaml``) and patterns only; nothing here
knows a city, a person or a page.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from assistant.answering.reader.types import (
    MONEY,
    NUMBER,
    NUMERIC_DATE,
    PERCENT,
    POSTCODE,
    ROOM,
    TIME_OF_DAY,
    URL,
    YEAR,
    data,
    phones,
    years,
)
from assistant.language.names import WORD, first_and_surname
from assistant.language.patterns import EMAIL, PHONE
from assistant.language.words import fold_words

HELD = (
    "person",
    "organisation",
    "phone",
    "mobile",
    "email",
    "fax",
    "address",
    "year",
    "date",
    "day",
    "time",
    "clock",
    "count",
    "list",
    "place",
    "money",
    "hours",
    "future",
    "end",
    "duration",
    "url",
    "room",
    "frequency",
)
COUNT_LINKS = 4  # words that may stand between what is counted and its number after it
FREE_WINDOW = 3  # words between "frei" or "free" and the entry or charge it says is free


def _title(word: str) -> bool:
    """Is ``word`` a title or a role held by a person ("Frau", "Vorsitzende", and compounds
    ending in a long one: "Europaministerin", "Museumsdirektor")?"""
    titles = data()["person_titles"]
    folded = fold_words(word)
    last = folded[-1] if folded else ""
    return last in titles or any(len(t) >= 6 and last.endswith(t) for t in titles)


def _mobile(phone: str) -> bool:
    """Is a phone number a German mobile one (015…, 016…, 017…, +49 15…)?"""
    digits = re.sub(r"\D", "", phone)
    digits = re.sub(r"^(?:0049|49)", "0", digits)
    return digits[:3] in ("015", "016", "017")


def _named_before(text: str, words: list[re.Match], i: int) -> bool:
    """Is the title ``words[i]`` preceded by a name and a comma, an article or an adjective
    between them ("Karl Mustermann, Oberbürgermeister", "Erika Muster, die Vorsitzende")?"""
    k = i
    for _ in range(3):
        if k < 2:
            return False
        gap = text[words[k - 1].end() : words[k].start()]
        if "," in gap:
            a, b = words[k - 2], words[k - 1]
            joined = not text[a.end() : b.start()].strip()
            return joined and a[0][0].isupper() and b[0][0].isupper()
        if gap.strip():
            return False
        k -= 1
    return False


def _named_after(text: str, words: list[re.Match], i: int) -> bool:
    """Is the title ``words[i]`` followed by whom or where it is of, a comma and a name
    ("der Bürgermeister von X, Jean Exemple")?"""
    for k in range(i + 1, min(i + 5, len(words) - 2)):
        gap = text[words[k].end() : words[k + 1].start()]
        if "," in gap:
            a, b = words[k + 1], words[k + 2]
            joined = not text[a.end() : b.start()].strip()
            return gap.strip() == "," and joined and a[0][0].isupper() and b[0][0].isupper()
        if gap.strip():
            return False
    return False


def _has_person(text: str, kind: str) -> bool:
    """Does a unit name a person: a contact card; a title or role before a capitalised word
    ("Oberbürgermeister Max Muster", "Vorsitzende: Erika Muster") or after a name and a
    comma ("Karl Mustermann, Oberbürgermeister") or before one ("der Bürgermeister von
    X, Jean Exemple"); a first name before a surname; a
    "Surname, First name" line?"""
    if kind == "contact":
        return True
    words = list(WORD.finditer(text))
    for i, word in enumerate(words):
        if not _title(word[0]):
            continue
        if i + 1 < len(words) and words[i + 1][0][:1].isupper():
            gap = text[word.end() : words[i + 1].start()]
            if not gap.strip(" \t:*.") and "\n" not in gap:
                return True
        if _named_before(text, words, i) or _named_after(text, words, i):
            return True
    if first_and_surname(text):
        return True
    return bool(re.search(r"^[A-ZÄÖÜ][\w-]+,\s+[A-ZÄÖÜ][\w-]+$", text.strip(), re.MULTILINE))


def _has_organisation(text: str) -> bool:
    """Does a unit name an organisation: an acronym (IHK, BMZ), or a capitalised word
    ending like one (…ministerium, …verein, …amt)?"""
    if re.search(r"\b[A-ZÄÖÜ]{2,6}\b", text):
        return True
    endings = data()["organisation_endings"]
    for token in re.findall(r"\b[A-ZÄÖÜ][\w-]+", text):
        word = "".join(fold_words(token))
        if any(word.endswith(e) and len(word) > len(e) + 2 for e in endings) or word in endings:
            return True
    return False


def _is_list(text: str, kind: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    items = sum(bool(re.match(r"\s*(?:[-*•]|\d+\.)\s+", line)) for line in lines)
    if kind in ("list", "table") or items >= 2:
        return True
    # "A, B, C und D": three or more names or things in a row, separated by commas
    if re.search(r"(?:[A-ZÄÖÜ][\w.-]+(?: [A-ZÄÖÜ][\w.-]+)*, ){2,}", text):
        return True
    return text.count(", ") >= 3 and bool(re.search(r"\b(?:und|sowie|oder|and|or)\b", text))


def _counts(text: str) -> bool:
    text = "\n".join(
        line for line in text.splitlines() if not _address(line)
    )  # a post box or house number counts nothing
    bare = NUMERIC_DATE.sub(" ", TIME_OF_DAY.sub(" ", text))
    bare = PHONE.sub(" ", EMAIL.sub(" ", POSTCODE.sub(" ", bare)))
    bare = URL.sub(" ", bare)
    for m in NUMBER.finditer(bare):
        if not YEAR.fullmatch(m.group(0)):
            return True
    words = set(fold_words(text))
    return bool(words & data()["number_words"])


def _dates(text: str) -> bool:
    """Does a text name a date: a month with a day or year ("15. Juni", "Mai 2025"), after a
    word of time ("im August", "Anfang November"), or in a compound ("Septemberwochenende")?"""
    if NUMERIC_DATE.search(text):
        return True
    words = fold_words(text)
    t = data()
    months, openers = t["months"], t["month_openers"]
    for i, w in enumerate(words):
        if w not in months:
            continue
        before, after = words[i - 1] if i else "", words[i + 1] if i + 1 < len(words) else ""
        if before.isdigit() or after.isdigit() or (len(w) > 3 and before in openers):
            return True
    full, endings = tuple(m for m in months if len(m) > 3), tuple(t["month_compound_endings"])
    return any(w.startswith(full) and w.endswith(endings) and w not in months for w in words)


def _days(text: str) -> bool:
    """Does a text name a day: a date ("15.09.2024", "13. bis 15. Juni") or a weekday
    ("dienstags", "on Mondays")? A month and a year ("im Mai 2025") name none."""
    if NUMERIC_DATE.search(text):
        return True
    words = fold_words(text)
    months = data()["months"]
    for i, w in enumerate(words):
        if w in months and i and words[i - 1].isdigit() and 1 <= int(words[i - 1]) <= 31:
            return True
        if _weekday(w):
            return True
    return False


def _weekday(word: str) -> bool:
    """Is a folded word a weekday written out, in any form ("Dienstag", "mittwochs",
    "Donnerstagnachmittag", "Mondays")?"""
    return len(word) >= 6 and word.startswith(_long_weekdays())


@lru_cache(maxsize=1)
def _long_weekdays() -> tuple[str, ...]:
    return tuple(sorted(d for d in data()["weekdays"] if len(d) >= 6))


def _address(text: str) -> bool:
    if POSTCODE.search(text):
        return True
    words = fold_words(text)
    streets = data()["street_words"]
    return (
        any(
            (w in streets or any(w.endswith(s) for s in ("strasse", "platz", "allee", "gasse")))
            and i + 1 < len(words)
            and words[i + 1][:1].isdigit()
            for i, w in enumerate(words)
        )
        or "postfach" in words
    )


def _free_or_share(text: str) -> bool:
    """Does a text say what something costs without a sum: that it costs nothing
    ("kostenlos", "Der Eintritt ist frei", "free of charge"), or which share of the costs is
    paid ("bis zu 80 % der Kosten")?"""
    t = data()
    words = fold_words(text)
    if set(words) & t["free_words"]:
        return True
    free, nouns = t["free_adjectives"], t["free_nouns"]
    if any(
        w in free and nouns & set(words[max(0, i - FREE_WINDOW) : i + FREE_WINDOW + 1])
        for i, w in enumerate(words)
    ):
        return True
    return bool(PERCENT.search(text)) and bool(set(words) & t["cost_share_nouns"])


def _duration(text: str) -> bool:
    words = fold_words(text)
    units = data()["time_units"]
    numbers = data()["number_words"]
    return any(
        w in units and i and (words[i - 1].isdigit() or words[i - 1] in numbers)
        for i, w in enumerate(words)
    )


def _frequency(words: list[str]) -> bool:
    """Do folded ``words`` say how often something happens: a word for it ("zweimal",
    "alljährlich", "Zweijahresrhythmus"), a number of times ("zwei Mal", "zum 35. Mal"), or
    "jedes", "alle", "pro", "every" … before a time unit or a weekday within two words ("jedes
    Jahr", "alle zwei Jahre", "jeden ersten Dienstag", "pro Kalenderjahr")?"""
    t = data()
    if set(words) & t["frequency_words"]:
        return True
    if any(w.endswith(tuple(t["frequency_endings"])) for w in words):
        return True
    if any(w in t["times_words"] and _number_before(words, i, 1) for i, w in enumerate(words)):
        return True
    units = tuple(t["time_units"])
    return any(
        w in t["frequency_openers"]
        and any(n.endswith(units) or _weekday(n) for n in words[i + 1 : i + 3])
        for i, w in enumerate(words)
    )


def counts_of(words: list[str], topic: set[str], window: int = 3) -> bool:
    """Do folded ``words`` hold a number right before a word of ``topic`` ("17
    Partnerstädten", "über 800 deutschen Städten"), or right after it with only a link
    between ("Die Zahl der Plätze ist auf 48 begrenzt", "Mitglieder: rund 430")? Years are
    no counts."""
    return any(
        w in topic and (_number_before(words, i, window) or _number_after(words, i))
        for i, w in enumerate(words)
    )


def _number_after(words: list[str], i: int) -> bool:
    """Does a number (not a year, not a sum) follow ``words[i]`` with one or more words of
    ``count_links`` ("ist", "liegt bei", "rund") between?"""
    t = data()
    after = words[i + 1 : i + 2 + COUNT_LINKS]
    for j, w in enumerate(after):
        if _a_number(w):
            return j > 0 and not set(after[j + 1 : j + 3]) & t["currency"]
        if w not in t["count_links"]:
            return False
    return False


def counts_people(words: list[str], window: int = 3) -> bool:
    """Do folded ``words`` count people: a number right before a word for people ("220
    Gäste", "600 Besucherinnen") or a group's size ("eine 14-köpfige Delegation",
    "siebenköpfige")?"""
    numbers = data()["number_words"]
    people = data()["people_words"]
    for i, w in enumerate(words):
        size = _SIZE.fullmatch(w)
        if size and (size[1] in numbers or (not size[1] and i and words[i - 1].isdigit())):
            return True
        if _people(w, people) and _number_before(words, i, window):
            return True
    return False


def _number_before(words: list[str], i: int, window: int) -> bool:
    """Does a number (not a year) or a number word stand in the ``window`` words before
    ``words[i]``?"""
    return any(map(_a_number, words[max(0, i - window) : i]))


def _a_number(word: str) -> bool:
    """Is a folded word a number (not a year) or a number word?"""
    return (word.isdigit() and not YEAR.fullmatch(word)) or word in data()["number_words"]


def _people(word: str, people: frozenset[str]) -> bool:
    """Is a folded word a word for people ("Gästen", "Einwohnerinnen", "Studierende")?"""
    if word in people or word.rstrip("n") in people or word[:-1] in people:
        return True
    if word.endswith("innen") and len(word) > 8:
        return True
    return word.endswith(("ende", "enden")) and len(word) >= 9 and "wochenende" not in word


_SIZE = re.compile(r"(\w*?)kopfige[nrs]?")  # "14-köpfige", "siebenköpfige": a group of so many


@lru_cache(maxsize=131072)
def held_types(text: str, kind: str = "prose") -> frozenset[str]:
    """The answer types a unit holds (``HELD``), from its text and its chunk's kind."""
    words = set(fold_words(text))
    held = set()
    if _has_person(text, kind):
        held.add("person")
    if _has_organisation(text):
        held.add("organisation")
    tels = phones(text)
    if tels:
        held.add("phone")
        if words & {"fax", "telefax"}:
            held.add("fax")
        if words & data()["mobile_words"] or any(map(_mobile, tels)):
            held.add("mobile")
    if EMAIL.search(text):
        held.add("email")
    if _address(text):
        held.add("address")
    found_years = years(text)
    if found_years:
        held.add("year")
        if max(found_years) >= date.today().year:
            held.add("future")
    if _dates(text):
        held.add("date")
    if _days(text):
        held.add("day")
    clock = bool(TIME_OF_DAY.search(text))
    if clock:
        held.add("clock")  # a time of day, which a weekday is not
    weekday = any(map(_weekday, words))
    if clock or weekday:
        held.add("time")  # "jeden dritten Mittwoch", "um 12:00 Uhr"
    if (found_years or "date" in held) and words & data()["end_words"]:
        held.add("end")
    if _counts(text):
        held.add("count")
    if _is_list(text, kind):
        held.add("list")
    if MONEY.search(text) or words & data()["currency"] or _free_or_share(text):
        held.add("money")
    if words & {"offnungszeiten", "sprechzeiten", "geoffnet", "vereinbarung"} or (
        clock and (weekday or words & data()["weekdays"])
    ):
        held.add("hours")
    if _duration(text):
        held.add("duration")
    if URL.search(text):
        held.add("url")
    if ROOM.search(text):
        held.add("room")
    if _frequency(fold_words(text)):
        held.add("frequency")
    return frozenset(held)


def starts(text: str) -> bool:
    """Does a unit state when something began (seit, gegründet, beigetreten …)?"""
    return bool(set(fold_words(text)) & data()["start_words"])
