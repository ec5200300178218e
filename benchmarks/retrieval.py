"""Retrieval benchmark: the hybrid retriever against dense only, BM25 only and the
llama-index default, on the eval question sets, in one run.

    .venv/bin/python benchmarks/retrieval.py [--repeat 3] [--out benchmarks/results]

Writes retrieval.json and retrieval.md (Hit@1, Hit@5, MRR@10 per language; warm latency
p50/p95 per retriever).
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
from assistant.evaluation.harness import run_eval
from assistant.evaluation.metrics import percentile
from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.peer import LlamaIndexDefaultRetriever


class _Searcher:
    """Gives any retriever the ``search`` method the eval harness calls."""

    def __init__(self, retriever) -> None:
        self.retriever = retriever

    def search(self, query: str, k: int):
        return self.retriever.retrieve(query, k)


def latency_ms(retrievers: dict, questions, repeat: int) -> dict[str, dict[str, float]]:
    """Warm latency of each retriever, interleaved: every question is asked of all of them
    in turn (the order rotating), so a noisy moment of the machine hits them alike."""
    names = list(retrievers)
    for q in questions:  # warm-up: caches, lazy indexes, model
        for name in names:
            retrievers[name].retrieve(q.question, 10)
    times: dict[str, list[float]] = {name: [] for name in names}
    for n in range(repeat):
        for i, q in enumerate(questions):
            shift = (i + n) % len(names)
            for name in names[shift:] + names[:shift]:
                t0 = time.perf_counter()
                retrievers[name].retrieve(q.question, 10)
                times[name].append((time.perf_counter() - t0) * 1000)
    return {
        name: {"p50": statistics.median(t), "p95": percentile(t, 95), "n": len(t)}
        for name, t in times.items()
    }


def main() -> int:
    parser = benchlib.parser(__doc__, repeat=3, out=benchlib.RESULTS)
    args = parser.parse_args()
    settings = Settings()
    questions = benchlib.eval_questions(settings)
    assistant = Assistant.open(settings)
    hybrid = assistant.retriever
    store, embedder = hybrid.store, hybrid.embedder
    retrievers = {
        "hybrid": hybrid,
        "dense only": HybridRetriever(store, embedder, ("dense",)),
        "BM25 only": HybridRetriever(store, embedder, ("bm25",)),
        "llama-index default": LlamaIndexDefaultRetriever(store, embedder),
    }
    rows = {}
    for name, retriever in retrievers.items():
        result = run_eval(_Searcher(retriever), questions)
        rows[name] = {
            lang: {
                "hit1": result["by_language"][lang]["hit1"]["rate"],
                "hit5": result["by_language"][lang]["hit5"]["rate"],
                "mrr10": result["by_language"][lang]["mrr10"],
            }
            for lang in ("de", "en")
        }
    for name, latency in latency_ms(retrievers, questions, args.repeat).items():
        rows[name]["latency_ms"] = latency
        print(f"{name}: {json.dumps(rows[name])}", file=sys.stderr)
    machine = f"{platform.machine()}, {platform.python_version()}, {sys.platform}"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "retrieval.json").write_text(
        json.dumps({"machine": machine, "questions": len(questions), "rows": rows}, indent=1)
    )
    lines = [
        f"Retrieval on {len(questions)} eval questions ({machine}); latency warm, "
        f"{args.repeat} passes, the retrievers interleaved question by question.",
        "",
        "| retriever | Hit@1 de | Hit@5 de | MRR@10 de | Hit@1 en | Hit@5 en | MRR@10 en "
        "| p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in rows.items():
        de, en, lat = row["de"], row["en"], row["latency_ms"]
        lines.append(
            f"| {name} | {de['hit1']:.3f} | {de['hit5']:.3f} | {de['mrr10']:.3f} "
            f"| {en['hit1']:.3f} | {en['hit5']:.3f} | {en['mrr10']:.3f} "
            f"| {lat['p50']:.1f} | {lat['p95']:.1f} |"
        )
    (args.out / "retrieval.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
