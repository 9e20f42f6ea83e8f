"""ThemeConfig: every knob of theme discovery, validated when built, plus sizes adapted to n."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

MIN_STATEMENTS = 6
CONSENSUS_MAX_N = 3000
_CHOICES = {
    "reducer": ("umap", "pca", "none"),
    "fallback_space": ("reduced", "raw"),
    "outlier_strategy": ("embeddings", "c-tf-idf", "none"),
    "tokenizer": ("regex", "hazm"),
    "period": ("year", "month"),
    "cluster_selection": ("eom", "leaf"),
}


@dataclass(frozen=True)
class ThemeConfig:
    """Every knob of theme discovery. ``None`` sizes are adapted to the number of statements."""

    seed: int = 42
    reducer: str = "umap"
    n_components: int = 10
    n_neighbors: int | None = None
    min_dist: float = 0.0
    min_size: int | None = None  # smallest theme: HDBSCAN min_cluster_size, bounds k for k-means
    min_samples: int | None = None
    # HDBSCAN: "leaf" (finer) or "eom" (fewer, larger themes). On the 505 sample statements (e5) eom gave
    # 5 themes, one of them half the corpus (ARI across 5 seeds 0.94); leaf 14 themes (ARI 0.82).
    cluster_selection: str = "leaf"
    # HDBSCAN answers with fewer themes than this -> consensus k-means instead (None: 2 for tiny
    # corpora up to 5 from ~150 statements; on 400 sample statements eom gave 2-3 themes).
    min_themes: int | None = None
    small_n: int = 200  # below this many statements, k-means instead of HDBSCAN
    max_k: int = 20
    # reductions + clusterings that vote on the themes (1 = a single run); on the 505 sample statements
    # the ARI across seeds 0-4 was 0.79 with 5 runs, 0.89 with 10, 0.88 with 15 (gap cut, see cluster.vote)
    consensus_runs: int = 10
    # the consensus cut chooses its number of themes in ceil(share * k)..k, k the runs' median
    consensus_k_share: float = 0.6
    fallback_space: str = "reduced"
    outlier_strategy: str = "embeddings"
    outlier_threshold: float | None = None  # None: the outlier_quantile of members' similarity to their theme
    # an outlier joins its nearest theme when at least as close as this share of the theme's own members;
    # on the 505 sample statements (leaf) 0.05 left 11.3% outliers, 0.02 4.6% (ARI 0.82 either way)
    outlier_quantile: float = 0.02
    multi_label: bool = False
    multi_label_margin: float = 0.02
    seed_words: bool = True  # boost taxonomy goal words in c-TF-IDF (BERTopic seed_topic_list)
    # Pull statements toward similar goals (BERTopic guided step; needs goal_embeddings). Off: on the sample
    # corpus (e5) 0.25 dropped the ARI across 5 seeds from 0.95 to 0.44.
    seed_guidance: float = 0.0
    tokenizer: str = "regex"
    lemmatize: bool = False
    ngram_range: tuple[int, int] = (1, 2)
    min_df: int | None = None
    max_df: float = 1.0
    extra_stop_words: tuple[str, ...] = ()
    reduce_frequent_words: bool = True
    top_n_terms: int = 10
    label_terms: int = 3
    n_representatives: int = 5
    temperature: float = 0.05
    period: str = "year"

    def __post_init__(self) -> None:
        for name, options in _CHOICES.items():
            if getattr(self, name) not in options:
                _bad(name, f"one of {', '.join(map(repr, options))}", getattr(self, name))
        for name, lo in (("n_components", 2), ("small_n", 0), ("max_k", 2), ("consensus_runs", 1), ("top_n_terms", 1),
                         ("label_terms", 1), ("n_representatives", 1)):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < lo:
                _bad(name, f"an int >= {lo}", getattr(self, name))
        for name, lo in (("n_neighbors", 2), ("min_size", 2), ("min_samples", 1), ("min_df", 1),
                         ("min_themes", 2)):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, int) or v < lo):
                _bad(name, f"None (automatic) or an int >= {lo}", v)
        for name, lo, hi in (("min_dist", 0.0, 1.0), ("consensus_k_share", 0.1, 1.0), ("outlier_quantile", 0.0, 0.5), ("multi_label_margin", 0.0, 1.0), ("seed_guidance", 0.0, 1.0),
                             ("max_df", 0.0, 1.0), ("temperature", 1e-6, 10.0)):
            if not lo <= float(getattr(self, name)) <= hi:
                _bad(name, f"a number in [{lo}, {hi}]", getattr(self, name))
        if self.outlier_threshold is not None and not -1.0 <= self.outlier_threshold <= 1.0:
            _bad("outlier_threshold", "None (automatic) or a similarity in [-1, 1]", self.outlier_threshold)
        object.__setattr__(self, "ngram_range", tuple(self.ngram_range))
        object.__setattr__(self, "extra_stop_words", tuple(self.extra_stop_words))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ngram_range"] = list(self.ngram_range)
        d["extra_stop_words"] = list(self.extra_stop_words)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ThemeConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"Unknown ThemeConfig field(s) {sorted(unknown)}; expected some of {sorted(known)}.")
        return cls(**dict(d))


def _bad(name: str, expected: str, got: Any) -> None:
    raise ValueError(f"The {name!r} parameter of ThemeConfig must be {expected}. Got {got!r} instead.")


def effective_sizes(n: int, config: ThemeConfig) -> dict[str, int]:
    """Sizes adapted to ``n`` statements unless set: ~100 -> (5 neighbours, themes >= 4), 1k -> (16, 13),
    100k -> (50, 126)."""
    root = float(np.sqrt(n))
    min_size = config.min_size or int(np.clip(round(root / 2.5), 3, 500))
    return {
        "n": n,
        "n_neighbors": min(config.n_neighbors or int(np.clip(round(root / 2), 5, 50)), max(2, n - 1)),
        "min_size": min_size,
        "min_samples": config.min_samples or min_size,
        "n_components": min(config.n_components, max(2, n - 2)),
        "min_themes": config.min_themes or int(np.clip(np.ceil(root / 3), 2, 5)),
    }
