"""Similarity features of (statement, class) pairs for the taxonomy classifier.

Two views of a statement are compared with every prototype (a labelled text):
meaning (sentence-embedding cosine) and wording (character n-gram TF-IDF cosine,
``char_wb`` 2-5). For each class of a level (macro-problem, goal, general policy)
the similarities to that class's prototypes are summarised (max, mean of the top
3, mean, nearest-neighbour votes), each also z-scored across the classes of the
same statement, so English queries (no shared characters) and Persian queries
sit on one scale. ``mask`` hides prototypes a statement may not see (its own
row while fitting), which is how training features are made out-of-group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VIEWS = ("embed", "char", "both")
STATS = ("max", "top3", "mean", "knn")


@dataclass(frozen=True)
class Membership:
    """Which prototypes (columns) belong to each class of one level."""

    classes: tuple[str, ...]
    columns: tuple[np.ndarray, ...]  # int index arrays into the prototype bank

    @property
    def n_classes(self) -> int:
        return len(self.classes)


def zscore_rows(s: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Each row centred and scaled over its valid entries (constant rows -> 0)."""
    s = np.asarray(s, dtype=np.float64)
    if valid is None:
        valid = np.isfinite(s)
    w = valid.astype(np.float64)
    n = np.maximum(w.sum(1, keepdims=True), 1.0)
    x = np.where(valid, s, 0.0)
    mu = x.sum(1, keepdims=True) / n
    var = (np.where(valid, (x - mu) ** 2, 0.0)).sum(1, keepdims=True) / n
    sd = np.sqrt(var)
    z = np.divide(x - mu, sd, out=np.zeros_like(x), where=sd > 1e-9)
    return np.where(valid, z, 0.0)


def combined_similarity(s_embed: np.ndarray | None, s_char: np.ndarray | None,
                        valid: np.ndarray, char_weight: float = 1.0) -> np.ndarray:
    """Sum of row-z-scored similarities (invalid entries -> -inf)."""
    parts = []
    if s_embed is not None:
        parts.append(zscore_rows(s_embed, valid))
    if s_char is not None:
        parts.append(char_weight * zscore_rows(s_char, valid))
    z = parts[0] if len(parts) == 1 else parts[0] + parts[1]
    return np.where(valid, z, -np.inf)


def class_stats(s: np.ndarray, valid: np.ndarray, members: Membership, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, C, 4) stats [max, top-3 mean, mean, kNN vote share] and (n, C) "class has a visible prototype"."""
    n = s.shape[0]
    C = members.n_classes
    out = np.zeros((n, C, 4))
    present = np.zeros((n, C), dtype=bool)
    masked = np.where(valid, s, -np.inf)
    # kNN over every prototype of the level
    level_cols = np.unique(np.concatenate([c for c in members.columns if len(c)] or [np.zeros(0, int)]))
    col_class: dict[int, list[int]] = {}
    for ci, cols in enumerate(members.columns):
        for j in cols:
            col_class.setdefault(int(j), []).append(ci)
    if len(level_cols):
        sub = masked[:, level_cols]
        kk = min(k, sub.shape[1])
        nn = np.argpartition(-sub, kk - 1, axis=1)[:, :kk]
        votes = np.zeros((n, C))
        for i in range(n):
            for j in nn[i]:
                if np.isfinite(sub[i, j]):
                    for ci in col_class[int(level_cols[j])]:
                        votes[i, ci] += 1.0
        out[:, :, 3] = votes / max(kk, 1)
    for ci, cols in enumerate(members.columns):
        if not len(cols):
            continue
        block = masked[:, cols]
        ok = np.isfinite(block)
        cnt = ok.sum(1)
        present[:, ci] = cnt > 0
        srt = -np.sort(-block, axis=1)  # descending, -inf last
        top = srt[:, :3]
        top_ok = np.isfinite(top)
        out[:, ci, 0] = np.where(cnt > 0, srt[:, 0], 0.0)
        out[:, ci, 1] = np.where(top_ok.any(1), np.where(top_ok, top, 0.0).sum(1) / np.maximum(top_ok.sum(1), 1), 0.0)
        out[:, ci, 2] = np.where(cnt > 0, np.where(ok, block, 0.0).sum(1) / np.maximum(cnt, 1), 0.0)
    out[~present] = 0.0
    return out, present


def level_features(sims: dict[str, np.ndarray], valid: np.ndarray, members: Membership, k: int,
                   views: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Features (n, C, f), presence (n, C) and feature names for one level.

    ``sims`` maps view name ("embed", "char", "both") to an (n, m) similarity matrix.
    For every view and stat there is the raw value and its z-score across present classes.
    """
    feats, names = [], []
    present = None
    for view in views:
        st, pres = class_stats(sims[view], valid, members, k)
        present = pres if present is None else present
        for si, stat in enumerate(STATS):
            raw = st[:, :, si]
            feats.append(raw)
            names.append(f"{view}_{stat}")
            feats.append(zscore_rows(raw, pres))
            names.append(f"{view}_{stat}_z")
    assert present is not None
    return np.stack(feats, axis=2), present, names
