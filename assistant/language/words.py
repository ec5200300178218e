"""Words as every stage compares them: folded (Ł→l, ñ→n, ß→ss, ä and ae→a), without
German stop words, reduced by the German Snowball stemmer; other spellings of place names and,
for English, German terms from the domain glossary (``assistant/data``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from anyascii import anyascii

from assistant.resources import load_data

NGRAM = 4  # characters per n-gram of the lexical n-gram leg
_TOKEN = re.compile(r"[a-z0-9]+")
_DIGRAPH = re.compile(r"(?<=[a-z])([aou])e")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")


def sentences(text: str) -> list[str]:
    """A text's sentences, split after ".", "!" or "?"."""
    return [s for s in _SENTENCE.split(text.strip()) if s.strip()]


def asking(question: str) -> str:
    """The sentences of a question that ask (end in "?"), without what it says around them
    ("Ohne ø geschrieben, sorry.", "Unsere Schule plant einen Austausch."); all of it when
    none or every sentence asks."""
    asked = [s for s in sentences(question) if s.rstrip().endswith("?")]
    return " ".join(asked) if asked else question


def fold_words(text: str) -> list[str]:
    """ASCII lower-case words; umlauts and their ae/oe/ue spellings fold to one form."""
    return list(_folded(text))


@lru_cache(maxsize=65536)
def _folded(text: str) -> tuple[str, ...]:
    ascii_text = anyascii(text).lower()
    return tuple(_TOKEN.findall(_DIGRAPH.sub(r"\1", ascii_text)))


# a word at least this common in German or English is a word of the language, not a name
# (GeoNames' "Liège" is "liege"; "start" is no misspelt "Startow"): measured in docs/reader.md
COMMON_WORD_ZIPF = 4.0


@lru_cache(maxsize=65536)  # questions' words too: bounded
def zipf(word: str) -> float:
    """How common ``word`` is in German or English: the higher Zipf frequency (0–8)."""
    from wordfreq import zipf_frequency

    return max(zipf_frequency(word, "de"), zipf_frequency(word, "en"))


@lru_cache(maxsize=65536)
def two_words(word: str) -> bool:
    """Is ``word`` two words of the language written as one, a German noun ("radclub": Rad
    and Club, "jugendchor")? Each part at least three letters long and ``COMMON_WORD_ZIPF``
    common, the first with or without a joining -s ("vereinsfest")."""
    for i in range(3, len(word) - 2):
        first, rest = word[:i], word[i:]
        if zipf(rest) < COMMON_WORD_ZIPF:
            continue
        if zipf(first) >= COMMON_WORD_ZIPF:
            return True
        if first.endswith("s") and len(first) > 3 and zipf(first[:-1]) >= COMMON_WORD_ZIPF:
            return True
    return False


@cache
def stopwords(lang: str | None = None) -> frozenset[str]:
    """Folded stop words of German and English, or of one of them (``lang``)."""
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_GERMAN

    lists = {"de": STOPWORDS_GERMAN, "en": STOPWORDS_EN}
    chosen = [lists[lang]] if lang else list(lists.values())
    return frozenset(w for words in chosen for s in words for w in fold_words(s))


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("german")


def content_words(text: str) -> list[str]:
    """Folded words without stop words (numbers kept: years and phone numbers matter)."""
    stop = stopwords()
    return [w for w in fold_words(text) if w not in stop]


def stems(words: Sequence[str]) -> list[str]:
    return list(_stemmer().stemWords(list(words)))


def ngrams(words: Sequence[str]) -> list[str]:
    """Character n-grams of each word (with boundary marks), for typos and compounds."""
    out: list[str] = []
    for w in words:
        padded = f"#{w}#"
        if len(padded) <= NGRAM:
            out.append(padded)
        else:
            out += [padded[i : i + NGRAM] for i in range(len(padded) - NGRAM + 1)]
    return out


@dataclass(frozen=True)
class _Expansions:
    names: list[tuple[tuple[str, ...], list[str]]]  # variant words → words of all variants
    en_de: list[tuple[tuple[str, ...], list[str]]]
    de_de: list[tuple[tuple[str, ...], list[str]]]
    en_de_terms: list[tuple[tuple[str, ...], list[str]]]  # English phrase → German terms


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(fold_words(text))


@cache
def _expansions() -> _Expansions:
    places = load_data("place_names.yaml")
    glossary = load_data("glossary.yaml")
    names = []
    for group in places["groups"]:
        words = [w for v in group for w in fold_words(v)]
        names += [(_phrase(v), words) for v in group]
    en_de = [
        (_phrase(term), [w for d in entry["de"] for w in fold_words(d)])
        for entry in glossary["en_de"]
        for term in entry["en"]
    ]
    de_de = [
        (_phrase(term), [w for a in entry["add"] for w in fold_words(a)])
        for entry in glossary["de_de"]
        for term in entry["terms"]
    ]
    en_de_terms = [
        (_phrase(term), list(entry["de"])) for entry in glossary["en_de"] for term in entry["en"]
    ]
    return _Expansions(names, en_de, de_de, en_de_terms)


def phrase_starts(words: Sequence[str], phrase: tuple[str, ...]) -> list[int]:
    """Where in ``words`` the words of ``phrase`` begin, in a row."""
    n = len(phrase)
    if n == 0 or phrase[0] not in words:
        return []
    return [i for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == phrase]


def contains_phrase(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    """Do ``words`` hold the words of ``phrase`` in a row?"""
    n = len(phrase)
    if n == 0 or phrase[0] not in words:  # the common case, decided at C speed
        return False
    if n == 1:
        return True
    first = phrase[0]
    return any(
        words[i] == first and tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1)
    )


def expand_query(text: str, lang: str) -> tuple[list[str], list[str]]:
    """(the question's own folded words, the words its expansions add)."""
    words = fold_words(text)
    table = _expansions()
    rules = table.names + table.de_de + (table.en_de if lang == "en" else [])
    added: list[str] = []
    for phrase, extra in rules:
        if contains_phrase(words, phrase):
            added += [w for w in extra if w not in words and w not in added]
    return words, added


def german_terms(text: str, per_phrase: int | None = None) -> list[str]:
    """German glossary terms (as written) for the English phrases of a question (the first
    ``per_phrase`` of each phrase's terms, if given)."""
    words = fold_words(text)
    terms: list[str] = []
    for phrase, german in _expansions().en_de_terms:
        if contains_phrase(words, phrase):
            terms += [t for t in german[:per_phrase] if t not in terms]
    return terms


def english_terms_in(words: Sequence[str]) -> list[tuple[tuple[str, ...], list[str]]]:
    """The glossary's English phrases found in folded ``words``, each with the folded
    words of its German terms."""
    return [
        (phrase, german) for phrase, german in _expansions().en_de if contains_phrase(words, phrase)
    ]


def english_concepts(text: str) -> list[list[str]]:
    """For each glossary phrase in an English question, the folded German words that
    express it (any one of them stands for the concept)."""
    words = fold_words(text)
    concepts: list[list[str]] = []
    for phrase, german in _expansions().en_de_terms:
        if contains_phrase(words, phrase):
            folded = sorted({w for term in german for w in fold_words(term)})
            if folded not in concepts:
                concepts.append(folded)
    return concepts
