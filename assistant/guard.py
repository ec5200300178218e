"""The one gate every question passes, in the CLI, ``Assistant.ask`` and the web UI.

``clean_question`` makes any text safe to process and to show: valid Unicode (lone
surrogates replaced), no control or invisible format characters, NFC, single spaces.
``check_question`` then says whether it can be answered at all: an empty question, one
without a single letter or digit (only emoji or punctuation) and one over the length limit
get a clear message in the asker's language (``rejection``) instead of an answer.
``looks_like_instruction`` spots text that tries to instruct a language model ("Ignore all
previous instructions …", "System: …"), in questions and in passages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from assistant.answering.phrases import phrases
from assistant.language.detect import detect_language
from assistant.records import Answer
from assistant.resources import load_data

# control (Cc), format (Cf: zero-width and bidi marks), surrogate (Cs), private use (Co)
_DROPPED = {"Cc", "Cf", "Cs", "Co"}
_WHITESPACE_CONTROLS = {"\t", "\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f", "\x85"}
EMPTY, NO_WORDS, TOO_LONG = "empty", "no_words", "too_long"
DETECT_CHARS = 500  # the beginning of an overlong question that tells its language


@dataclass(frozen=True, slots=True)
class Checked:
    """A cleaned question and why it cannot be answered ("" when it can)."""

    text: str
    problem: str = ""
    length: int = 0  # characters after cleaning


def _valid_unicode(text: str) -> str:
    """Surrogate pairs joined into their character, lone surrogates replaced by U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


# A terminal's escape sequence (colour, cursor: ESC [ 31 m): what it says is no text of the
# question, so it goes whole, not only its ESC ("für\x1b[31m Beispielburg" → "für Beispielburg").
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]"  # control sequence: ESC [ parameters final
    r"|\][^\x07\x1b]*(?:\x07|\x1b\\)"  # operating-system command: ESC ] text BEL
    r"|[@-Z\\-_])"  # a two-character escape
)


def clean_question(text: object) -> str:
    """``text`` as safe, printable, single-spaced Unicode (None and non-strings become text)."""
    if text is None:
        return ""
    text = _valid_unicode(text if isinstance(text, str) else str(text))
    text = _ESCAPE_SEQUENCE.sub("", text)
    kept = []
    for ch in text:
        if ch in _WHITESPACE_CONTROLS:
            kept.append(" ")
        elif unicodedata.category(ch) not in _DROPPED:
            kept.append(ch)
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


def has_words(text: str) -> bool:
    """Whether ``text`` holds at least one letter or digit (not only emoji or punctuation)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def check_question(text: object, max_chars: int) -> Checked:
    """The cleaned question and its problem: empty, no words, or longer than ``max_chars``."""
    cleaned = clean_question(text)
    length = len(cleaned)
    if not cleaned:
        return Checked(cleaned, EMPTY, 0)
    if length > max_chars:
        return Checked(cleaned, TOO_LONG, length)
    if not has_words(cleaned):
        return Checked(cleaned, NO_WORDS, length)
    return Checked(cleaned, "", length)


class RejectedInputError(ValueError):
    """A query that cannot be searched as it is (empty, no words, too long)."""

    def __init__(self, checked: Checked, max_chars: int) -> None:
        self.checked = checked
        super().__init__(rejection(checked, None, max_chars).answer.replace("\n", " "))


HISTORY_ITEMS = 20  # the earlier messages a follow-up may look back on


def clean_history(history: Sequence[Any] | None, max_chars: int) -> list[Any]:
    """The last turns of a conversation with every text cleaned and clipped to ``max_chars``
    (a whole answer may be longer: ten times), in the format it came in; anything that is
    not a turn is dropped."""
    out: list[Any] = []
    for turn in list(history or [])[-HISTORY_ITEMS:]:
        if isinstance(turn, dict) and isinstance(turn.get("content"), str):
            limit = max_chars if turn.get("role") == "user" else 10 * max_chars
            out.append({**turn, "content": clean_question(turn["content"])[:limit]})
        elif isinstance(turn, list | tuple) and turn and all(isinstance(t, str) for t in turn):
            texts = [
                clean_question(t)[: max_chars if i == 0 else 10 * max_chars]
                for i, t in enumerate(turn)
            ]
            out.append(tuple(texts))
    return out


def rejection_language(checked: Checked, lang: str | None) -> str | None:
    """The language to answer a rejected question in: the forced one, else the detected one
    (German or English), else None when it cannot be told."""
    if lang in ("de", "en"):
        return lang
    if checked.problem in (EMPTY, NO_WORDS):
        return None
    detected = detect_language(checked.text[:DETECT_CHARS])
    return detected if detected in ("de", "en") else None


def rejection(checked: Checked, lang: str | None, max_chars: int) -> Answer:
    """The answer to a question that cannot be answered: a clear message, no sources. When
    its language cannot be told (or is neither German nor English) the message is German
    followed by the English one, as the note."""
    key = {EMPTY: "empty_question", NO_WORDS: "no_question_words", TOO_LONG: "question_too_long"}
    answer_lang = rejection_language(checked, lang)

    def message(language: str) -> str:
        template = phrases(language)[key[checked.problem]]
        return template.format(length=checked.length, limit=max_chars)

    text = message(answer_lang or "de")
    note = "" if answer_lang else message("en")
    return Answer(
        question=checked.text,
        language=answer_lang or "de",
        answer=f"{text}\n{note}" if note else text,
        abstained=True,
        citations=[],
        conflicts=[],
        timings_ms={"retrieve": 0.0, "compose": 0.0, "total": 0.0},
        note=note,
    )


@cache
def _instruction_patterns() -> re.Pattern[str]:
    data = load_data("injection.yaml")
    return re.compile("|".join(f"(?:{p})" for p in data["patterns"]), re.IGNORECASE)


def looks_like_instruction(text: str) -> bool:
    """Whether ``text`` tries to instruct a language model (patterns in
    ``assistant/data/injection.yaml``: "ignore all previous instructions", a "System:" turn,
    chat-template tokens …)."""
    return bool(_instruction_patterns().search(text))


def defuse(text: str, placeholder: str = "[…]") -> str:
    """``text`` with every sentence or line that looks like an instruction replaced by
    ``placeholder``, line breaks kept."""
    if not looks_like_instruction(text):
        return text
    lines = []
    for line in text.split("\n"):
        parts = re.split(r"(?<=[.!?])\s+", line)
        lines.append(" ".join(placeholder if looks_like_instruction(p) else p for p in parts))
    return "\n".join(lines)
