"""Eval harness: question sets, deterministic metrics, and the baseline gate.

Retrieval metrics come from the same retrieval the assistant uses (``Assistant.search``);
answer metrics from ``Assistant.ask`` (the JSON contract in the README), when it exists.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .textnorm import contains_folded

LANGS = ("de", "en")
CATEGORIES = (
    "contact",
    "partnership_year",
    "network",
    "campaign",
    "project",
    "dortmund",
    "survey",
    "multi_doc",
    "conflict",
    "spelling",
    "general",
    "unanswerable",
)
# Per-question outcomes the gate counts; each is True/False, or None where it does not apply.
OUTCOMES = (
    "hit1",
    "hit5",
    "answer_pass",
    "citation_ok",
    "abstained_ok",
    "false_refusal",
    "language_ok",
)
K_RETRIEVE = 10


@dataclass(frozen=True)
class Question:
    id: str
    pair_id: str
    lang: str
    question: str
    answerable: bool
    must_include: list[list[str]]
    gold: list[dict[str, str]]
    category: str
    split: str = ""  # "dev" (tuned on), "test" (reported, never tuned on), or a set's own name
    note: str = ""


class EvalDataError(ValueError):
    """A question set line is malformed; the message names file and line."""


def load_questions(paths: Iterable[Path]) -> list[Question]:
    questions: list[Question] = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                questions.append(Question(**data))
            except (ValueError, TypeError) as exc:
                raise EvalDataError(f"{path}:{n}: {exc}") from exc
    return questions


def validate(questions: list[Question], corpus_texts: dict[str, str]) -> list[str]:
    """Every problem of a question set: schema, ids, pairs, verbatim evidence."""
    problems: list[str] = []
    ids = [q.id for q in questions]
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    pairs: dict[str, list[Question]] = {}
    for q in questions:
        pairs.setdefault(q.pair_id, []).append(q)
        where = f"{q.id}:"
        if q.lang not in LANGS:
            problems.append(f"{where} lang {q.lang!r}")
        if q.category not in CATEGORIES:
            problems.append(f"{where} category {q.category!r}")
        if not q.question.strip():
            problems.append(f"{where} empty question")
        groups_ok = isinstance(q.must_include, list) and all(
            isinstance(g, list) and g and all(isinstance(a, str) and a for a in g)
            for g in q.must_include
        )
        if not groups_ok:
            problems.append(f"{where} must_include must be a list of non-empty string lists")
        if q.answerable and (not q.gold or not q.must_include):
            problems.append(f"{where} answerable but without gold or must_include")
        if not q.answerable and (q.gold or q.must_include):
            problems.append(f"{where} unanswerable but with gold or must_include")
        for g in q.gold:
            doc, evidence = g.get("doc"), g.get("evidence", "")
            if doc not in corpus_texts:
                problems.append(f"{where} unknown gold doc {doc!r}")
            elif not evidence or evidence not in corpus_texts[doc]:
                problems.append(f"{where} evidence not verbatim in {doc}: {evidence[:50]!r}")
    for pair_id, members in pairs.items():
        langs = sorted(q.lang for q in members)
        if langs != ["de", "en"]:
            problems.append(f"pair {pair_id}: languages {langs}, expected one de and one en")
        elif len({(q.answerable, q.category) for q in members}) != 1:
            problems.append(f"pair {pair_id}: answerable/category differ between languages")
    return problems


def passage_has_gold(doc_id: str, text: str, q: Question) -> bool:
    """A passage (its section heading and text) of a gold document holds a gold evidence."""
    return any(g["doc"] == doc_id and g["evidence"] in text for g in q.gold)


def missing_groups(answer: str, q: Question) -> list[list[str]]:
    """The ``must_include`` groups of which no alternative is in the answer."""
    return [g for g in q.must_include if not any(contains_folded(answer, a) for a in g)]


def _answer_dict(answer: Any) -> dict[str, Any]:
    if isinstance(answer, dict):
        return answer
    return answer.to_dict()


@dataclass
class Outcome:
    q: Question
    first_hit: int | None = None  # 1-based rank of the first gold passage in the top 10
    retrieved: list[str] = field(default_factory=list)
    retrieve_ms: float = 0.0
    answer: dict[str, Any] | None = None
    missing: list[list[str]] = field(default_factory=list)
    values: dict[str, bool | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.q.id,
            "lang": self.q.lang,
            "category": self.q.category,
            "answerable": self.q.answerable,
            "first_hit": self.first_hit,
            "retrieved": self.retrieved[:5],
            **self.values,
        }
        if self.answer is not None:
            out["answer"] = self.answer.get("answer", "")
            out["abstained"] = self.answer.get("abstained")
            out["missing"] = self.missing
        return out


def evaluate_question(assistant: Any, q: Question, with_answers: bool) -> Outcome:
    out = Outcome(q)
    t0 = time.perf_counter()
    passages = assistant.search(q.question, K_RETRIEVE)
    out.retrieve_ms = (time.perf_counter() - t0) * 1000
    out.retrieved = [p.chunk.id for p in passages]
    if q.answerable:
        hits = [
            p.rank
            for p in passages
            if passage_has_gold(p.chunk.doc_id, f"{p.chunk.section}\n{p.chunk.passage_text}", q)
        ]
        out.first_hit = min(hits) if hits else None
        out.values["hit1"] = out.first_hit == 1
        out.values["hit5"] = out.first_hit is not None and out.first_hit <= 5
    if not with_answers:
        return out
    ans = _answer_dict(assistant.ask(q.question))
    out.answer = ans
    abstained = bool(ans.get("abstained"))
    out.values["language_ok"] = ans.get("language") == q.lang
    if q.answerable:
        out.missing = missing_groups(ans.get("answer", ""), q)
        out.values["answer_pass"] = not abstained and not out.missing
        out.values["false_refusal"] = abstained
        cites = ans.get("citations") or []
        out.values["citation_ok"] = (
            any(
                passage_has_gold(
                    c.get("doc", ""), f"{c.get('section', '')}\n{c.get('text', '')}", q
                )
                for c in cites
            )
            if cites and not abstained
            else None
        )
    else:
        out.values["abstained_ok"] = abstained
    return out


def _rate(outcomes: list[Outcome], key: str) -> dict[str, Any] | None:
    vals = [o.values.get(key) for o in outcomes if o.values.get(key) is not None]
    if not vals:
        return None
    return {"n": len(vals), "count": sum(bool(v) for v in vals), "rate": sum(vals) / len(vals)}


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile: sorted[round(p × (n − 1))]."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    answerable = [o for o in outcomes if o.q.answerable]
    rr = [1 / o.first_hit if o.first_hit else 0.0 for o in answerable]
    summary: dict[str, Any] = {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "mrr10": statistics.fmean(rr) if rr else None,
    }
    for key in OUTCOMES:
        summary[key] = _rate(outcomes, key)
    retrieve = [o.retrieve_ms for o in outcomes]
    summary["retrieve_ms"] = {"p50": percentile(retrieve, 50), "p95": percentile(retrieve, 95)}
    totals = [
        o.answer["timings_ms"]["total"]
        for o in outcomes
        if o.answer and isinstance(o.answer.get("timings_ms"), dict)
    ]
    summary["ask_ms"] = {"p50": percentile(totals, 50), "p95": percentile(totals, 95)}
    return summary


def run_eval(
    assistant: Any,
    questions: list[Question],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every question; the result holds per-language, per-category and per-question data."""
    with_answers = callable(getattr(assistant, "ask", None))
    outcomes = []
    for i, q in enumerate(questions, 1):
        outcomes.append(evaluate_question(assistant, q, with_answers))
        if progress:
            progress(i, len(questions))
    by_lang = {lang: summarise([o for o in outcomes if o.q.lang == lang]) for lang in LANGS}
    categories = sorted({o.q.category for o in outcomes})
    by_cat = {c: summarise([o for o in outcomes if o.q.category == c]) for c in categories}
    return {
        "answers_available": with_answers,
        "overall": summarise(outcomes),
        "by_language": by_lang,
        "by_category": by_cat,
        "questions": [o.to_json() for o in outcomes],
    }
