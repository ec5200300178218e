"""Typed facts read from a unit's text: contact cards in any common layout, and year lists.

Contact cards come as blocks ("Frau Vorname Name" or "Name, Vorname", a role line,
"Telefon: …", "E-Mail …"), as one line ("Ansprechpartnerin: Vorname Name, Tel. …, E-Mail
…"), or in prose ("… steht Ihnen Herr Vorname Name unter Telefon … zur Verfügung."). Each
gives a person, their role and responsibilities, phone, fax and e-mail. Year lists give
(year, place, country) from lines like "1958 Musterstadt (Niederlande), Beispielburg (Frankreich)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.answering.reader.types import EMAIL, PHONE, data
from assistant.language.words import fold_words

_INVERTED = re.compile(r"^([A-ZÄÖÜ][\w-]+),\s+([A-ZÄÖÜ][\w-]+(?:\s[A-ZÄÖÜ][\w-]+)?)$")
_NAME = r"[A-ZÄÖÜ][\w'’-]+(?:\s+(?:von|van|de|del|zu)\s+[A-ZÄÖÜ][\w'’-]+|\s+[A-ZÄÖÜ][\w'’-]+){1,2}"
_TITLED = re.compile(
    r"\b(Frau|Herr|Herrn)\s+((?:(?:Dr|Prof)\.\s+)*)(" + _NAME + r"|[A-ZÄÖÜ][\w'’-]+)"
)
_LABELLED = re.compile(
    r"^(?:[\w ]*?)(?:Ansprechpartner(?:in)?|Ansprechperson(?:en)?|Kontakt(?:person)?)"
    r"(?:\s+[^:]{0,60})?:\s*((?:(?:Dr|Prof)\.\s+)*)(" + _NAME + r")",
    re.IGNORECASE,
)
_LABEL_VALUE = re.compile(r"^([^:]{3,40}):\s*(.+)$")
_PHONE_LABEL = re.compile(r"\b(?:Telefon|Tel|Fon|Phone|Mobil)\b\.?:?", re.IGNORECASE)
_FAX_LABEL = re.compile(r"\b(?:Tele)?fax\b\.?:?", re.IGNORECASE)
_YEAR_ITEM = re.compile(r"^\s*(?:[-*•]\s*)?((?:1[89]|20)\d\d)\s*[:–-]?\s+(.+)$")
_TABLE_YEAR = re.compile(r"(?:seit\s+|since\s+)?((?:1[89]|20)\d\d)", re.IGNORECASE)
_PLACE_COUNTRY = re.compile(r"\s*([^,();]+?)\s*\(([^)]+)\)")


@dataclass(frozen=True)
class Card:
    """A contact: who, in which role, for what, and how to reach them."""

    person: str
    role: str = ""
    responsible_for: tuple[str, ...] = ()  # places or topics named as theirs
    phone: str = ""
    fax: str = ""
    email: str = ""
    text: str = field(default="", compare=False)

    @property
    def reachable(self) -> bool:
        return bool(self.phone or self.email)


def _person(line: str) -> tuple[str, str] | None:
    """(name, the rest of the line) when a line names a person."""
    line = line.strip()
    m = _INVERTED.match(line)
    if m:
        return f"{m.group(2)} {m.group(1)}", ""
    m = _LABELLED.match(line)
    if m:
        return f"{m.group(1)}{m.group(2)}".strip(), line[m.end() :]
    m = _TITLED.search(line)
    if m:
        return f"{m.group(2)}{m.group(3)}".strip(), line[m.end() :]
    return None


def _number_after(label: re.Pattern, text: str) -> str:
    m = label.search(text)
    if not m:
        return ""
    found = PHONE.search(text, m.end())
    return found.group(0).strip() if found and found.start() - m.end() < 12 else ""


def _items(value: str) -> tuple[str, ...]:
    parts = re.split(r",\s*|\s+und\s+|\s+and\s+", value)
    return tuple(p.strip(" .") for p in parts if p.strip(" ."))


def _unbracketed(text: str) -> str:
    """A piece of a contact line without the brackets around it ("(Referentin)") or an
    opening one left without its close ("zuständig (" before "Tel. …)")."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    while text.count("(") > text.count(")"):
        text = text[: text.rindex("(")]
    while text.count(")") > text.count("("):
        text = text.replace(")", "", 1)
    return text.strip(" ,;")


@lru_cache(maxsize=65536)
def parse_card(text: str) -> Card | None:
    """The contact a unit gives, or None when it names no reachable person."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    found, i = None, 0
    for i, line in enumerate(lines):  # noqa: B007 - i is the person's line below
        found = _person(line)
        if found:
            break
    if not found:
        return None
    person, rest = found
    person = re.sub(r"\s+", " ", person)
    rest = rest.strip(" *_")  # what is left of "**Frau Vorname Name**": emphasis marks
    own = "\n".join([rest, *lines[i + 1 :]])
    fax = _number_after(_FAX_LABEL, own)
    phone = _number_after(_PHONE_LABEL, own)
    if not phone:
        numbers = [m.group(0).strip() for m in PHONE.finditer(own)]
        phone = next((n for n in numbers if n != fax), "")
    email = EMAIL.search(own)
    role, responsible = "", ()
    labels = data()["contact_labels"]
    for line in [rest.strip(" ,;"), *lines[i + 1 :]]:
        if not line or PHONE.search(line) or EMAIL.search(line) or _FAX_LABEL.search(line):
            if (
                line and not responsible and "," in line
            ):  # "Ansprechpartnerin: …, Umweltamt, Tel. …"
                head = PHONE.split(_PHONE_LABEL.split(line)[0])[0]
                bits = [bit for bit in map(_unbracketed, head.split(",")) if bit]
                # a role is a noun ("Umweltamt") or a clause ("der den Dolmetscherpool
                # betreut"), not the one word before the number ("zuständig (Tel. …)")
                lead = bits[0] if bits else ""
                role = role or (lead if lead[:1].isupper() or " " in lead else "")
            continue
        if line.lower().startswith("e-mail") or line.lower() == "email":
            continue
        m = _LABEL_VALUE.match(line)
        if m and not set(fold_words(m.group(1))) & labels:
            # "Partnerstädte: A, B": what they look after (names, not "Zimmer: 2.10")
            responsible = tuple(x for x in _items(m.group(2)) if x[:1].isalpha()) or responsible
        elif not role:
            role = line.strip(" ,;*_")
    card = Card(person, role, responsible, phone, fax, email.group(0) if email else "", text)
    return card if card.reachable else None


def lists_friendships(heading: str) -> bool:
    """Does a heading name friendships and no partnership ("Städtefreundschaften",
    "Freundschaften ohne Partnerschaftsvertrag"): what is listed under it is no partnership,
    however its lines look."""
    words = fold_words(heading)
    endings = data()["friendship_endings"]
    friends = any(w.endswith(e) for w in words for e in endings)
    return friends and not set(words) & data()["partnership_words"]


def partner_rows(text: str) -> list[tuple[int, str, str, str]]:
    """(year, place, country, line) of every partnership a passage lists: the entries of its
    year-list lines ("1958 Musterstadt (Niederlande)") and the rows of its tables whose head
    names a place column and a year column ("| Partnerstadt | Land | Partnerschaft seit |")."""
    rows = [(y, p, k, line) for line in text.splitlines() for y, p, k in year_items(line)]
    return rows + _table_rows(text)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _column(head: list[str], words: frozenset[str]) -> int | None:
    """The first column whose head holds one of ``words`` (or a compound ending in one)."""
    for i, cell in enumerate(head):
        if any(w in words or any(w.endswith(x) for x in words) for w in fold_words(cell)):
            return i
    return None


def _table_rows(text: str) -> list[tuple[int, str, str, str]]:
    lines = text.splitlines()
    rows: list[tuple[int, str, str, str]] = []
    head: list[str] | None = None
    place = year = country = None
    for line in lines:
        if not line.strip().startswith("|"):
            head = None
            continue
        cells = _cells(line)
        if head is None:
            head = cells
            words = data()
            place = _column(head, words["table_place_heads"])
            year = _column(head, words["table_year_heads"])
            country = _column(head, words["table_country_heads"])
            continue
        if place is None or year is None or place == year or len(cells) != len(head):
            continue
        m = _TABLE_YEAR.fullmatch(cells[year])
        name = cells[place].split("(")[0].strip(" *_")
        if m and name[:1].isupper():
            land = cells[country].split("(")[0].strip(" *_") if country is not None else ""
            rows.append((int(m.group(1)), name, land, line.strip()))
    return rows


def year_items(text: str) -> list[tuple[int, str, str]]:
    """(year, place, country) of each entry of a year-list line ("1958 Musterstadt
    (Niederlande), Beispielburg (Frankreich)"); [] for other lines."""
    m = _YEAR_ITEM.match(text.strip())
    if not m:
        return []
    year, rest = int(m.group(1)), m.group(2)
    pairs: list[tuple[str, str]] = []
    for place, country in _PLACE_COUNTRY.findall(rest):
        if not place.strip() and pairs:  # "Halle (Saale) (Deutschland)": the name's own
            pairs[-1] = (f"{pairs[-1][0]} ({pairs[-1][1]})", country)  # bracket, then the land
        else:
            pairs.append((place.strip(), country.strip()))
    if pairs:
        return [(year, place, country) for place, country in pairs]
    places = _items(rest)
    if 0 < len(places) <= 4 and all(p[:1].isupper() and len(p.split()) <= 4 for p in places):
        return [(year, p, "") for p in places]
    return []
