"""Typed answers from the pages' partnership lists: the year of one partnership, two
partnerships compared, the whole list, its oldest or newest entry, and a year of a year list
for a place the question names."""

from __future__ import annotations

from assistant.answering.drafts import relevance
from assistant.answering.phrases import phrases
from assistant.answering.reader import Reading
from assistant.answering.reader.candidates import Candidate
from assistant.answering.reader.cards import partner_rows, year_items
from assistant.answering.reader.types import data as type_data
from assistant.answering.reader.types import years
from assistant.indexing.facts import Partnership, city_key
from assistant.language.words import fold_words

LIST_READ = 5  # the best units whose passages may hold the list a question asks for


class PartnershipTemplates:
    """The partnership-list answers of :class:`~assistant.answering.composer.Composer` (a
    mixin: it reads the composer's ``home``, ``facts``, ``chunks`` and ``cities``)."""

    home: str | None
    facts: object
    chunks: dict
    cities: dict

    def _own_partnerships(self) -> list[Partnership]:
        """The entries of the pages' year lists and tables of the home city (all of them when
        no home city is known), not those of another city's pages."""
        return [
            p
            for p in self.facts.partnerships
            if not self.home or self.cities.get(p.doc) in (None, self.home)
        ]

    def partnership(self, reading: Reading, place=None) -> Partnership | None:
        """The home city's partnership with the one place the question names (or with
        ``place``, one of its place groups), from the pages' year lists and tables (the entry
        of a passage the reader ranked highest, when several pages list it)."""
        if place is None and len(reading.analysis.places) != 1:
            return None
        group = {w for v in (place or reading.analysis.places[0]) for w in v}
        own = self._own_partnerships()
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
        if len(places) != 2 or not names_partnership(reading):
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
        own = self._own_partnerships()
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
        if states_a_year(best):
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


def _in_order(reading: Reading) -> list:
    """The question's place groups in the order it names them."""
    words = fold_words(reading.analysis.text)

    def first(group) -> int:
        at = [i for v in group for i, w in enumerate(words) if w == v[0]]
        return min(at, default=len(words))

    return sorted(reading.analysis.places, key=first)


def _read_rank(reading: Reading) -> dict[str, int]:
    """Each read passage's chunk id and the rank of its best unit (0: read first)."""
    return {c.passage.chunk.id: i for i, c in reversed(list(enumerate(reading.candidates)))}


def names_partnership(reading: Reading) -> bool:
    """Does the question name a partnership ("Partnerstadt", "twinning", "sister city")?"""
    return bool(set(fold_words(reading.analysis.text)) & type_data()["partnership_words"])


def _asks_only_partnerships(reading: Reading) -> bool:
    """Is every word the question asks about a partnership ("Partnerstädte", "twin towns")
    or a place of the gazetteer, and nothing else (a person, a project, an event: "Which
    partner cities does <name> look after?" asks about that name)?"""
    analysis = reading.analysis
    places, partnership = analysis.place_words, type_data()["partnership_words"]
    return all(k.words & partnership or set(k.word.split()) <= places for k in analysis.concepts)


def states_a_year(c: Candidate) -> bool:
    """Does a unit state a year outside the entries of a year list (a sentence or line that
    says when something is or was)?"""
    return any(years(line) and not year_items(line) for line in c.unit.text.splitlines())
