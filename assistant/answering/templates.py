"""Typed facts answered with a sentence in the asker's language instead of a quote: a contact
card, the year of a partnership from a year list, the oldest or newest entry of such a list."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answering.drafts import relevance
from assistant.answering.phrases import phrases
from assistant.answering.reader import Reading
from assistant.answering.reader.cards import Card, parse_card, year_items
from assistant.answering.reader.features import Candidate
from assistant.answering.reader.types import data as type_data
from assistant.answering.reader.types import years
from assistant.language.words import fold_words


class FactTemplates:
    """The typed-fact answers of :class:`~assistant.answering.composer.Composer` (a mixin:
    it reads the composer's ``home``)."""

    home: str | None

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
            n = cites.add(c.passage.chunk, relevance(c.passage), chosen[0][3].strip())
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
        n = cites.add(best.passage.chunk, relevance(best.passage), best.unit.text)
        email = card.email or words["no_email"]
        if source is not best:  # the e-mail address comes from the same person's other card
            n_mail = cites.add(source.passage.chunk, relevance(source.passage), source.unit.text)
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
