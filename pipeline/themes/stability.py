"""How much themes depend on the random seed: adjusted Rand index of assignments across seeds.

With a fixed seed a run is reproducible; this measures what a different seed
would have changed (BERTopic users report runs that differ).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import combinations
from typing import Any

import numpy as np

from pipeline.themes.discover import ThemeConfig, discover_themes
from pipeline.themes.model import OUTLIER, SeedGoal


def stability(
    statements: Sequence[Any],
    embeddings: np.ndarray,
    config: ThemeConfig | None = None,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    *,
    seed_topics: Sequence[SeedGoal] | None = None,
    goal_embeddings: Mapping[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Fit once per seed and compare primary assignments pairwise.

    Returns ``ari_mean``, ``ari_min``, ``pairs`` ([seed_a, seed_b, ari]), ``n_themes`` and
    ``outlier_share`` per seed, and ``ari_clustered_mean``: ARI over statements that are
    outliers in neither run of a pair.
    """
    from sklearn.metrics import adjusted_rand_score

    if len(seeds) < 2:
        raise ValueError(f"stability needs at least two seeds to compare; got {list(seeds)}.")
    config = config or ThemeConfig()
    runs = []
    for s in seeds:
        result, _ = discover_themes(statements, embeddings, replace(config, seed=int(s)),
                                    seed_topics=seed_topics, goal_embeddings=goal_embeddings)
        runs.append((int(s), np.asarray(result.labels()), result))
    pairs, clustered = [], []
    for (sa, la, _), (sb, lb, _) in combinations(runs, 2):
        pairs.append([sa, sb, round(float(adjusted_rand_score(la, lb)), 4)])
        keep = (la != OUTLIER) & (lb != OUTLIER)
        if keep.sum() > 1:
            clustered.append(float(adjusted_rand_score(la[keep], lb[keep])))
    aris = [p[2] for p in pairs]
    return {
        "seeds": [r[0] for r in runs],
        "ari_mean": round(float(np.mean(aris)), 4),
        "ari_min": round(float(np.min(aris)), 4),
        "ari_clustered_mean": round(float(np.mean(clustered)), 4) if clustered else None,
        "pairs": pairs,
        "n_themes": [len(r[2].themes) for r in runs],
        "outlier_share": [round(r[2].outlier_share, 4) for r in runs],
        "methods": [r[2].params.get("method") for r in runs],
    }
