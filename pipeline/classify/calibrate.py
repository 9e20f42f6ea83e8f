"""Softmax over present classes, temperature scaling and expected calibration error."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar


def masked_softmax(scores: np.ndarray, present: np.ndarray) -> np.ndarray:
    s = np.where(present, scores, -np.inf)
    m = np.max(s, axis=1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.where(present, np.exp(s - m), 0.0)
    z = e.sum(1, keepdims=True)
    return np.divide(e, z, out=np.zeros_like(e), where=z > 0)


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
