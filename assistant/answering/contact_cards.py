"""Which contact card answers a contact question ("Wer betreut Nordhafen?", "E-Mail von
Frau …?"), the same person's cards on other pages, and whether the card says what is asked."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.answering.reader import Reading
from assistant.answering.reader.candidates import Candidate
from assistant.answering.reader.cards import Card, parse_card
from assistant.answering.reader.types import CONTACT_ASKED, FREE
from assistant.language.words import fold_words

CARD_READ = 3  # the best units among which a contact card may answer for a place
CARD_FIELDS = frozenset({"phone", "email", "fax"})  # what a contact card may lack


def unstated(reading: Reading, best: Candidate) -> bool:
    """Does the question ask only for a phone number, an e-mail address or a fax number
    ("E-Mail von Frau …?") of a contact whose card (and the same person's cards on other
    pages) gives none of them? Then the pages do not say it: the answer is a refusal, not
    the card with "no e-mail address given"."""
    asked = reading.analysis.asked
    fields = asked & CARD_FIELDS
    if not fields or asked - fields - {"contact"} - set(FREE):
        return False
    _, card = contact_card(reading, best)
    if card is None:
        return False
    cards = [card, *(other for _, other in same_person_cards(reading, card))]
    return not any(v for k in cards for f, v in _fields(k).items() if f in fields)


def contact_card(reading: Reading, best: Candidate) -> tuple[Candidate, Card | None]:
    """The contact card that answers a contact question, with its unit: the best unit's, or
    when only a contact is asked, the card of who is responsible for the place asked about."""
    card = parse_card(best.unit.text)
    if card is None and reading.analysis.asked <= CONTACT_ASKED:
        return _card_for_place(reading, best)
    return best, card


def same_person_cards(reading: Reading, card: Card) -> Iterator[tuple[Candidate, Card]]:
    """The cards among the candidates (with their units) of the person of ``card``."""
    for c in reading.candidates:
        other = parse_card(c.unit.text)
        if other is not None and _same_person(other, card):
            yield c, other


def _card_for_place(reading: Reading, best: Candidate) -> tuple[Candidate, Card | None]:
    """A contact question about a place ("Wer betreut Nordhafen?") whose best unit is no
    contact card: the card among the units the answer would quote that lists the place as
    its responsibility, if any."""
    if not reading.analysis.places:
        return best, None
    for c in reading.candidates[1:CARD_READ]:
        card = parse_card(c.unit.text)
        if card is not None and card.responsible_for and named_place(reading, card):
            return c, card
    return best, None


def _fields(card: Card) -> dict[str, str]:
    """A card's ways of reaching its person, by the answer type that asks for each."""
    return {"phone": card.phone, "email": card.email, "fax": card.fax}


def _same_person(a: Card, b: Card) -> bool:
    return fold_words(a.person)[-1:] == fold_words(b.person)[-1:]


def named_place(reading: Reading, card: Card) -> str | None:
    """The place of the question a card is responsible for, as the card writes it (not
    the card's person, whose name may be a place's too: "Frau Aydın")."""
    person = set(fold_words(card.person))
    for group in reading.analysis.places:
        variants = {w for v in group for w in v}
        if variants & person:
            continue
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
