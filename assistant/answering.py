"""The default answer composer: no LLM, only what the retrieved passages say.

Structured facts (contacts, partnership years) are answered with templates in the asker's
language; anything else is answered by quoting, verbatim, the sentences or lines of the top
passages that fit the question; when nothing fits, the answer says so (the refusal phrase),
with the closest sources and the office's contact.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from .evidence import NUMBER, YEAR, fits, units
from .facts import Address, ContactCard, Facts, Partnership, city_key
from .intent import capitalised_names, intents, places, word_lists
from .lexical import (
    Vocabulary,
    contains_phrase,
    content_words,
    english_concepts,
    english_terms_in,
    expand_query,
    fold_words,
    german_terms,
    stems,
)
from .records import Chunk, Citation, Conflict, Passage
from .resources import load_data

MIN_RELEVANCE = 0.05  # below this calibrated relevance a passage is not used for an answer
MIN_COVERAGE = 0.6  # share of a German question's specific words a quoted passage must hold
MIN_CONCEPTS = 0.5  # share of an English question's topics (as German words) it must hold
QUOTE_PASSAGES = 5
COUNT_WINDOW = 3  # a count stands at most this many words before what it counts
TYPO_SIMILARITY = 0.8  # a word this similar to a passage word is held (mayers ~ mayors)
QUOTE_RATIO = 0.6  # further quotes must score at least this share of the best one
# Words a question about a contact or about the office may hold besides places and persons.
CONTACT_WORDS = set(
    [
        "zustandig",
        "ansprechpartner",
        "ansprechpartnerin",
        "ansprechperson",
        "partnerstadt",
        "partnerstadte",
        "e",
        "telefon",
        "telefonnummer",
        "telefonnumer",
        "nummer",
        "mail",
        "email",
        "adresse",
        "erreiche",
        "erreichen",
        "telefonisch",
        "kontakt",
        "kontaktieren",
        "betreut",
        "betreuen",
        "kummert",
        "verantwortlich",
        "stadtepartnerschaft",
        "partnerschaft",
        "verwaltung",
        "stadtverwaltung",
        "wende",
        "wenden",
        "anrufen",
        "fax",
        "telefax",
        "person",
        "zustandige",
        "leitet",
        "leiter",
        "leiterin",
        "abteilungsleiterin",
        "leitung",
        "abteilung",
        "internationale",
        "beziehungen",
        "entwicklungspolitik",
        "kommunale",
        "kommunaler",
        "ansprechpatner",
    ]
)
TWINNING_WORDS = frozenset(
    [
        "partnerstadt",
        "partnerstadte",
        "partnerstadten",
        "twin",
        "sister",
        "stadtepartnerschaft",
        "stadtepartnerschaften",
        "partnerschaft",
        "towns",
        "cities",
        "partner",
    ]
)
OFFICE_WORDS = set(
    [
        "abteilung",
        "internationale",
        "internationales",
        "beziehungen",
        "amt",
        "buro",
        "adresse",
        "anschrift",
        "postleitzahl",
        "sitzt",
        "befindet",
        "strasse",
        "postfach",
        "verwaltung",
        "behorde",
        "gremiendienste",
        "protokoll",
    ]
)


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
    return Draft(" ".join(texts), False, cites, conflicts)


def _renumber(text: str, numbers: dict[int, int]) -> str:
    """``text`` with each citation marker [n] replaced by [numbers[n]]."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{numbers.get(int(m[1]), int(m[1]))}]", text)


class Composer:
    """Turns retrieved passages into an answer with numbered, verifiable citations."""

    def __init__(
        self,
        facts: Facts,
        chunks: dict[str, Chunk],
        as_of: dict[str, int | None],
        cities: dict[str, str] | None = None,
        vocabulary: Vocabulary | None = None,
    ):
        self.facts = facts
        self.chunks = chunks
        self.as_of = as_of
        self.cities = cities or {}  # the city each page speaks for (front matter ``city``)
        self._indexes: dict[str, object] = {}
        if vocabulary is None:
            words = {w for c in chunks.values() for w in fold_words(c.passage_text)}
            words |= {w for c in chunks.values() for w in fold_words(c.section)}
            vocabulary = Vocabulary(words | word_lists()["domain"])
        self.vocabulary = vocabulary

    # --- what the question asks ------------------------------------------------------
    def specific_words(self, question: str, lang: str) -> list[str]:
        """Words that decide what a question is about: not cues, not generic words, and only
        capitalised ones (German nouns and names; in English only names) — unless the whole
        question is typed in lower case. English words of a glossary phrase are left to
        ``topic_concepts``, which looks for their German terms."""
        lists = word_lists()
        words = [w for w in content_words(question) if len(w) > 2 and not w.isdigit()]
        if lang == "en":
            glossed = {w for phrase, _ in english_terms_in(fold_words(question)) for w in phrase}
            words = [w for w in words if w not in glossed]
        words = [w for w in words if w not in lists["generic"] and w not in lists["cues"]]
        if question != question.lower() or lang == "en":
            names = set(fold_words(" ".join(capitalised_names(question))))
            words = [w for w in words if w in names]
        return words

    def topic_concepts(self, question: str) -> list[list[str]]:
        """The topics of an English question as German word sets (from the glossary), leaving
        out the general ones (twin town, contact, since, year …) that say nothing specific,
        and glosses in brackets ("Schnellstarterpaket (quick-start package)")."""
        lists = word_lists()
        general = lists["generic"] | lists["cues"] | CONTACT_WORDS
        unglossed = re.sub(r"\([^)]*\)", " ", question)  # a gloss restates the word before it
        return [c for c in english_concepts(unglossed) if not set(c) & general]

    def anchored(self, question: str, lang: str) -> bool:
        """Does the question name anything the pages could be about — a place, a specific
        word, or (English) a glossary term? "<script>alert(1)</script>" does not."""
        if places(question) or self.specific_words(question, lang):
            return True
        if lang == "en":
            return bool(english_concepts(question))
        return any(self.known(w) for w in content_words(question) if len(w) > 2)

    def unknown_names(self, question: str) -> list[str]:
        """Capitalised words of the question (not glosses in brackets or quotes) that the
        pages never mention: a place or thing the sources cannot speak about, or a word of a
        glossary topic the pages never speak of (Partei)."""
        lists = word_lists()
        words = fold_words(" ".join(capitalised_names(question)))
        return [
            w
            for w in words
            if len(w) > 2
            and w not in lists["generic"]
            and w not in lists["cues"]
            and (not self.known(w) or w in self.unspoken)
        ]

    def known(self, word: str) -> bool:
        """The pages hold the word: as is, by stem, inside a compound, or with a typo."""
        return self.vocabulary.known(word)

    @cached_property
    def page_words(self) -> Vocabulary:
        """The words the pages themselves use (the vocabulary also holds the glossary's)."""
        words = {w for c in self.chunks.values() for w in fold_words(c.passage_text)}
        words |= {w for c in self.chunks.values() for w in fold_words(f"{c.title} {c.section}")}
        return Vocabulary(words)

    @cached_property
    def unspoken(self) -> frozenset[str]:
        """The German words of the glossary's topics that no page speaks of: none of a
        topic's words is used by the pages (Partei; Einwohner, Bevölkerung …)."""
        words: set[str] = set()
        for entry in load_data("glossary.yaml")["en_de"]:
            german = {w for term in entry["de"] for w in fold_words(term)}
            if not any(self.page_words.known(w) for w in german):
                words |= german
        return frozenset(words)

    def unmentioned(self, question: str, lang: str) -> list[str]:
        """What a question asks about that no page speaks of: an English topic none of whose
        German glossary words the pages use ("population" → Einwohner, Bevölkerung …), or
        a word of a German how-to question the pages never use ("vorschlagen")."""
        if lang == "en":
            topics = self.topic_concepts(question)
            return [" ".join(c) for c in topics if set(c) <= self.unspoken]
        if "procedure" not in intents(question):
            return []
        lists = word_lists()
        return [
            w
            for w in content_words(question)
            if len(w) > 2
            and not w.isdigit()
            and w not in lists["generic"]
            and w not in lists["cues"]
            and not self.page_words.known(w)
        ]

    # --- the pieces of an answer ---------------------------------------------------
    def compose(self, question: str, lang: str, passages: list[Passage]) -> Draft:
        wanted, groups = intents(question), places(question)
        if (
            not passages
            or self.unknown_names(question)
            or self.unmentioned(question, lang)
            or not self.anchored(question, lang)
        ):
            return self.refuse(lang, passages)
        draft = self.conflict(question, lang, wanted, groups, passages)
        if draft:
            return draft
        cites = CitationNumbers()
        texts = [
            text
            for part in (self.contact, self.partnership_year)
            if (text := part(question, lang, wanted, groups, passages, cites))
        ]
        if texts:
            return Draft(" ".join(texts), False, cites.items)
        return self.quote(question, lang, wanted, groups, passages)

    def other_topic(self, question: str, lang: str, allowed: set[str]) -> bool:
        """Does the question ask about more than ``allowed`` words, places and persons?"""
        groups = places(question)
        place_words = {w for g in groups for v in g for w in v}
        people = self._index("people_words")
        if lang == "en":
            extra = set(fold_words(" ".join(german_terms(question))))
            extra |= set(self.specific_words(question, lang))
        else:
            extra = set(self.specific_words(question, lang))
        return bool(extra - allowed - place_words - people - word_lists()["countries"])

    def refuse(self, lang: str, passages: list[Passage]) -> Draft:
        words = phrases(lang)
        cites = CitationNumbers()
        parts = [words["refusal"]]
        near = [p for p in passages[:3]]
        if near:
            refs = [
                f"{p.chunk.title} › {p.chunk.section} [{cites.add(p.chunk, p.score)}]" for p in near
            ]
            parts.append(words["closest_sources"].format(sources="; ".join(refs)))
        office = self._office_address()
        heads = [c for c in self.home_facts.contacts if "Abteilungsleiterin" in c.role and c.email]
        if office and heads:
            head = max(heads, key=lambda c: (self.as_of.get(c.doc) or 0, c.doc))
            n = cites.add(self.chunks[office.chunk], 0.0)
            n_card = cites.add(self.chunks[head.chunk], 0.0)
            parts.append(
                words["office_contact"].format(
                    contact=", ".join(office.lines),
                    n=n,
                    phone=head.phone,
                    email=head.email,
                    n_card=n_card,
                )
            )
        return Draft(" ".join(parts), True, cites.items)

    def _index(self, name: str):
        """Lookups over the facts, built once: contact cards by partner city and by surname,
        partnership records by city, and the words of people's names."""
        if name not in self._indexes:
            if name == "contacts_by_city":
                index: dict = {}
                for card in self.facts.contacts:
                    for key in {city_key(x) for x in card.cities}:
                        index.setdefault(key, []).append(card)
            elif name == "contacts_by_surname":
                index = {}
                for card in self.facts.contacts:
                    index.setdefault(fold_words(card.person)[-1], []).append(card)
            elif name == "partnerships_by_city":
                index = {}
                for record in self.facts.partnerships:
                    index.setdefault(city_key(record.city), []).append(record)
            else:
                index = {w for c in self.facts.contacts for w in fold_words(c.person)}
            self._indexes[name] = index
        return self._indexes[name]

    @cached_property
    def home_facts(self) -> Facts:
        """The facts of the pages that speak for Darmstadt itself (read once: an index may
        hold the facts of thousands of other pages)."""

        def own(items: list) -> list:
            return [x for x in items if self._speaks_for(x.chunk, set())]

        f = self.facts
        return Facts(own(f.contacts), own(f.addresses), own(f.partnerships), own(f.statements))

    def _speaks_for(self, chunk_id: str, question_words: set[str]) -> bool:
        """May a fact from this passage answer a question about Darmstadt? Facts from a page
        about another city (Dortmund's twin towns) only when the question names that city."""
        city = self.cities.get(self.chunks[chunk_id].doc_id) if chunk_id in self.chunks else None
        if not city:
            return True
        own = set(fold_words(city))
        return bool(own & word_lists()["home"]) or own <= question_words

    def _other_cities(self, question: str) -> set[str]:
        """Cities whose pages cannot give a value asked about Darmstadt itself: when the
        question names Darmstadt and not them, another city's page (the year of one of
        Dortmund's twin towns) says nothing about Darmstadt's. (A yes/no question may still
        be answered from it: "Is Amiens a twin town of Darmstadt?" — Dortmund's page names
        Amiens as Dortmund's.)"""
        words = set(fold_words(question))
        if not words & word_lists()["home"]:
            return set()
        return {
            city
            for city in set(self.cities.values())
            if not set(fold_words(city)) & (words | word_lists()["home"])
        }

    def _office_address(self) -> Address | None:
        """The newest page's office address (by ``as_of``)."""
        with_street = [a for a in self.home_facts.addresses if not a.lines[0].startswith("Neues")]
        if not with_street:
            return None
        return max(with_street, key=lambda a: (self.as_of.get(a.doc) or 0, a.doc))

    def _ranked_chunk(self, ids: list[str], passages: list[Passage]) -> str:
        """Of chunks holding the same fact, the one retrieved best (else the newest page)."""
        rank = {p.chunk.id: p.rank for p in passages}
        return min(
            ids, key=lambda c: (rank.get(c, 99), -(self.as_of.get(self.chunks[c].doc_id) or 0), c)
        )

    # --- structured facts ------------------------------------------------------------
    def contact(
        self, question, lang, wanted, groups, passages, cites: CitationNumbers
    ) -> str | None:
        words = phrases(lang)
        folded = set(fold_words(question))
        asks_contact = bool({"contact", "phone", "email"} & wanted) or (
            "who" in wanted and groups and "when" not in wanted
        )
        if not asks_contact or self.other_topic(question, lang, CONTACT_WORDS):
            return None
        cards: list[ContactCard] = []
        template, city = "", ""
        by_city = self._index("contacts_by_city")
        for group in groups:
            keys = {" ".join(v) for v in group}
            found = [c for key in sorted(keys) for c in by_city.get(key, [])]
            unique = [c for i, c in enumerate(found) if all(c is not d for d in found[:i])]
            cards = [c for c in unique if self._speaks_for(c.chunk, folded)]
            if cards:
                city = next(x for x in cards[0].cities if city_key(x) in keys)
                template = "contact"
                break
        if not cards:
            by_name = self._index("contacts_by_surname")
            cards = [c for w in sorted(folded) for c in by_name.get(w, [])]
            cards = [c for c in cards if self._speaks_for(c.chunk, folded)]
            template = "contact_person_cities" if cards and cards[0].cities else "contact_person"
        if not cards and folded & {
            "leitet",
            "leiter",
            "leiterin",
            "abteilungsleiterin",
            "head",
            "heads",
            "leads",
            "leitung",
        }:
            cards = [c for c in self.facts.contacts if "Abteilungsleiterin" in c.role]
            cards = [c for c in cards if self._speaks_for(c.chunk, folded)]
            template = "contact_person"
        if not cards and folded & {"entwicklungspolitik", "development"}:
            cards = [c for c in self.facts.contacts if "Entwicklungspolitik" in c.role]
            cards = [c for c in cards if self._speaks_for(c.chunk, folded)]
            template = "contact_person"
        if not cards:
            return None
        complete = [c for c in cards if c.email] or cards  # prefer a card with its e-mail
        best = self._ranked_chunk([c.chunk for c in complete], passages)
        card = next(c for c in cards if c.chunk == best)
        email = card.email or next((c.email for c in cards if c.email), "") or words["no_email"]
        n = cites.add(self.chunks[card.chunk], _score(passages, card.chunk))
        if not card.email and email != words["no_email"]:
            source = next(c for c in cards if c.email == email)
            n_mail = cites.add(self.chunks[source.chunk], _score(passages, source.chunk))
            email = f"{email} [{n_mail}]"
        text = words[template].format(
            person=card.person,
            city=city,
            cities=", ".join(card.cities),
            phone=card.phone,
            email=email,
            role=card.role,
            n=n,
        )
        return text

    def partnership_year(self, question, lang, wanted, groups, passages, cites) -> str | None:
        if "when" not in wanted or not groups:
            return None
        for group in groups:
            keys = {" ".join(v) for v in group}
            by_city = self._index("partnerships_by_city")
            records = [p for key in sorted(keys) for p in by_city.get(key, [])]
            records = [p for p in records if self._speaks_for(p.chunk, set(fold_words(question)))]
            if records:
                record: Partnership = records[0]
                n = cites.add(self.chunks[record.chunk], _score(passages, record.chunk))
                return phrases(lang)["partnership_year"].format(
                    city=record.city, country=record.country, year=record.year, n=n
                )
        return None

    # --- pages that disagree -----------------------------------------------------------
    def conflict_topic(self, question: str, lang: str, wanted: set[str]) -> str | None:
        folded = set(fold_words(question))
        twinning = folded & TWINNING_WORDS
        if "address" in wanted and not {"email", "phone"} & wanted:
            office_only = not self.other_topic(question, lang, OFFICE_WORDS)
            return "office_address" if office_only else None
        allowed = set(TWINNING_WORDS) | set(fold_words(" ".join(german_terms(question))))
        allowed = allowed if twinning else set()  # (English twinning words stand for German)
        about_darmstadt = not places(question) and not self.other_topic(question, lang, allowed)
        if folded & {"jungste", "neueste", "youngest", "newest", "latest", "recent"}:
            return "youngest_partnership" if not places(question) else None
        counts = NUMBER.findall(question)  # "15 oder 17 Partnerstädte?" asks the count too
        if ("how_many" in wanted or counts) and twinning and about_darmstadt:
            return "partner_city_count"
        if folded & {"amt", "office", "department"} and folded & {
            "name",
            "heisst",
            "called",
            "named",
            "namen",
        }:
            return "office_name"
        return None

    def _topic_values(self, topic: str) -> list[tuple[str, str, str, str]]:
        """Distinct (value, doc, chunk, stating text) of a topic, newest page first."""
        if topic == "office_address":
            rows = []
            for a in self.home_facts.addresses:
                if a.lines[0].startswith("Neues"):
                    continue  # the post-box block
                lines = a.lines[1:4] if a.lines[1].startswith("Neues") else a.lines[2:4]
                rows.append((", ".join(lines), a.doc, a.chunk, ", ".join(lines)))
        else:
            names = {"partner_city_count": ("partner_city_count", "partner_city_count_then")}
            wanted_topics = names.get(topic, (topic,))
            rows = [
                (s.value, s.doc, s.chunk, s.text or s.value)
                for s in self.home_facts.statements
                if s.topic in wanted_topics
            ]
        rows.sort(key=lambda r: (-(self.as_of.get(r[1]) or 0), r[1], r[2]))
        seen: dict[str, tuple[str, str, str, str]] = {}
        for row in rows:
            seen.setdefault(row[0], row)
        return list(seen.values())

    def conflict(self, question, lang, wanted, groups, passages) -> Draft | None:
        topic = self.conflict_topic(question, lang, wanted)
        if not topic:
            return None
        values = self._topic_values(topic)
        docs = {row[1] for row in values}
        if len(values) < 2 or len(docs) < 2:
            return None
        words = phrases(lang)
        cites = CitationNumbers()
        (va, da, ca, ta), (vb, db, cb, tb) = (
            values[0],
            next(v for v in values[1:] if v[1] != values[0][1]),
        )
        na = cites.add(self.chunks[ca], _score(passages, ca), ta)
        nb = cites.add(self.chunks[cb], _score(passages, cb), tb)
        age_a, age_b = self.as_of.get(da), self.as_of.get(db)
        text = words["conflict"].format(
            topic=words["topics"][topic],
            value_a=ta,
            n_a=na,
            title_a=self.chunks[ca].title,
            as_of_a=age_a or words["unknown_year"],
            value_b=tb,
            n_b=nb,
            title_b=self.chunks[cb].title,
            as_of_b=age_b or words["unknown_year"],
        )
        newer = None
        if age_a and age_b and age_a != age_b:
            newer = da if age_a > age_b else db
            text += " " + words["conflict_newer"].format(
                title=self.chunks[ca if newer == da else cb].title
            )
        else:
            text += " " + words["conflict_unknown_age"]
        conflict = Conflict(
            topic,
            [
                {"value": va, "n": na, "doc": da, "as_of": age_a},
                {"value": vb, "n": nb, "doc": db, "as_of": age_b},
            ],
            newer,
        )
        return Draft(text, False, cites.items, [conflict])

    # --- quoting the passages ----------------------------------------------------------
    @staticmethod
    def _tells_start(words: list[str], before: list[str], specific, concepts) -> bool:
        """Does a sentence answer "since when": state a start (seit, gegründet, beigetreten …)
        of what is asked, named in it or in the sentence before?"""
        if not set(words) & word_lists()["start"]:
            return False
        vocab = set(words) | set(before)
        if specific and _coverage(set(specific), vocab) < MIN_COVERAGE:
            return False
        return not concepts or _concept_coverage(concepts, vocab) >= MIN_CONCEPTS

    def quote(self, question, lang, wanted, groups, passages) -> Draft:
        own, added = expand_query(question, lang)
        query_stems = set(stems([w for w in own + added if len(w) > 2]))
        specific = set(self.specific_words(question, lang))
        concepts = self.topic_concepts(question) if lang == "en" else []
        # a how-to question is answered only where all it names is told about
        how_to = "procedure" in wanted
        min_coverage, min_concepts = (1.0, 1.0) if how_to else (MIN_COVERAGE, MIN_CONCEPTS)
        counted = _counted_word(question) if "how_many" in wanted else None
        if counted and lang == "en":  # the counted thing, as German words from the glossary
            counted_words = english_concepts(counted) or [[counted]]
        else:
            counted_words = [[counted]] if counted else []
        group_words = [v for g in groups for v in g]
        # a place is held by a passage naming it in any spelling (checked below)
        specific -= {w for v in group_words for w in v}
        candidates = []
        foreign = self._other_cities(question) if wanted else set()
        for p in passages[:QUOTE_PASSAGES]:
            relevance = p.relevance if p.relevance is not None else p.score
            if relevance < MIN_RELEVANCE or self.cities.get(p.chunk.doc_id) in foreign:
                continue
            passage_vocab = set(fold_words(p.chunk.section + " " + p.chunk.passage_text))
            if specific and _coverage(specific, passage_vocab) < min_coverage:
                continue
            if concepts and _concept_coverage(concepts, passage_vocab) < min_concepts:
                continue
            # a passage under a heading naming the place is about it
            passage_words = fold_words(f"{p.chunk.section}\n{p.chunk.passage_text}")
            if group_words and not any(contains_phrase(passage_words, v) for v in group_words):
                continue
            previous: list[str] = []
            for unit in units(p.chunk):
                unit_words, before = fold_words(unit), previous
                previous = unit_words
                if not fits(unit, wanted) or len(unit) < 3:
                    continue
                if "since" in wanted and not self._tells_start(
                    unit_words, before, specific, concepts
                ):
                    continue
                if counted_words and not _count_of(unit_words, counted_words):
                    continue  # "wie viele X" / "how many X": the number must come with X
                names = any(contains_phrase(unit_words, v) for v in group_words)
                unit_stems = set(stems(unit_words))
                overlap = len(query_stems & unit_stems) / max(1, len(query_stems))
                score = overlap + 0.5 * relevance + 0.3 * names - 0.02 * p.rank
                candidates.append((score, p, unit))
        if not candidates and "address" in wanted:
            # "Wo ist … angesiedelt?" asks where in an organisation as often as for a postal
            # address: quote what fits otherwise
            return self.quote(question, lang, wanted - {"address"}, groups, passages)
        if not candidates:
            return self.refuse(lang, passages)
        candidates.sort(key=lambda c: (-c[0], c[1].rank, c[2]))
        best = candidates[0][0]
        if best <= 0:
            return self.refuse(lang, passages)
        words = phrases(lang)
        cites = CitationNumbers()
        parts: list[str] = []
        used: set[str] = set()
        picked = [(p, unit) for score, p, unit in candidates[:3] if score >= QUOTE_RATIO * best]
        top_p, top_unit = picked[0]
        siblings = units(top_p.chunk)
        at = siblings.index(top_unit)
        # the next sentence often carries the answer; "how does …" questions are answered
        # by what the paragraph goes on to say, so they get the next two
        followers = 2 if "manner" in wanted else 1
        if len(picked) < 3 and top_p.chunk.kind in ("prose", "mixed"):
            for i, follower in enumerate(siblings[at + 1 : at + 1 + followers], 1):
                if follower not in {u for _, u in picked} and fits(follower, wanted):
                    picked.insert(i, (top_p, follower))
        for p, unit in picked:
            if unit in used:
                continue
            used.add(unit)
            n = cites.add(p.chunk, p.relevance if p.relevance is not None else p.score, unit)
            if len(parts) == 0 or (cites.items[n - 1].quote == unit and n > len(parts)):
                parts.append(
                    words["quote_intro"].format(title=p.chunk.title, section=p.chunk.section)
                )
            parts.append(words["quote"].format(text=_clean(unit), n=n))
        return Draft(" ".join(parts), False, cites.items)


def _counted_word(question: str) -> str | None:
    """The word counted by "wie viele …" / "how many …" (German stems compare by prefix)."""
    words = fold_words(question)
    for i in range(len(words) - 2):
        if (words[i], words[i + 1]) in (("wie", "viele"), ("how", "many")):
            word = words[i + 2]
            return word[:-1] if word.endswith(("e", "n", "s")) and len(word) > 5 else word
    return None


def _count_of(words: list[str], counted: list[list[str]]) -> bool:
    """Do folded ``words`` hold a count right before the counted thing ("17 Partnerstädten",
    "über 800 deutschen Städten")? The home city's name is not a thing counted."""
    home = word_lists()["home"]
    wanted = [w for group in counted for w in group]
    for i, word in enumerate(words):
        if word in home or not any(w == word or (len(w) >= 5 and w in word) for w in wanted):
            continue
        before = words[max(0, i - COUNT_WINDOW) : i]
        if any(t.isdigit() and not YEAR.fullmatch(t) for t in before):
            return True
    return False


def _concept_coverage(concepts: list[list[str]], vocab: set[str]) -> float:
    """Share of concepts of which the passage holds at least one word. The words are the
    glossary's German, spelled right: no typo matching ("Fragen" is not "tragen")."""
    return sum(_coverage(set(c), vocab, typos=False) > 0 for c in concepts) / len(concepts)


def _coverage(words: set[str], vocab: set[str], typos: bool = True) -> float:
    """Share of ``words`` the passage holds: as is, inside a compound, or nearly (typos in
    the question's words)."""

    def held(w: str) -> bool:
        if w in vocab:
            return True
        if len(w) >= 5 and any(w in v or (len(v) >= 6 and v in w) for v in vocab):
            return True
        return typos and bool(
            difflib.get_close_matches(w, list(vocab), n=1, cutoff=TYPO_SIMILARITY)
        )

    return sum(held(w) for w in words) / len(words)


def _clean(unit: str) -> str:
    """A quoted line without list or table markup; the words stay as they are."""
    unit = re.sub(r"^[-*]\s+", "", unit.strip())
    return unit.replace("**", "")


def _score(passages: list[Passage], chunk_id: str) -> float:
    for p in passages:
        if p.chunk.id == chunk_id:
            return p.relevance if p.relevance is not None else p.score
    return 0.0
