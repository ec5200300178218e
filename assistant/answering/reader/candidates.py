"""The candidate units of a question's passages, and what each holds for the question.

A candidate is one unit (a sentence, a line, a list, a table row, a contact card) of a
retrieved passage, with the kinds of answer it holds. What it holds *for a question* is
narrower: a count only of what is counted, a person only in the role asked about, an
address only of its owner, a date, a count or an amount only of the year asked about.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.answering.reader.held import counts_of, counts_people, held_types
from assistant.answering.reader.question import Analysis
from assistant.answering.reader.types import counted_words, is_role
from assistant.answering.reader.types import data as types_data
from assistant.answering.reader.units import Unit
from assistant.language.patterns import EMAIL
from assistant.language.words import fold_words
from assistant.records import Passage

CONTEXT_SHARE = 0.5  # a concept found only above the unit (heading, lead, previous unit)
DATED = frozenset({"year", "date", "day", "time", "clock", "count", "money"})  # of a year


@lru_cache(maxsize=262144)
def words_of(text: str) -> frozenset[str]:
    return frozenset(fold_words(text))


@dataclass
class Candidate:
    """A unit of a retrieved passage, with what the scorer needs to know about it."""

    unit: Unit
    passage: Passage
    held: frozenset[str]
    previous: str = ""  # the unit before it in its passage
    following: str = ""  # the unit after it
    features: np.ndarray | None = None
    score: float = 0.0
    _words: frozenset[str] | None = None
    _context: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = words_of(self.unit.text)
        return self._words

    @property
    def context_words(self) -> frozenset[str]:
        """The words above the unit: page title, section, list lead, the unit before."""
        if self._context is None:
            self._context = words_of(self.unit.heading) | words_of(self.previous)
        return self._context


def held_share(c: Candidate, concept_words: frozenset[str]) -> float:
    if concept_words & c.words:
        return 1.0
    return CONTEXT_SHARE if concept_words & c.context_words else 0.0


def held_for(q: Analysis, c: Candidate, text: str, held: frozenset[str]) -> frozenset[str]:
    """The types a unit holds for this question: a count only when it counts what the question
    names ("wie viele Partnerstädte" → "17 Partnerstädten", not "40 Jahren"), people by any
    word for people ("how many people" → "220 Gäste", "eine 14-köpfige Delegation"); a date,
    a time, a count or an amount for a question about one year ("Wann ist das Fest 2026?")
    only when its passage names that year (not "jedes Jahr im Juni" of a 2012 brochure); a
    person for a role's holder ("Wer ist Vorsitzender …?") only when the unit or what stands
    above it names that role."""
    if c.unit.kind in ("table", "list") and q.names and text == c.unit.text:
        held = _held_in_named_lines(q, text, held)
    if "count" in q.asked and _people_counted(q):  # people, counted by any word for people
        held = held | {"count"} if counts_people(fold_words(text)) else held - {"count"}
    elif "count" in held and "count" in q.asked:
        topic = _counted(q)
        if topic and not counts_of(fold_words(text), topic):
            held = held - {"count"}
    if "person" in held and "name" in q.asked:
        roles = _roles(q)
        if roles and not any(held_share(c, words) for words in roles):
            held = held - {"person"}  # a person, but not said to hold the role asked about
    if "email" in held and "email" in q.asked:
        owners = _owners(q)
        if owners and not _own_address(owners, text):
            held = held - {"email"}  # a shared address, not the person's own
    if held & DATED and q.dated is not None:
        chunk = c.passage.chunk
        if str(q.dated) not in f"{chunk.title} {chunk.section}\n{chunk.passage_text}":
            held = held - DATED
    return held


@lru_cache(maxsize=4096)
def _people_counted(q: Analysis) -> bool:
    """Does a question count people ("how many people", "wie viele Leute")?"""
    return bool({*_counted(q), *counted_words(fold_words(q.text))} & types_data()["people_counted"])


@lru_cache(maxsize=4096)
def _counted(q: Analysis) -> frozenset[str]:
    """The pages' words for what a question counts: the things right after "wie viele", "how
    many", "Anzahl der" ("how many guests" → Gäste), or else every thing it names that is no
    name. An English noun is no thing by its case: the one counted is found where it stands."""
    after = counted_words(fold_words(q.text))
    counted = [
        k.words
        for k in q.concepts
        if k.words
        and not set(k.word.split()) <= q.place_words  # "how many in Musterville": no place
        and k.word.split()[0] in after
    ]
    if counted:
        return frozenset().union(*counted)
    return frozenset(w for k in q.concepts if k.thing and not k.name for w in k.words)


@lru_cache(maxsize=4096)
def _roles(q: Analysis) -> tuple[frozenset[str], ...]:
    """The pages' words for each role a question asks the holder of; a role no page writes
    ("spokesperson" where the pages say "Pressesprecherin") cannot be looked for."""
    return tuple(k.words for k in q.concepts if k.words and any(map(is_role, k.word.split())))


@lru_cache(maxsize=4096)
def _owners(q: Analysis) -> frozenset[str]:
    """The names whose own e-mail address a question asks for ("persönlich", "personal");
    empty when it asks for none."""
    if not set(fold_words(q.text)) & types_data()["personal_words"]:
        return frozenset()
    return frozenset(w for k in q.names for w in (*k.word.split(), *k.words) if len(w) >= 3)


def _own_address(owners: frozenset[str], text: str) -> bool:
    """Does an e-mail address of ``text`` belong to one of ``owners``: its part before the @
    holds the name ("e.muster@…" for Frau Muster, not "international@…")?"""
    for address in EMAIL.findall(text):
        local = "".join(fold_words(address.split("@")[0]))
        if any(n in local for n in owners):
            return True
    return False


def _held_in_named_lines(q: Analysis, text: str, held: frozenset[str]) -> frozenset[str]:
    """What a table or list holds about what the question names: the types of its lines
    that name it ("X | Ungarn | Ida B., x@…" holds no phone, though another
    row does), when some lines name it and others do not."""
    lines = [line for line in text.splitlines() if line.strip()]
    named = [line for line in lines if any(k.words & words_of(line) for k in q.names)]
    if not named or len(named) == len(lines):
        return held
    return frozenset().union(*(held_types(line) for line in named)) | (held & {"list"})


def make_candidates(units_of, passages: Sequence[Passage]) -> list[Candidate]:
    """Every unit of the passages, in passage order."""
    out: list[Candidate] = []
    for p in passages:
        previous = ""
        start = len(out)
        for unit in units_of(p.chunk):
            out.append(Candidate(unit, p, held_types(unit.text, p.chunk.kind), previous))
            if unit.kind not in ("list", "table"):
                previous = unit.text
        mine = [c for c in out[start:] if c.unit.kind not in ("list", "table")]
        for a, b in itertools.pairwise(mine):
            a.following = b.unit.text
    return out
