"""Analysis stages over the stored corpus: each reads from the store, calls pipeline/, writes back.

Stages are idempotent and skip unchanged work: statements are recomputed only
for documents whose segmenter version differs; embeddings are cached by
(text hash, model, revision, prompt).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pipeline
from corpus import work_cache_dir
from corpus.store import CorpusStore
from pipeline.artefacts import UNREADABLE, cache_miss

# bump when segmentation or normalisation changes what statements say (seg2: richer ZWNJ restoration;
# seg3: references, keyword lines, front matter and captions get their own kinds)
SEGMENTER_VERSION = f"{pipeline.__version__}+seg3"


def segment_document_stored(store: CorpusStore, doc_id: str, normalise: Callable | None = None) -> dict:
    """Segment one stored document, attribute its city, store statements (one transaction)."""
    from pipeline.attribution import attribute_city
    from pipeline.segment import segment_document

    doc = store.get_document(doc_id)
    statements = segment_document(doc, normalise)
    attribution = attribute_city(doc.meta.city, statements)
    n = store.put_statements(doc.doc_id, statements, segmenter_version=SEGMENTER_VERSION,
                             city=attribution.city, city_source=attribution.source, city_scores=attribution.scores)
    return {"doc_id": doc.doc_id, "statements": n, "city": attribution.city, "city_source": attribution.source}


def pending_documents(store: CorpusStore, doc_ids: Iterable[str] | None = None) -> list[str]:
    ids = list(doc_ids) if doc_ids is not None else store.document_ids()
    return [d for d in ids if store.segmenter_version(d) != SEGMENTER_VERSION]


def segment_corpus(store: CorpusStore, *, force: bool = False, normalise: Callable | None = None) -> dict:
    """Segment every document that is new or was segmented by an older segmenter."""
    todo = store.document_ids() if force else pending_documents(store)
    done = [segment_document_stored(store, d, normalise) for d in todo]
    return {"segmented": len(done), "skipped": len(store.document_ids()) - len(done), "documents": done}


def embed_corpus(store: CorpusStore, embedder, *, progress: bool = False, batch_size: int = 32):
    """Embed every stored statement, computing only what the store's cache lacks.

    Returns ``(statements, vectors, stats)`` with vectors aligned to statements.
    """
    from pipeline.embed import embed_with_cache_stats

    statements = store.statements()
    vectors, stats = embed_with_cache_stats(embedder, [s.text for s in statements], store,
                                            batch_size=batch_size, progress=progress)
    return statements, vectors, stats


def content_key(*parts: Any) -> str:
    """A stable hash of JSON-able parts: the identity of a stage's inputs and settings."""
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def corpus_fingerprint(statements) -> list[tuple[str, str]]:
    return [(s.statement_id, s.text_hash) for s in statements]


def statement_context(store: CorpusStore) -> tuple[dict[str, dict], dict[str, Any]]:
    """Per document: city (metadata, else attribution), kind, date; and the summaries by id."""
    rows = store.analysis_rows()
    summaries = {s.doc_id: s for s in store.summaries()}
    ctx = {d: {"city": r["city"], "city_source": r["city_source"], "kind": summaries[d].kind,
               "date_iso": summaries[d].date_iso} for d, r in rows.items()}
    return ctx, summaries


def themes_stage(store: CorpusStore, statements, vectors, embedder, taxonomy, *, config=None,
                 with_stability: bool = True, cache_dir: Path | None = None):
    """Discover themes, or load them when this corpus, model and configuration were seen before
    (a damaged saved folder is a cache miss: a warning, then the themes are fitted again).

    Only content statements (:func:`pipeline.segment.is_content`) are fitted: headings, references,
    keyword lines, front matter and captions are left out; ``vectors`` are aligned to ``statements``."""
    from dataclasses import asdict

    from pipeline.embed import embed_with_cache
    from pipeline.normalise import normalise
    from pipeline.segment import is_content
    from pipeline.themes import SeedGoal, ThemeConfig, ThemeInputs, load_themes, run_themes

    keep = [i for i, s in enumerate(statements) if is_content(s)]
    statements, vectors = [statements[i] for i in keep], vectors[keep]
    config = config or ThemeConfig()
    key = content_key("themes", corpus_fingerprint(statements), asdict(config), embedder.name, embedder.revision,
                      taxonomy.version if taxonomy else None, with_stability, pipeline.__version__)
    folder = (cache_dir or work_cache_dir()) / "themes" / key[:20]
    if folder.exists():
        try:
            return load_themes(folder), folder, True
        except UNREADABLE as exc:
            cache_miss(folder, "saved themes", exc)
            shutil.rmtree(folder, ignore_errors=True)
    ctx, _ = statement_context(store)
    goals = [SeedGoal.from_node(g) for g in taxonomy.goals()] if taxonomy else []
    goal_vecs = None
    if goals:
        texts = [normalise(g.text_fa, lang="fa").text for g in goals]
        goal_vecs = dict(zip([g.goal_id for g in goals], embed_with_cache(embedder, texts, store), strict=True))
    inputs = ThemeInputs(statements, vectors, embedding_model=f"{embedder.name}@{embedder.revision}",
                         city_of=lambda st: ctx.get(st.doc_id, {}).get("city"),
                         date_of=lambda st: ctx.get(st.doc_id, {}).get("date_iso")
                         if ctx.get(st.doc_id, {}).get("kind") == "news" else None,
                         goals=goals, goal_embeddings=goal_vecs)
    result = run_themes(inputs, config, with_stability=with_stability, out=folder)
    return result, folder, False


def fitted_classifier(store: CorpusStore, embedder, taxonomy, *, cache_dir: Path | None = None,
                      statements=None):
    """The taxonomy classifier fitted on the taxonomy, the team-written training statements and the
    stored human labels: loaded from a cache when the same inputs were fitted before.

    Labels of statements in the store are examples of their node; ``outside`` labels become extra
    examples of text outside the taxonomy. Without labels this is the shared :func:`base_classifier`
    (built once at set-up for every project); with labels it is fitted once per set of labels into
    the project's work cache. ``statements``: the store's statements when the caller has them.
    Returns ``(classifier, key, folder, fitted_now, labels_used)``."""
    from corpus.labels import attached_labels
    from pipeline.embed import CachedEmbedder

    by_id = {s.statement_id: s for s in (store.statements() if statements is None else statements)}
    usable = attached_labels(store, list(by_id.values()))
    cached = CachedEmbedder(embedder, store)
    if not usable:
        clf, key, folder, fitted = base_classifier(cached, taxonomy, cache_dir=cache_dir)
        return clf, key, folder, fitted, 0
    key = classifier_key(embedder, taxonomy,
                         sorted((x.statement_id, by_id[x.statement_id].text_hash, x.node_id, x.coder) for x in usable))
    folder = (cache_dir or work_cache_dir()) / "classifier" / key[:20]
    clf, fitted = _load_or_fit(folder, cached, taxonomy,
                               [(by_id[x.statement_id].text, x.node_id) for x in usable])
    return clf, key, folder, fitted, len(usable)


def classifier_key(embedder, taxonomy, labels: list) -> str:
    """Content key of a fitted classifier: its version, embedder, taxonomy, training data and labels."""
    from pipeline.classify import CLASSIFIER_VERSION
    from pipeline.classify.training import training_fingerprint

    return content_key("classifier", CLASSIFIER_VERSION, embedder.name, embedder.revision, embedder.prompt,
                       taxonomy.name, taxonomy.version, training_fingerprint(), labels)


def base_classifier(embedder, taxonomy, *, cache_dir: Path | None = None):
    """The classifier without human labels, shared by every project: saved under the model cache
    (``$UDIPLO_CACHE_DIR`` or ``~/.cache/udiplo``) at set-up (``udiplo models provision``), so a first
    ``udiplo classify`` in a new project loads it instead of fitting. Returns
    ``(classifier, key, folder, fitted_now)``."""
    from pipeline.embed.provision import cache_root

    key = classifier_key(embedder, taxonomy, [])
    folder = (cache_dir or cache_root()) / "classifier" / key[:20]
    clf, fitted = _load_or_fit(folder, embedder, taxonomy, [])
    return clf, key, folder, fitted


def _load_or_fit(folder: Path, embedder, taxonomy, labelled: list[tuple[str, str]]):
    from pipeline.classify import TaxonomyClassifier
    from pipeline.errors import UdiploError

    if folder.exists():
        try:
            return TaxonomyClassifier.load(folder, embedder=embedder, taxonomy=taxonomy), False
        except UdiploError as exc:  # damaged or stale: fitted again below, replacing the folder
            cache_miss(folder, "saved classifier", exc)
    clf = _fit_with_labels(embedder, taxonomy, labelled)
    clf.save(folder)
    return clf, True


def _fit_with_labels(embedder, taxonomy, labelled: list[tuple[str, str]]):
    """A classifier fitted on the taxonomy, the training statements and labelled (text, node id)
    pairs (``outside`` labels are examples of text outside the taxonomy)."""
    from pipeline.classify import TaxonomyClassifier

    clf = TaxonomyClassifier(embedder=embedder, taxonomy=taxonomy)
    return clf.fit([t for t, _ in labelled] or None, [n for _, n in labelled] or None)


def classify_stage(store: CorpusStore, statements, vectors, embedder, taxonomy, *,
                   cache_dir: Path | None = None) -> dict:
    """Classify every statement not yet classified by the current classifier (see ``fitted_classifier``)."""
    clf, key, folder, fitted, n_labels = fitted_classifier(store, embedder, taxonomy, cache_dir=cache_dir,
                                                           statements=statements)
    done = store.classifications(key)
    todo = [i for i, s in enumerate(statements)
            if (s.doc_id, s.index) not in done or done[(s.doc_id, s.index)]["text_hash"] != s.text_hash]
    if todo:
        preds = classify_statements(clf, [statements[i] for i in todo], vectors[todo])
        store.put_classifications([classification_row(statements[i], p, key)
                                   for i, p in zip(todo, preds, strict=True)])
    return {"classifier_key": key, "model_dir": str(folder), "fitted": fitted, "classified": len(todo),
            "reused": len(statements) - len(todo), "human_labels": n_labels,
            "orphaned_labels": store.count("human_labels") - n_labels}


def classify_statements(clf, statements, vectors) -> list:
    """The classifier's predictions; statements that are not content (headings, references, keyword
    lines, front matter, captions: ``pipeline.segment.is_content``) are set aside, abstained with
    the reason."""
    from pipeline.classify.result import set_aside
    from pipeline.segment import is_content

    preds = clf.classify([s.text for s in statements], embeddings=vectors)
    return [p if is_content(s) else set_aside(p, s.kind) for s, p in zip(statements, preds, strict=True)]


def classification_row(statement, p, key: str) -> dict:
    """The stored form of one Prediction."""
    return {
        "doc_id": statement.doc_id, "idx": statement.index, "classifier_key": key,
        "text_hash": statement.text_hash, "macro_id": p.macro_id, "goal_id": p.goal_id,
        "policy_id": p.general_policy_id, "conf_macro": p.confidence.get("macro_problem", 0.0),
        "conf_goal": p.confidence.get("goal", 0.0), "conf_policy": p.confidence.get("general_policy"),
        "in_domain": p.in_domain, "abstained": int(p.abstained),
        "detail": json.dumps({"goals": [[a.node_id, a.probability] for a in p.goals],
                              "distribution": p.distribution,
                              "alternatives": {k: [[a.node_id, a.probability] for a in v]
                                               for k, v in p.alternatives.items()},
                              "evidence": [[e.node_id, e.kind, e.embed_similarity, e.char_similarity]
                                           for e in p.evidence],
                              "reason": p.reason}, ensure_ascii=False),
    }


def classify_document(store: CorpusStore, doc, embedder, taxonomy, *, progress: bool = False,
                      fitted: tuple | None = None) -> dict:
    """Segment and classify one extracted document that need not be stored (``udiplo classify FILE``):
    the store supplies the embedding cache and the human labels the classifier is fitted with.
    ``fitted``: the result of :func:`fitted_classifier` when the caller classifies several documents
    (loaded once, not per file).

    Returns ``{"statements", "predictions", "profile", "city", "classifier"}``."""
    from pipeline.attribution import attribute_city
    from pipeline.classify.profile import document_profile
    from pipeline.embed import embed_with_cache
    from pipeline.segment import segment_document

    statements = segment_document(doc)
    clf, key, folder, fitted, n_labels = fitted or fitted_classifier(store, embedder, taxonomy)
    vectors = embed_with_cache(embedder, [s.text for s in statements], store, progress=progress)
    predictions = classify_statements(clf, statements, vectors) if statements else []
    provenance = [{"statement_id": s.statement_id, "page": s.page, "start": s.start, "end": s.end,
                   "table": s.table, "row": s.row, "col": s.col} for s in statements]
    return {
        "statements": statements, "predictions": predictions,
        "profile": document_profile(predictions, taxonomy, provenance=provenance),
        "city": attribute_city(doc.meta.city, statements).to_dict(),
        "classifier": {"key": key, "model_dir": str(folder), "fitted": fitted, "human_labels": n_labels,
                       "embedder": f"{embedder.name}@{embedder.revision}"},
    }


def agreement_with_coders(store: CorpusStore, embedder, taxonomy, *, folds: int = 5) -> dict:
    """Cohen's kappa and Krippendorff's alpha between the classifier and each human coder, per level.

    The machine codes each labelled statement with a classifier fitted on the taxonomy and the
    labels of the *other* folds (statements split into ``folds`` groups), so a statement's own
    label never helps the machine agree with it."""
    from corpus.labels import attached_labels
    from pipeline.classify.agreement import MachineCoding, agreement_report
    from pipeline.embed import CachedEmbedder
    from pipeline.errors import AnalysisError

    by_id = {s.statement_id: s for s in store.statements()}
    labels = attached_labels(store, list(by_id.values()))
    if not labels:
        raise AnalysisError("no human labels of stored statements; import a coding with "
                            "`udiplo label import FILE` (statement_id,node_id,coder)")
    cached = CachedEmbedder(embedder, store)
    ids = sorted({x.statement_id for x in labels})
    k = max(2, min(folds, len(ids)))
    fold_of = {sid: int(content_key(sid)[:8], 16) % k for sid in ids}
    machine: dict[str, MachineCoding] = {}
    for f in range(k):
        test = [sid for sid in ids if fold_of[sid] == f]
        if not test:
            continue
        clf = _fit_with_labels(cached, taxonomy, [(by_id[x.statement_id].text, x.node_id) for x in labels
                                                  if fold_of[x.statement_id] != f])
        for sid, p in zip(test, clf.classify([by_id[s].text for s in test]), strict=True):
            machine[sid] = MachineCoding(p.macro_id, p.goal_id, p.general_policy_id, p.abstained)
    report = agreement_report(labels, machine, taxonomy)
    report["protocol"] = f"{k}-fold cross-fitting over {len(ids)} labelled statements"
    return report
