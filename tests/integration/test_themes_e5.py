"""Themes on the sample corpus with the real pipeline: segment_document + multilingual-e5-small + UMAP."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.themes import (
    SeedGoal,
    ThemeConfig,
    assign_new,
    discover_themes,
    load_themes,
    save_themes,
    stability,
)

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[2] / "corpus" / "samples"


@pytest.fixture(scope="module")
def corpus():
    from pipeline.embed import get_embedder
    from pipeline.extract import extract
    from pipeline.segment import segment_document
    from pipeline.taxonomy import load_taxonomy

    statements, city, date = [], {}, {}
    for path in sorted(SAMPLES.glob("*.txt")):
        doc = extract(path)
        for st in segment_document(doc):
            statements.append(st)
            city[st.statement_id], date[st.statement_id] = doc.meta.city, doc.meta.date_iso
    e5 = get_embedder("e5")
    goals = [SeedGoal.from_node(g) for g in load_taxonomy().goals()]
    goal_vectors = e5.embed([g.text_fa for g in goals])
    return {
        "statements": statements, "embeddings": e5.embed([s.text for s in statements]),
        "city": city, "date": date, "goals": goals, "model": e5.name,
        "goal_embeddings": {g.goal_id: goal_vectors[i] for i, g in enumerate(goals)},
    }


@pytest.fixture(scope="module")
def fitted(corpus):
    return discover_themes(corpus["statements"], corpus["embeddings"], ThemeConfig(seed=42),
                           seed_topics=corpus["goals"], goal_embeddings=corpus["goal_embeddings"],
                           city_of=lambda s: corpus["city"][s.statement_id],
                           date_of=lambda s: corpus["date"][s.statement_id])


def test_sample_corpus_gives_labelled_themes_per_city(corpus, fitted):
    result, _ = fitted
    n = len(corpus["statements"])
    assert n > 400 and result.params["method"] == "hdbscan"
    assert 6 <= len(result.themes) <= 25
    assert result.outlier_share < 0.10 <= result.params["outlier_share_before"] + 0.10
    labels = " ".join(t.label_fa for t in result.themes)
    for word in ("اصفهان", "مشهد", "تهران"):  # each city's documents form themes of their own
        assert word in labels
    assert all("≈ nearest goal G" in t.label_en for t in result.themes)
    # English labels from the glossary: most themes get real English key terms, not only the goal
    assert sum(not t.label_en.startswith("≈") for t in result.themes) >= len(result.themes) // 2
    assert {r["city"] for r in result.per_city} == {"Mashhad", "Isfahan", "Tehran"}
    assert sum(r["count"] for r in result.per_city) == n


def test_same_seed_same_themes_and_reload_is_identical(corpus, fitted, tmp_path):
    result, model = fitted
    again, _ = discover_themes(corpus["statements"], corpus["embeddings"], ThemeConfig(seed=42),
                               seed_topics=corpus["goals"], goal_embeddings=corpus["goal_embeddings"])
    assert again.assignments == result.assignments
    folder = save_themes(tmp_path / "themes", result, model, embedding_model=corpus["model"])
    loaded = load_themes(folder)
    assert loaded.assignments == result.assignments and loaded.themes == result.themes
    new = assign_new(folder, corpus["embeddings"])
    agree = np.mean([a.theme_id for a in new] == np.asarray(result.labels()))
    assert agree > 0.8


def test_seeds_agree(corpus):
    report = stability(corpus["statements"], corpus["embeddings"], ThemeConfig(), seeds=(0, 1, 2))
    assert report["ari_mean"] > 0.7, report
