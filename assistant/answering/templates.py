"""Typed facts answered with a sentence in the asker's language instead of a quote: which
template answers a question, and a contact card; the answers from the pages' partnership lists
are in :mod:`~assistant.answering.partnerships`."""

from __future__ import annotations

from dataclasses import replace

from assistant.answering.contact_cards import contact_card, named_place, same_person_cards
from assistant.answering.drafts import relevance
from assistant.answering.partnerships import (
    PartnershipTemplates,
    names_partnership,
    states_a_year,
)
from assistant.answering.phrases import phrases
from assistant.answering.reader import Reading
from assistant.answering.reader.candidates import Candidate
from assistant.answering.reader.cards import Card
from assistant.answering.reader.types import (
    CONTACT_ASKED,
    NUMERIC_DATE,
    cue_words,
    years,
    yes_no_openers,
)
from assistant.answering.reader.types import data as type_data
from assistant.indexing.facts import Partnership
from assistant.language.intent import intents
from assistant.language.words import asking, fold_words, stopwords

# What a question about a partnership itself asks (not a cost, a count or a person)
PARTNERSHIP_ASKS = frozenset({"when", "since", "duration", "yes_no"})


class FactTemplates(PartnershipTemplates):
    """The typed-fact answers of :class:`~assistant.answering.composer.Composer` (a mixin:
    it reads the composer's ``home``); the partnership-list ones are in
    :mod:`~assistant.answering.partnerships`."""

    home: str | None
    facts: object
    chunks: dict
    cities: dict

    def template(self, reading: Reading, best: Candidate, lang: str, cites) -> str | None:
        asked = reading.analysis.asked
        asks_places = "which_places" in intents(reading.analysis.text)
        if (asks_places or ("list" in asked and names_partnership(reading))) and not (
            _other_things(reading)
        ):
            listed = self.partner_list(reading, lang, cites)
            if listed:
                return listed
        contact = bool(CONTACT_ASKED & asked)
        if contact or "duties" in asked:
            best, card = contact_card(reading, best)
            # asked what a person looks after, a card answers when it lists it
            if card is not None and (contact or card.responsible_for):
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
            and not (day or states_a_year(best))
        ):
            return self.year(reading, best, lang, cites)
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


def _about_partnership(reading: Reading) -> bool:
    """Does the question ask about a partnership itself, and about nothing else than it and
    the place ("Seit wann ist … Partnerstadt?", "when did the twinning with … start"; not
    "When did the council decide to suspend the partnership with …?", "was the partnership
    with … cancelled?")? Its words, besides stop words and the words of asking, are the
    place's, the home city's, and those of a partnership that began or exists."""
    analysis = reading.analysis
    t = type_data()
    words = set(fold_words(asking(analysis.text)))
    if not names_partnership(reading):
        return False
    known = stopwords() | cue_words() | t["partnership_words"] | t["partnership_verbs"]
    known |= t["start_words"] | yes_no_openers(analysis.lang)
    known |= analysis.place_words | analysis.cities
    return not words - known - {w for c in analysis.cities for w in fold_words(c)}


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
