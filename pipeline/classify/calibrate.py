"""A conditional logit over (statement, class) features, temperature scaling and calibration error.

The conditional logit scores every class with one shared weight vector, ``s_c = w . f_c``, and
takes a softmax over the classes present for that statement. Shared weights let a class with two
prototypes be scored as well as one with twenty, and let new classes (human-added nodes) work
without retraining per class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize, minimize_scalar


def masked_softmax(scores: np.ndarray, present: np.ndarray) -> np.ndarray:
    s = np.where(present, scores, -np.inf)
    m = np.max(s, axis=1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.where(present, np.exp(s - m), 0.0)
    z = e.sum(1, keepdims=True)
    return np.divide(e, z, out=np.zeros_like(e), where=z > 0)


@dataclass
class ConditionalLogit:
    """Multinomial logit with shared weights; ``l2`` penalises weights of standardised features."""

    l2: float = 1e-2
    mean_: np.ndarray | None = None
    scale_: np.ndarray | None = None
    coef_: np.ndarray | None = None

    def fit(self, F: np.ndarray, present: np.ndarray, y: np.ndarray,
            sample_weight: np.ndarray | None = None) -> ConditionalLogit:
        keep = present[np.arange(len(y)), y]
        F, present, y = F[keep], present[keep], y[keep]
        if sample_weight is None:
            sw = np.ones(len(y))
        else:
            sw = np.asarray(sample_weight, dtype=np.float64)[keep]
        flat = F[present]
        self.mean_ = flat.mean(0)
        sd = flat.std(0)
        self.scale_ = np.where(sd > 1e-9, sd, 1.0)
        X = (F - self.mean_) / self.scale_
        X = np.where(present[:, :, None], X, 0.0)
        n, _, f = X.shape
        rows = np.arange(n)
        total = sw.sum()

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            s = X @ w
            p = masked_softmax(s, present)
            lse = np.log(np.maximum(np.where(present, np.exp(s - s.max(1, keepdims=True)), 0).sum(1), 1e-300)) \
                + s.max(1)
            nll = (sw * (lse - s[rows, y])).sum() / total
            grad = (np.einsum("n,nc,ncf->f", sw, p, X) - (sw[:, None] * X[rows, y]).sum(0)) / total
            return nll + self.l2 * w @ w, grad + 2 * self.l2 * w

        res = minimize(loss, np.zeros(f), jac=True, method="L-BFGS-B")
        self.coef_ = res.x
        return self

    def decision_function(self, F: np.ndarray, present: np.ndarray) -> np.ndarray:
        if self.coef_ is None:
            raise RuntimeError("ConditionalLogit is not fitted; call fit first.")
        X = np.where(present[:, :, None], (F - self.mean_) / self.scale_, 0.0)
        return np.where(present, X @ self.coef_, -np.inf)

    def to_dict(self) -> dict[str, list[float] | float]:
        return {"l2": self.l2, "mean": self.mean_.tolist(), "scale": self.scale_.tolist(),
                "coef": self.coef_.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> ConditionalLogit:
        return cls(l2=float(d["l2"]), mean_=np.asarray(d["mean"]), scale_=np.asarray(d["scale"]),
                   coef_=np.asarray(d["coef"]))


def fit_temperature(scores: np.ndarray, present: np.ndarray, y: np.ndarray) -> float:
    """The T > 0 minimising the log loss of softmax(scores / T) (out-of-fold scores)."""
    keep = present[np.arange(len(y)), y]
    scores, present, y = scores[keep], present[keep], y[keep]
    if not len(y):
        return 1.0
    rows = np.arange(len(y))
    finite = np.where(present, scores, 0.0)

    def nll(log_t: float) -> float:
        p = masked_softmax(finite / np.exp(log_t), present)
        return float(-np.log(np.maximum(p[rows, y], 1e-12)).mean())

    res = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(res.x))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 15) -> float:
    """ECE with equal-width bins over [0, 1]: sum over bins of |accuracy - mean confidence| x share."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if not len(confidence):
        return float("nan")
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        sel = bins == b
        if sel.any():
            ece += sel.mean() * abs(correct[sel].mean() - confidence[sel].mean())
    return float(ece)
