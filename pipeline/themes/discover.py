"""Theme discovery over statements with BERTopic, reproducibly and offline.

Stages (each a public function): ``cluster.cluster`` (UMAP with a fixed seed +
HDBSCAN; consensus k-means for small corpora or when HDBSCAN finds too few
themes) -> ``fit_topic_model`` (BERTopic over those labels: c-TF-IDF, topic
vectors) -> ``reduce_outliers`` (+ ``update_topics``) -> ``summary.summarise``
(bilingual labels, representatives, nearest goal, probabilities, optional
second theme, per-city/period tables). Embeddings are always passed in;
nothing here loads or calls an embedding model.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np

from pipeline.themes.cluster import cluster, guide, member_similarity_quantile
from pipeline.themes.config import MIN_STATEMENTS, ThemeConfig, effective_sizes
from pipeline.themes.determinism import pin_numba_target
from pipeline.themes.model import OUTLIER, SeedGoal, ThemeResult
from pipeline.themes.vectorizer import TermAnalyzer, build_vectorizer, default_stop_words

__all__ = ["ThemeConfig", "check_inputs", "discover_themes", "effective_sizes", "fit_topic_model",
           "reduce_outliers", "seed_topic_list"]


def check_inputs(statements: Sequence[Any], embeddings: np.ndarray) -> np.ndarray:
    """L2-normalised float32 copy of ``embeddings`` after checking it matches ``statements``."""
    E = np.asarray(embeddings, dtype=np.float32)
    if E.ndim != 2 or E.shape[0] != len(statements):
        raise ValueError(f"embeddings must be an array of shape (n_statements, dim) = ({len(statements)}, dim). "
                         f"Got shape {E.shape} instead; embed exactly the statements passed, in order.")
    if len(statements) < MIN_STATEMENTS:
        raise ValueError(f"Theme discovery needs at least {MIN_STATEMENTS} statements; got {len(statements)}. "
                         f"Add documents, or read statements directly.")
    if not np.isfinite(E).all():
        raise ValueError("embeddings contain NaN or infinite values; re-embed those statements.")
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    if (norms == 0).any():
        raise ValueError(f"{int((norms == 0).sum())} embeddings are all zeros (empty statements?); drop them.")
    return E / norms


def seed_topic_list(goals: Sequence[SeedGoal], config: ThemeConfig) -> list[list[str]]:
    """Content words of each goal's Persian text (stop words, digits and punctuation removed)."""
    analyzer = TermAnalyzer(tokenizer=config.tokenizer, lemmatize=config.lemmatize, ngram_range=(1, 1),
                            stop_words=default_stop_words(config.extra_stop_words))
    out = []
    for g in goals:
        words = list(dict.fromkeys(analyzer(g.text_fa)))
        if words:
            out.append(words)
    return out


def fit_topic_model(docs: list[str], E: np.ndarray, labels: np.ndarray, config: ThemeConfig,
                    seeds: list[list[str]] | None):
    """BERTopic over fixed labels: it only computes c-TF-IDF, topic vectors and representations."""
    pin_numba_target()  # importing bertopic imports umap
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction

    model = BERTopic(
        embedding_model=None, umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster(),
        vectorizer_model=_vectorizer(docs, config), ctfidf_model=_ctfidf(config),
        language="multilingual",  # "english" (the default) strips every non-ASCII letter from c-TF-IDF input
        top_n_words=min(100, max(30, 3 * config.top_n_terms)), seed_topic_list=seeds or None,
        calculate_probabilities=False, verbose=False,
    )
    topics, _ = model.fit_transform(docs, embeddings=E, y=np.asarray(labels))
    return model, np.asarray(topics)


def _vectorizer(docs: list[str], config: ThemeConfig):
    return build_vectorizer(docs, tokenizer=config.tokenizer, lemmatize=config.lemmatize,
                            ngram_range=config.ngram_range, min_df=config.min_df, max_df=config.max_df,
                            extra_stop_words=config.extra_stop_words)


def _ctfidf(config: ThemeConfig):
    pin_numba_target()
    from bertopic.vectorizers import ClassTfidfTransformer

    return ClassTfidfTransformer(reduce_frequent_words=config.reduce_frequent_words)


def reduce_outliers(model, docs: list[str], E: np.ndarray, topics: np.ndarray, config: ThemeConfig
                    ) -> tuple[np.ndarray, float | None]:
    """Give outliers their nearest theme when similar enough, then recompute representations."""
    if config.outlier_strategy == "none" or OUTLIER not in topics or len(set(topics) - {OUTLIER}) == 0:
        return topics, None
    threshold = config.outlier_threshold
    if threshold is None:
        if config.outlier_strategy == "embeddings":
            threshold = member_similarity_quantile(E, topics, config.outlier_quantile)
        else:
            X = model.ctfidf_model.transform(model.vectorizer_model.transform(docs))
            threshold = _ctfidf_member_quantile(X, model, topics, config.outlier_quantile)
    new = np.asarray(model.reduce_outliers(docs, list(topics), strategy=config.outlier_strategy,
                                           embeddings=E, threshold=threshold))
    if not np.array_equal(new, topics):
        with _quiet_bertopic():  # it warns that custom assignments must come last: they do
            model.update_topics(docs, topics=list(new), vectorizer_model=model.vectorizer_model,
                            ctfidf_model=_ctfidf(config), top_n_words=model.top_n_words)
    return new, round(float(threshold), 4)


@contextmanager
def _quiet_bertopic():
    log = logging.getLogger("BERTopic")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _ctfidf_member_quantile(X, model, topics: np.ndarray, q: float = 0.05) -> float:
    from sklearn.metrics.pairwise import cosine_similarity

    offset = model._outliers
    sims = [cosine_similarity(X[i], model.c_tf_idf_[t + offset])[0, 0] for i, t in enumerate(topics) if t != OUTLIER]
    return float(np.quantile(sims, q)) if sims else 0.0


def discover_themes(
    statements: Sequence[Any],
    embeddings: np.ndarray,
    config: ThemeConfig | None = None,
    *,
    seed_topics: Sequence[SeedGoal] | None = None,
    goal_embeddings: Mapping[str, np.ndarray] | None = None,
    city_of: Callable[[Any], str | None] | None = None,
    date_of: Callable[[Any], Any] | None = None,
) -> tuple[ThemeResult, Any]:
    """Discover themes in ``statements`` (``pipeline.types.Statement``) from their ``embeddings``.

    ``seed_topics``: taxonomy goals whose Persian words guide c-TF-IDF and whose English
    glosses label themes; ``goal_embeddings`` (goal_id -> vector, same embedder as the
    statements) enables the nearest-goal link and embedding guidance. ``city_of`` /
    ``date_of`` fill the per-city and per-period tables. Returns the result and the
    fitted BERTopic model (for ``persist.save_themes`` or BERTopic's plots).
    """
    from pipeline.themes.summary import summarise

    config = config or ThemeConfig()
    t0 = time.perf_counter()
    E = check_inputs(statements, embeddings)
    docs = [s.text for s in statements]
    sizes = effective_sizes(len(docs), config)
    goals = list(seed_topics or ())
    G, goal_ids = _goal_matrix(goals, goal_embeddings, E.shape[1])
    E_fit = guide(E, G, config.seed_guidance) if G is not None and config.seed_guidance > 0 else E
    labels, how = cluster(E_fit, config, sizes)
    t1 = time.perf_counter()
    seeds = seed_topic_list(goals, config) if (goals and config.seed_words) else None
    model, topics = fit_topic_model(docs, E, labels, config, seeds)
    before = float(np.mean(topics == OUTLIER))
    topics, threshold = reduce_outliers(model, docs, E, topics, config)
    result = summarise(statements, E, topics, model, config, goals=goals, goal_matrix=G, goal_ids=goal_ids,
                       city_of=city_of, date_of=date_of)
    params = {
        "config": config.to_dict(), **sizes, **how, "outlier_threshold_used": threshold,
        "outlier_share_before": round(before, 4), "outlier_share": round(result.outlier_share, 4),
        "assign_threshold": round(member_similarity_quantile(E, topics, 0.01), 4),
        "n_themes": len(result.themes), "embedding_dim": int(E.shape[1]), "guided": G is not None,
        "seed_words": len(seeds or []), "seconds": {"cluster": round(t1 - t0, 2),
                                                   "total": round(time.perf_counter() - t0, 2)},
        "versions": _versions(),
    }
    result = replace(result, params=json.loads(json.dumps({**result.params, **params})))  # as saved
    _sync_topic_embeddings(model, E, topics)
    return result, model


def _goal_matrix(goals: list[SeedGoal], goal_embeddings: Mapping[str, np.ndarray] | None, dim: int):
    if not goal_embeddings:
        return None, []
    ids = [g.goal_id for g in goals if g.goal_id in goal_embeddings] or list(goal_embeddings)
    G = np.vstack([np.asarray(goal_embeddings[i], dtype=np.float32).ravel() for i in ids])
    if G.shape[1] != dim:
        raise ValueError(f"goal_embeddings have dimension {G.shape[1]} but statement embeddings have {dim}; "
                         f"embed the goals with the same embedder as the statements.")
    return G / np.linalg.norm(G, axis=1, keepdims=True), ids


def _sync_topic_embeddings(model, E: np.ndarray, topics: np.ndarray) -> None:
    """After outlier reduction BERTopic keeps stale topic vectors: recompute them as member means."""
    ids = sorted(set(int(t) for t in topics))
    model.topic_embeddings_ = np.vstack([E[topics == t].mean(axis=0) for t in ids])


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("bertopic", "umap-learn", "hdbscan", "scikit-learn", "numpy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "missing"
    return out
