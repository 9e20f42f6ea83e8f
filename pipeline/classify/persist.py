"""Save a fitted TaxonomyClassifier as a folder of plain artifacts and load it back unchanged.

    folder/
      model.json    format, classifier version, parameters, the taxonomy and embedder it was fitted
                    with (name, version/revision, content hash), the prototype bank, the character
                    n-gram vocabulary, the models' classes and temperatures
      arrays.npz    the bank's embeddings (float32), the TF-IDF idf and the three linear models'
                    weights (float64)

No pickle and no refitting on load: the TF-IDF vectorizer is rebuilt from its saved vocabulary and
idf, and the class indexes from the taxonomy. Loading checks that the taxonomy and the
embedder are the ones the classifier was fitted with, because similarities to a different
taxonomy or embedding space would be silently wrong.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.artefacts import UNREADABLE
from pipeline.classify.bank import Prototype
from pipeline.errors import ConfigError, ModelUnavailableError
from pipeline.files import atomic_folder

FORMAT = "udiplo-classifier/2"
_OBJECT_PARAMS = ("embedder", "taxonomy")  # given again at load, never saved
_MODELS = ("detector", "goal_model", "gp_model")


def save_classifier(clf: Any, path: str | os.PathLike) -> Path:
    """Write the fitted ``clf`` to ``path`` atomically (a half-written folder never replaces a good one)."""
    from pipeline.classify.model import CLASSIFIER_VERSION
    from pipeline.taxonomy.store import content_sha256

    clf._check_fitted()
    params = {k: v for k, v in clf.get_params(deep=False).items() if k not in _OBJECT_PARAMS}
    if callable(params["normaliser"]):
        raise ConfigError("A TaxonomyClassifier with a custom normaliser function cannot be saved; "
                          "use normaliser='auto' or None, or keep the fitted object in memory.")
    for key in ("ood", "training"):
        if not (params[key] is None or isinstance(params[key], str)):
            params[key] = "custom"  # the fitted models are saved; the texts are not needed to predict
    tax = clf.taxonomy_
    emb = clf.embedder if clf.use_embed else None
    vec = clf.vectorizer_
    doc = {
        "format": FORMAT,
        "classifier_version": CLASSIFIER_VERSION,
        "params": params,
        "taxonomy": {"name": tax.name, "version": tax.version, "sha256": content_sha256(tax)},
        "embedder": None if emb is None else {"name": getattr(emb, "name", None),
                                              "revision": getattr(emb, "revision", None)},
        "bank": [asdict(p) for p in clf.bank_],
        "vocabulary": None if vec is None else sorted(vec.vocabulary_, key=vec.vocabulary_.get),
        "models": {name: {"classes": getattr(clf, name + "_").classes,
                          "temperature": getattr(clf, name + "_").temperature} for name in _MODELS},
    }
    arrays = {}
    for name in _MODELS:
        m = getattr(clf, name + "_")
        arrays[f"{name}.coef"], arrays[f"{name}.intercept"] = m.coef, m.intercept
    if vec is not None:
        arrays["idf"] = np.asarray(vec.idf_, dtype=np.float64)
    if clf.embeddings_ is not None:
        arrays["embeddings"] = np.asarray(clf.embeddings_, dtype=np.float32)
    folder = Path(path)
    with atomic_folder(folder) as tmp:
        (tmp / "model.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        np.savez(tmp / "arrays.npz", **arrays)
    return folder


def load_classifier(path: str | os.PathLike, embedder: Any = None, taxonomy: Any = None) -> Any:
    """The classifier saved at ``path``. ``embedder`` must be the one it was fitted with (when it uses
    embeddings); ``taxonomy`` defaults to the committed one and must have the same content."""
    from pipeline.classify.model import CLASSIFIER_VERSION

    folder = Path(path)
    try:
        doc = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelUnavailableError(f"{folder}: no saved classifier (model.json missing); fit one with "
                                    f"`udiplo classify` or TaxonomyClassifier.fit().save(path)") from None
    except (OSError, ValueError) as exc:  # JSONDecodeError, UnicodeDecodeError, unreadable file
        raise ModelUnavailableError(f"{folder / 'model.json'}: not valid JSON ({exc}); delete the folder "
                                    f"and fit again") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        got = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise ModelUnavailableError(f"{folder}: format {got!r}, expected {FORMAT!r}; fit again")
    if doc.get("classifier_version") != CLASSIFIER_VERSION:
        raise ModelUnavailableError(f"{folder}: saved by classifier {doc.get('classifier_version')}, this is "
                                    f"{CLASSIFIER_VERSION}; fit again")
    try:
        return _restore(folder, doc, embedder, taxonomy)
    except UNREADABLE as exc:  # fields missing or of the wrong type, arrays.npz missing or truncated
        raise ModelUnavailableError(f"{folder}: the saved classifier is damaged ({type(exc).__name__}: {exc}); "
                                    f"delete the folder and fit again") from None


def _restore(folder: Path, doc: dict, embedder: Any, taxonomy: Any) -> Any:
    from pipeline.classify.model import LinearScorer, TaxonomyClassifier
    from pipeline.taxonomy import load_taxonomy
    from pipeline.taxonomy.store import content_sha256

    tax = taxonomy if taxonomy is not None else load_taxonomy()
    want = doc["taxonomy"]
    if content_sha256(tax) != want["sha256"]:
        raise ConfigError(f"{folder}: fitted on taxonomy {want['name']!r} {want['version']} "
                          f"(sha256 {want['sha256'][:12]}), given {tax.name!r} {tax.version} with other "
                          f"content; pass the same taxonomy or fit again")
    params = dict(doc["params"])
    for key in ("ood", "training"):
        if params.get(key) == "custom":
            params[key] = None
    if doc["embedder"] is not None:
        if embedder is None:
            raise ConfigError(f"{folder}: this classifier uses embeddings of {doc['embedder']['name']}; "
                              f"pass embedder=get_embedder(...) with that model")
        got = (getattr(embedder, "name", None), getattr(embedder, "revision", None))
        exp = (doc["embedder"]["name"], doc["embedder"]["revision"])
        if got != exp:
            raise ConfigError(f"{folder}: fitted with embedder {exp[0]}@{exp[1]}, given {got[0]}@{got[1]}; "
                              f"use the same embedder or fit again")
    clf = TaxonomyClassifier(embedder=embedder, taxonomy=taxonomy, **params)
    clf.taxonomy_ = tax
    clf.bank_ = [Prototype(**{**p, "related_goals": tuple(p.get("related_goals", ()))}) for p in doc["bank"]]
    with np.load(folder / "arrays.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    clf.embeddings_ = arrays["embeddings"].astype(np.float32) if doc["embedder"] is not None else None
    if clf.embeddings_ is not None and clf.embeddings_.shape[0] != len(clf.bank_):
        raise ValueError(f"arrays.npz has {clf.embeddings_.shape[0]} embeddings for {len(clf.bank_)} bank texts")
    clf.vectorizer_ = None
    if doc["vocabulary"] is not None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float64,
                              vocabulary={t: i for i, t in enumerate(doc["vocabulary"])})
        vec.idf_ = arrays["idf"]
        clf.vectorizer_ = vec
    for name in _MODELS:
        m = doc["models"][name]
        setattr(clf, name + "_", LinearScorer([str(c) for c in m["classes"]], arrays[f"{name}.coef"],
                                              arrays[f"{name}.intercept"], float(m["temperature"])))
    clf._index()
    clf.char_ = clf.vectorizer_.transform([p.text for p in clf.bank_]) if clf.vectorizer_ is not None else None
    return clf
