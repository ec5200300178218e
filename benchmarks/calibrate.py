"""Fit the relevance calibration of the hybrid retriever on the training questions.

    .venv/bin/python benchmarks/calibrate.py [--write]

The training questions are those the reader is fitted on (``training.training_sets``): the
training cities, each over its own pages, and the "train" split of ``evals/``. No dev, test,
fresh or other-city question is read. For every question, each of the top 10 passages is an
example: features (dense cosine, share of the question's content words in the passage,
1/rank, sentence-level evidence) and a label (the passage holds a gold evidence of an
answerable question; every passage of an unanswerable one is 0). A logistic regression is
fitted; quality is reported by cross-validation over whole cities (``city_folds``), so that
it is the quality on cities the fit has not seen. ``--write`` stores the coefficients in
assistant/data/calibration.json under the embedder's name.
"""

from __future__ import annotations

import json
import sys

import benchlib
import numpy as np

from assistant.answering.reader.fit import city_folds
from assistant.config import Settings
from assistant.evaluation.harness import SetAssistants
from assistant.evaluation.metrics import passage_has_gold
from assistant.retrieval.hybrid import DATA, Calibration
from training import INDEXES, training_sets

K = 10


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 50):
    """Newton-Raphson logistic regression with a small L2 penalty; returns (coef, intercept)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) + l2 * np.r_[w[:-1], 0]
        hess = xb.T @ (xb * (p * (1 - p))[:, None]) + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return w[:-1], float(w[-1])


def predict(x: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ coef + intercept)))


def quality(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    eps = 1e-9
    bins = np.minimum((p * 10).astype(int), 9)
    ece = sum(
        abs(p[bins == b].mean() - y[bins == b].mean()) * (bins == b).sum()
        for b in range(10)
        if (bins == b).any()
    ) / len(p)
    return {
        "log_loss": float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))),
        "brier": float(np.mean((p - y) ** 2)),
        "ece": float(ece),
    }


def auc(pos: list[float], neg: list[float]) -> float:
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def main() -> int:
    parser = benchlib.parser(__doc__)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    assistants = SetAssistants(settings, index_root=INDEXES / settings.embedding)
    rows, labels, groups, qids, answerable = [], [], [], [], set()
    name = ""
    for qset, questions, group in training_sets(settings):
        with assistants(qset) as assistant:
            retriever = assistant.retriever
            retriever.calibration = None
            name = retriever.embedder.name
            for q in questions:
                passages = retriever.retrieve(q.question, K)
                dense = retriever.dense_scores(q.question, passages)
                key = f"{group}/{q.id}"
                if q.answerable:
                    answerable.add(key)
                for p in passages:
                    cov = retriever.lexical.coverage(q.question, p.chunk.id)
                    evidence = p.leg_scores.get("evidence", 0.0)
                    rows.append(Calibration.features(dense[p.chunk.id], cov, p.rank, evidence))
                    text = f"{p.chunk.section}\n{p.chunk.passage_text}"
                    labels.append(float(q.answerable and passage_has_gold(p.chunk.doc_id, text, q)))
                    groups.append(group)
                    qids.append(key)
        print(f"{qset.name}: {len(questions)} questions", file=sys.stderr)
    x, y = np.asarray(rows), np.asarray(labels)
    by_city = city_folds(groups)
    f = np.asarray([by_city[g] for g in groups])
    held_out = np.zeros(len(y))
    for k in sorted(set(by_city.values())):
        coef, b = fit_logistic(x[f != k], y[f != k])
        held_out[f == k] = predict(x[f == k], coef, b)
    cv = quality(held_out, y)
    top = {}
    for qid, p, r in zip(qids, held_out, x[:, 2], strict=True):
        if r == 1.0:
            top[qid] = p
    cv["auc_top1_answerable_vs_not"] = auc(
        [v for k, v in top.items() if k in answerable],
        [v for k, v in top.items() if k not in answerable],
    )
    path = DATA / "calibration.json"
    stored = json.loads(path.read_text()).get(name) if path.exists() else None
    in_use = None
    if stored:  # the weights in use, on the same examples (they were fitted elsewhere)
        p_stored = predict(x, np.asarray(stored["coef"]), stored["intercept"])
        in_use = {k: round(v, 4) for k, v in quality(p_stored, y).items()}
    coef, b = fit_logistic(x, y)
    result = {
        "coef": [round(float(c), 4) for c in coef],
        "intercept": round(b, 4),
        "features": ["dense cosine", "query-term coverage", "1/rank", "sentence evidence"],
        "fitted_on": "the training questions (training/cities and the train splits of evals/), "
        "cross-validated by city",
        "questions": len(set(qids)),
        "examples": len(y),
        "positives": int(y.sum()),
        "cross_validated": {k: round(v, 4) for k, v in cv.items()},
    }
    print(json.dumps({**result, "weights_in_use_on_these_examples": in_use}, indent=1))
    if args.write:
        data = json.loads(path.read_text()) if path.exists() else {}
        data[name] = result
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
