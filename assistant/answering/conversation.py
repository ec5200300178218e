"""Follow-up questions: a question that lacks its subject takes it from the previous turns."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, NamedTuple

from assistant.answering.reader.types import cue_phrases
from assistant.language.intent import intents, places
from assistant.language.words import (
    contains_phrase,
    content_words,
    fold_words,
    phrase_starts,
    sentences,
)
from assistant.resources import load_data


@cache
def _followup_cues() -> list[tuple[str, ...]]:
    data = load_data("wordlists.yaml")
    return [tuple(fold_words(c)) for c in data["followup"]]


def user_turns(history: Sequence[Any] | None) -> list[str]:
    """The user's earlier questions, oldest first, from either history format:
    ``[{"role": "user", "content": …}, …]`` or ``[(question, answer), …]``."""
    out: list[str] = []
    for turn in history or []:
        if isinstance(turn, dict):
            if turn.get("role") == "user" and isinstance(turn.get("content"), str):
                out.append(turn["content"])
        elif isinstance(turn, list | tuple) and turn and isinstance(turn[0], str):
            out.append(turn[0])
    return out


def _place_text(question: str, group: list[tuple[str, ...]]) -> str | None:
    """The words of ``question`` that name a place of ``group``, as the asker wrote them."""
    for variant in group:
        pattern = r"\W+".join(re.escape(w) for w in variant)
        hit = re.search(pattern, " ".join(fold_words(question)))
        if hit:
            words = question.split()
            folded = [" ".join(fold_words(w)) for w in words]
            for i, f in enumerate(folded):
                if f and f.split()[0] == variant[0]:
                    return re.sub(r"[?!.,;:]+$", "", " ".join(words[i : i + len(variant)]))
    return None


def subject_of(question: str) -> str:
    """What a question is about without what it asks: its words as written, less the cues of
    what is asked ("Seit wann ist Brescia Partnerstadt?" → "ist Brescia Partnerstadt")."""
    tokens, flat = _tokens(question)
    words = [w for w, _ in flat]
    asked: set[int] = set()
    for cue in cue_phrases():
        for at in phrase_starts(words, cue):
            asked |= {flat[j][1] for j in range(at, at + len(cue))}
    written = {i for _, i in flat}  # tokens with a word ("-" has none)
    return " ".join(t for i, t in enumerate(tokens) if i in written - asked)


def resolve_followup(
    question: str, history: Sequence[Any] | None, subject_only: bool = False
) -> str:
    """The question with its missing subject filled in from the previous question.

    "Und Fjordby?" after "Wer ist für Musterhausen zuständig?" → "Wer ist für Fjordby
    zuständig?"; "What's her phone number?" after "Who handles Exampleton?" → "What's her
    phone number? (Who handles Exampleton?)". With ``subject_only`` (a later part of one
    compound question, which asks something else) only what the previous question is about
    is taken along, not what it asks: "who is the contact for it?" after "Since when is
    Fjordby a twin town?" → "who is the contact for it? (is Fjordby a twin town)". A question
    that stands on its own is returned unchanged.
    """
    turns = user_turns(history)
    if not turns:
        return question
    previous = turns[-1]
    new_places, old_places = places(question), places(previous)
    words = fold_words(question)
    short = len(content_words(question)) <= 3
    refers_back = any(contains_phrase(words, cue) for cue in _followup_cues())
    known = {w for g in new_places for v in g for w in v} | {w for c in _followup_cues() for w in c}
    only_places = len([w for w in content_words(question) if w not in known]) <= 1
    if new_places and not intents(question) and only_places and old_places:
        new_text = _place_text(question, new_places[0])
        old_text = _place_text(previous, old_places[0])
        if new_text and old_text:
            return previous.replace(old_text, new_text, 1)
        return f"{previous} {question}"
    if not new_places and (refers_back or short):
        subject = subject_of(previous) if subject_only else ""
        return f"{question} ({subject or previous})"
    return question


# ", und wer …" / ", and since when …": a second question joined to the first
_JOINS = {
    "de": re.compile(
        r"\s*,?\s+und\s+(?=(?:wer|wen|wem|wie|was|wann|wo|woran|wofür|welche[mnrs]?|seit|"
        r"(?:an|in|mit|bei|für|von|zu|aus|ab)\s+(?:welche[mnrs]?|wem|wen|was))\b)",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"\s*,?\s+and\s+(?=(?:who|whom|whose|what|when|where|which|how|since|why|"
        r"(?:in|at|with|from|for|to|by)\s+(?:which|what|whom))\b)",
        re.IGNORECASE,
    ),
}


class Part(NamedTuple):
    """One question of a compound question; ``follows`` when it takes its subject from the
    first (so it has no answer when the first has none)."""

    text: str
    follows: bool = False


def split_question(question: str, lang: str) -> list[Part]:
    """The questions a compound question asks, each standing on its own: "Who handles
    Fjordby, and since when has it been a twin town?" → "Who handles Fjordby?", "since when
    has it been a twin town? (Who handles Fjordby?)". Several questions in a row ("Wann ist
    das Fest? Wer organisiert es?") are parts too, each with the sentences of context that
    come before the first question. A simple question comes back alone."""
    said = sentences(question)
    asked = [i for i, s in enumerate(said) if s.rstrip().endswith("?")]
    if len(asked) >= 2:
        context = " ".join(said[: asked[0]])
        first = f"{context} {said[asked[0]]}".strip()
        parts: list[Part] = list(_split_joined(first, lang))
        gist = _gist(context)  # later questions take the context's names and things along
        for i in asked[1:]:
            text = f"{gist} {said[i]}".strip()
            earlier = [(f"{gist} {said[asked[0]]}", "")]
            resolved = resolve_followup(said[i], earlier, subject_only=True)
            if resolved != said[i]:  # "Wo findet es statt?" takes its subject along
                parts.append(Part(resolved, True))
            else:
                parts += [p for p in _split_joined(text, lang) if p not in parts]
        return parts
    return _split_joined(question, lang)


_CLAUSE = re.compile(r"\s[–—-]\s|:\s")  # a dash or colon between context and what is asked


@cache
def _clauses() -> re.Pattern[str]:
    """What parts context from what is asked: a dash or a colon, or a comma before a word
    that opens a question ("…, who do we contact at the town hall?")."""
    openers = load_data("wordlists.yaml")["asked_clause"]
    words = "|".join(re.escape(w) for w in sorted(openers, key=len, reverse=True))
    return re.compile(rf"{_CLAUSE.pattern}|,\s+(?=(?:{words})\b)", re.IGNORECASE)


_TOKEN = re.compile(r"[\w'’.-]+")


def focus_question(
    question: str, places_in: Callable[[list[str]], list[list[tuple[str, ...]]]]
) -> str | None:
    """The question without the context before it, led by the places that context names:
    "Our choir visits Fjordby in May. Whom do I write to at the city?" → "Fjordby: Whom do I
    write to at the city?". ``places_in`` finds the place groups in folded words. ``None``
    when there is no context, when the context names no place, or when the asked part
    names one itself."""
    segments = [c for s in sentences(question) for c in _clauses().split(s) if c.strip()]
    asked = [i for i, s in enumerate(segments) if "?" in s]
    if not asked or asked[0] == 0:
        return None
    context, part = " ".join(segments[: asked[0]]), " ".join(segments[asked[0] :])
    if places_in(fold_words(part)):
        return None
    named = [_as_written(context, group) for group in places_in(fold_words(context))]
    named = sorted((n for n in dict.fromkeys(named) if n), key=context.find)  # as written
    if not named:
        return None
    return f"{', '.join(named)}: {part[:1].upper()}{part[1:]}"


def _tokens(text: str) -> tuple[list[str], list[tuple[str, int]]]:
    """The tokens of ``text`` as written, and its folded words, each with its token's index."""
    tokens = _TOKEN.findall(text)
    return tokens, [(w, i) for i, t in enumerate(tokens) for w in fold_words(t)]


def _as_written(text: str, group: list[tuple[str, ...]]) -> str | None:
    """The words of ``text`` that are one of a place group's folded variants, as written."""
    tokens, flat = _tokens(text)
    words = [w for w, _ in flat]
    for variant in sorted(group, key=len, reverse=True):
        for at in phrase_starts(words, variant)[:1]:
            first, last = flat[at][1], flat[at + len(variant) - 1][1]
            return " ".join(tokens[first : last + 1]).strip(".")
    return None


def _gist(text: str) -> str:
    """What a context names: its capitalised words (after the first), numbers and quoted
    titles, in their order ("Unser Chor aus der Nordstadt möchte 2025 nach Besançon" →
    "Chor Nordstadt 2025 Besançon")."""
    tokens = re.findall(r"„[^“]*“|\"[^\"]*\"|[\w'’.-]+", text)
    kept = [
        t
        for i, t in enumerate(tokens)
        if t[:1] in '„"' or t[:1].isdigit() or (i and t[:1].isupper())
    ]
    return " ".join(dict.fromkeys(kept))


def _split_joined(question: str, lang: str) -> list[Part]:
    """The questions one sentence joins with ", und wer …" / ", and since when …"."""
    join = _JOINS.get(lang)
    pieces = [p.strip() for p in join.split(question)] if join else [question]
    pieces = [p for p in pieces if p]
    if len(pieces) < 2 or any(len(p.split()) < 3 for p in pieces):
        return [Part(question)]
    first = pieces[0] if pieces[0].endswith(("?", "!", ".")) else f"{pieces[0]}?"
    parts = [Part(first)]
    for piece in pieces[1:]:
        resolved = resolve_followup(piece, [(first, "")], subject_only=True)
        parts.append(Part(resolved, resolved != piece))
    return parts
