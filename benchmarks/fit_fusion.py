"""Fit the hybrid retriever's fusion weights on the training questions.

    .venv/bin/python benchmarks/fit_fusion.py [--sample N] [--write]

The training questions are those the reader is fitted on (``training.training_sets``): the
training cities, each over its own pages, and the "train" split of ``evals/``; ``--sample N``
keeps one answerable question in N (by the sha256 of its id) to make the search faster. For
each question language the weight of every leg (and, for English, the share of the fused score
blended with the evidence) is searched coordinate by coordinate on a small grid, maximising
MRR@10 over the answerable training questions; ties keep the smaller change. The report
compares the fitted weights with the defaults and with the dense leg alone on the same
questions. ``--write`` stores the weights in ``assistant/data/fusion.json`` under the
embedder's name. No dev, test, fresh or other-city question is read here.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from collections.abc import Sequence

import benchlib
import numpy as np

from assistant.config import Settings
from assistant.evaluation.harness import SetAssistants
from assistant.evaluation.metrics import passage_has_gold
from assistant.retrieval.hybrid import (
    DEFAULT_WEIGHTS,
    EVIDENCE_BLEND,
    FUSION_PATH,
    question_language,
)
from training import INDEXES, training_sets

GRID = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)
BLEND_GRID = (0.0, 0.2, 0.4, 0.7, 1.0, 1.5)
PASSES = 3
K = 10


class _CachedQueries:
    """An embedder whose query vectors are computed once per text (the search re-runs the
    same questions many times)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: dict[str, np.ndarray] = {}

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self._cache]
        if missing:
            for t, v in zip(missing, self.inner.embed_queries(missing), strict=True):
                self._cache[t] = v
        return np.stack([self._cache[t] for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


def _kept(qid: str, sample: int) -> bool:
    return int(hashlib.sha256(qid.encode()).hexdigest(), 16) % sample == 0


def _set_weights(retriever, weights, blend) -> None:
    retriever.weights = weights
    retriever.blend = blend
    for sub in retriever._scopes.values():
        sub.weights = weights
        sub.blend = blend


def mrr(cases, weights, blend, lang: str) -> float:
    total, n = 0.0, 0
    for retriever, q in cases:
        if q.lang != lang:
            continue
        _set_weights(retriever, weights, blend)
        passages = retriever.retrieve(q.question, K, lang)
        ranks = [
            p.rank
            for p in passages
            if passage_has_gold(p.chunk.doc_id, f"{p.chunk.section}\n{p.chunk.passage_text}", q)
        ]
        total += 1.0 / min(ranks) if ranks else 0.0
        n += 1
    return total / max(1, n)


def search(cases, lang: str, start: dict, blend: dict) -> tuple[dict, dict, float]:
    weights, blend = copy.deepcopy(start), copy.deepcopy(blend)
    best = mrr(cases, weights, blend, lang)
    legs = sorted(weights[lang])
    for _ in range(PASSES):
        improved = False
        for leg in [*legs, "blend"] if lang == "en" else legs:
            grid = BLEND_GRID if leg == "blend" else GRID
            current = blend.get(lang, 0.0) if leg == "blend" else weights[lang][leg]
            for value in sorted(grid, key=lambda v: abs(v - current)):
                trial_w, trial_b = copy.deepcopy(weights), copy.deepcopy(blend)
                if leg == "blend":
                    trial_b[lang] = value
                else:
                    trial_w[lang][leg] = value
                score = mrr(cases, trial_w, trial_b, lang)
                if score > best + 1e-9:
                    best, weights, blend, improved = score, trial_w, trial_b, True
        if not improved:
            break
    return weights, blend, best


def main() -> int:
    parser = benchlib.parser(__doc__)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--sample", type=int, default=1, help="keep one question in N")
    args = parser.parse_args()
    settings = Settings()
    assistants = SetAssistants(settings, index_root=INDEXES / settings.embedding)
    cases = []
    opened = []
    for qset, all_questions, _city in training_sets(settings):
        questions = [q for q in all_questions if q.answerable and _kept(q.id, args.sample)]
        if not questions:
            continue
        context = assistants(qset)
        assistant = context.__enter__()
        opened.append(context)
        retriever = assistant.retriever
        retriever.embedder = _CachedQueries(retriever.embedder)
        for q in questions:
            question_language(q.question, None)
            cases.append((retriever, q))
        print(f"{qset.name}: {len(questions)} answerable training questions", file=sys.stderr)
    name = cases[0][0].embedder.name
    dense_only = {lang: {"dense": 1.0, "dense_de": 1.0} for lang in ("de", "en")}
    in_use = copy.deepcopy(cases[0][0].weights), copy.deepcopy(cases[0][0].blend)
    report: dict = {"questions": len(cases)}
    weights, blend = copy.deepcopy(DEFAULT_WEIGHTS), dict(EVIDENCE_BLEND)
    for lang in ("de", "en"):
        before = mrr(cases, DEFAULT_WEIGHTS, EVIDENCE_BLEND, lang)
        dense = mrr(cases, dense_only, {}, lang)
        current = mrr(cases, *in_use, lang)
        weights, blend, after = search(cases, lang, weights, blend)
        report[lang] = {
            "mrr10_default": round(before, 4),
            "mrr10_dense_only": round(dense, 4),
            "mrr10_in_use": round(current, 4),
            "mrr10_fitted": round(after, 4),
        }
        print(json.dumps({lang: report[lang]}), file=sys.stderr)
    entry = {
        "weights": weights,
        "evidence_blend": blend,
        "fitted_on": "the training questions (training/cities and the train splits of evals/)"
        + (f", one in {args.sample}" if args.sample > 1 else ""),
        "training": report,
    }
    print(json.dumps(entry, indent=1))
    for context in opened:
        context.__exit__(None, None, None)
    if args.write:
        data = json.loads(FUSION_PATH.read_text()) if FUSION_PATH.exists() else {}
        data[name] = entry
        FUSION_PATH.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"written for {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
