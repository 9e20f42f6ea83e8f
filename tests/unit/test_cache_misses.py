"""Damaged cache artefacts (truncated JSON, bad .npz/.npy, missing files) are cache misses: the next
run warns once, recomputes the same result and replaces the artefact; never a traceback."""

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.embed import NpzEmbeddingCache, embed_with_cache_stats, get_embedder
from pipeline.themes import ThemeConfig
from tests.unit.test_embed import fake_packages as tiny_e5  # noqa: F401  (fixture: tiny e5 source packages)

TEXTS = ["دیپلماسی شهری مشهد", "خواهرخواندگی اصفهان و شهرهای جهان", "city diplomacy in Tehran", "مشهد"]


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def warned(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "udiplo.cache"]


# -- embedding caches -----------------------------------------------------------------------------
@pytest.mark.parametrize("damage", [truncate, lambda p: p.write_bytes(b"not a zip file"),
                                    lambda p: p.write_bytes(b"")])
def test_damaged_npz_embedding_cache_is_recomputed(tmp_path, caplog, damage):
    emb = get_embedder("hashing")
    first, _ = embed_with_cache_stats(emb, TEXTS, NpzEmbeddingCache(tmp_path))
    (path,) = tmp_path.glob("*.npz")
    damage(path)
    with caplog.at_level(logging.WARNING, "udiplo.cache"):
        again, stats = embed_with_cache_stats(emb, TEXTS, NpzEmbeddingCache(tmp_path))
    assert stats.computed == len(TEXTS) and np.array_equal(again, first)
    assert len(warned(caplog)) == 1 and f"{path}: embedding cache unreadable (" in warned(caplog)[0]
    _, stats = embed_with_cache_stats(emb, TEXTS, NpzEmbeddingCache(tmp_path))  # rewritten whole
    assert stats.cached == len(TEXTS)


def test_damaged_embedding_rows_in_the_store_are_recomputed_and_replaced(store, caplog):
    from corpus import schema

    emb = get_embedder("hashing")
    first, _ = embed_with_cache_stats(emb, TEXTS, store)
    e = schema.embeddings
    with store.engine.begin() as conn:
        rows = conn.execute(e.select().order_by(e.c.text_hash)).fetchall()
        conn.execute(e.update().where(e.c.text_hash == rows[0].text_hash).values(vector=rows[0].vector[:10]))
        nan = np.full(rows[1].dim, np.nan, dtype="<f4").tobytes()
        conn.execute(e.update().where(e.c.text_hash == rows[1].text_hash).values(vector=nan))
    with caplog.at_level(logging.WARNING, "udiplo.cache"):
        again, stats = embed_with_cache_stats(emb, TEXTS, store)
    assert stats.computed == 2 and np.array_equal(again, first)
    assert warned(caplog) == [f"warning: {store.url}: 2 stored embedding(s) of {emb.name} unreadable "
                              f"(wrong length or not finite); recomputing"]
    _, stats = embed_with_cache_stats(emb, TEXTS, store)
    assert stats.cached == len(TEXTS)


# -- saved themes ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def theme_corpus(tmp_path_factory, sample_paths):
    from corpus.analysis import embed_corpus, segment_corpus
    from corpus.ingest import ingest_paths
    from corpus.store import CorpusStore

    db = f"sqlite:///{tmp_path_factory.mktemp('themes') / 't.sqlite'}"
    with CorpusStore.open(db) as store:
        ingest_paths(sample_paths[1:3], store)
        segment_corpus(store)
        statements, vectors, _ = embed_corpus(store, get_embedder("hashing"))
    return db, statements, vectors


@pytest.fixture(scope="module")
def fitted_themes(theme_corpus, tmp_path_factory):
    cache = tmp_path_factory.mktemp("theme-cache")
    result, folder, reused = _themes(theme_corpus, cache)
    assert not reused
    return result, cache


def _themes(theme_corpus, cache_dir):
    from corpus.analysis import themes_stage
    from corpus.store import CorpusStore
    from pipeline.taxonomy import load_taxonomy

    db, statements, vectors = theme_corpus
    with CorpusStore.open(db) as store:
        return themes_stage(store, statements, vectors, get_embedder("hashing"), load_taxonomy(),
                            config=ThemeConfig(reducer="pca", n_components=5), with_stability=False,
                            cache_dir=cache_dir)


def _same(a, b) -> bool:
    return a.to_dict()["themes"] == b.to_dict()["themes"] and a.assignments == b.assignments


@pytest.mark.parametrize(("name", "damage"), [
    ("themes.json", truncate), ("config.json", lambda p: p.unlink()), ("centroids.npy", truncate),
])
def test_damaged_saved_themes_are_fitted_again(theme_corpus, fitted_themes, tmp_path, caplog, name, damage):
    first, cache = fitted_themes
    shutil.copytree(cache, tmp_path, dirs_exist_ok=True)
    (folder,) = (tmp_path / "themes").iterdir()
    damage(folder / name)
    with caplog.at_level(logging.WARNING, "udiplo.cache"):
        again, folder2, reused = _themes(theme_corpus, tmp_path)
    assert not reused and folder2 == folder and _same(again, first)
    assert len(warned(caplog)) == 1 and warned(caplog)[0].startswith(f"warning: {folder}: saved themes unreadable (")
    assert _themes(theme_corpus, tmp_path)[2] is True  # the refitted folder is whole again


def test_report_from_damaged_themes_says_to_analyse_again(tmp_path):
    from corpus.job import report_from_last_run
    from corpus.store import CorpusStore
    from pipeline.errors import AnalysisError

    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "config.json").write_text('{"format": "udiplo-the')
    with CorpusStore.open(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        store.record_run(corpus_key=__import__("corpus.analysis").analysis.content_key([]), n_statements=0,
                         embedder="x", themes_dir=str(tmp_path / "themes"), classifier_key=None, summary={})
        with pytest.raises(AnalysisError, match=r"themes: the saved themes of the last analysis are gone or "
                                                r"damaged \(.*\); run `udiplo analyse` to fit them again"):
            report_from_last_run(store, tmp_path / "out")


# -- saved classifier -----------------------------------------------------------------------------
def _model_json_without_bank(p: Path) -> None:
    doc = json.loads(p.read_text(encoding="utf-8"))
    del doc["bank"]
    p.write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture(scope="module")
def fitted_classifier_cache(tmp_path_factory):
    from corpus.analysis import fitted_classifier
    from corpus.store import CorpusStore
    from pipeline.taxonomy import load_taxonomy

    cache = tmp_path_factory.mktemp("classifier-cache")
    with CorpusStore.open(f"sqlite:///{cache / 'c.sqlite'}") as store:
        clf, *_, fitted, _ = fitted_classifier(store, get_embedder("hashing"), load_taxonomy(), cache_dir=cache)
    assert fitted
    return [p.goals for p in clf.classify(TEXTS)], cache


@pytest.mark.parametrize(("name", "damage"), [("model.json", truncate), ("arrays.npz", truncate)])
def test_damaged_saved_classifier_is_fitted_again(store, fitted_classifier_cache, tmp_path, caplog, name, damage):
    from corpus.analysis import fitted_classifier
    from pipeline.taxonomy import load_taxonomy

    emb, tax = get_embedder("hashing"), load_taxonomy()
    before, cache = fitted_classifier_cache
    shutil.copytree(cache / "classifier", tmp_path / "classifier")
    (folder,) = (tmp_path / "classifier").iterdir()
    damage(folder / name)
    with caplog.at_level(logging.WARNING, "udiplo.cache"):
        clf2, key2, folder2, fitted, _ = fitted_classifier(store, emb, tax, cache_dir=tmp_path)
    assert fitted and folder2 == folder and key2.startswith(folder.name)
    assert [p.goals for p in clf2.classify(TEXTS)] == before
    (msg,) = warned(caplog)
    assert msg.startswith(f"warning: {folder}: saved classifier unreadable (") and "fit again" in msg
    assert fitted_classifier(store, emb, tax, cache_dir=tmp_path)[3] is False  # whole again: loaded


def test_damaged_classifier_folder_is_a_one_line_error_when_loaded_directly(tmp_path):
    from pipeline.classify import TaxonomyClassifier
    from pipeline.classify.persist import load_classifier, save_classifier
    from pipeline.errors import ModelUnavailableError
    from pipeline.taxonomy import load_taxonomy

    tax = load_taxonomy()
    save_classifier(TaxonomyClassifier(embedder=get_embedder("hashing"), taxonomy=tax).fit(), tmp_path / "c")
    shutil.copytree(tmp_path / "c", tmp_path / "c2")
    _model_json_without_bank(tmp_path / "c" / "model.json")
    with pytest.raises(ModelUnavailableError, match=r"c: the saved classifier is damaged \(KeyError: 'bank'\)"):
        load_classifier(tmp_path / "c", embedder=get_embedder("hashing"), taxonomy=tax)
    shutil.rmtree(tmp_path / "c")
    (tmp_path / "c2").rename(tmp_path / "c")
    truncate(tmp_path / "c" / "arrays.npz")
    with pytest.raises(ModelUnavailableError, match=r"c: the saved classifier is damaged \(BadZipFile: .*\); "
                                                     r"delete the folder and fit again"):
        load_classifier(tmp_path / "c", embedder=get_embedder("hashing"), taxonomy=tax)
    (tmp_path / "c" / "model.json").write_text("[]")
    with pytest.raises(ModelUnavailableError, match="format 'list', expected 'udiplo-classifier/2'"):
        load_classifier(tmp_path / "c", embedder=get_embedder("hashing"), taxonomy=tax)


# -- built e5 model folder ------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "damage"), [
    ("tokenizer.json", truncate), ("1_Pooling/config.json", lambda p: p.unlink()),
    ("udiplo_manifest.json", truncate), ("config.json", lambda p: p.write_text(p.read_text() + " ")),
])
def test_damaged_model_folder_is_rebuilt(request, caplog, name, damage):
    from pipeline.embed import provision as prov

    spec, cache, _ = request.getfixturevalue("tiny_e5")
    first = prov.provision(spec, cache)
    target = Path(first.path)
    files = {f.relative_to(target): f.read_bytes() for f in target.rglob("*") if f.is_file()
             and f.name != prov.BUILD_MANIFEST}
    damage(target / name)
    st = prov.status(spec, cache)
    assert not st.ready and "udiplo models provision" in st.reason
    with caplog.at_level(logging.WARNING, "udiplo.cache"):
        again = prov.provision(spec, cache)
    assert again.built and again.model_sha256 == first.model_sha256 and prov.status(spec, cache).ready
    assert {f.relative_to(target): f.read_bytes() for f in target.rglob("*") if f.is_file()
            and f.name != prov.BUILD_MANIFEST} == files
    (msg,) = warned(caplog)
    assert msg.startswith(f"warning: {target}: model folder unreadable (")

