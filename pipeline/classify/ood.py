"""Out-of-domain reference texts and the "is this about the taxonomy at all?" detector.

The bundled file ``models/classify/ood_sentences.tsv`` holds 200 generic Persian sentences
(UD Persian PerDT and Seraji dev splits, CC BY-SA 4.0, sentences mentioning city, diplomacy,
policy, culture, economy, tourism, cooperation, development, management, government, investment
or trade left out), 20 lines of news-site boilerplate (comment boxes, footers) and 40 generic
English sentences. In-domain examples are the taxonomy's own texts, each compared with the bank
without its own row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

OOD_PATH = Path(__file__).resolve().parents[2] / "models" / "classify" / "ood_sentences.tsv"
OOD_FEATURES = ("embed_max", "embed_top5", "char_max", "char_top5")


def load_ood_texts(path: str | Path | None = None) -> list[str]:
    """Texts of the out-of-domain file (TSV with columns lang, source, text)."""
    p = Path(path) if path is not None else OOD_PATH
    if not p.exists():
        raise FileNotFoundError(f"Out-of-domain sentences not found at {p}; pass ood=None to the classifier "
                                f"to abstain on the similarity floor alone, or restore {OOD_PATH}.")
    with open(p, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or "text" not in rows[0]:
        raise ValueError(f"{p} must be a TSV file with a header line 'lang<TAB>source<TAB>text'.")
    return [r["text"] for r in rows if r.get("text")]


def ood_features(s_embed: np.ndarray | None, s_char: np.ndarray | None, valid: np.ndarray) -> np.ndarray:
    """(n, 4): max and mean of the top 5 similarities to the bank, per view (0 for a missing view)."""
    cols = []
    for s in (s_embed, s_char):
        if s is None:
            cols += [np.zeros(valid.shape[0])] * 2
            continue
        m = np.where(valid, s, -np.inf)
        top = -np.sort(-m, axis=1)[:, :5]
        ok = np.isfinite(top)
        cols.append(np.where(ok[:, 0], top[:, 0], 0.0))
        cols.append(np.where(ok, top, 0.0).sum(1) / np.maximum(ok.sum(1), 1))
    return np.stack(cols, axis=1)


@dataclass
class DomainDetector:
    """Logistic regression of in-domain (1) vs out-of-domain (0) on :data:`OOD_FEATURES`."""

    coef_: np.ndarray | None = None
    intercept_: float = 0.0

    def fit(self, X_in: np.ndarray, X_out: np.ndarray) -> DomainDetector:
        from sklearn.linear_model import LogisticRegression

        X = np.vstack([X_in, X_out])
        y = np.r_[np.ones(len(X_in)), np.zeros(len(X_out))]
        lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(X, y)
        self.coef_ = lr.coef_[0].astype(np.float64)
        self.intercept_ = float(lr.intercept_[0])
        return self

    def proba(self, X: np.ndarray) -> np.ndarray:
        if self.coef_ is None:
            return np.ones(len(X))
        z = X @ self.coef_ + self.intercept_
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return {"coef": None if self.coef_ is None else self.coef_.tolist(), "intercept": self.intercept_,
                "features": list(OOD_FEATURES)}

    @classmethod
    def from_dict(cls, d: dict) -> DomainDetector:
        coef = d.get("coef")
        return cls(None if coef is None else np.asarray(coef, dtype=np.float64), float(d.get("intercept", 0.0)))
