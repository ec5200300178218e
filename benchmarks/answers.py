"""Answer benchmark: warm ``Assistant.ask`` latency per language over the eval questions,
and over the long ones (several clauses, context, two questions in one).

    .venv/bin/python benchmarks/answers.py [--repeat 3] [--long-words 15] [--out benchmarks/results]

Writes answers.json and answers.md: p50/p95/p99 of the whole ``ask`` (language detection,
follow-up resolution, retrieval, reading, composing), per question language, after one
warm-up pass; the "long" row is every question over the main corpus (of the main set, the
fresh set and the training set) with at least ``--long-words`` words.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time

import benchlib

from assistant.app import Assistant
from assistant.config import Settings
from assistant.evaluation.questions import discover_sets, load_questions


def percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    at = lambda p: times[round(p * (len(times) - 1))]  # noqa: E731
    return {"p50": statistics.median(times), "p95": at(0.95), "p99": at(0.99), "n": len(times)}


def main() -> int:
    parser = benchlib.parser(__doc__, repeat=3, out=benchlib.RESULTS)
    parser.add_argument("--long-words", type=int, default=15)
    args = parser.parse_args()
    settings = Settings()
    questions = benchlib.eval_questions(settings)
    main_corpus = [s for s in discover_sets(settings.evals_dir) if s.corpus_dir is None]
    every = [q for s in main_corpus for q in load_questions(s.files)]
    long = [q for q in every if len(q.question.split()) >= args.long_words]
    assistant = Assistant.open(settings)
    for q in questions + long:  # warm-up: caches, lazy indexes, model
        assistant.ask(q.question)
    times: dict[str, list[float]] = {"de": [], "en": [], "long": []}
    for _ in range(args.repeat):
        for q in questions:
            t0 = time.perf_counter()
            assistant.ask(q.question)
            times[q.lang].append((time.perf_counter() - t0) * 1000)
        for q in long:
            t0 = time.perf_counter()
            assistant.ask(q.question)
            times["long"].append((time.perf_counter() - t0) * 1000)
    rows = {lang: percentiles(times[lang]) for lang in ("de", "en")}
    rows["all"] = percentiles(times["de"] + times["en"])
    rows[f"long (≥ {args.long_words} words, {len(long)} questions)"] = percentiles(times["long"])
    machine = f"{platform.machine()}, {platform.python_version()}, {sys.platform}"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "answers.json").write_text(
        json.dumps({"machine": machine, "repeat": args.repeat, "ask_ms": rows}, indent=1)
    )
    lines = [
        f"Warm `ask` over {len(questions)} eval questions × {args.repeat} ({machine}).",
        "",
        "| questions | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} |" for name, r in rows.items()
    ]
    (args.out / "answers.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
