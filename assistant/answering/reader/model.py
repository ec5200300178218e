"""The learned scorer: a logistic regression over the reader's features, and answerability:
gradient-boosted trees over what the best units show, whose probability that the answer
would be right decides between answering and refusing.

The weights are data (``assistant/data/reader.json``), one entry per embedder (the dense
features depend on it), fitted on the training questions by ``benchmarks/fit_reader.py``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answering.reader.features import FEATURES, SIGNS
from assistant.resources import DATA

PATH = DATA / "reader.json"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerTrees:
    """Gradient-boosted trees (fitted with scikit-learn, exported as arrays): the log-odds
    are the baseline plus each tree's leaf value; a node sends ``x`` left when
    ``x[feature] <= threshold``."""

    baseline: float
    trees: tuple[dict[str, np.ndarray], ...]

    def raw(self, x: Sequence[float]) -> float:
        total = self.baseline
        for tree in self.trees:
            node = 0
            while not tree["leaf"][node]:
                value = x[tree["feature"][node]]
                left = value <= tree["threshold"][node]
                node = tree["left"][node] if left else tree["right"][node]
            total += tree["value"][node]
        return float(total)

    def probability(self, x: Sequence[float]) -> float:
        return 1.0 / (1.0 + np.exp(-self.raw(x)))

    def to_json(self) -> dict:
        return {
            "baseline": self.baseline,
            "trees": [
                {
                    k: [round(float(v), 6) if k in ("threshold", "value") else int(v) for v in a]
                    for k, a in tree.items()
                }
                for tree in self.trees
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> AnswerTrees:
        trees = tuple(
            {
                "feature": np.asarray(t["feature"], dtype=np.int32),
                "threshold": np.asarray(t["threshold"], dtype=np.float64),
                "left": np.asarray(t["left"], dtype=np.int32),
                "right": np.asarray(t["right"], dtype=np.int32),
                "leaf": np.asarray(t["leaf"], dtype=bool),
                "value": np.asarray(t["value"], dtype=np.float64),
            }
            for t in data["trees"]
        )
        return cls(float(data["baseline"]), trees)

    @classmethod
    def from_sklearn(cls, model) -> AnswerTrees:
        """The trees of a fitted ``HistGradientBoostingClassifier`` (binary)."""
        trees = []
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            trees.append(
                {
                    "feature": nodes["feature_idx"].astype(np.int32),
                    "threshold": nodes["num_threshold"].astype(np.float64),
                    "left": nodes["left"].astype(np.int32),
                    "right": nodes["right"].astype(np.int32),
                    "leaf": nodes["is_leaf"].astype(bool),
                    "value": nodes["value"].astype(np.float64),
                }
            )
        return cls(float(np.ravel(model._baseline_prediction)[0]), tuple(trees))


@dataclass(frozen=True)
class ReaderModel:
    """Unit scorer (standardised features → logistic) and answerability (trees over what
    the best units show), with the refusal threshold chosen by cross-validation."""

    embedder: str
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    answer: AnswerTrees
    threshold: float

    def unit_scores(self, x: np.ndarray) -> np.ndarray:
        """Probability that each unit holds the answer."""
        if not len(x):
            return np.zeros(0)
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def answerability(self, scores: np.ndarray, x: np.ndarray) -> float:
        """Probability that the question is answered by its best unit."""
        return self.answer.probability(answer_features(scores, x))

    def to_json(self, extra: dict | None = None) -> dict:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(self.intercept, 6),
            "answerability": {
                "features": list(ANSWER_FEATURES),
                **self.answer.to_json(),
                "threshold": round(self.threshold, 4),
            },
            **(extra or {}),
        }

    @classmethod
    def from_json(cls, embedder: str, data: dict) -> ReaderModel:
        answer = data["answerability"]
        return cls(
            embedder,
            tuple(data["features"]),
            np.asarray(data["mean"], dtype=np.float32),
            np.asarray(data["scale"], dtype=np.float32),
            np.asarray(data["coef"], dtype=np.float32),
            float(data["intercept"]),
            AnswerTrees.from_json(answer),
            float(answer["threshold"]),
        )

    @classmethod
    def load(cls, embedder: str, path: Path = PATH) -> ReaderModel | None:
        """The weights fitted for ``embedder``; None when there are none or they were
        fitted for other features."""
        if not path.exists():
            return None
        entry = json.loads(path.read_text(encoding="utf-8")).get(embedder)
        if entry is None:
            return None
        answer_names = tuple(entry.get("answerability", {}).get("features", ()))
        if tuple(entry["features"]) != FEATURES or answer_names != ANSWER_FEATURES:
            logger.warning("reader weights for %s are for other features; refit them", embedder)
            return None
        return cls.from_json(embedder, entry)


# What answerability is read from, each with the direction it may push (+1 / -1, 0 either
# way): summaries of the best units (the best unit's score, the chance that one of the top
# three answers, whether one of the best units holds everything the question asks, and
# whether the kind of answer asked for is missing from them), then the features of the best
# unit (bounded as the unit scorer bounds them) and of the second best (either way). Reading
# whole rows lets the trees weigh one feature by another (a name held only above the unit,
# an English question's lower lexical scores): out of fold by city, the answerable AUC rose
# from 0.775 (the summaries and ten of the best unit's features) to 0.801 (docs/reader.md).
SUMMARY_SIGNS: dict[str, int] = {
    "best_logit": 1,
    "top3_noisy_or": 1,
    "top5_complete": 1,
    "complete_logit": 1,
    "type_missed": -1,
}
# What kind of question it is (a yes/no question, one asking a typed answer, one naming a
# name) is left out: on its own it says how the training questions were written, not whether
# the pages answer this one (with it, a yes/no question about an association for a partner
# city that no page names was answered from units that hold one of the two, because yes/no
# questions were mostly answerable among the training questions).
QUESTION_KIND = ("type_asked", "hard_type_asked", "yes_no", "has_names")
ROW = tuple(name for name in FEATURES if name not in QUESTION_KIND)
ANSWER_SIGNS: dict[str, int] = {
    **SUMMARY_SIGNS,
    **{f"best_{name}": SIGNS[name] or 0 for name in ROW},
    **{f"second_{name}": 0 for name in ROW},
}
ANSWER_FEATURES = tuple(ANSWER_SIGNS)
# The summaries of a question without any candidate unit (its rows are zeros).
NO_UNITS = {
    "best_logit": float(np.log(1e-6)),
    "complete_logit": float(np.log(1e-6)),
    "type_missed": 1.0,
}
_COLUMN = {name: i for i, name in enumerate(FEATURES)}
_ROW = np.asarray([_COLUMN[name] for name in ROW])


def answer_features(scores: np.ndarray, x: np.ndarray) -> list[float]:
    """The ``ANSWER_FEATURES`` of a question, from its units' scores and features."""
    if not len(scores):
        summary = [NO_UNITS.get(name, 0.0) for name in SUMMARY_SIGNS]
        return summary + [0.0] * (2 * len(ROW))
    order = np.argsort(-scores, kind="stable")
    col = _COLUMN
    row = x[order[0]]
    second = x[order[1]] if len(order) > 1 else np.zeros_like(row)
    asked = row[col["hard_type_asked"]] > 0
    # the kind of answer asked for (all of it), in one of the best units that also holds
    # what the question names (or in the sentence after the best)
    top = x[order[:3]]
    named = np.where(top[:, col["has_names"]] > 0, top[:, col["names_held"]], 1.0)
    fits = max(float((top[:, col["hard_type_fit"]] * named).max()), row[col["next_type_fit"]])
    summary = [
        _logit(float(scores[order[0]])),
        1.0 - float(np.prod(1.0 - scores[order[:3]])),
        float(x[order[:5], col["complete"]].max()),
        _logit(max((float(scores[i]) for i in order[:10] if x[i, col["complete"]] > 0), default=0)),
        float(asked) * (1.0 - fits),
    ]
    return summary + [float(v) for v in row[_ROW]] + [float(v) for v in second[_ROW]]


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def fit_signed_logistic(
    x: np.ndarray,
    y: np.ndarray,
    signs: list[int | None],
    weights: np.ndarray | None = None,
    l2: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Logistic regression on standardised features with each coefficient's sign bounded
    (+1: ≥ 0, -1: ≤ 0, 0: free, None: fixed at 0), by L-BFGS-B. Returns (mean, scale,
    coef, intercept); ``l2`` is the ridge penalty (per example: divided by their count)."""
    from scipy.optimize import minimize

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    w = np.ones(len(y)) if weights is None else weights / weights.mean()
    n = len(y)

    def loss(theta):
        coef, b = theta[:-1], theta[-1]
        t = z @ coef + b
        p = 1 / (1 + np.exp(-t))
        value = np.sum(w * (np.logaddexp(0, t) - y * t)) / n + l2 * coef @ coef / (2 * n)
        grad = np.r_[z.T @ (w * (p - y)) / n + l2 * coef / n, np.sum(w * (p - y)) / n]
        return value, grad

    bounds = [
        (0, 0) if s is None else (0, None) if s > 0 else (None, 0) if s < 0 else (None, None)
        for s in signs
    ] + [(None, None)]
    result = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return mean, scale, result.x[:-1], float(result.x[-1])


def save_entry(embedder: str, entry: dict, path: Path = PATH) -> None:
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[embedder] = entry
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
