"""The eval's answer metrics over the training cities (``training/cities/``), pooled and per
city: the bench on which answer shapes are developed, since the eval sets are reported, not
worked on.

    .venv/bin/python benchmarks/train_eval.py [--city kassel ...] [--json out.json]

Each city is answered over its own index under ``training/.index/<embedder>/`` (built by
``benchmarks/training.py index``, or here when missing). Prints, per city and pooled, the
answer pass per language, refusal of the unanswerable, false refusals, citations, whether
the first claim holds the fact and the median answer length.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import benchlib

from assistant.config import Settings
from assistant.evaluation.harness import SetAssistants, run_sets
from assistant.evaluation.questions import load_questions
from training import INDEXES, city_sets


def _rate(rows: list[dict], key: str, where=lambda q: True) -> str:
    chosen = [q for q in rows if where(q) and q.get(key) is not None]
    if not chosen:
        return "  -  "
    return f"{sum(bool(q[key]) for q in chosen) / len(chosen):.3f}"


def line(name: str, rows: list[dict]) -> str:
    answerable = [q for q in rows if q["answerable"]]
    chars = [len(q["answer"]) for q in answerable if not q["abstained"]]
    return (
        f"{name:<16} n={len(rows):<5} "
        f"pass de {_rate(rows, 'answer_pass', lambda q: q['lang'] == 'de')} "
        f"en {_rate(rows, 'answer_pass', lambda q: q['lang'] == 'en')}  "
        f"refusal {_rate(rows, 'abstained', lambda q: not q['answerable'])}  "
        f"FR {_rate(answerable, 'false_refusal')}  "
        f"cite {_rate(answerable, 'citation_ok')}  "
        f"first {_rate(answerable, 'first_claim_ok')}  "
        f"chars {statistics.median(chars) if chars else 0:.0f}"
    )


def main() -> int:
    parser = benchlib.parser(__doc__)
    parser.add_argument("--city", action="append", help="only these cities (folder names)")
    parser.add_argument("--json", type=Path, help="write every question's outcome here")
    args = parser.parse_args()
    settings = Settings()
    wanted = {f"train-{c}" for c in args.city or ()}
    loaded = [
        (qset, load_questions(qset.files))
        for qset in city_sets()
        if not wanted or qset.name in wanted
    ]
    assistants = SetAssistants(settings, index_root=INDEXES / settings.embedding)
    result = run_sets(loaded, assistants)
    pooled: list[dict] = []
    for name, r in result["sets"].items():
        print(line(name.removeprefix("train-"), r["questions"]))
        pooled += r["questions"]
    print(line("pooled", pooled))
    if args.json:
        args.json.write_text(json.dumps(pooled, ensure_ascii=False, indent=0), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
