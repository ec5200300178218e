"""The answer when the pages do not answer a question: the refusal phrase, the closest
sources, and the contact of the home city's office."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.answering.drafts import CitationNumbers, Draft, plain, relevance
from assistant.answering.phrases import phrases
from assistant.answering.reader.types import data as type_data
from assistant.indexing.facts import Facts
from assistant.language.words import fold_words
from assistant.records import Chunk, Passage


def closest_sources(passages: Sequence[Passage], n: int = 3) -> list[dict[str, object]]:
    """The ``n`` best passages as document, section and relevance (what a report of the
    questions the pages do not answer shows)."""
    return [
        {"doc": p.chunk.doc_id, "section": p.chunk.section, "relevance": round(relevance(p), 4)}
        for p in passages[:n]
    ]


class Refusals:
    """The refusal of :class:`~assistant.answering.composer.Composer` (a mixin: it reads the
    composer's ``facts``, ``chunks``, ``as_of``, ``cities`` and ``home``)."""

    facts: Facts
    chunks: Mapping[str, Chunk]
    as_of: dict[str, int | None]
    cities: dict[str, str]
    home: str | None

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
            contact = plain(", ".join(address.lines))
            n = cites.add(self.chunks[address.chunk], 0.0)
            if all(value in contact for value in (card.phone, card.email) if value):
                # the address block already gives the card's phone and e-mail: said once
                parts.append(words["office_contact_listed"].format(contact=contact, n=n))
            else:
                parts.append(
                    words["office_contact"].format(
                        contact=contact,
                        n=n,
                        phone=card.phone or words["no_phone"],
                        email=card.email or words["no_email"],
                        n_card=cites.add(self.chunks[card.chunk], 0.0),
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
