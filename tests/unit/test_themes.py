"""Theme discovery on synthetic clustered embeddings (make_blobs) with Persian-like statements.

Fast sub-models stand in for UMAP (PCA, or no reduction); the real-model run is
tests/integration/test_themes_e5.py.
"""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from pipeline.lang.glossary import Glossary
from pipeline.themes.discover import ThemeConfig, discover_themes, effective_sizes
from pipeline.themes.model import OUTLIER, SeedGoal, ThemeResult
from pipeline.themes.persist import assign_new, load_themes, load_topic_model, save_themes
from pipeline.themes.stability import stability
from pipeline.themes.summary import compact_terms, period_of
from pipeline.themes.vectorizer import TermAnalyzer, adaptive_min_df, build_vectorizer, default_stop_words
from pipeline.types import Statement

ZWNJ = "\u200c"
VOCAB = [
    "گردشگری زائران حرم سوغات اقامت زیارت".split(),
    "خواهرخوانده شانگهای همکاری تجارت سرمایه‌گذاری صادرات".split(),
    "دانشگاه پژوهش دانشجویان علم نخبگان همایش".split(),
    "ورزشی مسابقات میزبانی قهرمانی باشگاه تماشاگران".split(),
    "رسانه روایت تصویر برند تبلیغات مستند".split(),
]
GLUE = "و در به از این که را با برای است جدول منبع".split()
CITIES = ("Mashhad", "Isfahan", "Tehran")
FAST = dict(reducer="pca", n_components=5)


def make_corpus(n: int, k: int = 4, *, dim: int = 32, noise: float = 0.0, seed: int = 0, std: float = 1.0):
    """``n`` statements in ``k`` themes; a share ``noise`` of them are random (no theme, label -1)."""
    rng = np.random.default_rng(seed)
    n_noise = int(n * noise)
    X, y = make_blobs(n_samples=n - n_noise, centers=k, n_features=dim, cluster_std=std, center_box=(-6, 6),
                      random_state=seed)
    if n_noise:
        X = np.vstack([X, rng.uniform(-12, 12, size=(n_noise, dim))])
        y = np.concatenate([y, -np.ones(n_noise, dtype=int)])
    statements = []
    for i, label in enumerate(y):
        words = list(rng.choice(VOCAB[label], 4, replace=False)) if label >= 0 else list(
            rng.choice(sum(VOCAB, []), 4, replace=False))
        glue = list(rng.choice(GLUE, 3))
        text = " ".join([words[0], glue[0], words[1], words[2], glue[1], str(rng.integers(1, 99)), words[3],
                         glue[2]]) + "."
        statements.append(Statement(doc_id=f"{i % 7:064d}", index=i, kind="sentence", start=0, end=len(text),
                                    raw=text, text=text, lang="fa", page=1 + i % 3))
    return statements, X.astype(np.float32), np.asarray(y)


def city_of(st: Statement) -> str | None:
    return None if st.index % 10 == 9 else CITIES[st.index % 3]


def date_of(st: Statement) -> str:
    return ("2021-03-01", "2022-07-25", "1401-05-03")[st.index % 3]


@pytest.fixture(scope="module")
def small():
    st, X, y = make_corpus(100)
    result, model = discover_themes(st, X, ThemeConfig(**FAST), city_of=city_of, date_of=date_of)
    return st, X, y, result, model


@pytest.fixture(scope="module")
def large():
    st, X, y = make_corpus(1000, k=5, noise=0.08, seed=1)
    result, model = discover_themes(st, X, ThemeConfig(reducer="pca", n_components=10))
    return st, X, y, result, model


def test_small_corpus_uses_kmeans_fallback_and_recovers_themes(small):
    st, X, y, result, _ = small
    assert result.params["method"] == "kmeans"
    assert len(result.themes) == 4
    assert adjusted_rand_score(y, result.labels()) == pytest.approx(1.0)
    assert result.outlier_share == 0.0
    assert sum(t.size for t in result.themes) == 100


def test_large_corpus_uses_hdbscan_and_recovers_themes(large):
    st, X, y, result, _ = large
    assert result.params["method"] == "hdbscan"
    assert len(result.themes) == 5
    labels = np.asarray(result.labels())
    clean = y >= 0
    assert adjusted_rand_score(y[clean], labels[clean]) > 0.98


def test_outliers_are_reduced_but_noise_can_stay_outlier(large):
    st, X, y, result, _ = large
    before = result.params["outlier_share_before"]
    assert 0.05 < before and result.outlier_share <= before
    assert result.outlier_share <= 0.10  # 8% of the statements are pure noise
    labels = np.asarray(result.labels())
    assert (labels[y >= 0] == OUTLIER).mean() < 0.01  # real members are not left out
    assert (labels[y < 0] == OUTLIER).mean() > 0.5  # noise is not forced into themes
    forced, _ = discover_themes(st, X, ThemeConfig(reducer="pca", n_components=10, outlier_threshold=0.0))
    assert forced.outlier_share < 0.01  # threshold 0: all but statements opposite to every theme
    kept, _ = discover_themes(st, X, ThemeConfig(reducer="pca", n_components=10, outlier_strategy="none"))
    assert kept.outlier_share == pytest.approx(before, abs=1e-4)


def test_labels_use_theme_words_and_no_stop_words(small, large):
    stops = default_stop_words()
    for _, _, y, result, _ in (small, large):
        labels = np.asarray(result.labels())
        for theme in result.themes:
            truth = np.bincount(y[(labels == theme.theme_id) & (y >= 0)]).argmax()
            top = {w for term in theme.terms_fa[:3] for w in term.split()}
            assert top <= set(VOCAB[truth]), (top, VOCAB[truth])
            words = {w for term in theme.terms_fa for w in term.split()}
            assert not words & stops, words & stops
            assert not any(ch.isdigit() for term in theme.terms_fa for ch in term)
            assert theme.label_fa.split("، ")[0] in theme.terms_fa
            # English label: the glossary's English of the leading terms, or an honest "untranslated"
            english = Glossary.load().translate_terms(theme.terms_fa, 3)
            assert theme.label_en == (", ".join(english) if english else f"≈ untranslated: {theme.label_fa}")


def test_representatives_are_central_members_with_provenance(small):
    st, X, y, result, _ = small
    by_id = {s.statement_id: (i, s) for i, s in enumerate(st)}
    for theme in result.themes:
        assert 1 <= len(theme.representatives) <= 5
        assert [e.statement_id for e in theme.examples] == list(theme.representatives)
        sims = [e.similarity for e in theme.examples]
        assert sims == sorted(sims, reverse=True)
        for e in theme.examples:
            i, s = by_id[e.statement_id]
            assert result.labels()[i] == theme.theme_id
            assert (e.text, e.page, e.start, e.end, e.doc_id) == (s.raw, s.page, s.start, s.end, s.doc_id)


def test_fixed_seed_is_reproducible():
    st, X, _ = make_corpus(300, k=4, noise=0.05, seed=3)
    a, _ = discover_themes(st, X, ThemeConfig(**FAST, seed=7))
    b, _ = discover_themes(st, X, ThemeConfig(**FAST, seed=7))
    assert a.assignments == b.assignments
    assert a.themes == b.themes


def test_save_load_gives_identical_assignments_and_representatives(small, tmp_path):
    st, X, _, result, model = small
    folder = save_themes(tmp_path / "themes", result, model, embedding_model="multilingual-e5-small")
    assert {p.name for p in folder.iterdir()} >= {"config.json", "themes.json", "assignments.json", "tables.json",
                                                   "centroids.npy", "bertopic"}
    loaded = load_themes(folder)
    assert loaded.assignments == result.assignments
    assert loaded.themes == result.themes
    assert loaded.per_city == result.per_city and loaded.per_period == result.per_period
    assert json.loads((folder / "config.json").read_text())["embedding_model"] == "multilingual-e5-small"
    again = assign_new(folder, X, [s.statement_id for s in st])
    assert np.mean([a.theme_id for a in again] == np.asarray(result.labels())) >= 0.98
    far = assign_new(folder, -X[:3], threshold=0.5)
    assert [a.theme_id for a in far] == [OUTLIER] * 3
    topic_model = load_topic_model(folder)
    assert set(topic_model.get_topics()) == {t.theme_id for t in result.themes}


def test_save_refuses_to_overwrite_unrelated_folder(small, tmp_path):
    _, _, _, result, model = small
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a saved theme folder"):
        save_themes(tmp_path, result, model)


def test_per_city_and_period_tables_sum_correctly(small):
    st, _, _, result, _ = small
    rows = result.per_city
    for city in (*CITIES, "unknown"):
        mine = [r for r in rows if r["city"] == city]
        assert sum(r["count"] for r in mine) == sum((city_of(s) or "unknown") == city for s in st)
        assert sum(r["share"] for r in mine) == pytest.approx(1.0, abs=1e-3)
    for theme in result.themes:
        assert sum(r["count"] for r in rows if r["theme_id"] == theme.theme_id) == theme.size
    overall = [r for r in result.per_period if r["city"] == "all"]
    assert {r["period"] for r in overall} == {"2021", "2022", "1401"}
    assert sum(r["count"] for r in overall) == len(st)
    per_city = [r for r in result.per_period if r["city"] != "all"]
    assert sum(r["count"] for r in per_city) == len(st)


def test_multi_label_adds_second_theme_for_in_between_statements():
    st, X, y = make_corpus(100)
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    c0, c1 = (unit[y == j].mean(axis=0) for j in (0, 1))
    X = X.copy()
    X[:3] = (c0 / np.linalg.norm(c0) + c1 / np.linalg.norm(c1)) * 10 + 0.01 * np.arange(3)[:, None]
    result, _ = discover_themes(st, X, ThemeConfig(**FAST, multi_label=True, multi_label_margin=0.1))
    second = [a for a in result.assignments if not a.primary]
    assert {a.statement_id for a in second} >= {s.statement_id for s in st[:3]}
    assert len(result.primary()) == 100 and len(second) < 10  # clear members get no second theme
    for a in second:
        assert a.theme_id != result.labels()[[s.statement_id for s in st].index(a.statement_id)]


def test_goal_embeddings_link_each_theme_to_its_goal():
    st, X, y = make_corpus(100)
    goals = [SeedGoal(f"G{j}", " ".join(VOCAB[j][:3]), f"goal {j}") for j in range(5)]
    vectors = {f"G{j}": X[y == j].mean(axis=0) for j in range(4)}
    vectors["G4"] = -X.mean(axis=0)
    result, _ = discover_themes(st, X, ThemeConfig(**FAST), seed_topics=goals, goal_embeddings=vectors)
    labels = np.asarray(result.labels())
    for theme in result.themes:
        truth = np.bincount(y[labels == theme.theme_id]).argmax()
        assert theme.seed_goal == f"G{truth}"
        assert f"goal {truth}" in theme.label_en
    # without goal embeddings the link falls back to word overlap with the goals' Persian text
    by_terms, _ = discover_themes(st, X, ThemeConfig(**FAST), seed_topics=goals)
    assert by_terms.params["goal_match"] == "terms"
    for theme in by_terms.themes:
        truth = np.bincount(y[np.asarray(by_terms.labels()) == theme.theme_id]).argmax()
        assert theme.seed_goal == f"G{truth}"


def test_stability_reports_ari_across_seeds():
    st, X, _ = make_corpus(120)
    report = stability(st, X, ThemeConfig(**FAST), seeds=(0, 1, 2))
    assert report["ari_mean"] == pytest.approx(1.0)
    assert len(report["pairs"]) == 3 and report["n_themes"] == [4, 4, 4]


def test_inputs_are_checked():
    st, X, _ = make_corpus(100)
    with pytest.raises(ValueError, match="shape"):
        discover_themes(st, X[:50], ThemeConfig(**FAST))
    with pytest.raises(ValueError, match="at least 6 statements"):
        discover_themes(st[:5], X[:5], ThemeConfig(**FAST))
    with pytest.raises(ValueError, match="'reducer' parameter of ThemeConfig must be one of"):
        ThemeConfig(reducer="tsne")
    with pytest.raises(ValueError, match="min_size"):
        ThemeConfig(min_size=1)
    assert ThemeConfig.from_dict(ThemeConfig(seed=3).to_dict()) == ThemeConfig(seed=3)


def test_result_round_trips_through_dict(small):
    result = small[3]
    assert ThemeResult.from_dict(json.loads(json.dumps(result.to_dict(), ensure_ascii=False))) == result


@pytest.mark.parametrize("n, neighbours, min_size", [(100, 5, 4), (1000, 16, 13), (100_000, 50, 126)])
def test_sizes_adapt_to_corpus_size(n, neighbours, min_size):
    sizes = effective_sizes(n, ThemeConfig())
    assert (sizes["n_neighbors"], sizes["min_size"]) == (neighbours, min_size)


@pytest.mark.parametrize("text, expected", [
    ("دیپلماسی شهری در مشهد", ["دیپلماسی", "شهری", "دیپلماسی شهری", "مشهد"]),
    (f"هم{ZWNJ}افزایی{ZWNJ}های بین{ZWNJ}المللی", [f"هم{ZWNJ}افزایی{ZWNJ}های", f"بین{ZWNJ}المللی",
                                                  f"هم{ZWNJ}افزایی{ZWNJ}های بین{ZWNJ}المللی"]),
    ("سفر ۱۴۰۱ و 2023 شانگهای", ["سفر", "شانگهای"]),  # digits break n-grams and vanish
    ("Urban diplomacy of the City", ["urban", "diplomacy", "urban diplomacy", "city"]),
    (f"آنها می{ZWNJ}خواهند گردشگری", ["گردشگری"]),  # stop word and ZWNJ verb dropped
    ("city گردشگری", ["city", "گردشگری"]),  # no bigram across scripts
])
def test_term_analyzer(text, expected):
    assert TermAnalyzer(stop_words=default_stop_words())(text) == expected


def test_vectorizer_counts_min_df_on_statements():
    texts = ["گردشگری زائران", "گردشگری حرم", "شانگهای"] * 200
    vec = build_vectorizer(texts)
    assert adaptive_min_df(len(texts)) == 2
    assert set(vec.vocabulary) == {"گردشگری", "زائران", "حرم", "شانگهای", "گردشگری زائران", "گردشگری حرم"}
    with pytest.raises(ValueError, match="No terms left"):
        build_vectorizer(["و در به ۱۲", "از این که"])


def test_compact_terms_and_periods():
    assert compact_terms(["دیپلماسی", "دیپلماسی شهری", "شهری", "مشهد"], 2) == ["دیپلماسی شهری", "مشهد"]
    assert [period_of(v, g) for v, g in [("2022-07-25", "month"), ("۱۴۰۱-۰۵-۰۳", "year"), ("2022", "month"),
                                         (None, "year"), ("undated", "year")]] == [
        "2022-07", "1401", "2022", "unknown", "unknown"]


def test_cli_command_prints_themes_and_json(monkeypatch, tmp_path, sample_paths):
    """The real command over a real store (two sample documents, hashing embedder, PCA instead of UMAP)."""
    import typer
    from typer.testing import CliRunner

    from corpus.ingest import ingest_paths
    from corpus.store import CorpusStore
    from pipeline.segment import is_content
    from udiplo.commands import themes as cmd

    db = f"sqlite:///{tmp_path / 'themes.sqlite'}"
    with CorpusStore.open(db) as store:
        ingest_paths(sample_paths[1:3], store)
    monkeypatch.setenv("UDIPLO_HOME", str(tmp_path / "home"))
    monkeypatch.setattr("pipeline.themes.ThemeConfig", partial(ThemeConfig, **FAST))
    app = typer.Typer()
    cmd.register(app)
    app.command("other")(lambda: None)
    runner = CliRunner()
    assert "--stability" in runner.invoke(app, ["themes", "--help"]).output
    args = ["themes", "--db", db, "--embedder", "hashing", "--no-stability"]
    out = runner.invoke(app, [*args, "--json", "--assignments", "--seed", "3", "--out", str(tmp_path / "t")])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    with CorpusStore.open(db) as store:
        n = sum(map(is_content, store.statements()))  # headings, references, captions … are not themed
    assert data["params"]["config"]["seed"] == 3 and len(data["themes"]) >= 2 and data["reused"] is False
    assert len(data["assignments"]) == n
    assert load_themes(tmp_path / "t").to_dict()["assignments"] == data["assignments"]
    again = runner.invoke(app, [*args, "--json", "--seed", "3"])
    assert json.loads(again.stdout)["reused"] is True
    text = runner.invoke(app, [*args, "--min-size", "10"])
    assert text.exit_code == 0 and f"themes in {n} statements" in text.output
    empty = runner.invoke(app, ["themes", "--db", f"sqlite:///{tmp_path / 'empty.sqlite'}", "--embedder", "hashing"])
    assert empty.exit_code == 1 and "run `udiplo ingest PATH` first" in empty.stderr
