"""What a question asks: its answer types, its concepts (the words that must be answered
about, each with the pages' words that stand for it), and the names it is about.

Everything is read against the pages themselves: a word's weight is its rarity in the
index, its alternatives are the pages' words that match it (stem, compound, typo; for an
English word its translations from the dictionary bridge and the glossary), and a name is a
place of the gazetteer or a capitalised word the pages rarely or never use.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property

from assistant.answering.reader.bridge import Bridge
from assistant.answering.reader.types import (
    CONTACT_ASKED,
    administration_as_place,
    asked_types,
    constrained,
    cue_words,
    years,
)
from assistant.language.places import Gazetteer
from assistant.language.words import (
    asking,
    english_terms_in,
    fold_words,
    phrase_starts,
    stems,
    stopwords,
    two_words,
)
from assistant.resources import load_data
from assistant.retrieval.lexical import Vocabulary

NAME_SHARE = 0.1  # a capitalised word in at most this share of passages is a name
NAME_ZIPF = 3.0  # ... unless the language knows it better than this (Zipf scale): a noun
GENERIC_ZIPF = 5.0  # a word this common in the language pins no answer down
GENERIC_SHARE = 0.2  # nor does one that this share of the passages use
# a word this common (Zipf scale) says nothing about the topic (a German noun always does)
COMMON_ZIPF = {"en": 5.0, "de": 4.5}
RARE_ENGLISH = 3.5  # an English word rarer than this (Zipf) may be a typo or a name
TYPO_ZIPF = 3.5  # a near spelling at least this common (Zipf) is what a typo meant
TYPO_MARGIN = 1.5  # ... and this much more common than the word as typed (30 times)
TYPO_MIN_LENGTH = 5  # shorter words have too many near spellings to tell
_WORD = re.compile(r"[^\W\d_]+")
COMPOUND_JOINTS = ("", "s", "n", "en", "e", "er")  # German linking letters between parts
_QUOTED = re.compile(r"[„“\"«»‚‘'’]([^„“\"«»‚‘'’]{3,60})[“”\"«»‘’']")


# What asks for a value that belongs to a year: a date, a time, a count, an amount
DATED_ASKS = frozenset({"when", "deadline", "day", "clock", "count", "cost"})


@dataclass(frozen=True)
class Concept:
    """A thing the question asks about: the pages' words any one of which stands for it."""

    word: str  # as the question has it (folded), or a phrase
    words: frozenset[str]  # the pages' words that stand for it (empty: the pages lack it)
    weight: float  # rarity in the index (idf)
    name: bool = False  # a name: a place, or a capitalised word the pages rarely use
    absent: bool = False  # a word of the language (not a name) that the pages never use
    thing: bool = True  # it names a thing (a noun, a name), not an action or a manner
    generic: bool = False  # so common in the language or the pages that it pins nothing down

    @property
    def known(self) -> bool:
        return bool(self.words)


@dataclass(frozen=True)
class Analysis:
    """A question as the reader sees it."""

    text: str
    lang: str
    asked: frozenset[str]
    constrained: frozenset[str]
    concepts: tuple[Concept, ...]
    places: tuple[tuple[tuple[str, ...], ...], ...] = ()  # each place's variants' words
    cities: frozenset[str] = field(default_factory=frozenset)  # index cities it names

    @property
    def place_words(self) -> frozenset[str]:
        """Every word of every spelling of the places the question names."""
        return frozenset(w for group in self.places for variant in group for w in variant)

    @property
    def names(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if c.name)

    @property
    def unknown_names(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.names if not c.known)

    @cached_property
    def dated(self) -> int | None:
        """The one year of a question for a date, a time, a count or an amount ("Wann ist das
        Fest 2026?", "Wie hoch war das Budget 2023?"): the answer is about that year. None
        for a question that names no year or several (a choice: "1978 or 1979?") or asks
        since when."""
        stated = set(years(self.text))
        if len(stated) != 1 or not self.asked & DATED_ASKS or "since" in self.asked:
            return None
        return stated.pop()


def _capitalised(question: str) -> set[str]:
    """Folded words written with a capital letter (not the question's first word), and the
    words of quoted names."""
    tokens = re.findall(r"[\w][\w'’.-]*", question)
    out = {w for i, t in enumerate(tokens) if i and t[:1].isupper() for w in fold_words(t)}
    for quoted in _QUOTED.findall(question):
        out |= set(fold_words(quoted))
    return out


@cache
def _qualifier_joins() -> tuple[tuple[str, ...], ...]:
    joins = load_data("wordlists.yaml")["place_qualifier"]
    return tuple(sorted((tuple(fold_words(j)) for j in joins), key=len, reverse=True))


def _qualifying(words: Sequence[str], places: Sequence[Sequence[tuple[str, ...]]]) -> set[str]:
    """The words that say where a named place lies: the word right after a place's name,
    or after a joining word ("in", "in der"), as in "San Antonio in Texas"."""
    out: set[str] = set()
    variants = {v for group in places for v in group if v}
    for v in variants:
        for end in (at + len(v) for at in phrase_starts(words, v)):
            for join in ((), *_qualifier_joins()):
                if tuple(words[end : end + len(join)]) == join and end + len(join) < len(words):
                    out.add(words[end + len(join)])
    return out


def _of_situation(concepts: list[Concept], situation: set[str]) -> list[Concept]:
    """The concepts with those of the question's situation (words only of what it says
    around its asking sentence) read as no topic: generic when the pages know them, left out
    when they do not. A name stays as it is: it still says whom the question is about."""
    out: list[Concept] = []
    for k in concepts:
        if k.name or not set(k.word.split()) <= situation:
            out.append(k)
        elif k.known:
            out.append(replace(k, generic=True))
    return out


class QuestionReader:
    """Analyses questions against the pages: their words, rarity and places."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        doc_freq: Callable[[str], int],
        n_passages: int,
        gazetteer: Gazetteer,
        cities: Iterable[str] = (),
        bridge: Bridge | None = None,
        home: str | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.doc_freq = doc_freq
        self.n = max(1, n_passages)
        self.gazetteer = gazetteer
        self.cities = {c: frozenset(fold_words(c)) for c in cities}
        self.bridge = bridge or Bridge()
        # the home city's own words ("Musterstadt", "Musterstädter"): a question naming it
        # asks about what every page is about, so they name nothing to look for
        self.home = frozenset(fold_words(home)) if home else frozenset()

    def idf(self, words: Iterable[str]) -> float:
        freq = max((self.doc_freq(s) for s in stems(sorted(words))), default=0)
        return math.log(1 + self.n / (1 + freq))

    def _matches(self, word: str, loose: bool = True) -> frozenset[str]:
        return self.vocabulary.matches(word, loose=loose) if len(word) > 2 else frozenset()

    def _generic(self, words: Sequence[str], lang: str, weight: float) -> bool:
        """Is a concept too common to pin an answer down: a word every text uses ("Tag",
        "city", "one"), or one that most of the pages use (their general topic)?"""
        zipfs = [self.bridge.zipf(w, lang) for w in words]
        common = bool(zipfs) and all(z is not None and z >= GENERIC_ZIPF for z in zipfs)
        return common or weight < math.log(1 + 1 / GENERIC_SHARE)

    def _compound(self, a: str, b: str) -> frozenset[str]:
        """The pages' German compounds of two English words' translations: an English open
        compound is often one German word ("partner cities" → Partnerstädte, "youth
        exchange" → Jugendaustausch). The first part stands as written, translated or
        stemmed, with a linking letter or none; the second as a translation of ``b``."""
        cache = self.__dict__.setdefault("_compounds", {})
        key = (a, b)
        if key not in cache:
            heads = {a, *self.bridge.translations(a)}
            heads |= set(stems(sorted(heads)))
            tails = self.bridge.translations(b)
            cache[key] = frozenset(
                w
                for x in heads
                if len(x) >= 3
                for j in COMPOUND_JOINTS
                for y in tails
                if len(y) >= 3 and (w := f"{x}{j}{y}") in self.vocabulary
            )
        return cache[key]

    def _english(self, words: list[str], covered: set[str]) -> list[Concept]:
        """Concepts of an English question's glossary phrases and two-word dictionary
        phrases ("opening hours" → Öffnungszeiten); their words are ``covered`` then."""
        stop = stopwords()
        out: list[Concept] = []
        cue = cue_words()
        for phrase, german in english_terms_in(words):
            if set(phrase) <= covered or set(phrase) <= cue | stop:
                continue  # "how many" asks for a count; it is no topic
            covered |= set(phrase)
            found = frozenset(w for g in german for w in self._matches(g))
            found |= frozenset(w for w in phrase if w in self.vocabulary)
            found |= self.bridge.translations(" ".join(phrase))
            # the glossary gives its German words: when no page uses them, the pages lack it
            thing = self.bridge.names_a_thing(phrase[-1]) or not self.bridge
            weight = self.idf(found)
            generic = self._generic(phrase, "en", weight)
            out.append(
                Concept(
                    " ".join(phrase), found, weight, absent=not found, thing=thing, generic=generic
                )
            )
        for a, b in itertools.pairwise(words):
            if {a, b} & covered or {a, b} & stop:
                continue
            found = self.bridge.translations(f"{a} {b}")
            if not found and not {a, b} & cue:
                found = self._compound(a, b)
            if not found:
                continue
            covered |= {a, b}
            thing = self.bridge.names_a_thing(b)
            weight = self.idf(found)
            generic = self._generic((a, b), "en", weight)
            out.append(Concept(f"{a} {b}", found, weight, thing=thing, generic=generic))
        return out

    def spelled(self, question: str, lang: str) -> str:
        """The question with each lower-case word that the pages lack and the language
        hardly knows, and that is no misspelt place, replaced by the common word one typing
        slip away ("responsable" → "responsible"); capitalised words may be names and stay."""

        def fix(m: re.Match) -> str:
            token = m.group(0)
            folded = fold_words(token)
            if not token.islower() or len(folded) != 1 or len(folded[0]) < TYPO_MIN_LENGTH:
                return token
            w = folded[0]
            known = self.bridge.zipf(w, lang) or 0.0
            if w in self.vocabulary or known >= RARE_ENGLISH:
                return token
            if lang == "en" and self.bridge.translations(w):
                return token  # a rare word the dictionary translates is no slip ("twinning")
            if self.gazetteer.near(w) is not None:
                return token  # a misspelt place: the gazetteer finds it as it is
            # the slip's correction must be common, and far more common than the word
            cache = self.__dict__.setdefault("_corrections", {})
            if (w, lang) not in cache:
                least = max(TYPO_ZIPF, known + TYPO_MARGIN)
                cache[(w, lang)] = self.bridge.correction(w, lang, least)
            return cache[(w, lang)] or token

        return _WORD.sub(fix, question)

    def analyse(self, question: str, lang: str) -> Analysis:
        question = self.spelled(question, lang)
        words = fold_words(question)
        stop = stopwords()
        cue = cue_words()
        capitalised = _capitalised(question)
        lower_case = question == question.lower()
        concepts: list[Concept] = []
        covered: set[str] = set()
        home_words = {w for w in words if any(w.startswith(h) for h in self.home if len(h) >= 4)}
        covered |= home_words
        places = [
            g for g in self.gazetteer.in_words(words) if not {w for v in g for w in v} <= home_words
        ]
        for group in places:
            variants = {w for v in group for w in v}
            covered |= variants
            found = frozenset(
                w
                for v in group
                for part in v
                for w in self._matches(part, loose=not self.gazetteer.as_written(v))
            )
            concepts.append(Concept(" ".join(group[0]), found, self.idf(found), name=True))
        qualifying = _qualifying(words, places)
        # words only of what the question says around its asking sentence ("Unser Chor
        # fährt nach …. Wer ist zuständig?") tell the situation: a name there still says whom
        # it is about, other words are no topic that the answer must hold
        situation = set(words) - set(fold_words(asking(question)))
        if lang == "en":
            concepts += self._english(words, covered)
        for w in dict.fromkeys(words):
            if w in covered or w in stop or w in cue or len(w) <= 2 or w.isdigit():
                continue
            covered.add(w)
            zipf = self.bridge.zipf(w, lang)
            # an English word meets German pages by its translations, or as it is written
            # (loanwords, names); near spellings only for a rare word (a name, a typo)
            loose = lang == "de" or w in capitalised or zipf is None or zipf < RARE_ENGLISH
            found = self._matches(w, loose=loose)
            if lang == "en":
                found |= self.bridge.translations(w)
            common = zipf is not None and zipf >= COMMON_ZIPF[lang] and w not in capitalised
            if not found and common:
                continue  # "does", "gibt", "wegen": too common to say what the pages lack
            # a word the pages lack weighs as much as the rarest word they have: what the
            # question asks about is not there
            weight = self.idf(found) if found else math.log(1 + self.n)
            rare = not found or weight >= math.log(1 + 1 / NAME_SHARE)
            # a name: a capitalised (or, in a lower-case question, unknown) word the pages
            # rarely use that the language hardly knows ("Kyoto"); a word the language
            # knows well is a noun ("Umfrage"), however rare on the pages
            uncommon = zipf is None or zipf < NAME_ZIPF
            name = rare and uncommon and (w in capitalised or (lower_case and len(w) >= 5))
            if name and not found and lang == "de" and w in situation and two_words(w):
                # a German noun of two words the pages lack, said around the ask ("Mein
                # Radclub würde gern …"): the asker's situation, no one the question is about
                name = False
            # a word the pages lack that names a thing (a German noun, an English content
            # word) says the pages cannot answer; a verb form ("trifft") says little
            if lang == "de":
                thing = w in capitalised or lower_case
            else:
                thing = w in capitalised or self.bridge.names_a_thing(w) or not self.bridge
            if not found and not name and not thing:
                continue  # a verb or adverb the pages lack ("approved", "often"): no topic
            if not found and w in qualifying and (w in capitalised or lower_case):
                continue  # "in Texas" after a place the pages know says where it lies
            absent = not found and not name
            generic = not name and not absent and self._generic((w,), lang, weight)
            concepts.append(
                Concept(w, found, weight, name=name, absent=absent, thing=thing, generic=generic)
            )
        concepts = _of_situation(concepts, situation)
        wordset = set(words)
        named_cities = frozenset(c for c, cw in self.cities.items() if cw and cw <= wordset)
        asked = asked_types(question, lang)
        if asked & CONTACT_ASKED:  # "who at the town hall": where they work, no topic
            office = administration_as_place(words)
            concepts = [replace(k, generic=True) if k.word in office else k for k in concepts]
        return Analysis(
            question,
            lang,
            asked,
            constrained(asked),
            tuple(concepts),
            tuple(tuple(g) for g in places),
            named_cities,
        )
