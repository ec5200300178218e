"""Typed facts answered with a sentence in the asker's language instead of a quote: a contact
card, the year of a partnership from a year list, the oldest or newest entry of such a list."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answering.contact_cards import contact_card, named_place, same_person_cards
from assistant.answering.drafts import relevance
from assistant.answering.phrases import phrases
from assistant.answering.reader import Reading
from assistant.answering.reader.cards import Card, partner_rows, year_items
from assistant.answering.reader.features import Candidate
from assistant.answering.reader.types import (
    CONTACT_ASKED,
    NUMERIC_DATE,
    cue_words,
    years,
)
from assistant.answering.reader.types import data as type_data
from assistant.indexing.facts import Partnership, city_key
from assistant.language.intent import intents
from assistant.language.words import fold_words, stopwords

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
LIST_READ = 5  # the best units whose passages may hold the list a question asks for
# What a question about a partnership itself asks (not a cost, a count or a person)
PARTNERSHIP_ASKS = frozenset({"when", "since", "duration", "yes_no"})


class FactTemplates:
    """The typed-fact answers of :class:`~assistant.answering.composer.Composer` (a mixin:
    it reads the composer's ``home``)."""

    home: str | None
    facts: object
    chunks: dict
    cities: dict

    def template(self, reading: Reading, best: Candidate, lang: str, cites) -> str | None:
        asked = reading.analysis.asked
        asks_places = "which_places" in intents(reading.analysis.text)
        if (asks_places or ("list" in asked and _names_partnership(reading))) and not (
            _other_things(reading)
        ):
            listed = self.partner_list(reading, lang, cites)
            if listed:
                return listed
        if CONTACT_ASKED & asked:
            best, card = contact_card(reading, best)
            if card is not None:
                return self.contact(reading, best, card, lang, cites)
        if {"newest", "oldest"} & asked and set(fold_words(reading.analysis.text)) & (
            type_data()["age_superlatives"]
        ):
            extreme = self.extreme(reading, best, lang, cites)
            if extreme:
                return extreme
        compared = self.compare(reading, lang, cites)
        if compared:
            return compared
        # a question about the partnership with a place the pages list is answered from the
        # list: its year ("Seit wann …", "how long …"), or yes with the year ("Ist … eine
        # Partnerstadt?"; never no: a list may lack a partner)
        about = asked <= PARTNERSHIP_ASKS and _about_partnership(reading)
        entry = self.partnership(reading) if about else None
        if entry is not None and asked == {"when"} and _dated(reading, entry):
            entry = None  # "Wann wurde … unterzeichnet?": the day a passage gives
        if entry is not None and {"when", "since", "duration", "yes_no"} & asked:
            stated = set(years(reading.analysis.text))
            if "yes_no" not in asked or not stated or stated == {entry.year}:
                return self.partnership_year(entry, reading, lang, cites)
        # a best unit that states a year outside a year list answers "when" itself ("Die
        # Bürgerfahrt … findet im September 2025 statt"), not the year of the partnership
        day = "day" in asked  # a year of a list names no day
        if (
            {"when", "since"} & asked
            and reading.analysis.places
            and not (day or _states_a_year(best))
        ):
            return self.year(reading, best, lang, cites)
        return None

    def partnership(self, reading: Reading, place=None) -> Partnership | None:
        """The home city's partnership with the one place the question names (or with
        ``place``, one of its place groups), from the pages' year lists and tables (the entry
        of a passage the reader ranked highest, when several pages list it)."""
        if place is None and len(reading.analysis.places) != 1:
            return None
        group = {w for v in (place or reading.analysis.places[0]) for w in v}
        own = [
            p
            for p in self.facts.partnerships
            if not self.home or self.cities.get(p.doc) in (None, self.home)
        ]
        found = [p for p in own if set(fold_words(p.city)) <= group]
        if not found:  # a country named: its one partner city ("… eine Partnerstadt in …?")
            found = [p for p in own if p.country and set(fold_words(p.country)) <= group]
            if len({city_key(p.city) for p in found}) != 1:
                return None
        if len({p.year for p in found}) > 1:
            return None  # pages that disagree are reported by the conflict check, not here
        rank = _read_rank(reading)
        return min(found, key=lambda p: (rank.get(p.chunk, len(rank)), p.chunk))

    def compare(self, reading: Reading, lang: str, cites) -> str | None:
        """Which of the two partnerships a question names is older (or younger), from the
        pages' year lists: "Welche Partnerschaft ist älter: Musterhaven oder Beispielburg?"
        → "Die Partnerschaft mit Beispielburg (1991) ist älter als die mit Musterhaven
        (2003)". A yes/no question ("Is … older than …?") begins with yes or no."""
        words = set(fold_words(reading.analysis.text))
        older = bool(words & type_data()["older_words"])
        if older == bool(words & type_data()["younger_words"]):
            return None  # neither asked, or both
        places = _in_order(reading)
        if len(places) != 2 or not _names_partnership(reading):
            return None
        entries = [self.partnership(reading, place) for place in places]
        if entries[0] is None or entries[1] is None or entries[0].year == entries[1].year:
            return None
        first, second = sorted(entries, key=lambda p: p.year, reverse=not older)
        numbers = [self._cite_entry(p, reading, cites) for p in (first, second)]
        marks = "".join(f" [{n}]" for n in dict.fromkeys(numbers))
        text = phrases(lang)["compare_older" if older else "compare_younger"].format(
            first=first.city,
            first_year=first.year,
            second=second.city,
            second_year=second.year,
            marks=marks,
        )
        if "yes_no" in reading.analysis.asked:  # "Is A older than B?": yes when A is
            text = f"{phrases(lang)['answer_yes' if first is entries[0] else 'answer_no']} {text}"
        return text

    def _cite_entry(self, entry: Partnership, reading: Reading, cites) -> int:
        """The citation number of a partnership's row in its list (0: its page is gone)."""
        chunk = self.chunks.get(entry.chunk)
        line = next(
            (
                row
                for y, place, _, row in partner_rows(chunk.text if chunk else "")
                if y == entry.year and place == entry.city
            ),
            "",
        )
        passage = {c.passage.chunk.id: c.passage for c in reading.candidates}.get(entry.chunk)
        score = relevance(passage) if passage is not None else 0.0
        return cites.add(chunk, score, line) if chunk is not None else 0

    def partnership_year(self, entry: Partnership, reading: Reading, lang: str, cites) -> str:
        words = phrases(lang)
        n = self._cite_entry(entry, reading, cites)
        yes = "yes_no" in reading.analysis.asked
        home = self.home or (words["the_city"].lower() if yes else words["the_city"])
        return words["partnership_yes" if yes else "partnership_year"].format(
            home=home,
            city=entry.city,
            country=f" ({entry.country})" if entry.country else "",
            year=entry.year,
            n=n,
        )

    def partner_list(self, reading: Reading, lang: str, cites) -> str | None:
        """A question for the partner cities, answered with the whole list: every entry of
        the home city's year lists (``facts.partnerships``) with its country and year, from
        the list the reader's best passages hold, or only those of a country the question
        names. Not when the question names another place (it asks about that place), nor,
        when the read passages hold no such list, when it asks about anything besides
        partnerships and places."""
        read = {c.passage.chunk.id for c in reading.candidates[:LIST_READ]}
        own = [
            p
            for p in self.facts.partnerships
            if not self.home or self.cities.get(p.doc) in (None, self.home)
        ]
        if not own:
            return None
        if not {p.chunk for p in own} & read:
            if not _asks_only_partnerships(reading):
                return None
            read = {p.chunk for p in own}  # "Welche Partnerstädte hat …?": the pages' lists
        countries = {city_key(p.country) for p in own if p.country}
        named = [{w for v in g for w in v} for g in reading.analysis.places]
        chosen_countries = set()
        for group in named:
            hit = {c for c in countries if set(c.split()) & group}
            if not hit:
                return None  # names a place that is no country of the list: asks about it
            chosen_countries |= hit
        # the list the read passages hold (the longest; of equals, the one read first), then
        # the entries of other lists it lacks
        rank = _read_rank(reading)
        first = max(
            read & {p.chunk for p in own},
            key=lambda k: (sum(p.chunk == k for p in own), -rank.get(k, len(rank)), k),
        )
        entries: dict[str, object] = {}
        for p in sorted(own, key=lambda p: p.chunk != first):
            if chosen_countries and city_key(p.country) not in chosen_countries:
                continue
            entries.setdefault(city_key(p.city), p)
        if len(entries) < (1 if chosen_countries else 2):
            return None
        read_passages = {c.passage.chunk.id: c.passage for c in reading.candidates}
        numbers: dict[str, int] = {}
        for p in entries.values():
            if p.chunk not in numbers and p.chunk in self.chunks:
                chunk = self.chunks[p.chunk]
                passage = read_passages.get(p.chunk)
                score = relevance(passage) if passage is not None else 0.0
                numbers[p.chunk] = cites.add(chunk, score, chunk.passage_text)
        items = ", ".join(
            f"{p.city} ({p.country + ', ' if p.country else ''}{p.year})" for p in entries.values()
        )
        marks = "".join(f" [{n}]" for n in sorted(set(numbers.values())))
        return phrases(lang)["partner_list"].format(
            home=self.home or phrases(lang)["the_city"],
            count=len(entries),
            items=items,
            marks=marks,
        )

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
            entries = partner_rows(c.passage.chunk.passage_text)
            if len({e[1] for e in entries}) < 2:
                continue
            pick = min if "oldest" in asked else max
            year = pick(e[0] for e in entries)
            chosen = [e for e in entries if e[0] == year]
            n = cites.add(c.passage.chunk, relevance(c.passage), chosen[0][3].strip())
            places = ", ".join(f"{p} ({k})" if k else p for _, p, k, _ in chosen)
            key = "oldest_entry" if "oldest" in asked else "newest_entry"
            return phrases(lang)[key].format(places=places, year=year, n=n)
        return None

    def contact(self, reading: Reading, best: Candidate, card: Card, lang: str, cites) -> str:
        words = phrases(lang)
        source = best
        if not card.email:  # the same person's card on another page may give the e-mail
            mailed = ((c, o) for c, o in same_person_cards(reading, card) if o.email)
            found = next(mailed, None)
            if found is not None:
                source, other = found
                card = replace(card, email=other.email)
        n = cites.add(best.passage.chunk, relevance(best.passage), best.unit.text)
        email = card.email or words["no_email"]
        if source is not best:  # the e-mail address comes from the same person's other card
            n_mail = cites.add(source.passage.chunk, relevance(source.passage), source.unit.text)
            email = f"{email} [{n_mail}]"
        subject = named_place(reading, card)
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
                        n = cites.add(c.passage.chunk, relevance(c.passage), line.strip())
                        words = phrases(lang)
                        return words["partnership_year"].format(
                            home=self.home or words["the_city"],
                            city=place,
                            country=f" ({country})" if country else "",
                            year=year,
                            n=n,
                        )
        return None


def _states_a_year(c: Candidate) -> bool:
    """Does a unit state a year outside the entries of a year list (a sentence or line that
    says when something is or was)?"""
    return any(years(line) and not year_items(line) for line in c.unit.text.splitlines())


def _about_partnership(reading: Reading) -> bool:
    """Does the question ask about a partnership itself, and about nothing else than it and
    the place ("Seit wann ist … Partnerstadt?", "when did the twinning with … start"; not
    "When did the council decide to suspend the partnership with …?", "was the partnership
    with … cancelled?")? Its words, besides stop words and the words of asking, are the
    place's, the home city's, and those of a partnership that began or exists."""
    analysis = reading.analysis
    t = type_data()
    words = set(fold_words(_asking(analysis.text)))
    if not _names_partnership(reading):
        return False
    known = stopwords() | cue_words() | t["partnership_words"] | t["partnership_verbs"]
    known |= t["start_words"] | t["yes_no_openers"] | analysis.place_words | analysis.cities
    return not words - known - {w for c in analysis.cities for w in fold_words(c)}


def _in_order(reading: Reading) -> list:
    """The question's place groups in the order it names them."""
    words = fold_words(reading.analysis.text)

    def first(group) -> int:
        at = [i for v in group for i, w in enumerate(words) if w == v[0]]
        return min(at, default=len(words))

    return sorted(reading.analysis.places, key=first)


def _asking(question: str) -> str:
    """The sentences of a question that ask (end in "?"), without what it says around them
    ("Ohne ø geschrieben, sorry.", "Unsere Schule plant einen Austausch."); all of it when
    none or every sentence asks."""
    sentences = [s for s in _SENTENCE_END.split(question.strip()) if s.strip()]
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    return " ".join(asking) if asking else question


def _read_rank(reading: Reading) -> dict[str, int]:
    """Each read passage's chunk id and the rank of its best unit (0: read first)."""
    return {c.passage.chunk.id: i for i, c in reversed(list(enumerate(reading.candidates)))}


def _names_partnership(reading: Reading) -> bool:
    return bool(set(fold_words(reading.analysis.text)) & type_data()["partnership_words"])


def _dated(reading: Reading, entry: Partnership) -> bool:
    """Does one of the best units give the day of the partnership's year ("am 26. Mai
    2019 besiegelt")?"""
    months = type_data()["months"]
    for c in reading.candidates[:3]:
        text = c.unit.text
        if entry.year not in years(text):
            continue
        words = fold_words(text)
        day = any(
            w in months and i and words[i - 1].isdigit() and int(words[i - 1]) <= 31
            for i, w in enumerate(words)
        )
        if day or NUMERIC_DATE.search(text):
            return True
    return False


def _other_things(reading: Reading) -> bool:
    """Does the question name a thing besides places and partnerships ("which languages
    does the adult education centre offer for the partner cities")?"""
    analysis = reading.analysis
    known = analysis.place_words | type_data()["partnership_words"]
    return any(
        k.thing and not k.generic and not set(k.word.split()) <= known for k in analysis.concepts
    )


def _asks_only_partnerships(reading: Reading) -> bool:
    """Is every word the question asks about a partnership ("Partnerstädte", "twin towns")
    or a place of the gazetteer, and nothing else (a person, a project, an event: "Which
    partner cities does <name> look after?" asks about that name)?"""
    analysis = reading.analysis
    places, partnership = analysis.place_words, type_data()["partnership_words"]
    return all(k.words & partnership or set(k.word.split()) <= places for k in analysis.concepts)
