"""Does a unit state what the question asks? A small network over the two vectors.

The cosine of a question's and a unit's vectors says that they are about the same thing, not
that the unit answers the question. A network with one hidden layer over their elementwise
product and absolute difference ([q⊙u, |q−u|]) learns which dimensions of that agreement
matter for answering. It is fitted on the training cities' (question, unit) pairs, each unit
labelled by whether it holds the question's evidence (``fit.fit_network``); its logit is one
more feature of the signed unit scorer and of answerability. It needs only the vectors the
index already stores: one small matrix product per question.

The network may also read the reader's other features (standardised) beside the vectors
(``benchmarks/fit_reader.py --network-features``); measured, that chose units a little better
for cities it had not seen but told answerable questions apart a little worse
(``docs/reader.md``), so the shipped network reads the vectors only.

The weights are data, kept with the reader's entry for the embedder (float16, base64).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np


def vector_inputs(query: np.ndarray, units: np.ndarray) -> np.ndarray:
    """[q⊙u, |q−u|] of each unit."""
    q = np.asarray(query, dtype=np.float32)[None, :]
    u = np.asarray(units, dtype=np.float32)
    return np.concatenate([u * q, np.abs(u - q)], axis=1)


@dataclass(frozen=True)
class UnitNetwork:
    """[q⊙u, |q−u|] (and, when ``feature_mean`` is not empty, the standardised features but
    column ``own``, the network's own logit) → ReLU hidden layer → one logit."""

    hidden_weights: np.ndarray  # (2·dim + features, hidden)
    hidden_bias: np.ndarray  # (hidden,)
    out_weights: np.ndarray  # (hidden,)
    out_bias: float
    feature_mean: np.ndarray  # (features,)
    feature_scale: np.ndarray  # (features,)
    own: int  # the column of the features that holds this network's logit

    @property
    def dim(self) -> int:
        return (self.hidden_weights.shape[0] - len(self.feature_mean)) // 2

    def inputs(self, query: np.ndarray, units: np.ndarray, features: np.ndarray) -> np.ndarray:
        return network_inputs(
            query, units, features, self.feature_mean, self.feature_scale, self.own
        )

    def logits(self, query: np.ndarray, units: np.ndarray, features: np.ndarray) -> np.ndarray:
        """The log-odds that each unit answers the question."""
        if not len(units):
            return np.zeros(0, dtype=np.float32)
        x = self.inputs(query, units, features)
        hidden = np.maximum(x @ self.hidden_weights + self.hidden_bias, 0)
        return hidden @ self.out_weights + self.out_bias

    @classmethod
    def from_sklearn(cls, model, mean: np.ndarray, scale: np.ndarray, own: int) -> UnitNetwork:
        """The weights of a fitted ``MLPClassifier`` with one hidden ReLU layer."""
        (w1, w2), (b1, b2) = model.coefs_, model.intercepts_
        return cls(
            w1.astype(np.float32),
            b1.astype(np.float32),
            w2[:, 0].astype(np.float32),
            float(b2[0]),
            np.asarray(mean, dtype=np.float32),
            np.asarray(scale, dtype=np.float32),
            own,
        )

    def to_json(self) -> dict:
        return {
            "inputs": int(self.hidden_weights.shape[0]),
            "hidden": int(self.hidden_bias.shape[0]),
            "hidden_weights": _encode(self.hidden_weights),
            "hidden_bias": _encode(self.hidden_bias),
            "out_weights": _encode(self.out_weights),
            "out_bias": round(self.out_bias, 6),
            "feature_mean": [round(float(v), 6) for v in self.feature_mean],
            "feature_scale": [round(float(v), 6) for v in self.feature_scale],
            "own": self.own,
        }

    @classmethod
    def from_json(cls, data: dict) -> UnitNetwork:
        inputs, hidden = int(data["inputs"]), int(data["hidden"])
        return cls(
            _decode(data["hidden_weights"]).reshape(inputs, hidden),
            _decode(data["hidden_bias"]),
            _decode(data["out_weights"]),
            float(data["out_bias"]),
            np.asarray(data["feature_mean"], dtype=np.float32),
            np.asarray(data["feature_scale"], dtype=np.float32),
            int(data["own"]),
        )


def network_inputs(
    query: np.ndarray,
    units: np.ndarray,
    features: np.ndarray,
    mean: np.ndarray,
    scale: np.ndarray,
    own: int,
) -> np.ndarray:
    """The network's input rows: the vectors' interaction, and the standardised features
    with the network's own column zeroed (none when ``mean`` is empty)."""
    if not len(mean):
        return vector_inputs(query, units)
    z = (np.asarray(features, dtype=np.float32) - mean) / scale
    z[:, own] = 0.0
    return np.concatenate([vector_inputs(query, units), z], axis=1).astype(np.float32)


def _encode(array: np.ndarray) -> str:
    return base64.b64encode(np.asarray(array, dtype="<f2").tobytes()).decode("ascii")


def _decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float32)
