"""Staff report beside citizens: a citizen's answer time with the unanswered report running.

    .venv/bin/python benchmarks/staff_report.py [--rows 1200] [--questions 40] [--rounds 3]

Records ``--rows`` refused questions (the eval questions, each with a running number, so
every row is a text of its own) into a temporary unanswered log, then answers eval
questions one after another, as a citizen would, in rounds: without a report, and with the
staff report (``StaffHandlers.unanswered_report``) running in a loop in another thread,
alternating, so both see the same machine. The question-vector cache is off, so every
question is embedded, on the engine thread the report embeds on too.

Two loops: ``kept`` is the staff app as it runs (groups kept between reports: after the
first reports, a refresh embeds nothing), ``cold`` starts every report afresh (vectors and
groups forgotten, so each report embeds its ``MAX_NEW_PER_REPORT`` rows), the worst case.
Writes staff_report.json and staff_report.md: p50 and p95 of the answer each way, the
reports made, and whether the p95 with the report stays within 1.5x of the p95 without.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

import benchlib

from assistant.app import Assistant
from assistant.config import Settings
from assistant.records import Answer
from assistant.serving.unanswered import assistant_corpus, open_log

BOUND = 1.5  # p95 with the report / p95 without


def _staff(assistant, log):
    """The report's handler: the staff app's (or, before it existed, the page's)."""
    from assistant.serving import staff

    if hasattr(staff, "StaffHandlers"):
        return staff.StaffHandlers(assistant, log)
    from assistant.serving.feedback import FeedbackStore
    from assistant.serving.handlers import ChatHandlers

    return ChatHandlers(assistant, FeedbackStore(log.path.parent / "f.sqlite3"), unanswered=log)


def _forget(handlers) -> None:
    """Start the next report afresh: no vectors, no groups kept."""
    from assistant.serving import unanswered_report

    unanswered_report._VECTORS.clear()
    if hasattr(handlers, "topics"):
        handlers.topics = unanswered_report.TopicGroups()


def _answers(assistant, questions: list[str], start: int, n: int) -> list[float]:
    times = []
    for i in range(n):
        q = questions[(start + i) % len(questions)]
        t0 = time.perf_counter()
        assistant.ask(q)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _report_loop(handlers, mode: str, stop: threading.Event, took: list[float]) -> None:
    """Reports one after another until ``stop``; each one's seconds go to ``took``."""
    while not stop.is_set():
        if mode == "cold":
            _forget(handlers)
        t0 = time.perf_counter()
        handlers.unanswered_report(90, "de")
        took.append(time.perf_counter() - t0)


def run(args, assistant, log, questions: list[str], mode: str) -> dict:
    handlers = _staff(assistant, log)
    without: list[float] = []
    beside: list[float] = []
    reports: list[float] = []
    for _ in range(args.rounds):
        without += _answers(assistant, questions, len(without), args.questions)
        stop = threading.Event()
        staff = threading.Thread(
            target=_report_loop, args=(handlers, mode, stop, reports), daemon=True
        )
        staff.start()
        time.sleep(0.2)  # the report is under way
        beside += _answers(assistant, questions, len(beside), args.questions)
        stop.set()
        staff.join()
    a, b = benchlib.latency(without), benchlib.latency(beside)
    return {
        "without_report_ms": a,
        "with_report_ms": b,
        "ratio_p95": b["p95"] / a["p95"],
        "reports": len(reports),
        "report_s": benchlib.latency([s * 1000 for s in reports]) if reports else None,
    }


def main() -> int:
    parser = benchlib.parser(__doc__, out=benchlib.RESULTS)
    parser.add_argument("--rows", type=int, default=1200)
    parser.add_argument("--questions", type=int, default=40, help="per round and side")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default="kept,cold")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().model_copy(
            update={"data_dir": Path(tmp), "query_cache_size": 0, "embedding_threads": 1}
        )
        assistant = Assistant.open(settings)
        log = open_log(settings, assistant.retriever.embedder.name, assistant_corpus(assistant))
        assert log is not None, "ASSISTANT_RECORD_UNANSWERED is off"
        questions = [q.question for q in benchlib.eval_questions(settings)]
        for i in range(args.rows):
            q = f"{questions[i % len(questions)]} (Nr. {i})"
            log.record(Answer(q, "de", "…", True, confidence=0.1, closest=[]))
        for q in questions[:20]:  # warm
            assistant.ask(q)
        result = {
            "machine": f"{platform.machine()}, {platform.python_version()}",
            "embedder": assistant.retriever.embedder.name,
            "rows": len(log.rows()),
            "bound": BOUND,
        }
        for mode in args.modes.split(","):
            result[mode] = run(args, assistant, log, questions, mode)
        log.close()
    result["within_bound"] = all(
        result[m]["ratio_p95"] <= BOUND for m in args.modes.split(",") if m in result
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "staff_report.json").write_text(json.dumps(result, indent=1) + "\n")
    lines = [
        "# A citizen's answer beside the staff report",
        "",
        f"{result['rows']} recorded questions, {result['embedder']}, {result['machine']}",
        "",
        "| loop | p50 without | p95 without | p50 with | p95 with | p95 ratio | reports |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode in args.modes.split(","):
        m = result[mode]
        a, b = m["without_report_ms"], m["with_report_ms"]
        lines.append(
            f"| {mode} | {a['p50']:.1f} | {a['p95']:.1f} | {b['p50']:.1f} | {b['p95']:.1f} | "
            f"{m['ratio_p95']:.2f} | {m['reports']} |"
        )
    (args.out / "staff_report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if result["within_bound"] else 1


if __name__ == "__main__":
    sys.exit(main())
