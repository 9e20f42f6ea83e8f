"""Save a theme result as a folder of plain artifacts, load it back unchanged, assign new statements.

    folder/
      config.json       format, ThemeConfig, effective parameters, versions, embedding-model pointer
      themes.json       themes with labels, terms, representatives (text + provenance)
      assignments.json  every statement's theme(s) as fitted: reloading never re-predicts them
      tables.json       per-city and per-period tables, stability figures
      centroids.npy     unit theme centroids (float32, rows in themes.json order) for ``assign_new``
      bertopic/         BERTopic's own safetensors folder (c-TF-IDF included), for its plots

BERTopic alone re-predicts topics on reload and forgets representative documents;
here the fitted assignments and representatives are data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.files import atomic_folder
from pipeline.themes.model import OUTLIER, ThemeAssignment, ThemeResult

FORMAT = "udiplo-themes/1"
_FILES = ("config.json", "themes.json", "assignments.json", "tables.json", "centroids.npy")


def save_themes(folder: str | Path, result: ThemeResult, model: Any = None, *,
                embedding_model: str | None = None) -> Path:
    """Write ``result`` (and the fitted BERTopic ``model`` if given) to ``folder``, replacing it.

    ``embedding_model`` is a pointer (name or path) recorded for users; it is never loaded.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()) and not (folder / "config.json").exists():
        raise FileExistsError(f"{folder} exists and is not a saved theme folder; choose an empty or new folder.")
    with atomic_folder(folder) as tmp:
        ids = [t.theme_id for t in result.themes]
        centroids = _centroids_from_model(model, ids) if model is not None else None
        config = {"format": FORMAT, "embedding_model": embedding_model, "theme_ids": ids,
                  "has_centroids": centroids is not None, "n_statements": len(result.primary()),
                  "params": result.params}
        _write_json(tmp / "config.json", config)
        _write_json(tmp / "themes.json", [t.to_dict() for t in result.themes])
        _write_json(tmp / "assignments.json", [asdict(a) for a in result.assignments])
        _write_json(tmp / "tables.json", {"per_city": list(result.per_city), "per_period": list(result.per_period),
                                          "stability": result.stability})
        if centroids is not None:
            np.save(tmp / "centroids.npy", centroids, allow_pickle=False)
            _save_bertopic(model, tmp / "bertopic", embedding_model)
    return folder


def load_themes(folder: str | Path) -> ThemeResult:
    """The saved result, identical to what was saved (assignments, representatives, tables).

    A missing or damaged file raises OSError, ValueError, KeyError or TypeError
    (``pipeline.artefacts.UNREADABLE``)."""
    folder = Path(folder)
    config = _read_config(folder)
    if config.get("has_centroids"):  # read by assign_new(); a damaged one makes the folder unusable
        C = np.load(folder / "centroids.npy", allow_pickle=False)
        if C.shape[0] != len(config["theme_ids"]):
            raise ValueError(f"{folder}/centroids.npy has {C.shape[0]} rows for {len(config['theme_ids'])} themes")
    tables = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    return ThemeResult.from_dict({
        "themes": json.loads((folder / "themes.json").read_text(encoding="utf-8")),
        "assignments": json.loads((folder / "assignments.json").read_text(encoding="utf-8")),
        "params": config["params"], **tables,
    })


def assign_new(folder: str | Path, embeddings: np.ndarray, statement_ids: Sequence[str] | None = None, *,
               threshold: float | None = None) -> list[ThemeAssignment]:
    """Themes for statements the model has not seen: the nearest centroid by cosine, or an outlier
    (-1) when the similarity is below ``threshold`` (default: the saved ``assign_threshold``, the
    1st percentile of fitted members' similarity to their own theme)."""
    folder = Path(folder)
    config = _read_config(folder)
    if not config.get("has_centroids"):
        raise ValueError(f"{folder} was saved without the fitted model, so it has no centroids; "
                         f"save with save_themes(folder, result, model) to assign new statements.")
    C = np.load(folder / "centroids.npy", allow_pickle=False)
    E = np.asarray(embeddings, dtype=np.float32)
    if E.ndim != 2 or E.shape[1] != C.shape[1]:
        raise ValueError(f"embeddings must have shape (n, {C.shape[1]}) like the fitted ones; got {E.shape}. "
                         f"Embed with the model recorded in config.json ({config.get('embedding_model')}).")
    ids = list(statement_ids) if statement_ids is not None else [str(i) for i in range(len(E))]
    if len(ids) != len(E):
        raise ValueError(f"{len(ids)} statement ids for {len(E)} embeddings; pass one id per row.")
    params = config["params"]
    limit = params.get("assign_threshold", 0.0) if threshold is None else threshold
    temperature = params.get("config", {}).get("temperature", 0.05)
    S = (E / np.linalg.norm(E, axis=1, keepdims=True)) @ C.T
    Z = np.exp((S - S.max(axis=1, keepdims=True)) / temperature)
    P = Z / Z.sum(axis=1, keepdims=True)
    best = S.argmax(axis=1)
    out = []
    for i, sid in enumerate(ids):
        j = int(best[i])
        if S[i, j] < limit:
            out.append(ThemeAssignment(sid, OUTLIER, 0.0))
        else:
            out.append(ThemeAssignment(sid, int(config["theme_ids"][j]), round(float(P[i, j]), 4)))
    return out


def load_topic_model(folder: str | Path):
    """BERTopic's saved model (topics, c-TF-IDF, topic vectors) without any embedding model."""
    from pipeline.themes.determinism import pin_numba_target

    pin_numba_target()  # importing bertopic imports umap
    from bertopic import BERTopic
    from bertopic.backend import BaseEmbedder

    path = Path(folder) / "bertopic"
    if not path.is_dir():
        raise FileNotFoundError(f"{path} does not exist; the result was saved without its BERTopic model.")
    # BERTopic.load first tries SentenceTransformer(<pointer>); keep that attempt off the network.
    saved = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    os.environ.update({k: "1" for k in saved})
    try:
        return BERTopic.load(str(path), embedding_model=BaseEmbedder())
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _centroids_from_model(model: Any, ids: list[int]) -> np.ndarray:
    all_ids = sorted(set(int(t) for t in model.topics_))
    rows = np.asarray(model.topic_embeddings_, dtype=np.float32)
    C = np.vstack([rows[all_ids.index(t)] for t in ids]) if ids else np.zeros((0, rows.shape[1]), np.float32)
    return C / np.maximum(np.linalg.norm(C, axis=1, keepdims=True), 1e-12)


def _save_bertopic(model: Any, path: Path, embedding_model: str | None) -> None:
    # BERTopic.load passes a string pointer to SentenceTransformer(); a non-identifier keeps that
    # offline and failing fast, and load_topic_model passes an explicit empty backend anyway.
    pointer = f"udiplo:{embedding_model}" if embedding_model else False
    model.save(str(path), serialization="safetensors", save_ctfidf=True, save_embedding_model=pointer)


def _read_config(folder: Path) -> dict[str, Any]:
    missing = [f for f in _FILES[:4] if not (folder / f).exists()]
    if missing:
        raise FileNotFoundError(f"{folder} is not a saved theme folder (missing {', '.join(missing)}); "
                                f"create one with save_themes().")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if config.get("format") != FORMAT:
        raise ValueError(f"{folder}/config.json has format {config.get('format')!r}; this udiplo reads {FORMAT!r}.")
    return config


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=_jsonable) + "\n", encoding="utf-8")


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"Cannot write {type(x).__name__} to JSON")
