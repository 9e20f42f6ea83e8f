"""Comparing cities' strategies: goal coverage with uncertainty, distinctive themes, similarity.

Inputs are plain labels per statement, so this module knows nothing about how
statements were classified or clustered.

- Coverage: share of a city's statements assigned to each goal, with a 95%
  Wilson interval (statements treated as independent: with few documents per
  city the real uncertainty is larger; the report says so).
- Distinctive themes: weighted log-odds ratio with an informative Dirichlet
  prior (Monroe, Colaresi & Quinn 2008), as a z-score per city and theme.
- Similarity: cosine between cities' goal (or theme) profiles, with a
  bootstrap interval from resampling each city's statements.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval for k successes in n trials (0, 0 when n == 0).

    >>> tuple(round(x, 3) for x in wilson(5, 20))
    (0.112, 0.469)
    """
    if n == 0:
        return 0.0, 0.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class CoverageCell:
    city: str
    label: str
    count: int
    total: int
    share: float
    low: float
    high: float


def coverage(labels_by_city: dict[str, Sequence[str | None]], label_order: Sequence[str]) -> list[CoverageCell]:
    """Share of each city's statements per label (None = unassigned, counted in the total)."""
    cells = []
    for city, labels in labels_by_city.items():
        n = len(labels)
        counts = Counter(x for x in labels if x is not None)
        for lab in label_order:
            k = counts.get(lab, 0)
            lo, hi = wilson(k, n)
            cells.append(CoverageCell(city, lab, k, n, k / n if n else 0.0, lo, hi))
    return cells


@dataclass(frozen=True)
class Distinctive:
    city: str
    label: str
    count: int
    z: float


def distinctive(labels_by_city: dict[str, Sequence[str | None]], alpha0: float = 10.0) -> list[Distinctive]:
    """Weighted log-odds (informative Dirichlet prior) of each label in a city vs all other cities."""
    all_counts = Counter(x for labels in labels_by_city.values() for x in labels if x is not None)
    total = sum(all_counts.values())
    if total == 0:
        return []
    prior = {k: alpha0 * v / total for k, v in all_counts.items()}
    out = []
    for city, labels in labels_by_city.items():
        own = Counter(x for x in labels if x is not None)
        rest = all_counts - own
        n_i, n_j = sum(own.values()), sum(rest.values())
        for lab, a in prior.items():
            yi, yj = own.get(lab, 0), rest.get(lab, 0)
            li = math.log((yi + a) / (n_i + alpha0 - yi - a))
            lj = math.log((yj + a) / (n_j + alpha0 - yj - a))
            var = 1 / (yi + a) + 1 / (yj + a)
            out.append(Distinctive(city, lab, yi, (li - lj) / math.sqrt(var)))
    return sorted(out, key=lambda d: (d.city, -d.z))


def profile(labels: Sequence[str | None], label_order: Sequence[str]) -> np.ndarray:
    index = {lab: i for i, lab in enumerate(label_order)}
    v = np.zeros(len(label_order))
    for x in labels:
        if x is not None and x in index:
            v[index[x]] += 1
    return v


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na and nb else 0.0


@dataclass(frozen=True)
class Similarity:
    a: str
    b: str
    cosine: float
    low: float
    high: float


def similarity(labels_by_city: dict[str, Sequence[str | None]], label_order: Sequence[str],
               n_boot: int = 500, seed: int = 0) -> list[Similarity]:
    """Cosine similarity of cities' label profiles with a 95% bootstrap interval."""
    rng = np.random.default_rng(seed)
    cities = sorted(labels_by_city)
    idx = {lab: i for i, lab in enumerate(label_order)}
    coded = {c: np.array([idx[x] for x in labels_by_city[c] if x is not None and x in idx], dtype=int)
             for c in cities}
    profiles = {c: np.bincount(coded[c], minlength=len(label_order)).astype(float) for c in cities}
    out = []
    for i, a in enumerate(cities):
        for b in cities[i + 1:]:
            point = _cos(profiles[a], profiles[b])
            boots = []
            if len(coded[a]) and len(coded[b]):
                for _ in range(n_boot):
                    ra = np.bincount(rng.choice(coded[a], len(coded[a])), minlength=len(label_order))
                    rb = np.bincount(rng.choice(coded[b], len(coded[b])), minlength=len(label_order))
                    boots.append(_cos(ra.astype(float), rb.astype(float)))
            lo, hi = (float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))) if boots else (0.0, 0.0)
            out.append(Similarity(a, b, point, lo, hi))
    return out
