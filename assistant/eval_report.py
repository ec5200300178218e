"""Markdown report of an eval run."""

from __future__ import annotations

from typing import Any

from .eval_gate import GateResult, metric_value

HEADLINE = (
    ("hit1", "Hit@1"),
    ("hit5", "Hit@5"),
    ("mrr10", "MRR@10"),
    ("answer_pass", "answer pass"),
    ("citation_ok", "citation correct"),
    ("abstained_ok", "abstention (unanswerable)"),
    ("false_refusal", "false refusals"),
    ("language_ok", "language match"),
)


def _fmt(summary: dict[str, Any], metric: str) -> str:
    value = metric_value(summary, metric)
    if value is None:
        return "n/a"
    raw = summary.get(metric)
    if isinstance(raw, dict):
        return f"{value:.3f} ({raw['count']}/{raw['n']})"
    return f"{value:.3f}"


def _ms(summary: dict[str, Any], key: str) -> str:
    t = summary.get(key) or {}
    if t.get("p50") is None:
        return "n/a"
    return f"{t['p50']:.1f} / {t['p95']:.1f}"


def headline_table(result: dict[str, Any]) -> list[str]:
    scopes = [("de", result["by_language"]["de"]), ("en", result["by_language"]["en"])]
    scopes.append(("all", result["overall"]))
    lines = ["| metric | " + " | ".join(s for s, _ in scopes) + " |"]
    lines.append("|---|" + "---|" * len(scopes))
    for key, label in HEADLINE:
        lines.append(f"| {label} | " + " | ".join(_fmt(s, key) for _, s in scopes) + " |")
    for key, label in (("retrieve_ms", "retrieval ms p50 / p95"), ("ask_ms", "ask ms p50 / p95")):
        lines.append(f"| {label} | " + " | ".join(_ms(s, key) for _, s in scopes) + " |")
    return lines


def render_report(result: dict[str, Any], gate: GateResult, questions: dict[str, Any]) -> str:
    """The whole report; ``questions`` maps id → Question for the question texts."""
    out = ["# Eval report", ""]
    out.append(
        f"Questions: {result['overall']['questions']} "
        f"({result['overall']['answerable']} answerable). "
        f"Files: {', '.join(result.get('files', []))}."
    )
    if not result["answers_available"]:
        out.append("Answer metrics: not available (the assistant has no `ask` yet).")
    out += ["", "## Headline", "", *headline_table(result), ""]
    out += [
        "## By category",
        "",
        "| category | n | Hit@1 | Hit@5 | MRR@10 | answer pass | abstention |",
        "|---|---|---|---|---|---|---|",
    ]
    for cat, s in result["by_category"].items():
        cells = [_fmt(s, m) for m in ("hit1", "hit5", "mrr10", "answer_pass", "abstained_ok")]
        out.append(f"| {cat} | {s['questions']} | " + " | ".join(cells) + " |")
    out += ["", "## Gate", "", "PASSED" if gate.ok else "FAILED", ""]
    out += [f"- failure: {f}" for f in gate.failures]
    out += [f"- note: {n}" for n in gate.notes]
    if gate.flipped_to_fail:
        out += ["", "Flipped pass → fail:", ""]
        out += [f"- {qid} ({metric})" for qid, metric in gate.flipped_to_fail]
    if gate.flipped_to_pass:
        out += ["", "Flipped fail → pass:", ""]
        out += [f"- {qid} ({metric})" for qid, metric in gate.flipped_to_pass]
    out += ["", "## Failing questions", ""]
    failing = 0
    for q in result["questions"]:
        problems = []
        if q.get("hit5") is False:
            first = q["first_hit"] or "none in the top 10"
            problems.append(f"retrieval: no gold passage in the top 5 (first: {first})")
        elif q.get("hit1") is False:
            problems.append(f"retrieval: gold first at rank {q['first_hit']}")
        if q.get("answer_pass") is False:
            missing = " AND ".join("/".join(g) for g in q.get("missing", []))
            problems.append(
                "answer: " + ("abstained" if q.get("abstained") else f"missing {missing}")
            )
        if q.get("abstained_ok") is False:
            problems.append("answer: should have said the sources do not answer this")
        if q.get("citation_ok") is False:
            problems.append("citations: no cited passage holds a gold evidence")
        if q.get("language_ok") is False:
            problems.append("answer language differs from the question's")
        if problems:
            failing += 1
            text = questions[q["id"]].question if q["id"] in questions else ""
            out.append(f"- **{q['id']}** [{q['category']}] {text}")
            out += [f"  - {p}" for p in problems]
    if not failing:
        out.append("None.")
    return "\n".join(out) + "\n"
