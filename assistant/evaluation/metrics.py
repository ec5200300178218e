"""Metrics: each question's outcome (retrieval hits, answer pass, refusal, citation,
language, timings) and the summaries of many outcomes (rates, MRR, percentiles, the headline
rows).

Retrieval metrics come from the same retrieval the assistant uses (``Assistant.search``);
answer metrics from ``Assistant.ask`` (the JSON contract in the README), when it exists.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.evaluation.questions import ALL_SPLITS, LANGS, MAIN_SPLITS, Question
from assistant.language.textnorm import contains_folded

# Per-question outcomes the gate counts; each is True/False, or None where it does not apply.
OUTCOMES = (
    "hit1",
    "hit5",
    "answer_pass",
    "citation_ok",
    "abstained_ok",
    "false_refusal",
    "language_ok",
    "first_claim_ok",
)
K_RETRIEVE = 10


def passage_has_gold(doc_id: str, text: str, q: Question) -> bool:
    """A passage (its section heading and text) of a gold document holds a gold evidence."""
    return any(g["doc"] == doc_id and g["evidence"] in text for g in q.gold)


def missing_groups(answer: str, q: Question) -> list[list[str]]:
    """The ``must_include`` groups of which no alternative is in the answer."""
    return [g for g in q.must_include if not any(contains_folded(answer, a) for a in g)]


_MARKER = re.compile(r"\[\d+\]")


def first_claim(answer: str) -> str:
    """What an answer says before its first citation marker: the claim it leads with."""
    found = _MARKER.search(answer)
    return answer[: found.start()] if found else answer


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
            "split": self.q.split,
            "lang": self.q.lang,
            "question": self.q.question,
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
        # the fact stands in what the answer leads with, before its first citation
        text = first_claim(ans.get("answer", ""))
        out.values["first_claim_ok"] = None if abstained else not missing_groups(text, q)
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
    lengths = [
        len(o.answer.get("answer", ""))
        for o in outcomes
        if o.answer is not None and not o.answer.get("abstained")
    ]
    summary["answer_chars"] = statistics.median(lengths) if lengths else None
    return summary


def split_order(splits: Iterable[str]) -> list[str]:
    """Splits in report order: dev and test first, then the others by name."""
    known = [s for s in MAIN_SPLITS if s in splits]
    return known + sorted(set(splits) - set(MAIN_SPLITS))


def _scoped(outcomes: list[Outcome]) -> dict[str, Any]:
    """One summary of the outcomes and one per language."""
    return {
        "overall": summarise(outcomes),
        "by_language": {
            lang: summarise([o for o in outcomes if o.q.lang == lang]) for lang in LANGS
        },
    }


def summarise_outcomes(outcomes: list[Outcome], with_answers: bool) -> dict[str, Any]:
    """The result of one set: overall, per language, per category, per split (each split
    overall and per language) and per question."""
    scoped = _scoped(outcomes)
    categories = sorted({o.q.category for o in outcomes})
    by_cat = {c: summarise([o for o in outcomes if o.q.category == c]) for c in categories}
    splits = split_order({o.q.split for o in outcomes})
    return {
        "answers_available": with_answers,
        "overall": scoped["overall"],
        "by_language": scoped["by_language"],
        "by_category": by_cat,
        "by_split": {s: _scoped([o for o in outcomes if o.q.split == s]) for s in splits},
        "questions": [o.to_json() for o in outcomes],
    }


HEADLINE_METRICS = (  # (key, metric, language or None for both)
    ("pass_de", "answer_pass", "de"),
    ("pass_en", "answer_pass", "en"),
    ("refusal", "abstained_ok", None),
    ("false_refusal", "false_refusal", None),
    ("citation", "citation_ok", None),
    ("first_claim", "first_claim_ok", None),
    ("answer_chars", "answer_chars", None),
    ("hit1", "hit1", None),
)


def _headline_row(set_name: str, split: str, scoped: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "set": set_name,
        "split": split,
        "questions": scoped["overall"]["questions"],
    }
    for key, metric, lang in HEADLINE_METRICS:
        summary = scoped["overall"] if lang is None else scoped["by_language"][lang]
        row[key] = summary.get(metric)
    return row


def headline_rows(sets: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per set and split (and one for the whole of a set with several splits):
    answer pass per language, refusal on unanswerable, false refusals, citation, Hit@1."""
    rows = []
    for name, result in sets.items():
        for split, scoped in result["by_split"].items():
            rows.append(_headline_row(name, split, scoped))
        if len(result["by_split"]) != 1:
            rows.append(_headline_row(name, ALL_SPLITS, result))
    return rows
