"""Fakes for the eval harness tests: questions, question sets in a folder (one with its own
corpus), and an assistant with a fixed retrieval table that answers following the ask
contract."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evaluation.questions import Question


def make_question(**kw: Any) -> Question:
    """A valid main-set question (German, answerable, dev); ``kw`` overrides fields."""
    base = dict(
        id="x-de",
        pair_id="x",
        lang="de",
        question="Wer ist für Szeged zuständig?",
        answerable=True,
        must_include=[["Seel"]],
        gold=[{"doc": "d", "evidence": "Partnerstädte: Bursa, Szeged"}],
        category="contact",
        split="dev",
    )
    return Question(**{**base, **kw})


@dataclass
class FakeChunk:
    id: str
    doc_id: str
    passage_text: str
    section: str = ""


@dataclass
class FakePassage:
    chunk: FakeChunk
    rank: int
    score: float = 1.0


class FakeAssistant:
    """Retrieval from a fixed table; answers following the ask contract."""

    def __init__(self, ranking, answers=None):
        self.ranking = ranking
        self.answers = answers

    def search(self, question, k):
        rows = self.ranking.get(question, [])
        return [FakePassage(FakeChunk(f"c{i}", d, t), i + 1) for i, (d, t) in enumerate(rows[:k])]

    def __getattr__(self, name):
        if name == "ask" and self.answers is not None:
            return lambda question, **kw: self.answers[question]
        raise AttributeError(name)


def fake_answer(text, lang, abstained=False, cited=None):
    """An answer of the ask contract citing the passage ``cited`` (doc, text), if any."""
    return {
        "question": "",
        "language": lang,
        "answer": text,
        "abstained": abstained,
        "citations": [
            {"n": 1, "doc": cited[0], "title": "", "section": "", "text": cited[1], "score": 0.9}
        ]
        if cited
        else [],
        "conflicts": [],
        "timings_ms": {"retrieve": 1, "compose": 1, "total": 12.0},
    }


OWN_DOC = """---
id: elmstadt-partner
title: "Partnerstädte von Elmstadt"
publisher: "Stadt Elmstadt"
city: Elmstadt
source: "Fictional page written for the tests"
language: de
as_of: 2021
---
# Partnerstädte von Elmstadt

## Zuständigkeit

Für die Partnerstadt Quarnbek ist Frau Wiebke Tolksdorf zuständig, Telefon 0421 77-1234.

## Geschichte

Die Partnerschaft mit Quarnbek besteht seit 1977 und wurde im Rathaus von Elmstadt begründet.
"""


def question_line(**kw: Any) -> str:
    """One question line as the question files hold it (see :func:`make_question`)."""
    return json.dumps(make_question(**kw).__dict__, ensure_ascii=False)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


OWN_QUESTIONS = [
    question_line(
        id="e1",
        pair_id="e1",
        question="Wer ist für Quarnbek zuständig?",
        must_include=[["Tolksdorf"]],
        gold=[{"doc": "elmstadt-partner", "evidence": "Frau Wiebke Tolksdorf"}],
        split="own",
    ),
    question_line(
        id="e2",
        pair_id="e2",
        lang="en",
        question="Since when has Quarnbek been a twin town of Elmstadt?",
        must_include=[["1977"]],
        gold=[{"doc": "elmstadt-partner", "evidence": "besteht seit 1977"}],
        category="partnership_year",
        split="own",
    ),
]


# verbatim in the main corpus
MAIN_CORPUS_GOLD = [
    {"doc": "darmstadt-internationales", "evidence": "Partnerstädte: Bursa, Liepāja, Szeged"}
]


def make_evals_dir(root: Path, main: list[str] | None = None) -> Path:
    """An evals folder: a main set (``main`` lines, or four made-up questions), a set
    "extra" over the main corpus, a set "own" with its own corpus, and a folder "pending"
    whose questions are not written yet."""
    main = main or [
        question_line(id="m1-de", pair_id="m1", question="Wer ist für Szeged zuständig?"),
        question_line(id="m1-en", pair_id="m1", lang="en", question="Who handles Szeged?"),
        question_line(id="m2-de", pair_id="m2", question="Seit wann Bursa?", split="test"),
        question_line(
            id="m2-en", pair_id="m2", lang="en", question="Since when Bursa?", split="test"
        ),
    ]
    write_lines(root / "questions.jsonl", main)
    extra = question_line(id="f1", pair_id="f1", split="fresh", gold=MAIN_CORPUS_GOLD)
    write_lines(root / "extra" / "questions.jsonl", [extra])
    write_lines(root / "own" / "questions.jsonl", OWN_QUESTIONS)
    write_lines(root / "own" / "corpus" / "elmstadt-partner.md", [OWN_DOC])
    (root / "pending" / "corpus").mkdir(parents=True)
    return root
