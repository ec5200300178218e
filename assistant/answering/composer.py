"""The default answer composer: no LLM, only what the retrieved passages say.

The reader (``assistant/reader``) picks the units that answer the question and says whether
they do at all. A contact card is answered with a template in the asker's language, a year of
a partnership list too; anything else is quoted verbatim from the pages (in an English answer
with one sentence saying the quotes are German). When the reader finds no answer, the answer
says so (the refusal phrase), with the closest sources and the office's contact. Where two
pages give different values for what is asked (an address, a count, the newest entry of a
list), both are reported with their dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.answering.reader import Reader, Reading
from assistant.answering.reader.cards import Card, parse_card, year_items
from assistant.answering.reader.features import Candidate
from assistant.answering.reader.types import data as type_data
from assistant.answering.reader.types import phones, years
from assistant.indexing.facts import Facts
from assistant.language.words import fold_words
from assistant.records import Chunk, Citation, Conflict, Passage
from assistant.resources import load_data

QUOTE_RATIO = 0.2  # another passage's unit is quoted too when it scores this share of the best
NEIGHBOUR_RATIO = 0.3  # a sentence next to the best one is quoted from this share of its score
MAX_QUOTES = 3
LIST_QUOTES = 5  # a question asking for a list may be answered from more units
CONFLICT_RATIO = 0.2  # a disagreeing unit of another page counts from this share of the best
COUNT_WINDOW = 3  # a count stands at most this many words before what it counts


def phrases(lang: str) -> dict:
    """The answer phrases of a language (``assistant/data/phrases_<lang>.yaml``)."""
    return load_data(f"phrases_{lang}.yaml")


REFUSAL = {lang: phrases(lang)["refusal"] for lang in ("de", "en")}


@dataclass
class Draft:
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    confidence: float | None = None  # the reader's answerability probability (None: not read)
    closest: list[dict[str, object]] = field(default_factory=list)  # doc, section, relevance


class CitationNumbers:
    """Numbers passages in the order the answer first cites them."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def add(self, chunk: Chunk, score: float, quote: str = "") -> int:
        for c in self.items:
            if c.doc == chunk.doc_id and c.text == chunk.passage_text:
                return c.n
        n = len(self.items) + 1
        self.items.append(
            Citation(n, chunk.doc_id, chunk.title, chunk.section, chunk.passage_text, score, quote)
        )
        return n


def merge_drafts(drafts: list[Draft], lang: str) -> Draft:
    """One answer from the answers to the parts of a compound question: citations are
    renumbered in order, a repeated sentence is said once, and a part without an answer is
    named as such (all parts unanswered → the first part's refusal)."""
    answered = [d for d in drafts if not d.abstained]
    if not answered:
        return drafts[0]
    cites: list[Citation] = []
    texts: list[str] = []
    conflicts: list[Conflict] = []
    for draft in drafts:
        if draft.abstained:
            texts.append(phrases(lang)["part_not_found"])
            continue
        numbers: dict[int, int] = {}
        for c in draft.citations:
            same = next((o for o in cites if o.doc == c.doc and o.text == c.text), None)
            if same is None:
                same = replace(c, n=len(cites) + 1)
                cites.append(same)
            numbers[c.n] = same.n
        text = _renumber(draft.text, numbers)
        if text not in texts:
            texts.append(text)
        for c in draft.conflicts:
            values = [{**v, "n": numbers.get(v.get("n"), v.get("n"))} for v in c.values]
            conflicts.append(replace(c, values=values))
    known = [d.confidence for d in answered if d.confidence is not None]
    merged = Draft(" ".join(texts), False, cites, conflicts, min(known) if known else None)
    merged.closest = next((d.closest for d in drafts if d.closest), [])
    return merged


def _renumber(text: str, numbers: dict[int, int]) -> str:
    """``text`` with each citation marker [n] replaced by [numbers[n]]."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{numbers.get(int(m[1]), int(m[1]))}]", text)


def _states_a_year(c: Candidate) -> bool:
    """Does a unit state a year outside the entries of a year list (a sentence or line that
    says when something is or was)?"""
    return any(years(line) and not year_items(line) for line in c.unit.text.splitlines())


def _relevance(p: Passage) -> float:
    return p.relevance if p.relevance is not None else p.score


def closest_sources(passages: Sequence[Passage], n: int = 3) -> list[dict[str, object]]:
    """The ``n`` best passages as document, section and relevance (what a report of the
    questions the pages do not answer shows)."""
    return [
        {"doc": p.chunk.doc_id, "section": p.chunk.section, "relevance": round(_relevance(p), 4)}
        for p in passages[:n]
    ]


def _lines(unit: str) -> list[str]:
    """The lines of a unit as they may be quoted: verbatim, without the list, table or bold
    markup around them; rule rows and empty lines left out."""
    out = []
    for line in unit.splitlines():
        line = re.sub(r"^\s*(?:[-*•]\s+)?", "", line).strip().strip("|").strip()
        line = line.removeprefix("**").removesuffix("**").strip()
        if line and not re.fullmatch(r"[\s|:–-]*", line):
            out.append(line)
    return out


def _clean(unit: str) -> str:
    """A unit as one line of text (for comparing and for values): its lines joined."""
    return "; ".join(_lines(unit))


def _quoted(unit: str, words: dict, n: int) -> str:
    """A unit quoted line by line, each line verbatim, with its citation marker."""
    quotes = [words["quote_mark"].format(text=line) for line in _lines(unit)]
    return words["quote"].format(text=" ".join(quotes), n=n)


class Composer:
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

    def compose_reading(self, reading: Reading, lang: str) -> Draft:
        """The answer to a question the reader found answered: two pages' different values
        when they disagree, a typed fact as a sentence, or else the best units quoted."""
        conflict = self.conflict(reading, lang)
        if conflict is not None:
            return conflict
        best = reading.best
        assert best is not None
        cites = CitationNumbers()
        templated = self.template(reading, best, lang, cites)
        if templated:
            return Draft(templated, False, cites.items)
        return self.quote(reading, lang)

    def chosen(self, reading: Reading) -> list[Candidate]:
        """The units an answer quotes: the best; the sentences around it when they score
        well too or carry the answer on (the next one, when the best lacks the kind of
        answer asked for, or the question asks how or why); units of other passages that
        score nearly as well. Neighbours stay in reading order."""
        best = reading.best
        assert best is not None
        asked = reading.analysis.asked
        same_chunk = {
            c.unit.position: c
            for c in reading.candidates
            if c.passage.chunk.id == best.passage.chunk.id
        }
        prose = ("sentence", "line")
        before = same_chunk.get(best.unit.position - 1)
        after = same_chunk.get(best.unit.position + 1)
        picked = [best]
        if best.unit.kind in prose:
            near = before is not None and before.unit.kind in prose
            if near and before.score >= NEIGHBOUR_RATIO * best.score:
                picked.insert(0, before)
            if after is not None and after.unit.kind in prose:
                hard = reading.analysis.constrained
                lacks = hard and not any(best.held & _satisfying(t) for t in hard)
                carries = lacks or not hard or {"manner", "reason"} & asked
                if carries or after.score >= NEIGHBOUR_RATIO * best.score:
                    picked.append(after)
                    # "how" and "why" are answered by what the paragraph goes on to say
                    second = same_chunk.get(best.unit.position + 2)
                    if {"manner", "reason"} & asked and second and second.unit.kind in prose:
                        picked.append(second)
        limit = LIST_QUOTES if "list" in asked else MAX_QUOTES
        texts = {_clean(c.unit.text) for c in picked}
        for c in reading.candidates[1:]:
            if len(picked) >= limit + 1 or c.score < QUOTE_RATIO * best.score:
                break
            if c in picked or _clean(c.unit.text) in texts or _inside(c, picked):
                continue
            picked.append(c)
            texts.add(_clean(c.unit.text))
        return picked

    def quote(self, reading: Reading, lang: str) -> Draft:
        words = phrases(lang)
        cites = CitationNumbers()
        parts: list[str] = []
        for i, c in enumerate(self.chosen(reading)):
            chunk = c.passage.chunk
            known = any(x.doc == chunk.doc_id and x.text == chunk.passage_text for x in cites.items)
            n = cites.add(chunk, _relevance(c.passage), c.unit.text)
            if lang == "de" and not known:
                parts.append(words["quote_intro"].format(title=chunk.title, section=chunk.section))
            elif lang != "de" and i == 0:
                parts.append(words["quote_intro"])
            parts.append(_quoted(c.unit.text, words, n))
        return Draft(" ".join(parts), False, cites.items)

    # --- typed facts -----------------------------------------------------------------------
    def template(self, reading: Reading, best: Candidate, lang: str, cites) -> str | None:
        asked = reading.analysis.asked
        if {"person", "contact", "phone", "email", "fax"} & asked:
            card = parse_card(best.unit.text)
            if card is not None:
                return self.contact(reading, best, card, lang, cites)
        if {"newest", "oldest"} & asked and set(fold_words(reading.analysis.text)) & (
            type_data()["age_superlatives"]
        ):
            extreme = self.extreme(reading, best, lang, cites)
            if extreme:
                return extreme
        # a best unit that states a year outside a year list answers "when" itself ("Die
        # Bürgerfahrt … findet im September 2025 statt"), not the year of the partnership
        if {"when", "since"} & asked and reading.analysis.places and not _states_a_year(best):
            return self.year(reading, best, lang, cites)
        return None

    def extreme(self, reading: Reading, best: Candidate, lang: str, cites) -> str | None:
        """The oldest or newest entry of a year list ("1958 Musterstadt (Niederlande)"), from the
        best-read passage that holds such a list, as a sentence; entries of one year together.
        Not when the best unit states a year itself ("Die jüngste … wurde 2023 begründet"):
        a sentence that says it beats a list that may be incomplete."""
        if _states_a_year(best):
            return None
        asked = reading.analysis.asked
        seen: set[str] = set()
        for c in reading.candidates:
            if c.passage.chunk.id in seen:
                continue
            seen.add(c.passage.chunk.id)
            lines = c.passage.chunk.passage_text.splitlines()
            entries = [(y, p, k, line) for line in lines for y, p, k in year_items(line)]
            if len({e[1] for e in entries}) < 2:
                continue
            pick = min if "oldest" in asked else max
            year = pick(e[0] for e in entries)
            chosen = [e for e in entries if e[0] == year]
            n = cites.add(c.passage.chunk, _relevance(c.passage), chosen[0][3].strip())
            places = ", ".join(f"{p} ({k})" if k else p for _, p, k, _ in chosen)
            key = "oldest_entry" if "oldest" in asked else "newest_entry"
            return phrases(lang)[key].format(places=places, year=year, n=n)
        return None

    def contact(self, reading: Reading, best: Candidate, card: Card, lang: str, cites) -> str:
        words = phrases(lang)
        source = best
        if not card.email:  # the same person's card on another page may give the e-mail
            for c in reading.candidates:
                other = parse_card(c.unit.text)
                if other and other.email and _same_person(other, card):
                    card, source = replace(card, email=other.email), c
                    break
        n = cites.add(best.passage.chunk, _relevance(best.passage), best.unit.text)
        email = card.email or words["no_email"]
        if source is not best:  # the e-mail address comes from the same person's other card
            n_mail = cites.add(source.passage.chunk, _relevance(source.passage), source.unit.text)
            email = f"{email} [{n_mail}]"
        subject = _named_place(reading, card)
        role = f" ({card.role})" if card.role else ""
        # asked about the person, the answer says what they look after too
        duties = card.responsible_for if not subject else ()
        fax = card.fax if "fax" in reading.analysis.asked else ""
        values = {
            "person": card.person,
            "role": role,
            "duties": words["duties"].format(items=", ".join(duties)) if duties else "",
            "subject": subject or "",
            "phone": card.phone or words["no_phone"],
            "fax": words["fax"].format(fax=fax) if fax else "",
            "email": email,
            "n": n,
        }
        key = "contact" if subject else "contact_person"
        return words[key].format(**values)

    def year(self, reading: Reading, best: Candidate, lang: str, cites) -> str | None:
        """A partnership year from a year list, as a sentence in the asker's language."""
        places = [{w for v in g for w in v} for g in reading.analysis.places]
        for c in reading.candidates[:3]:
            for line in c.unit.text.splitlines():
                for year, place, country in year_items(line):
                    if any(
                        set(fold_words(place)) <= g or set(fold_words(place)) & g for g in places
                    ):
                        n = cites.add(c.passage.chunk, _relevance(c.passage), line.strip())
                        words = phrases(lang)
                        return words["partnership_year"].format(
                            home=self.home or words["the_city"],
                            city=place,
                            country=f" ({country})" if country else "",
                            year=year,
                            n=n,
                        )
        return None

    # --- pages that disagree -----------------------------------------------------------------
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
                return self._conflict_draft(kind, best, c, lang)
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
        return self._conflict_draft(kind, a, b, lang)

    def _values(self, kind: str, c: Candidate, reading: Reading) -> frozenset[str]:
        text = c.unit.text
        if kind == "address":
            return frozenset(re.findall(r"\b\d{5}\b", text)) if "address" in c.held else frozenset()
        if kind == "phone":
            return frozenset(re.sub(r"\D", "", p)[-6:] for p in phones(text))
        if kind == "email":
            return frozenset(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text))
        if kind in ("newest", "oldest"):
            found = years(text)
            if not found:
                return frozenset()
            pool = [y for y, _, _ in _year_lines(text)] or found
            return frozenset({str(max(pool) if kind == "newest" else min(pool))})
        topic = {w for k in reading.analysis.concepts if k.thing for w in k.words}
        words = fold_words(text)
        past = type_data()["past_markers"]
        asks_both = any(w.isdigit() for w in fold_words(reading.analysis.text))
        counts = set()
        for i, w in enumerate(words):
            if w in topic:
                window = words[max(0, i - COUNT_WINDOW) : i]
                if set(window) & past and not asks_both:
                    continue  # "damals 15 Partnerstädte" was the count then, not another now
                for before in window:
                    if before.isdigit() and not re.fullmatch(r"1[89]\d\d|20\d\d", before):
                        counts.add(before)
        return frozenset(counts)

    def _conflict_draft(self, kind: str, a: Candidate, b: Candidate, lang: str) -> Draft:
        words = phrases(lang)
        cites = CitationNumbers()
        na = cites.add(a.passage.chunk, _relevance(a.passage), a.unit.text)
        nb = cites.add(b.passage.chunk, _relevance(b.passage), b.unit.text)
        da, db = a.passage.chunk.doc_id, b.passage.chunk.doc_id
        age_a, age_b = self.as_of.get(da), self.as_of.get(db)
        text = words["conflict"].format(
            topic=words["topics"][kind],
            value_a=_quoted(a.unit.text, words, na),
            n_a=na,
            title_a=a.passage.chunk.title,
            as_of_a=age_a or words["unknown_year"],
            value_b=_quoted(b.unit.text, words, nb),
            n_b=nb,
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
        values = [
            {"value": _clean(a.unit.text), "n": na, "doc": da, "as_of": age_a},
            {"value": _clean(b.unit.text), "n": nb, "doc": db, "as_of": age_b},
        ]
        return Draft(text, False, cites.items, [Conflict(kind, values, newer)])

    # --- refusing -------------------------------------------------------------------------
    def refuse(self, lang: str, passages: Sequence[Passage]) -> Draft:
        """The refusal phrase, the closest sources, and the office's general contact."""
        words = phrases(lang)
        cites = CitationNumbers()
        parts = [words["refusal"]]
        near = list(passages[:3])
        if near:
            refs = [
                f"{p.chunk.title} › {p.chunk.section} [{cites.add(p.chunk, p.score)}]" for p in near
            ]
            parts.append(words["closest_sources"].format(sources="; ".join(refs)))
        office = self.office_contact()
        if office is not None:
            address, card = office
            n = cites.add(self.chunks[address.chunk], 0.0)
            n_card = cites.add(self.chunks[card.chunk], 0.0)
            parts.append(
                words["office_contact"].format(
                    contact=", ".join(address.lines),
                    n=n,
                    phone=card.phone or words["no_phone"],
                    email=card.email or words["no_email"],
                    n_card=n_card,
                )
            )
        return Draft(" ".join(parts), True, cites.items, closest=closest_sources(passages))

    def office_contact(self):
        """The home city's office: the address block and the head's contact card of its
        newest page that has both (the head by role: Leiter/in …; else the first card)."""
        heads = type_data()["head_roles"]
        by_doc: dict[str, tuple] = {}
        for address in self.facts.addresses:
            if self.home and self.cities.get(address.doc) != self.home:
                continue
            if address.chunk in self.chunks and address.doc not in by_doc:
                by_doc[address.doc] = (address, None)
        for doc, (address, _) in list(by_doc.items()):
            cards = [c for c in self.facts.contacts if c.doc == doc and c.chunk in self.chunks]
            cards = [c for c in cards if c.phone or c.email]
            if not cards:
                del by_doc[doc]
                continue
            head = next(
                (c for c in cards if set(fold_words(c.role)) & heads and c.email),
                next((c for c in cards if set(fold_words(c.role)) & heads), cards[0]),
            )
            by_doc[doc] = (address, head)
        if not by_doc:
            return None
        doc = max(by_doc, key=lambda d: ((self.as_of.get(d) or 0), bool(by_doc[d][1].email), d))
        return by_doc[doc]


def _satisfying(asked: str) -> frozenset[str]:
    from assistant.answering.reader.types import SATISFIED_BY

    return SATISFIED_BY.get(asked, frozenset())


def _year_lines(text: str) -> list[tuple[int, str, str]]:
    return [item for line in text.splitlines() for item in year_items(line)]


def _holds_places(c: Candidate, reading: Reading) -> bool:
    """Does a unit (or what stands above it) name every place the question names?"""
    words = c.words | c.context_words
    return all(any(set(v) <= words for v in group) for group in reading.analysis.places)


def _inside(c: Candidate, picked: list[Candidate]) -> bool:
    """Is a unit's text part of (or the whole of) a unit already quoted?"""
    return any(c.unit.text in p.unit.text or p.unit.text in c.unit.text for p in picked)


def _same_person(a: Card, b: Card) -> bool:
    return fold_words(a.person)[-1:] == fold_words(b.person)[-1:]


def _named_place(reading: Reading, card: Card) -> str | None:
    """The place of the question a card is responsible for, as the card writes it."""
    for group in reading.analysis.places:
        variants = {w for v in group for w in v}
        for place in card.responsible_for or ():
            if set(fold_words(place)) & variants:
                return place
        for line in card.text.splitlines():
            if set(fold_words(line)) & variants:
                for variant in group:
                    pattern = r"\b" + r"\W+".join(re.escape(w) for w in variant) + r"\b"
                    for token in re.findall(r"[\w'’-]+(?:\s[\w'’-]+)?", line):
                        if re.fullmatch(pattern, " ".join(fold_words(token))):
                            return token
    return None
