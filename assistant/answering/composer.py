"""The default answer composer: no LLM, only what the retrieved passages say.

The reader (``assistant/reader``) picks the units that answer the question and says whether
they do at all. A contact card is answered with a template in the asker's language, a year of
a partnership list too; anything else is quoted verbatim from the pages (in an English answer
with one sentence saying the quotes are German), led by the fact: the quote that holds the
typed answer asked goes first, and a bare label is quoted with the line it labels; sentences
next to each other in a passage are one quote. When the reader finds no answer, the answer
says so (the refusal phrase), with the closest sources and the office's contact. Where two
pages give different values for what is asked (an address, a count, the newest entry of a
list), the first sentence states both with their pages' dates.

:class:`Composer` chooses and quotes the units; the typed-fact sentences
(``templates``), the report of pages that disagree (``conflicts``) and the refusal
(``refusal``) are mixed into it. The draft of an answer and its numbered citations are in
``drafts``, the phrases of each language in ``phrases``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from assistant.answering.conflicts import ConflictReports
from assistant.answering.contact_cards import unstated
from assistant.answering.drafts import CitationNumbers, Draft, one_line, quoted, relevance
from assistant.answering.phrases import phrases
from assistant.answering.reader import Reader, Reading
from assistant.answering.reader.candidates import Candidate
from assistant.answering.reader.features import hard_type_fit
from assistant.answering.reader.held import held_types
from assistant.answering.reader.types import HARD, SATISFIED_BY
from assistant.answering.reader.units import BULLET
from assistant.answering.refusal import Refusals, closest_sources
from assistant.answering.templates import FactTemplates
from assistant.indexing.facts import Facts
from assistant.language.words import fold_words, stopwords
from assistant.records import Chunk, Passage

QUOTE_RATIO = 0.2  # another passage's unit is quoted too when it scores this share of the best
NEIGHBOUR_RATIO = 0.3  # a sentence next to the best one is quoted from this share of its score
MAX_SUPPORT = 2  # quotes that follow the best unit, which leads the answer
LIST_QUOTES = 5  # a question asking for a list may be answered from more units
# Quotes from this one on give of a whole table or list only the rows asked about. The
# leading quote stays whole (always trimmed, 8 of the training cities' answers lost their
# fact) unless it is a table longer than LEAD_ROWS lines. Leading tables and lists trimmed
# from more than 4 / 6 / 10 lines: 7 / 1 / 0 training answers lost their fact, median
# answer 317 / 322 / 337 characters (340 never trimmed); tables alone from 6: 1 lost, 326.
TRIM_FROM = 1
LEAD_ROWS = 6
PROSE = ("sentence", "line")  # units read as running text, quoted with their neighbours


class Composer(FactTemplates, ConflictReports, Refusals):
    """Turns a reading of the retrieved passages into an answer with numbered, verifiable
    citations."""

    def __init__(
        self,
        facts: Facts,
        chunks: Mapping[str, Chunk],
        as_of: Mapping[str, int | None],
        cities: Mapping[str, str] | None = None,
        home: str | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.facts = facts
        self.chunks = chunks
        self.as_of = dict(as_of)
        self.cities = dict(cities or {})  # the city each page speaks for (front matter)
        self.home = home
        self.reader = reader

    # --- answering -----------------------------------------------------------------------
    def compose(
        self,
        question: str,
        lang: str,
        passages: list[Passage],
        query_vector: np.ndarray | None = None,
        dense: Mapping[str, float] | None = None,
    ) -> Draft:
        if not passages or self.reader is None:
            return self.refuse(lang, passages)
        reading = self.reader.read(question, lang, passages, query_vector, dense)
        draft = self.compose_reading(reading, lang) if reading.answers else None
        draft = draft or self.refuse(lang, passages)
        draft.confidence = reading.answerable
        draft.closest = closest_sources(passages)
        return draft

    def compose_reading(self, reading: Reading, lang: str) -> Draft | None:
        """The answer to a question the reader found answered: two pages' different values
        when they disagree, a typed fact as a sentence, or else the best units quoted; None
        when the contact asked about has no phone number or e-mail address of the kind asked
        for (the pages do not say it)."""
        conflict = self.conflict(reading, lang)
        if conflict is not None:
            return conflict
        best = reading.best
        assert best is not None
        if unstated(reading, best):
            return None
        cites = CitationNumbers()
        templated = self.template(reading, best, lang, cites)
        if templated:
            return Draft(templated, False, cites.items)
        return self.quote(reading, lang)

    def chosen(self, reading: Reading) -> list[Candidate]:
        """The units an answer quotes: the best first, as it leads the answer; then the
        sentences around it when they score well too or carry the answer on (the next one,
        when the best lacks the kind of answer asked for, or the question asks how or why),
        and units of other passages that score nearly as well, unless they say nothing the
        question does not (a bare name) or hold such a unit: at most ``MAX_SUPPORT`` of them
        (``LIST_QUOTES`` for a question asking for a list), the units left out counted."""
        best = reading.best
        assert best is not None
        asked = reading.analysis.asked
        same_chunk = {
            c.unit.position: c
            for c in reading.candidates
            if c.passage.chunk.id == best.passage.chunk.id
        }
        before = same_chunk.get(best.unit.position - 1)
        after = same_chunk.get(best.unit.position + 1)
        picked = [best]
        if _bare(reading, best) and after is not None and after.unit.kind in PROSE:
            picked.append(after)  # a label ("Nordhafen") is quoted with what it labels
        elif best.unit.kind in PROSE:
            if after is not None and after.unit.kind in PROSE:
                hard = reading.analysis.constrained
                lacks = hard and not any(best.held & _satisfying(t) for t in hard)
                carries = lacks or not hard or {"manner", "reason"} & asked
                if carries or after.score >= NEIGHBOUR_RATIO * best.score:
                    picked.append(after)
                    # "how" and "why" are answered by what the paragraph goes on to say
                    second = same_chunk.get(best.unit.position + 2)
                    if {"manner", "reason"} & asked and second and second.unit.kind in PROSE:
                        picked.append(second)
            # the sentence before gives context (quoted with the best in the passage's order)
            near = before is not None and before.unit.kind in PROSE
            if near and before.score >= NEIGHBOUR_RATIO * best.score:
                picked.append(before)
        limit = LIST_QUOTES if "list" in asked else MAX_SUPPORT
        texts = {one_line(c.unit.text) for c in picked}
        # a unit that says nothing the question does not is left out, with what holds it (the
        # table of a bare row): its place stays empty, so the answer only gets shorter
        bare: list[Candidate] = []
        for c in reading.candidates[1:]:
            if len(picked) + len(bare) >= limit + 1 or c.score < QUOTE_RATIO * best.score:
                break
            if c in picked or one_line(c.unit.text) in texts or _inside(c, picked + bare):
                continue
            if _says_nothing(reading, c):
                bare.append(c)
                continue
            picked.append(c)
            texts.add(one_line(c.unit.text))
        return _typed_first(reading, picked[: limit + 1])

    def quote(self, reading: Reading, lang: str) -> Draft:
        words = phrases(lang)
        cites = CitationNumbers()
        parts: list[str] = []
        # chosen units next to each other in a passage are one quote, in its order
        quotes = _contiguous(self.chosen(reading))
        if "list" not in reading.analysis.asked:
            quotes = [(c, _trimmed(reading, i, c, text)) for i, (c, text) in enumerate(quotes)]
        for i, (c, text) in enumerate(quotes):
            chunk = c.passage.chunk
            n = cites.add(chunk, relevance(c.passage), text)
            if i == 0:  # one framing: the citations name every page quoted
                parts.append(words["quote_intro"].format(title=chunk.title, section=chunk.section))
            parts.append(quoted(text, words, n))
        return Draft(" ".join(parts), False, cites.items)


def _typed_first(reading: Reading, picked: list[Candidate]) -> list[Candidate]:
    """The quotes with the one that holds the kind of answer asked for first: when the best
    unit holds none of what a typed question asks (a year, a count, a phone number …), the
    first quote that holds all of it leads, and the rest follow in their order."""
    if len(picked) < 2 or not reading.analysis.constrained & HARD:
        return picked
    fits = [hard_type_fit(c) for c in picked]
    if fits[0] > 0:
        return picked
    lead = next((i for i, f in enumerate(fits) if f == 1.0), 0)
    return [picked[lead], *picked[:lead], *picked[lead + 1 :]] if lead else picked


def _bare(reading: Reading, c: Candidate) -> bool:
    """A line that says nothing the question does not say: a label ("Nordhafen" above the
    office that handles it), never a quote of its own."""
    return c.unit.kind == "line" and _says_nothing(reading, c)


def _says_nothing(reading: Reading, c: Candidate) -> bool:
    """A unit none of whose words the question does not already say (a bare name, a row
    of the place asked about and nothing else): no supporting quote."""
    said = c.words - stopwords() - set(fold_words(reading.analysis.text))
    for k in reading.analysis.concepts:
        said -= k.words
    return not said - reading.analysis.place_words


def _trimmed(reading: Reading, i: int, c: Candidate, text: str) -> str:
    """The ``i``-th quote of an answer (``text``, of unit ``c``): a supporting one gives only
    the rows asked about; the leading one stays whole, unless it is a table longer than
    ``LEAD_ROWS`` lines (a list that leads is often the answer itself)."""
    if i >= TRIM_FROM:
        return _rows_asked(reading, c, text)
    if c.unit.kind == "table":
        return _rows_asked(reading, c, text, longer=LEAD_ROWS)
    return text


def _rows_asked(reading: Reading, c: Candidate, text: str, longer: int = 0) -> str:
    """What of a quote (``text``, of unit ``c``) a supporting quote gives: of a whole table
    or list its header or lead line and the rows or items that name something the question
    names or hold the kind of answer it asks for (all of it when none does)."""
    if c.unit.kind not in ("table", "list"):
        return text
    asked = {w for k in reading.analysis.concepts if not k.generic for w in k.words}
    asked |= reading.analysis.place_words
    asked -= stopwords()
    lines = [line for line in text.split("\n") if fold_words(line)]
    if len(lines) < 2 or len(lines) <= longer:
        return text
    head, body = (lines[:1], lines[1:]) if not BULLET.match(lines[0]) else ([], lines)
    types = {t for a in reading.analysis.constrained & HARD for t in _satisfying(a)}
    typed = [line for line in body if types & held_types(line, c.passage.chunk.kind)]
    if len(typed) == len(body):
        typed = []  # every row holds a year (say): that tells none apart
    kept = [line for line in body if asked & set(fold_words(line)) or line in typed]
    if not kept or len(kept) == len(body):
        return text
    return "\n".join([*head, *kept])


def _contiguous(picked: list[Candidate]) -> list[tuple[Candidate, str]]:
    """The quotes of the chosen units, in their order, each with its text; sentences and
    lines chosen that stand next to each other in one passage are one quote, the verbatim
    span in the passage's order, in the place of the first of them chosen (a label with
    the line it labels; a sentence with the one before that it goes on from, often the one
    that states the fact, and the one after that carries it on)."""
    out: list[tuple[Candidate, str]] = []
    taken: set[int] = set()
    for i, c in enumerate(picked):
        if i in taken:
            continue
        block = [i]
        if c.unit.kind in PROSE:
            at = {
                d.unit.position: j
                for j, d in enumerate(picked)
                if j not in taken
                and d.unit.kind in PROSE
                and d.passage.chunk.id == c.passage.chunk.id
            }
            at[c.unit.position] = i
            first = last = c.unit.position
            while first - 1 in at:
                first -= 1
            while last + 1 in at:
                last += 1
            block = [at[p] for p in range(first, last + 1)]
        span = c.unit.text
        if len(block) > 1:
            span = _span(c.passage.chunk.passage_text, [picked[j].unit.text for j in block])
            if span is None:
                block, span = [i], c.unit.text
        taken.update(block)
        out.append((c, span))
    return out


def _span(text: str, pieces: list[str]) -> str | None:
    """The verbatim span of ``text`` that is ``pieces`` one after the other, with nothing
    but white space between them (None when they nowhere stand so)."""
    start = text.find(pieces[0])
    while start >= 0:
        end = start + len(pieces[0])
        for piece in pieces[1:]:
            at = text.find(piece, end)
            if at < 0 or text[end:at].strip():
                break
            end = at + len(piece)
        else:
            return text[start:end]
        start = text.find(pieces[0], start + 1)
    return None


def _satisfying(asked: str) -> frozenset[str]:
    return SATISFIED_BY.get(asked, frozenset())


def _inside(c: Candidate, picked: list[Candidate]) -> bool:
    """Is a unit's text part of (or the whole of) a unit already quoted?"""
    return any(c.unit.text in p.unit.text or p.unit.text in c.unit.text for p in picked)
