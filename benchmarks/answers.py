"""Answer benchmark: warm ``Assistant.ask`` latency per language over the eval questions.

    .venv/bin/python benchmarks/answers.py [--repeat 3] [--out benchmarks/results]

Writes answers.json and answers.md: p50/p95/p99 of the whole ``ask`` (language detection,
follow-up resolution, retrieval, composing), per question language, after one warm-up pass.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

from assistant.app import Assistant
from assistant.config import Settings
from assistant.evaluation import load_questions


def percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    at = lambda p: times[round(p * (len(times) - 1))]  # noqa: E731
    return {"p50": statistics.median(times), "p95": at(0.95), "p99": at(0.99), "n": len(times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    settings = Settings()
    questions = load_questions(sorted(settings.evals_dir.glob("*.jsonl")))
    assistant = Assistant.open(settings)
    for q in questions:  # warm-up: caches, lazy indexes, model
        assistant.ask(q.question)
    times: dict[str, list[float]] = {"de": [], "en": []}
    for _ in range(args.repeat):
        for q in questions:
            t0 = time.perf_counter()
            assistant.ask(q.question)
            times[q.lang].append((time.perf_counter() - t0) * 1000)
    rows = {lang: percentiles(t) for lang, t in times.items()}
    rows["all"] = percentiles(times["de"] + times["en"])
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
