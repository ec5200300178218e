"""Unanswered-questions benchmark: what recording a refused question adds to its answer.

    .venv/bin/python benchmarks/unanswered.py [--repeat 5] [--out benchmarks/results]

The refused questions are the unanswerable questions of ``evals/questions.jsonl`` that the
warm assistant refuses. Each is answered ``--repeat`` times without and with recording
(``UnansweredLog.record``: the guard check, scrubbing and one SQLite row, into a temporary
data folder), the two alternating in one run so both see the same machine. Writes
unanswered.json and unanswered.md: the median and p95 of the whole answer each way, and of
the recording alone.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import benchlib

from assistant.app import Assistant
from assistant.config import Settings
from assistant.evaluation.questions import load_questions
from assistant.serving.unanswered import assistant_corpus, open_log

BUDGET_MS = 1.0


def stats(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "median": statistics.median(times),
        "p95": times[round(0.95 * (len(times) - 1))],
        "n": len(times),
    }


def main() -> int:
    parser = benchlib.parser(__doc__, repeat=5, out=benchlib.RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().model_copy(update={"data_dir": Path(tmp)})
        assistant = Assistant.open(settings)
        log = open_log(settings, assistant.retriever.embedder.name, assistant_corpus(assistant))
        assert log is not None, "ASSISTANT_RECORD_UNANSWERED is off"
        questions = load_questions([settings.evals_dir / "questions.jsonl"])
        unanswerable = [q.question for q in questions if not q.answerable]
        refused = [q for q in unanswerable if assistant.ask(q).abstained]  # also the warm-up
        without, with_, record = [], [], []
        for r in range(args.repeat):
            for q in refused:
                order = (False, True) if (r + len(without)) % 2 == 0 else (True, False)
                for recording in order:
                    t0 = time.perf_counter()
                    answer = assistant.ask(q)
                    t1 = time.perf_counter()
                    if recording:
                        log.record(answer)
                    t2 = time.perf_counter()
                    if recording:
                        with_.append((t2 - t0) * 1000)
                        record.append((t2 - t1) * 1000)
                    else:
                        without.append((t2 - t0) * 1000)
        rows = len(log.rows())
        log.close()
    result = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "embedder": assistant.retriever.embedder.name,
        "refused_questions": len(refused),
        "repeat": args.repeat,
        "rows_written": rows,
        "answer_without_recording_ms": stats(without),
        "answer_with_recording_ms": stats(with_),
        "recording_alone_ms": stats(record),
        "budget_ms": BUDGET_MS,
    }
    result["within_budget"] = result["recording_alone_ms"]["median"] <= BUDGET_MS
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "unanswered.json").write_text(json.dumps(result, indent=1) + "\n")
    a = result["answer_without_recording_ms"]
    b = result["answer_with_recording_ms"]
    c = result["recording_alone_ms"]
    lines = [
        "# Recording a refused question",
        "",
        f"{len(refused)} refused questions × {args.repeat}, {result['embedder']}, "
        f"{result['machine']}",
        "",
        "| | median ms | p95 ms | n |",
        "|---|---|---|---|",
        f"| answer, not recorded | {a['median']:.2f} | {a['p95']:.2f} | {a['n']} |",
        f"| answer, recorded | {b['median']:.2f} | {b['p95']:.2f} | {b['n']} |",
        f"| recording alone | {c['median']:.3f} | {c['p95']:.3f} | {c['n']} |",
        "",
    ]
    (args.out / "unanswered.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
