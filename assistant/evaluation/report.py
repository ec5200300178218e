"""Markdown report of an eval run: one headline table of every set and split, the gate, then
each set by language, split and category, with its failing questions."""

from __future__ import annotations

from typing import Any

from assistant.evaluation.gate import GateResult, metric_value, result_sets
from assistant.evaluation.metrics import HEADLINE_METRICS, headline_rows
from assistant.evaluation.questions import ALL_SPLITS

HEADLINE = (
    ("hit1", "Hit@1"),
    ("hit5", "Hit@5"),
    ("mrr10", "MRR@10"),
    ("answer_pass", "answer pass"),
    ("citation_ok", "citation correct"),
    ("abstained_ok", "abstention (unanswerable)"),
    ("false_refusal", "false refusals"),
    ("language_ok", "language match"),
    ("first_claim_ok", "first claim holds the fact"),
    ("answer_chars", "median answer (characters)"),
)
LATENCY = (("retrieve_ms", "retrieval ms p50 / p95"), ("ask_ms", "ask ms p50 / p95"))
SET_COLUMNS = {
    "pass_de": "pass de",
    "pass_en": "pass en",
    "refusal": "refusal",
    "false_refusal": "false refusals",
    "citation": "citation",
    "first_claim": "first claim",
    "answer_chars": "median answer",
    "hit1": "Hit@1",
}
LEGEND = (
    "pass: answer pass of answerable questions; refusal: unanswerable questions refused; "
    "false refusals: answerable questions refused; citation: a cited passage holds gold "
    "evidence; first claim: an answered answerable question's text before its first "
    "citation holds the expected answer; median answer: characters of the answers given; "
    "Hit@1: a gold passage ranked first."
)


def _fmt(summary: dict[str, Any], metric: str) -> str:
    value = metric_value(summary, metric)
    if value is None:
        return "n/a"
    raw = summary.get(metric)
    if isinstance(raw, dict):
        return f"{value:.3f} ({raw['count']}/{raw['n']})"
    return f"{value:.0f}" if metric == "answer_chars" else f"{value:.3f}"


def _ms(summary: dict[str, Any], key: str) -> str:
    t = summary.get(key) or {}
    if t.get("p50") is None:
        return "n/a"
    return f"{t['p50']:.1f} / {t['p95']:.1f}"


def headline_table(result: dict[str, Any]) -> list[str]:
    """One set's metrics (rows) for German, English and both (columns)."""
    scopes = [("de", result["by_language"]["de"]), ("en", result["by_language"]["en"])]
    scopes.append(("all", result["overall"]))
    lines = ["| metric | " + " | ".join(s for s, _ in scopes) + " |"]
    lines.append("|---|" + "---|" * len(scopes))
    for key, label in HEADLINE:
        lines.append(f"| {label} | " + " | ".join(_fmt(s, key) for _, s in scopes) + " |")
    for key, label in LATENCY:
        lines.append(f"| {label} | " + " | ".join(_ms(s, key) for _, s in scopes) + " |")
    return lines


def _row_label(row: dict[str, Any]) -> str:
    if row["split"] == ALL_SPLITS:
        return f"{row['set']} (all)"
    return row["set"] if row["split"] == row["set"] else f"{row['set']} / {row['split']}"


def sets_table(run: dict[str, Any]) -> list[str]:
    """The headline: one row per set and split, answer pass per language, refusal, false
    refusals, citation and Hit@1."""
    rows = run.get("headline") or headline_rows(result_sets(run))
    lines = ["| set / split | n | " + " | ".join(SET_COLUMNS.values()) + " |"]
    lines.append("|---|---|" + "---|" * len(SET_COLUMNS))
    for row in rows:
        cells = [_fmt(row, key) for key, _, _ in HEADLINE_METRICS]
        lines.append(f"| {_row_label(row)} | {row['questions']} | " + " | ".join(cells) + " |")
    return lines


def split_table(result: dict[str, Any]) -> list[str]:
    """One set per split and language (rows): every metric and the latencies (columns)."""
    labels = [label for _, label in HEADLINE + LATENCY]
    lines = ["| split | lang | n | " + " | ".join(labels) + " |"]
    lines.append("|---|---|---|" + "---|" * len(labels))
    for split, scoped in result["by_split"].items():
        scopes = [*scoped["by_language"].items(), ("all", scoped["overall"])]
        for scope, s in scopes:
            cells = [_fmt(s, key) for key, _ in HEADLINE] + [_ms(s, key) for key, _ in LATENCY]
            lines.append(f"| {split} | {scope} | {s['questions']} | " + " | ".join(cells) + " |")
    return lines


def _category_table(result: dict[str, Any]) -> list[str]:
    lines = [
        "| category | n | Hit@1 | Hit@5 | MRR@10 | answer pass | abstention |",
        "|---|---|---|---|---|---|---|",
    ]
    for cat, s in result["by_category"].items():
        cells = [_fmt(s, m) for m in ("hit1", "hit5", "mrr10", "answer_pass", "abstained_ok")]
        lines.append(f"| {cat} | {s['questions']} | " + " | ".join(cells) + " |")
    return lines


def _problems(q: dict[str, Any]) -> list[str]:
    """What went wrong with one question's result."""
    problems = []
    if q.get("hit5") is False:
        first = q["first_hit"] or "none in the top 10"
        problems.append(f"retrieval: no gold passage in the top 5 (first: {first})")
    elif q.get("hit1") is False:
        problems.append(f"retrieval: gold first at rank {q['first_hit']}")
    if q.get("answer_pass") is False:
        missing = " AND ".join("/".join(g) for g in q.get("missing", []))
        problems.append("answer: " + ("abstained" if q.get("abstained") else f"missing {missing}"))
    if q.get("abstained_ok") is False:
        problems.append("answer: should have said the sources do not answer this")
    if q.get("citation_ok") is False:
        problems.append("citations: no cited passage holds a gold evidence")
    if q.get("language_ok") is False:
        problems.append("answer language differs from the question's")
    return problems


def _failing(result: dict[str, Any], questions: dict[str, Any]) -> list[str]:
    out = []
    for q in result["questions"]:
        problems = _problems(q)
        if not problems:
            continue
        text = q.get("question") or getattr(questions.get(q["id"]), "question", "")
        split = f" {q['split']}" if q.get("split") else ""
        out.append(f"- **{q['id']}** [{q['category']}{split}] {text}")
        out += [f"  - {p}" for p in problems]
    return out or ["None."]


def _set_section(name: str, result: dict[str, Any], questions: dict[str, Any]) -> list[str]:
    files = ", ".join(result.get("files", []))
    corpus = result.get("corpus") or "the main corpus"
    out = [f"## Set {name}", ""]
    out.append(
        f"Questions: {result['overall']['questions']} ({result['overall']['answerable']} "
        f"answerable){'. Files: ' + files if files else ''}; answered over {corpus}."
    )
    if not result["answers_available"]:
        out.append("Answer metrics: not available (the assistant has no `ask` yet).")
    out += ["", "### By language", "", *headline_table(result), ""]
    if len(result.get("by_split", {})) > 1:
        out += ["### By split", "", *split_table(result), ""]
    out += ["### By category", "", *_category_table(result), ""]
    out += ["### Failing questions", "", *_failing(result, questions), ""]
    return out


def _gate_section(gate: GateResult) -> list[str]:
    out = ["## Gate", "", "PASSED" if gate.ok else "FAILED", ""]
    out += [f"- failure: {f}" for f in gate.failures]
    out += [f"- note: {n}" for n in gate.notes]
    if gate.flipped_to_fail:
        out += ["", "Flipped pass → fail:", ""]
        out += [f"- {qid} ({metric})" for qid, metric in gate.flipped_to_fail]
    if gate.flipped_to_pass:
        out += ["", "Flipped fail → pass:", ""]
        out += [f"- {qid} ({metric})" for qid, metric in gate.flipped_to_pass]
    return [*out, ""]


def render_report(
    result: dict[str, Any], gate: GateResult, questions: dict[str, Any] | None = None
) -> str:
    """The whole report of a run of sets (or of one :func:`run_eval` result, as the main
    set); ``questions`` may map id → Question for texts the results lack."""
    sets = result_sets(result)
    out = ["# Eval report", "", "## Headline", "", *sets_table(result), "", LEGEND, ""]
    skipped = [f"Not run: {note}." for note in result.get("skipped", [])]
    out += [*skipped, ""] if skipped else []
    out += _gate_section(gate)
    for name, set_result in sets.items():
        out += _set_section(name, set_result, questions or {})
    return "\n".join(out).rstrip("\n") + "\n"
