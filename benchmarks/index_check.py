"""What following the index costs a warm question: the check for a new generation.

    .venv/bin/python benchmarks/index_check.py [--repeat 5] [--out benchmarks/results]

Over the configured index: the time of the check itself when it is not due (a clock read)
and when it is due (a ``stat`` of the manifest), and warm ``ask`` over the eval questions
with the check never due against the check due at every question (the worst case; the
default interval makes it due at most every ``ASSISTANT_INDEX_CHECK_SECONDS``), the two
interleaved question by question so the machine's noise falls on both alike. Writes
index_check.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from assistant.app import Assistant
from assistant.config import Settings
from assistant.evaluation.questions import load_questions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    settings = Settings()
    assistant = Assistant.open(settings)
    watch = assistant._watch
    assert watch is not None and watch.enabled
    questions = [q.question for q in load_questions(sorted(settings.evals_dir.glob("*.jsonl")))]
    for q in questions:  # warm-up
        assistant.ask(q)

    def check_us(due: bool, n: int = 20000) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            if due:
                watch._next = 0.0
            watch.poll()
        return (time.perf_counter() - t0) / n * 1e6

    idle_us, due_us = check_us(False), check_us(True)
    off, on = [], []
    for _ in range(args.repeat):
        for q in questions:
            watch.interval, watch._next = 3600.0, time.monotonic() + 3600
            t0 = time.perf_counter()
            assistant.ask(q)
            off.append((time.perf_counter() - t0) * 1000)
            watch._next = 0.0  # due at this question
            t0 = time.perf_counter()
            assistant.ask(q)
            on.append((time.perf_counter() - t0) * 1000)
    paired = [b - a for a, b in zip(off, on, strict=True)]
    result = {
        "questions": len(questions) * args.repeat,
        "check_not_due_us": round(idle_us, 3),
        "check_due_us": round(due_us, 3),
        "ask_ms_check_never_due_p50": round(statistics.median(off), 3),
        "ask_ms_check_due_every_question_p50": round(statistics.median(on), 3),
        "paired_difference_ms_p50": round(statistics.median(paired), 4),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "index_check.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
