"""The scorer's fitting: signs held, trees exported exactly, the threshold with the fewest
wrong outcomes, made-up twins of questions."""

import json

import numpy as np

from assistant.answering.reader.fit import (
    choose_threshold,
    low_confidence_threshold,
    nonsense_variant,
)
from assistant.answering.reader.model import AnswerTrees, ReaderModel, fit_signed_logistic
from assistant.evaluation.questions import Question


def test_signed_logistic_keeps_each_coefficient_in_its_direction():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] - x[:, 1] + 0.3 * rng.normal(size=400) > 0).astype(float)
    _, _, coef, _ = fit_signed_logistic(x, y, [1, 1, None])
    assert coef[0] > 0 and coef[1] == 0 and coef[2] == 0  # x1 pulls down: bounded at 0
    _, _, coef, _ = fit_signed_logistic(x, y, [1, -1, 0])
    assert coef[0] > 0 and coef[1] < 0


def test_trees_are_exported_exactly():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(1)
    x = np.round(rng.normal(size=(300, 4)), 1)  # repeated values: thresholds hit them
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    model = HistGradientBoostingClassifier(max_depth=3, max_iter=30).fit(x, y)
    trees = AnswerTrees.from_json(json.loads(json.dumps(AnswerTrees.from_sklearn(model).to_json())))
    expected = model.predict_proba(x)[:, 1]
    assert np.allclose([trees.probability(row) for row in x], expected)


def test_the_threshold_makes_the_fewest_wrong_outcomes():
    rng = np.random.default_rng(2)
    p = np.r_[rng.uniform(0.3, 1, 100), rng.uniform(0, 0.6, 40)]
    answerable = np.r_[np.ones(100, bool), np.zeros(40, bool)]
    t, rates = choose_threshold(p, answerable)
    assert rates["refusal"] == (p[~answerable] < t).mean() > 0.4
    assert rates["false_refusal"] == (p[answerable] < t).mean()

    def errors(u):  # answerable refused plus unanswerable answered
        return (p[answerable] < u).sum() + (p[~answerable] >= u).sum()

    assert all(errors(t) <= errors(u) for u in np.linspace(0, 1, 201))  # none does better
    assert all(errors(u) > errors(t) for u in np.round(p, 4) if u < t)  # the lowest of equals


def test_low_confidence_is_the_highest_cut_under_which_half_the_answers_are_wrong():
    p = np.array([0.2, 0.55, 0.56, 0.57, 0.6, 0.7, 0.8, 0.9, 0.95])
    right = np.array([False, False, False, True, False, True, True, True, True])
    low, counts = low_confidence_threshold(p, right, threshold=0.5)
    assert low == 0.9  # below 0.9: 3 of 6 answers wrong; below 0.95: 3 of 7
    assert counts == {"answered": 8, "answered_wrong": 3, "flagged": 6, "flagged_wrong": 3}
    low, counts = low_confidence_threshold(p, np.ones(len(p), bool), threshold=0.5)
    assert low == 0.5 and counts["flagged"] == 0  # all right: nothing is flagged


def test_a_made_up_twin_keeps_the_question_words_and_is_unanswerable():
    q = Question(
        "q1",
        "q1",
        "de",
        "Wer ist für die Partnerstadt Bursa zuständig?",
        True,
        [["Seel"]],
        [{"doc": "d", "evidence": "x"}],
        "contact",
        "dev",
    )
    twin = nonsense_variant(q)
    assert twin.question.startswith("Wer ist für die ") and twin.question.endswith(" zuständig?")
    assert "Bursa" not in twin.question and not twin.answerable and twin.split == "synthetic"
    assert nonsense_variant(q).question == twin.question  # the same every run


def test_weights_for_other_features_are_not_used(tmp_path):
    path = tmp_path / "reader.json"
    path.write_text(json.dumps({"fake:8": {"features": ["old"], "answerability": {}}}))
    assert ReaderModel.load("fake:8", path) is None
    assert ReaderModel.load("other", path) is None


def _synthetic_examples(seed: int = 5):
    from assistant.answering.reader.candidates import Candidate
    from assistant.answering.reader.features import FEATURES
    from assistant.answering.reader.fit import Example, assign_folds

    rng = np.random.default_rng(seed)
    examples = []
    for city in range(10):
        for i in range(12):
            answerable = i % 4 != 0
            labels = np.zeros(6)
            if answerable:
                labels[rng.integers(6)] = 1
            x = rng.normal(size=(6, len(FEATURES))) + labels[:, None] * 1.5
            q = Question(
                f"c{city}-{i}", "", "de", f"Frage {i}", answerable, [], [], "fact", "train"
            )
            candidates = [Candidate(None, None, frozenset(), features=row) for row in x]
            examples.append(Example(q, candidates, labels, group=f"city-{city}"))
    assign_folds(examples)
    return examples


def test_the_fit_reports_the_units_out_of_fold_scores_of_its_chosen_c():
    from assistant.answering.reader.fit import _out_of_fold, fit

    examples = _synthetic_examples()
    _, report = fit(examples, "fake:test")
    assert len(report.unit_oof) == len(examples)
    expected = _out_of_fold(examples, report.c)
    assert all(np.allclose(a, b) for a, b in zip(report.unit_oof, expected, strict=True))
    assert set(report.oof) == {e.question.id for e in examples}


def test_a_fit_that_keeps_the_unit_scorer_fits_only_answerability():
    from assistant.answering.reader.fit import fit

    examples = _synthetic_examples()
    first, _ = fit(examples, "fake:test")
    others = _synthetic_examples(seed=6)
    kept, report = fit(others, "fake:test", units=first)
    for name in ("mean", "scale", "coef"):
        assert np.array_equal(getattr(kept, name), getattr(first, name))
    assert kept.intercept == first.intercept
    # answerability learns from the kept scorer's scores of the new examples
    for e, scores in zip(others, report.unit_oof, strict=True):
        assert np.allclose(scores, first.unit_scores(np.stack([c.features for c in e.candidates])))
    assert kept.answer.to_json() != first.answer.to_json()
    assert 0.0 <= kept.threshold <= 1.0
