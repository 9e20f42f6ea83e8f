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
    # measured on this corpus with its embeddings and five copies perturbed by N(0, 2e-6) (what another
    # machine's torch kernels may give): ARI mean 0.756-0.886, lowest pair 0.645, 12-16 themes per seed
    report = stability(corpus["statements"], corpus["embeddings"], ThemeConfig(), seeds=(0, 1, 2, 3, 4))
    assert report["ari_mean"] > 0.68 and report["ari_min"] > 0.5, report
    assert min(report["n_themes"]) >= 10, report


_FIT = """
import json, sys
import numpy as np
from pipeline.themes import ThemeConfig, discover_themes
from pipeline.types import Statement
E = np.load(sys.argv[1])
texts = json.loads(open(sys.argv[2], encoding="utf-8").read())
sts = [Statement(doc_id="d" * 64, index=i, kind="sentence", start=0, end=len(t), raw=t, text=t, lang="fa",
                 occurrence=i) for i, t in enumerate(texts)]
result, _ = discover_themes(sts, E, ThemeConfig(seed=7, consensus_runs=3))
print(json.dumps([result.labels(), [t.label_fa for t in result.themes]]))
"""


def test_same_themes_under_other_threads_blas_cores_and_cpu_targets(corpus, tmp_path):
    """The same embeddings give the same themes whatever the thread counts, OpenBLAS kernel or the
    CPU numba would compile for (NUMBA_CPU_NAME stands in for another machine's processor)."""
    import json
    import os
    import subprocess
    import sys

    np.save(tmp_path / "E.npy", np.asarray(corpus["embeddings"], dtype=np.float32))
    (tmp_path / "texts.json").write_text(json.dumps([s.text for s in corpus["statements"]]), encoding="utf-8")
    base = {k: v for k, v in os.environ.items()
            if k not in ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENBLAS_CORETYPE", "NUMBA_CPU_NAME")}
    variants = [{"OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"},
                {"OMP_NUM_THREADS": "2", "NUMBA_NUM_THREADS": "2", "OPENBLAS_CORETYPE": "Haswell"},
                {"OPENBLAS_CORETYPE": "Prescott", "NUMBA_CPU_NAME": "haswell"}, {"NUMBA_CPU_NAME": "znver2"}]
    outputs = []
    for extra in variants:
        done = subprocess.run([sys.executable, "-c", _FIT, str(tmp_path / "E.npy"), str(tmp_path / "texts.json")],
                              env={**base, **extra}, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, (extra, done.stderr[-2000:])
        outputs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    labels, names = outputs[0]
    assert len(set(labels)) >= 6
    for extra, out in zip(variants[1:], outputs[1:], strict=True):
        assert out == [labels, names], f"themes differ with {extra}"
