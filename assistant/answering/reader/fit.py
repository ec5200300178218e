"""Fitting the reader's weights on the training questions (``benchmarks/fit_reader.py`` runs
this): the training cities' questions over their own pages, and those of split "train"
over the main corpus. No dev, test, fresh or other-city question is read.

Every candidate unit of every training question is an example: its features, and a label
(the unit holds a gold evidence of an answerable question; every unit of an unanswerable one
is 0). A logistic regression is fitted (scikit-learn), its regularisation chosen by
cross-validation grouped by city (a city's questions are never scored by a model that saw
that city). Answerability is a small gradient-boosted model on what the best units show
out of fold, the probability that the answer would be right (the question is answerable and
a unit the answer quotes holds the answer), learned from the questions whose answer the
reader finds and those the pages do not answer. The refusal threshold is chosen on the
out-of-fold probabilities of the written questions (the made-up twins left out), so that it
is calibrated for cities the model has not seen: the one with the fewest wrong outcomes
(right answers refused plus wrong ones given).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.answering.reader.candidates import Candidate
from assistant.answering.reader.features import FEATURES, SIGNS
from assistant.answering.reader.model import (
    ANSWER_FEATURES,
    ANSWER_SIGNS,
    AnswerTrees,
    ReaderModel,
    answer_features,
    fit_signed_logistic,
)
from assistant.evaluation.questions import Question

FOLDS = 5
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
SYNTHETIC_SPLIT = "synthetic"  # made-up unanswerable twins of training questions
TRAIN_SPLIT = "train"
SYNTHETIC_WEIGHT = 0.25
# The staff report's low-confidence answers: below the highest probability under which the
# answers given are wrong at least this often, among at least MIN_BELOW answers.
ERROR_SHARE = 0.5
MIN_BELOW = 3


@dataclass
class Example:
    question: Question
    candidates: list[Candidate]
    labels: np.ndarray
    fold: int = 0
    group: str = ""  # the city whose pages the question is about


@dataclass
class FitReport:
    examples: int = 0
    positives: int = 0
    questions: int = 0
    c: float = 0.0
    cv: dict[str, float] = field(default_factory=dict)
    oof: dict[str, float] = field(default_factory=dict)  # question id → out-of-fold answerable
    # each example's units scored out of fold at the chosen C, in the examples' order
    unit_oof: list[np.ndarray] = field(default_factory=list)
    low_confidence: dict[str, float] = field(default_factory=dict)  # threshold and its counts


def holds_gold(candidate: Candidate, q: Question) -> bool:
    """Does a unit hold one of the question's gold evidences (or lie inside one)?"""
    text = candidate.unit.text
    for g in q.gold:  # (another page holding the same text holds the fact as well)
        evidence = g["evidence"]
        if evidence in text or (len(text) >= 15 and text in evidence):
            return True
    return False


def nonsense_variant(
    q: Question, real_words: Sequence[str] = (), names_only: bool = True
) -> Question:
    """An unanswerable twin of a question. Its question words stay; what it names (its
    capitalised words; all its other words of four letters or more when ``names_only`` is
    false or it names nothing) is replaced, seeded by the word so that every run makes the
    same twin: by a made-up word, or, when ``real_words`` are given, for about every other
    word by one of them (real words of the language that no page uses). The twin asks the
    same kind of thing about something the pages cannot know."""
    from dataclasses import replace

    from assistant.answering.reader.types import cue_words
    from assistant.language.words import fold_words, stopwords

    keep = stopwords() | cue_words()

    def made_up(word: str) -> str:
        digest = hashlib.sha256(word.lower().encode()).digest()
        if real_words and digest[-1] % 2:
            return real_words[int.from_bytes(digest[:4], "little") % len(real_words)]
        consonants, vowels = "bdfgklmnprstvz", "aeiou"
        letters = [
            (consonants if i % 2 == 0 else vowels)[b % (14 if i % 2 == 0 else 5)]
            for i, b in enumerate(digest[: max(4, len(word))])
        ]
        return "".join(letters)

    def swapper(names_only: bool):
        def swap(match: re.Match) -> str:
            word = match.group(0)
            if len(word) < 4 or "".join(fold_words(word)) in keep:
                return word
            if names_only and (match.start() == 0 or not word[:1].isupper()):
                return word
            new = made_up(word)
            return new[:1].upper() + new[1:] if word[:1].isupper() else new

        return swap

    # what the question names (its capitalised words) is swapped; a question without any
    # gets every content word swapped
    text = re.sub(r"[^\W\d_]+", swapper(names_only), q.question)
    if text == q.question:
        text = re.sub(r"[^\W\d_]+", swapper(False), q.question)
    return replace(
        q,
        id=f"{q.id}-{'names' if names_only else 'words'}-swapped",
        question=text,
        answerable=False,
        must_include=[],
        gold=[],
        category="unanswerable",
        split=SYNTHETIC_SPLIT,
    )


def absent_words(lang: str, page_words: set[str], count: int = 2000) -> list[str]:
    """Real words of a language, of middling frequency (``wordfreq``), that no page uses:
    what a question about a thing the pages never mention would name."""
    try:
        from wordfreq import top_n_list
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return []
    from assistant.language.words import fold_words

    words = top_n_list(lang, 20000)[5000:]
    fresh = [w for w in words if len(w) >= 5 and w.isalpha()]
    return [w for w in fresh if "".join(fold_words(w)) not in page_words][:count]


def city_folds(groups: Sequence[str], folds: int = FOLDS) -> dict[str, int]:
    """Each city (group) its fold: the cities in the order of their sha256, dealt round the
    folds, so that every fold holds whole cities and about as many of them."""
    order = sorted(set(groups), key=lambda g: hashlib.sha256(g.encode()).hexdigest())
    return {g: i % folds for i, g in enumerate(order)}


def build_examples(
    questions: Sequence[Question],
    read: Callable[[Question], list[Candidate]],
    group: str = "",
) -> list[Example]:
    """The examples of one city's questions (``group``: the city, whose fold they share)."""
    out = []
    for q in questions:
        candidates = read(q)
        labels = np.asarray(
            [float(q.answerable and holds_gold(c, q)) for c in candidates], dtype=np.float32
        )
        out.append(Example(q, candidates, labels, group=group))
    return out


def assign_folds(examples: Sequence[Example], folds: int = FOLDS) -> None:
    """Every example the fold of its city."""
    by_city = city_folds([e.group for e in examples], folds)
    for e in examples:
        e.fold = by_city[e.group]


def _matrix(examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray]:
    rows = [c.features for e in examples for c in e.candidates]
    x = np.stack(rows) if rows else np.zeros((0, len(FEATURES)), dtype=np.float32)
    y = np.concatenate([e.labels for e in examples]) if examples else np.zeros(0)
    return x, y


def _fit_units(x: np.ndarray, y: np.ndarray, c: float):
    signs = [SIGNS[name] for name in FEATURES]
    return fit_signed_logistic(x, y, signs, l2=1.0 / c)


def _scores(x, mean, scale, coef, intercept) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(((x - mean) / scale) @ coef + intercept)))


def _top1(examples: Sequence[Example], scores: Sequence[np.ndarray]) -> float:
    answerable = [(e, s) for e, s in zip(examples, scores, strict=True) if e.question.answerable]
    hits = sum(bool(len(s) and e.labels[int(np.argmax(s))] > 0) for e, s in answerable)
    return hits / max(1, len(answerable))


def _out_of_fold(examples: Sequence[Example], c: float) -> list[np.ndarray]:
    scores: list[np.ndarray] = [np.zeros(0)] * len(examples)
    for k in sorted({e.fold for e in examples}):
        train = [e for e in examples if e.fold != k]
        x, y = _matrix(train)
        params = _fit_units(x, y, c)
        for i, e in enumerate(examples):
            if e.fold == k and e.candidates:
                scores[i] = _scores(np.stack([c_.features for c_ in e.candidates]), *params)
    return scores


def _fit_answerability(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None
) -> AnswerTrees:
    """The answerability model: gradient-boosted trees, each feature's effect bounded to its
    direction (``ANSWER_SIGNS``), small and regularised for a few hundred questions."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        max_depth=3,
        max_iter=150,
        learning_rate=0.05,
        min_samples_leaf=20,
        l2_regularization=1.0,
        monotonic_cst=[ANSWER_SIGNS[name] for name in ANSWER_FEATURES],
        random_state=0,
    )
    return AnswerTrees.from_sklearn(model.fit(x, y.astype(int), sample_weight=weights))


def choose_threshold(p: np.ndarray, answerable: np.ndarray) -> tuple[float, dict[str, float]]:
    """The refusal threshold on out-of-fold probabilities that an answer is right
    (``answerable``: the answer would be right): the one with the fewest wrong outcomes,
    right answers refused plus wrong ones given (the lowest of equals). Out of fold by city
    these are the errors on cities the model has not seen. Youden's J (the refused share
    minus the falsely refused share), which weighs both errors' rates alike, was used
    before: its optimum is flat, it moved from 0.656 to 0.726 between two fits of one
    reader, and it refused a quarter of the answerable questions (docs/reader.md)."""
    pos, neg = p[answerable], p[~answerable]

    def rates(t: float) -> tuple[float, float]:
        refusal = float((neg < t).mean()) if len(neg) else 1.0
        false = float((pos < t).mean()) if len(pos) else 0.0
        return refusal, false

    def errors(t: float) -> int:
        return int((pos < t).sum() + (neg >= t).sum())

    candidates = sorted(set(np.round(p, 4)) | {0.0})
    best = min(candidates, key=lambda t: (errors(t), t))
    refusal, false = rates(best)
    return float(best), {"refusal": refusal, "false_refusal": false}


def low_confidence_threshold(
    p: np.ndarray, right: np.ndarray, threshold: float
) -> tuple[float, dict[str, int]]:
    """The probability below which an answer given (``p`` at or above the refusal
    ``threshold``) is flagged as low-confidence: the highest one below which the answers are
    wrong at least ``ERROR_SHARE`` of the time (among at least ``MIN_BELOW``); else the refusal
    threshold itself (no answer is flagged)."""
    answered = p >= threshold
    conf, ok = p[answered], right[answered]
    best = threshold
    for cut in sorted(set(np.round(conf, 4))):
        below = conf < cut
        if below.sum() >= MIN_BELOW and (~ok[below]).mean() >= ERROR_SHARE:
            best = max(best, float(cut))
    flagged = conf < best
    counts = {
        "answered": int(answered.sum()),
        "answered_wrong": int((~ok).sum()),
        "flagged": int(flagged.sum()),
        "flagged_wrong": int((flagged & ~ok).sum()),
    }
    return float(best), counts


def fit(
    examples: Sequence[Example], embedder: str, units: ReaderModel | None = None
) -> tuple[ReaderModel, FitReport]:
    """Weights for ``embedder`` from the examples, with cross-validated figures. With
    ``units``, its unit scorer is kept (the units an answer quotes stay those it ranks) and
    only answerability and the threshold are fitted, on its scores: those are in sample for
    the cities it was fitted on, while answerability and the threshold stay out of fold."""
    from sklearn.metrics import roc_auc_score

    report = FitReport(questions=len(examples))
    x, y = _matrix(examples)
    report.examples, report.positives = len(y), int(y.sum())
    if units is None:
        by_c = {c: _out_of_fold(examples, c) for c in C_GRID}
        c_best = max(C_GRID, key=lambda c: (_top1(examples, by_c[c]), -abs(np.log10(c))))
        oof = by_c[c_best]
    else:
        c_best = 0.0
        oof = [
            units.unit_scores(np.stack([c.features for c in e.candidates]))
            if e.candidates
            else np.zeros(0)
            for e in examples
        ]
    report.c = c_best
    report.unit_oof = oof
    flat = np.concatenate([s for s in oof if len(s)])
    report.cv["unit_auc"] = float(roc_auc_score(y, flat)) if 0 < y.sum() < len(y) else 0.0
    report.cv["top1_answerable"] = _top1(examples, oof)
    # answerability: what the best units show out of fold → would the answer be right
    feats = np.asarray(
        [
            answer_features(s, np.stack([c.features for c in e.candidates]))
            if e.candidates
            else answer_features(np.zeros(0), np.zeros((0, len(FEATURES))))
            for e, s in zip(examples, oof, strict=True)
        ]
    )
    answerable = np.asarray([e.question.answerable for e in examples])
    # answered with a gold unit first: what the eval's answer pass needs of the reader
    top_ok = np.asarray(
        [
            bool(len(sc) and e.labels[int(np.argmax(sc))] > 0)
            for e, sc in zip(examples, oof, strict=True)
        ]
    )
    # one of the three best units (an answer quotes the best and at most two more) holds it
    quoted_ok = np.asarray(
        [
            bool(len(sc) and (e.labels[np.argsort(-sc, kind="stable")[:3]] > 0).any())
            for e, sc in zip(examples, oof, strict=True)
        ]
    )
    # What answerability learns: whether an answer would be right, the question answerable
    # and one of the units its answer quotes holding the answer
    target = answerable & quoted_ok
    folds = np.asarray([e.fold for e in examples])
    # Answerability learns from the training questions and the made-up twins, which teach
    # what a question about nothing known looks like; they weigh less, so that they do not
    # drown the written questions' own near misses. The threshold is chosen on the written
    # questions, out of fold: for cities the model has not seen.
    splits = np.asarray([e.question.split for e in examples])
    # An answerable question whose answer the reader does not find among the units it
    # would quote fails whether it is answered or refused: it teaches neither outcome and
    # is left out, so that answerability tells a found answer from a question the pages do
    # not answer (learning it as "answerable" taught that a weak best unit is answerable
    # about half the time; learning it as "not right" refused English questions whose
    # answers were found).
    learn = ~(answerable & ~quoted_ok)
    weight = np.where(splits == SYNTHETIC_SPLIT, SYNTHETIC_WEIGHT, 1.0)
    p_oof = np.zeros(len(examples))
    for k in sorted(set(folds)):
        train = (folds != k) & learn
        trees = _fit_answerability(feats[train], target[train], weight[train])
        p_oof[folds == k] = [trees.probability(row) for row in feats[folds == k]]
    written = splits != SYNTHETIC_SPLIT
    report.cv["answerable_auc"] = float(roc_auc_score(answerable[written], p_oof[written]))
    report.cv["right_auc"] = float(roc_auc_score(target[written], p_oof[written]))
    decided = written & learn
    threshold, _ = choose_threshold(p_oof[decided], target[decided])
    rates = {
        "refusal": float((p_oof[written & ~answerable] < threshold).mean()),
        "false_refusal": float((p_oof[written & answerable] < threshold).mean()),
    }
    report.oof = {e.question.id: float(p) for e, p in zip(examples, p_oof, strict=True)}
    report.cv.update({f"cv_{k}": v for k, v in rates.items()})
    asked = written & answerable
    report.cv["pass"] = float((top_ok & (p_oof >= threshold))[asked].mean()) if asked.any() else 0.0
    # the staff report's low-confidence flag, from the same out-of-fold answers
    low, counts = low_confidence_threshold(p_oof[written], target[written], threshold)
    report.low_confidence = {"threshold": round(low, 4), **counts}
    report.cv.update({f"written_{k}": v for k, v in rates.items()})
    answer_trees = _fit_answerability(feats[learn], target[learn], weight[learn])
    if units is None:
        mean, scale, coef, intercept = _fit_units(x, y, c_best)
    else:
        mean, scale, coef, intercept = units.mean, units.scale, units.coef, units.intercept
    model = ReaderModel(
        embedder,
        FEATURES,
        mean.astype(np.float32),
        scale.astype(np.float32),
        coef.astype(np.float32),
        intercept,
        answer_trees,
        threshold,
    )
    return model, report
