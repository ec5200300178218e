"""Follow-up questions: a question that lacks its subject takes it from the previous turns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from .intent import intents, places
from .lexical import contains_phrase, content_words, fold_words
from .resources import load_data


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


def resolve_followup(question: str, history: Sequence[Any] | None) -> str:
    """The question with its missing subject filled in from the previous question.

    "Und Graz?" after "Wer ist für Szeged zuständig?" → "Wer ist für Graz zuständig?";
    "What's her phone number?" after "Who handles Troyes?" → "What's her phone number?
    (Who handles Troyes?)". A question that stands on its own is returned unchanged.
    """
    turns = user_turns(history)
    if not turns:
        return question
    previous = turns[-1]
    new_places, old_places = places(question), places(previous)
    words = fold_words(question)
    short = len(content_words(question)) <= 3
    refers_back = any(contains_phrase(words, cue) for cue in _followup_cues())
    if new_places and not intents(question) and short and old_places:
        new_text = _place_text(question, new_places[0])
        old_text = _place_text(previous, old_places[0])
        if new_text and old_text:
            return previous.replace(old_text, new_text, 1)
        return f"{previous} {question}"
    if not new_places and (refers_back or short):
        return f"{question} ({previous})"
    return question
