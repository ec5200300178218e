"""Structured facts, extracted from the chunks by code (never typed in by hand).

* contact cards: person, role, partner cities, phone, fax, e-mail — from contact blocks;
* office addresses — from address blocks;
* partnership records: city, country, year — from the partnership list;
* simple statements: "seit <year> … Mitglied", the youngest partnership, counts of partner
  cities, office names — for answers and for spotting pages that disagree.

Every fact keeps the id of the chunk it came from, so an answer cites that passage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .lexical import fold_words
from .records import Chunk

_PERSON_INVERTED = re.compile(r"^([A-ZÄÖÜ][\w-]+),\s+([A-ZÄÖÜ][\w-]+)$")
_PERSON_TITLED = re.compile(r"^(Frau|Herr)\s+(.+)$")
_PHONE = re.compile(r"^Telefon:?\s+(.+)$")
_FAX = re.compile(r"^(?:Tele)?[Ff]ax:?\s+(.+)$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PARTNERS = re.compile(r"^Partnerstädte:\s*(.+)$")
_YEAR_ITEM = re.compile(r"^-?\s*((?:19|20)\d\d)\s+(.+)$")
_CITY_COUNTRY = re.compile(r"\s*([^,(]+?)\s*\(([^)]+)\)")
_POSTCODE = re.compile(r"\b\d{5}\b")
_YOUNGEST = re.compile(r"jüngste Städtepartnerschaft wurde im Jahr ((?:19|20)\d\d)")
_COUNT = re.compile(r"\b(\d{1,3}) (?:Städtepartnerschaften|Partnerstädten|Partnerstädte)\b")
_OFFICE = re.compile(
    r"\b(Amt für [A-ZÄÖÜ][\w-]*(?:(?:,| und) [A-ZÄÖÜ][\w-]*)*(?: [A-ZÄÖÜ][\w-]*)*)"
)


@dataclass
class ContactCard:
    person: str
    role: str
    cities: list[str]
    phone: str
    fax: str
    email: str
    doc: str
    chunk: str


@dataclass
class Address:
    lines: list[str]
    doc: str
    chunk: str


@dataclass
class Partnership:
    city: str
    country: str
    year: int
    doc: str
    chunk: str


@dataclass
class Statement:
    """A value a page states about a topic (youngest partnership, count, office name)."""

    topic: str
    value: str
    doc: str
    chunk: str
    text: str = ""  # the sentence or line that states it


@dataclass
class Facts:
    contacts: list[ContactCard] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    partnerships: list[Partnership] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Facts:
        data = json.loads(text)
        return cls(
            contacts=[ContactCard(**c) for c in data["contacts"]],
            addresses=[Address(**a) for a in data["addresses"]],
            partnerships=[Partnership(**p) for p in data["partnerships"]],
            statements=[Statement(**s) for s in data["statements"]],
        )

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Facts:
        return cls.from_json(path.read_text(encoding="utf-8"))


def person_name(line: str) -> str | None:
    """ "Seel, Alina" or "Frau Alina Seel" → "Alina Seel"; None for other lines."""
    line = line.strip()
    m = _PERSON_INVERTED.match(line)
    if m:
        return f"{m.group(2)} {m.group(1)}"
    m = _PERSON_TITLED.match(line)
    return m.group(2).strip() if m else None


def _contact(chunk: Chunk) -> ContactCard | None:
    lines = [line.strip() for line in chunk.text.splitlines() if line.strip()]
    person = person_name(lines[0]) if lines else None
    if not person:
        return None
    card = ContactCard(person, "", [], "", "", "", chunk.doc_id, chunk.id)
    for line in lines[1:]:
        if m := _PARTNERS.match(line):
            card.cities = [c.strip() for c in m.group(1).split(",") if c.strip()]
        elif m := _PHONE.match(line):
            card.phone = m.group(1).strip()
        elif m := _FAX.match(line):
            card.fax = m.group(1).strip()
        elif line.startswith("E-Mail"):
            email = _EMAIL.search(line)
            card.email = email.group(0) if email else ""
        elif not card.role:
            card.role = line
    return card


def _partnerships(chunk: Chunk) -> Iterable[Partnership]:
    for line in chunk.text.splitlines():
        m = _YEAR_ITEM.match(line.strip())
        if not m:
            continue
        for city, country in _CITY_COUNTRY.findall(m.group(2)):
            yield Partnership(
                city.strip(), country.strip(), int(m.group(1)), chunk.doc_id, chunk.id
            )


def _sentence_at(text: str, pos: int) -> str:
    """The sentence of ``text`` around position ``pos`` (within its line)."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end >= 0 else len(text)]
    at = pos - start
    begin = max(line.rfind(". ", 0, at) + 2, 0) if line.rfind(". ", 0, at) >= 0 else 0
    stop = line.find(". ", at)
    return line[begin : stop + 1 if stop >= 0 else len(line)].strip()


def _statements(chunk: Chunk) -> Iterable[Statement]:
    text = chunk.text
    for m in _YOUNGEST.finditer(text):
        sentence = _sentence_at(text, m.start())
        yield Statement("youngest_partnership", m.group(1), chunk.doc_id, chunk.id, sentence)
    for m in _COUNT.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        topic = "partner_city_count_then" if "damals" in before else "partner_city_count"
        yield Statement(topic, m.group(1), chunk.doc_id, chunk.id, _sentence_at(text, m.start()))
    for m in _OFFICE.finditer(text):
        name = m.group(1).split(", Abteilung")[0]
        if "Vielfalt" in name or "Gremiendienste" in name:
            yield Statement("office_name", name, chunk.doc_id, chunk.id)


def extract_facts(chunks: Iterable[Chunk]) -> Facts:
    """All facts of a set of chunks, in chunk-id order (deterministic)."""
    facts = Facts()
    chunks_by_id = {c.id: c for c in chunks}
    for chunk in sorted(chunks_by_id.values(), key=lambda c: c.id):
        if chunk.kind == "contact" and (card := _contact(chunk)):
            facts.contacts.append(card)
        if chunk.kind == "address":
            lines = [line.strip() for line in chunk.text.splitlines() if line.strip()]
            if any(_POSTCODE.search(line) for line in lines):
                facts.addresses.append(Address(lines, chunk.doc_id, chunk.id))
        facts.partnerships += list(_partnerships(chunk))
        facts.statements += list(_statements(chunk))
    if facts.partnerships:  # the newest year of each partnership list
        by_doc: dict[str, list[Partnership]] = {}
        for p in facts.partnerships:
            by_doc.setdefault(p.doc, []).append(p)
        for doc, records in by_doc.items():
            newest = max(records, key=lambda p: p.year)
            line = next(
                (
                    line.strip("- ").strip()
                    for line in chunks_by_id[newest.chunk].text.splitlines()
                    if str(newest.year) in line
                ),
                f"{newest.year} {newest.city} ({newest.country})",
            )
            facts.statements.append(
                Statement("youngest_partnership", str(newest.year), doc, newest.chunk, line)
            )
    return facts


def city_key(name: str) -> str:
    """Folded key of a place name: "Płock" and "Plock" meet."""
    return " ".join(fold_words(name))
