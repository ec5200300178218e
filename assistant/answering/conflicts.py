"""Pages that disagree: where two pages give different values for what is asked (an
address, a phone number, an e-mail address, a count, the newest or oldest entry of a list),
one sentence states both values with the pages and their dates, the newer page named, and
the two passages are quoted after it."""

from __future__ import annotations

import re

from assistant.answering.drafts import CitationNumbers, Draft, one_line, plain, quoted, relevance
from assistant.answering.phrases import phrases
from assistant.answering.reader import Reading
from assistant.answering.reader.candidates import Candidate
from assistant.answering.reader.cards import year_items
from assistant.answering.reader.types import NUMBER, YEAR, phones, years
from assistant.answering.reader.types import data as type_data
from assistant.language.words import fold_words
from assistant.records import Conflict

CONFLICT_RATIO = 0.2  # a disagreeing unit of another page counts from this share of the best
COUNT_WINDOW = 3  # a count stands at most this many words before what it counts
CONTEXT_CHARS = 80  # text around a number read for those words


class ConflictReports:
    """The conflict reports of :class:`~assistant.answering.composer.Composer` (a mixin: it
    reads the composer's ``as_of`` and ``cities``)."""

    as_of: dict[str, int | None]
    cities: dict[str, str]

    def conflict(self, reading: Reading, lang: str) -> Draft | None:
        """Two pages' different values for what is asked: the best unit's and the best
        disagreeing unit of another page (an address by its postcode, a count of what the
        question counts, the newest or oldest entry of a list by its year)."""
        asked = reading.analysis.asked
        kind = next(
            (k for k in ("email", "phone", "count", "newest", "oldest", "address") if k in asked),
            None,
        )
        best = reading.best
        if kind is None or best is None:
            return None
        if kind in ("newest", "oldest"):
            return self._extreme_conflict(kind, reading, lang)
        own = self._values(kind, best, reading)
        if not own or not _holds_places(best, reading):
            return None
        ratio = CONFLICT_RATIO if kind in ("newest", "oldest", "phone", "email") else 0.0
        for c in reading.candidates[1:]:
            if c.score < ratio * best.score:
                break
            if c.passage.chunk.doc_id == best.passage.chunk.doc_id:
                continue
            if self.cities.get(c.passage.chunk.doc_id) != self.cities.get(
                best.passage.chunk.doc_id
            ):
                continue
            other = self._values(kind, c, reading)
            if other and not other & own and _holds_places(c, reading):
                return self._conflict_draft(kind, best, c, lang, reading)
        return None

    def _extreme_conflict(self, kind: str, reading: Reading, lang: str) -> Draft | None:
        """The newest (oldest) entry as a year list gives it against a sentence of another
        page that names the newest (oldest) by its year ("Die jüngste … 2023")."""
        cue = type_data()[kind]
        listed = [c for c in reading.candidates if len(_year_lines(c.unit.text)) >= 3]
        stated = [
            c
            for c in reading.candidates
            if years(c.unit.text) and set(fold_words(c.unit.text)) & cue and c not in listed
        ]
        if not listed or not stated:
            return None
        a, b = stated[0], listed[0]
        if a.passage.chunk.doc_id == b.passage.chunk.doc_id:
            return None
        if self._values(kind, a, reading) & self._values(kind, b, reading):
            return None
        return self._conflict_draft(kind, a, b, lang, reading)

    def _values(self, kind: str, c: Candidate, reading: Reading) -> frozenset[str]:
        text = c.unit.text
        if kind == "address":
            return frozenset(re.findall(r"\b\d{5}\b", text)) if "address" in c.held else frozenset()
        if kind == "phone":
            return frozenset(_phone_key(p) for p in phones(text))
        if kind == "email":
            return frozenset(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text))
        if kind in ("newest", "oldest"):
            found = years(text)
            if not found:
                return frozenset()
            pool = [y for y, _, _ in _year_lines(text)] or found
            return frozenset({str(max(pool) if kind == "newest" else min(pool))})
        topic = {w for k in reading.analysis.concepts if k.thing for w in k.words}
        asks_both = any(w.isdigit() for w in fold_words(reading.analysis.text))
        return frozenset(_count_values(text, topic, asks_both))

    def _conflict_draft(
        self, kind: str, a: Candidate, b: Candidate, lang: str, reading: Reading
    ) -> Draft:
        """The answer that reports two pages' values: one sentence that states both, with
        each page and its date, the newer page named, and then each page's passage quoted."""
        words = phrases(lang)
        cites = CitationNumbers()
        na = cites.add(a.passage.chunk, relevance(a.passage), a.unit.text)
        nb = cites.add(b.passage.chunk, relevance(b.passage), b.unit.text)
        da, db = a.passage.chunk.doc_id, b.passage.chunk.doc_id
        age_a, age_b = self.as_of.get(da), self.as_of.get(db)
        topic = frozenset(w for k in reading.analysis.concepts if k.thing for w in k.words)
        shown = [
            words["quote_mark"].format(
                text=plain(_shown(kind, c, self._values(kind, c, reading), topic))
            )
            for c in (a, b)
        ]
        text = words["conflict"].format(
            topic=words["topics"][kind],
            value_a=shown[0],
            title_a=a.passage.chunk.title,
            as_of_a=age_a or words["unknown_year"],
            value_b=shown[1],
            title_b=b.passage.chunk.title,
            as_of_b=age_b or words["unknown_year"],
        )
        newer = None
        if age_a and age_b and age_a != age_b:
            newer = da if age_a > age_b else db
            title = a.passage.chunk.title if newer == da else b.passage.chunk.title
            text += " " + words["conflict_newer"].format(title=title)
        else:
            text += " " + words["conflict_unknown_age"]
        text += f" {quoted(a.unit.text, words, na)} {quoted(b.unit.text, words, nb)}"
        values = [
            {"value": one_line(a.unit.text), "n": na, "doc": da, "as_of": age_a},
            {"value": one_line(b.unit.text), "n": nb, "doc": db, "as_of": age_b},
        ]
        return Draft(text, False, cites.items, [Conflict(kind, values, newer)])


def _shown(kind: str, c: Candidate, values: frozenset[str], topic: frozenset[str]) -> str:
    """A page's value as the answer's first sentence states it, verbatim from its unit: the
    street and postcode lines of an address, the phone number or e-mail address, the count
    with what it counts ("17 Partnerstädten"; of several, the one that counts the most of the
    question's ``topic`` words), the year-list line of the newest (oldest) entry, or else the
    value itself."""
    text = c.unit.text
    value = min(values) if values else ""
    if kind == "address":
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for i, line in enumerate(lines):
            if value and value in line:
                street = lines[i - 1] if i and re.search(r"\d", lines[i - 1]) else ""
                return f"{street}, {line}" if street else line
    if kind == "phone":
        return next((p for p in phones(text) if _phone_key(p) == value), value)
    if kind in ("newest", "oldest"):
        line = next((line for line in text.splitlines() if _year_lines(line) and value in line), "")
        return one_line(line) or value
    if kind == "count":  # the count of what the question names most, the first of equals
        spans = [
            m
            for v in values
            for m in re.finditer(rf"(?<![\d.,]){re.escape(v)}\s+[^\s,.;:!?]+", text)
        ]
        if not spans:
            return value
        best = max(spans, key=lambda m: (len(set(fold_words(m.group(0))) & topic), -m.start()))
        return best.group(0)
    return value


def _count_values(text: str, topic: set[str], asks_both: bool) -> set[str]:
    """The numbers of a text that count one of the ``topic`` words: each as written
    ("24.000" whole, not "24" and "000"), standing at most ``COUNT_WINDOW`` words before the
    word it counts. A year, a number with a full stop or a colon after it (the day of a date
    "8. Juli", an ordinal "9. Partnerschaft", an item "2.", a time "17.00 Uhr" or "17:00")
    count nothing; a count after a word of the past ("damals 15 Partnerstädte") was the
    count then, not another now (unless the question names numbers itself and so asks about
    both)."""
    past = type_data()["past_markers"]
    counts = set()
    for m in NUMBER.finditer(text):
        value = m.group(0)
        if YEAR.fullmatch(value) or text[m.end() : m.end() + 1] in (".", ":"):
            continue  # "9. Mai", "2. Die Stadt …", "17.00 Uhr", "Folie 8:" count nothing
        if text[max(0, m.start() - 1) : m.start()] == ":":
            continue  # "17:00"
        after = fold_words(text[m.end() : m.end() + CONTEXT_CHARS])[:COUNT_WINDOW]
        j = next((j for j, w in enumerate(after) if w in topic), None)
        if j is None:
            continue  # it counts nothing the question names
        before = fold_words(text[max(0, m.start() - CONTEXT_CHARS) : m.start()])
        if asks_both or not set([*before, value, *after[:j]][-COUNT_WINDOW:]) & past:
            counts.add(value)
    return counts


def _phone_key(phone: str) -> str:
    """A phone number as it is compared: its last six digits ("(06151) 13-3608" and
    "+49 6151 133608" are one number)."""
    return re.sub(r"\D", "", phone)[-6:]


def _year_lines(text: str) -> list[tuple[int, str, str]]:
    return [item for line in text.splitlines() for item in year_items(line)]


def _holds_places(c: Candidate, reading: Reading) -> bool:
    """Does a unit (or what stands above it) name every place the question names?"""
    words = c.words | c.context_words
    return all(any(set(v) <= words for v in group) for group in reading.analysis.places)
