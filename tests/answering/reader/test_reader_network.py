"""The unit network: [q⊙u, |q−u|, standardised features] → one hidden layer → a logit, its
weights as data."""

import hashlib

import numpy as np
import pytest

from assistant.answering.reader.network import UnitNetwork, network_inputs, vector_inputs


def _vectors(seed: str, n: int, dim: int = 8) -> np.ndarray:
    rng = np.random.default_rng(int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16))
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_the_input_is_the_product_the_distance_and_the_features_without_its_own():
    q, u = np.array([1.0, -2.0]), np.array([[3.0, 1.0]])
    assert vector_inputs(q, u).tolist() == [[3.0, -2.0, 2.0, 3.0]]
    features = np.array([[5.0, 7.0, 2.0]])
    mean, scale = np.array([1.0, 1.0, 0.0]), np.array([2.0, 1.0, 1.0])
    row = network_inputs(q, u, features, mean, scale, own=2)
    assert row.tolist() == [[3.0, -2.0, 2.0, 3.0, 2.0, 6.0, 0.0]]
    # the shipped network reads the vectors only
    empty = np.zeros(0, dtype=np.float32)
    assert network_inputs(q, u, features, empty, empty, own=2).tolist() == [[3.0, -2.0, 2.0, 3.0]]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_fitted_network_ranks_units_like_its_labels_and_survives_its_json():
    from sklearn.neural_network import MLPClassifier

    mean, scale = np.zeros(2, dtype=np.float32), np.ones(2, dtype=np.float32)

    def rows(q, answer, other):  # the answer also has feature 0 set; column 1 is "own"
        features = np.array([[1.0, 9.0], [0.0, 9.0]], dtype=np.float32)
        return network_inputs(q, np.stack([answer, other]), features, mean, scale, own=1)

    queries, others = _vectors("q", 200), _vectors("u", 200)
    answers = queries + 0.1 * _vectors("noise", 200)
    x = np.concatenate([rows(q, a, u) for q, a, u in zip(queries, answers, others, strict=True)])
    y = np.tile([1, 0], 200)
    model = MLPClassifier(hidden_layer_sizes=(4,), max_iter=300, random_state=0).fit(x, y)
    network = UnitNetwork.from_sklearn(model, mean, scale, own=1)
    q, u = _vectors("q2", 1)[0], _vectors("u2", 1)[0]
    a = q + 0.1 * _vectors("n2", 1)[0]
    features = np.array([[1.0, 3.0], [0.0, -3.0]], dtype=np.float32)
    logits = network.logits(q, np.stack([a, u]), features)
    assert logits[0] > logits[1]
    p = model.predict_proba(rows(q, a, u))
    assert np.allclose(logits, np.log(p[:, 1]) - np.log(p[:, 0]), atol=1e-4)
    again = UnitNetwork.from_json(network.to_json())
    assert again.dim == 8
    assert np.allclose(again.logits(q, np.stack([a, u]), features), logits, atol=0.05)
    assert network.logits(q, np.zeros((0, 8)), np.zeros((0, 2))).shape == (0,)
