"""Embed only what is not cached yet.

A cache is any object with the two methods of :class:`EmbeddingCache` (the corpus store has
them; :class:`MemoryEmbeddingCache` and :class:`NpzEmbeddingCache` need no database). Keys are
``sha256(text)``; vectors are stored per (model name, revision, prompt), so changing any of
them never mixes vectors from two models.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from pipeline.artefacts import UNREADABLE, cache_miss
from pipeline.embed.embedder import Embedder
from pipeline.types import sha256_text


@runtime_checkable
class EmbeddingCache(Protocol):
    def get_embeddings(self, keys: list[str], model: str, revision: str, prompt: str) -> dict[str, np.ndarray]:
        """Vectors found for ``keys`` (missing keys are simply absent)."""
        ...

    def put_embeddings(self, items: dict[str, np.ndarray], model: str, revision: str, prompt: str) -> None:
        ...


@dataclass(frozen=True)
class CacheStats:
    texts: int  # texts asked for
    unique: int  # distinct texts
    cached: int  # distinct texts found in the cache
    computed: int  # distinct texts embedded now

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def embed_with_cache(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None = None, *,
                     batch_size: int = 32, progress: bool = False) -> np.ndarray:
    """float32 (len(texts), dim) unit rows in the order of ``texts``; only cache misses are embedded."""
    return embed_with_cache_stats(embedder, texts, cache, batch_size=batch_size, progress=progress)[0]


def embed_with_cache_stats(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None = None, *,
                           batch_size: int = 32, progress: bool = False) -> tuple[np.ndarray, CacheStats]:
    """As :func:`embed_with_cache`, and how many texts were found in the cache or computed."""
    if isinstance(texts, str):
        raise TypeError("embed_with_cache() takes a list of texts, not one string.")
    texts = list(texts)
    keys = [sha256_text(t) for t in texts]
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    unique = list(first)
    model, revision, prompt = embedder.name, embedder.revision, embedder.prompt
    found = cache.get_embeddings(unique, model, revision, prompt) if cache is not None and unique else {}
    found = _usable(found, set(unique))
    misses = [k for k in unique if k not in found]
    if misses:
        new = embedder.embed([texts[first[k]] for k in misses], batch_size=batch_size, progress=progress)
        if found and new.shape[1] != next(iter(found.values())).shape[0]:
            width = next(iter(found.values())).shape[0]
            raise ValueError(f"The cache holds {width}-dimensional vectors for model {model!r} revision "
                             f"{revision!r}, but the embedder gives {new.shape[1]} dimensions. Two models share "
                             f"one name and revision: give the embedder its own revision, or clear the cache.")
        computed = dict(zip(misses, new, strict=True))
        if cache is not None:
            cache.put_embeddings(computed, model, revision, prompt)
        found = {**found, **computed}
    stats = CacheStats(len(texts), len(unique), len(unique) - len(misses), len(misses))
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32), stats
    return np.stack([found[k] for k in keys]).astype(np.float32, copy=False), stats


def _usable(found: dict[str, np.ndarray], wanted: set[str]) -> dict[str, np.ndarray]:
    """Cached vectors that are finite, of one width and not all zero; others count as misses."""
    out = {}
    width = None
    for k, v in found.items():
        v = np.asarray(v, dtype=np.float32).ravel()
        if k not in wanted or not np.isfinite(v).all() or not v.any():
            continue
        if width is None:
            width = v.shape[0]
        if v.shape[0] == width:
            out[k] = v
    return out


class MemoryEmbeddingCache:
    """Vectors in a dict, for one process (tests, notebooks)."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str, str], dict[str, np.ndarray]] = {}

    def get_embeddings(self, keys: list[str], model: str, revision: str, prompt: str) -> dict[str, np.ndarray]:
        space = self._data.get((model, revision, prompt), {})
        return {k: space[k].copy() for k in keys if k in space}

    def put_embeddings(self, items: dict[str, np.ndarray], model: str, revision: str, prompt: str) -> None:
        space = self._data.setdefault((model, revision, prompt), {})
        for k, v in items.items():
            space[k] = np.array(v, dtype=np.float32).ravel()

    def __len__(self) -> int:
        return sum(len(s) for s in self._data.values())


class NpzEmbeddingCache:
    """Vectors in ``<folder>/<model>-<hash>.npz``, one file per (model, revision, prompt).

    Each ``put_embeddings`` rewrites that file through a temporary file and a rename, so a crash
    leaves the previous file intact; an unreadable file is a cache miss (a warning, then rewritten).
    Suited to tens of thousands of vectors; use the store beyond.
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self._loaded: dict[tuple[str, str, str], dict[str, np.ndarray]] = {}

    def file_for(self, model: str, revision: str, prompt: str) -> Path:
        digest = hashlib.sha256(json.dumps([model, revision, prompt]).encode()).hexdigest()[:16]
        slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in model)[-60:]
        return self.folder / f"{slug}-{digest}.npz"

    def _space(self, model: str, revision: str, prompt: str) -> dict[str, np.ndarray]:
        key = (model, revision, prompt)
        if key not in self._loaded:
            path = self.file_for(*key)
            space: dict[str, np.ndarray] = {}
            if path.exists():
                try:
                    with np.load(path, allow_pickle=False) as z:
                        space = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))
                except UNREADABLE as exc:  # rewritten whole by the next put_embeddings
                    cache_miss(path, "embedding cache", exc)
                    space = {}
            self._loaded[key] = space
        return self._loaded[key]

    def get_embeddings(self, keys: list[str], model: str, revision: str, prompt: str) -> dict[str, np.ndarray]:
        space = self._space(model, revision, prompt)
        return {k: space[k].copy() for k in keys if k in space}

    def put_embeddings(self, items: dict[str, np.ndarray], model: str, revision: str, prompt: str) -> None:
        if not items:
            return
        space = self._space(model, revision, prompt)
        for k, v in items.items():
            space[k] = np.array(v, dtype=np.float32).ravel()
        self._write((model, revision, prompt), space)

    def _write(self, key: tuple[str, str, str], space: dict[str, np.ndarray]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.file_for(*key)
        meta: dict[str, Any] = {"model": key[0], "revision": key[1], "prompt": key[2]}
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, keys=np.array(list(space), dtype=str),
                         vectors=np.stack(list(space.values())).astype(np.float32),
                         meta=np.array(json.dumps(meta)))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class CachedEmbedder:
    """An embedder whose ``embed`` goes through a cache: same name, revision, prompt and vectors.

    For code that takes an embedder and embeds repeatedly (the taxonomy classifier, evaluation
    folds): ``CachedEmbedder(get_embedder("e5"), store)`` embeds each distinct text once.
    """

    def __init__(self, inner: Embedder, cache: EmbeddingCache | None = None) -> None:
        self.inner = inner
        self.cache = cache if cache is not None else MemoryEmbeddingCache()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def revision(self) -> str:
        return self.inner.revision

    @property
    def prompt(self) -> str:
        return self.inner.prompt

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        return embed_with_cache(self.inner, texts, self.cache, batch_size=batch_size, progress=progress)

    def __deepcopy__(self, memo: dict) -> CachedEmbedder:  # sklearn.clone must not copy a loaded model
        return self

    def __repr__(self) -> str:
        return f"CachedEmbedder({self.inner!r})"
