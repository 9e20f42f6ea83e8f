"""TaxonomyClassifier: statements -> macro-problem -> goal -> general policy, calibrated, with abstention.

    from pipeline.embed import get_embedder
    from pipeline.classify import TaxonomyClassifier
    clf = TaxonomyClassifier(embedder=get_embedder("e5")).fit()   # taxonomy texts + team-written statements
    [p.path for p in clf.classify(["توسعه گردشگری سلامت با کشورهای همسایه"])]

How it decides. A statement is represented by its multilingual e5 embedding (meaning, shared by
Persian and English) next to its character 2-5-gram TF-IDF (wording). Three linear models read
that representation, each a logistic regression (chosen by measurement over the earlier
prototype-similarity logit and a policy-level model summed to goals, see the README):

* the **in-domain detector**: does the statement state a problem, aim or policy of the taxonomy,
  or is it outside (near-misses the team wrote: facts of signings, definitions of city diplomacy,
  method sentences, biographies, navigation text; generic sentences; human ``outside`` labels)?
* the **goal model** over the 16 goals, fitted on the team-written statements, the paper's own
  table cells (goals, general and executive policies, their English glosses) and human labels;
* the **policy model** over the 51 general policies; P(policy | goal) is its softmax within the
  goal's children, so P(policy) = P(goal) x P(policy | goal) and every path is consistent.

The goal is the most probable one; its macro-problem's confidence is the sum over that
macro-problem's goals. Confidences are temperature-scaled on out-of-fold scores (grouped folds: a
table row's cells stay together). The statement abstains when the in-domain probability is below
0.5 or the goal's confidence is below ``abstain_threshold``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from pipeline.classify.bank import build_bank
from pipeline.classify.calibrate import fit_temperature, masked_softmax
from pipeline.classify.ood import load_ood_texts
from pipeline.classify.result import Alternative, Evidence, Prediction
from pipeline.errors import ConfigError

CLASSIFIER_VERSION = "2.0.0"
OUTSIDE = "outside"
IN_DOMAIN_THRESHOLD = 0.5


def resolve_normaliser(spec: Any) -> Callable[[str], str]:
    """``"auto"`` -> the project normaliser if importable, ``None`` -> whitespace only, or a callable
    returning a str or an object with ``.text``."""
    if spec is None or spec == "none":
        return lambda t: " ".join(t.split())
    if spec == "auto":
        try:
            from pipeline.normalise import normalise as project
        except ImportError:  # pragma: no cover - the normaliser ships with udiplo
            return lambda t: " ".join(t.split())
        return lambda t: project(t).text
    if callable(spec):
        def run(t: str) -> str:
            out = spec(t)
            return getattr(out, "text", out)
        return run
    raise ConfigError(f"The normaliser parameter of TaxonomyClassifier must be 'auto', None or a callable. "
                      f"Got {spec!r} instead.")


def _texts(X: Iterable[Any]) -> list[str]:
    if isinstance(X, str):
        raise TypeError("TaxonomyClassifier takes a list of statements, not one string; wrap it: [text].")
    out = []
    for i, x in enumerate(X):
        t = x if isinstance(x, str) else getattr(x, "text", None)
        if not isinstance(t, str):
            raise TypeError(f"Statement {i} must be a str or have a .text str. Got {type(x).__name__} instead.")
        out.append(t)
    return out


@dataclass
class LinearScorer:
    """The fitted weights of one logistic regression: ``scores = X @ coef.T + intercept`` over
    ``classes``, divided by ``temperature`` (plain arrays, saved without pickle)."""

    classes: list[str]
    coef: np.ndarray  # (c, f); one row for a binary model (score of the second class)
    intercept: np.ndarray
    temperature: float = 1.0

    @classmethod
    def fit(cls, X: Any, y: Sequence[str], weights: np.ndarray, C: float) -> LinearScorer:
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=C, max_iter=5000, tol=1e-3, class_weight="balanced" if len(set(y)) == 2 else None)
        lr.fit(X, list(y), sample_weight=weights)
        return cls([str(c) for c in lr.classes_], lr.coef_.astype(np.float64), lr.intercept_.astype(np.float64))

    def scores(self, X: Any) -> np.ndarray:
        s = np.asarray(X @ self.coef.T) + self.intercept
        if len(self.classes) == 2:  # binary: score of classes[1] against classes[0]
            s = np.hstack([np.zeros((s.shape[0], 1)), s])
        return s

    def proba(self, X: Any) -> np.ndarray:
        s = self.scores(X) / self.temperature
        return masked_softmax(s, np.ones(s.shape, dtype=bool))


class TaxonomyClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated, abstaining classifier onto a problem -> goal -> policy taxonomy.

    ``embedder``: any object with ``embed(texts) -> (n, d)`` unit rows (``pipeline.embed``); needed
    when ``use_embed``. ``taxonomy``: a :class:`~pipeline.taxonomy.Taxonomy` (default: the committed
    Mashhad taxonomy). ``training``: ``"auto"`` (the committed team-written statements), a folder of
    such ``*.jsonl`` files, or ``None``. ``ood``: ``"auto"`` (bundled generic sentences), a list of
    texts, or ``None``; with the training's ``outside`` statements and human ``outside`` labels they
    teach the in-domain detector. ``C``/``C_domain``: inverse regularisation of the goal/policy
    models and of the detector. ``label_weight``: weight of a human label against a training
    statement.
    """

    def __init__(self, embedder: Any = None, taxonomy: Any = None, normaliser: Any = "auto", *,
                 use_embed: bool = True, use_char: bool = True, training: Any = "auto",
                 use_taxonomy_texts: bool = True, use_glosses: bool = True, use_aliases: bool = True,
                 C: float = 16.0, C_domain: float = 4.0, label_weight: float = 3.0,
                 calibration: str = "temperature", cv: int = 5, abstain_threshold: float = 0.15,
                 multi_label_threshold: float = 0.3, ood: Any = "auto", top_k: int = 3,
                 max_char_features: int = 8000):
        self.embedder = embedder
        self.taxonomy = taxonomy
        self.normaliser = normaliser
        self.use_embed = use_embed
        self.use_char = use_char
        self.training = training
        self.use_taxonomy_texts = use_taxonomy_texts
        self.use_glosses = use_glosses
        self.use_aliases = use_aliases
        self.C = C
        self.C_domain = C_domain
        self.label_weight = label_weight
        self.calibration = calibration
        self.cv = cv
        self.abstain_threshold = abstain_threshold
        self.multi_label_threshold = multi_label_threshold
        self.ood = ood
        self.top_k = top_k
        self.max_char_features = max_char_features

    # -- fitting ------------------------------------------------------------------------
    def _check_params(self) -> None:
        if not (self.use_embed or self.use_char):
            raise ConfigError("TaxonomyClassifier needs use_embed or use_char (or both). Got neither.")
        if self.use_embed and self.embedder is None:
            raise ConfigError("TaxonomyClassifier(use_embed=True) needs an embedder: pass "
                              "embedder=pipeline.embed.get_embedder('e5') (or 'hashing' in tests), "
                              "or use_embed=False for wording only.")
        if self.calibration not in ("temperature", "none"):
            raise ConfigError(f"The calibration parameter must be 'temperature' or 'none'. "
                              f"Got {self.calibration!r} instead.")
        for name in ("abstain_threshold", "multi_label_threshold"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ConfigError(f"The {name} parameter must be in [0, 1]. Got {v!r} instead.")
        for name in ("C", "C_domain", "label_weight"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"The {name} parameter must be > 0. Got {getattr(self, name)!r} instead.")
        if int(self.top_k) < 1 or int(self.cv) < 2:
            raise ConfigError(f"top_k must be >= 1 and cv >= 2. Got top_k={self.top_k}, cv={self.cv}.")

    def fit(self, X: Sequence[Any] | None = None, y: Sequence[str] | None = None, *,
            groups: Sequence[str] | None = None, embeddings: np.ndarray | None = None,
            exclude_nodes: Iterable[str] = ()) -> TaxonomyClassifier:
        """Fit on the taxonomy's texts, the team-written training statements and labelled examples
        ``X`` with node ids ``y`` (any level at or below a goal, or ``"outside"``).

        ``groups`` tie examples that must stay in one calibration fold (default: each its own).
        ``embeddings`` (aligned with ``X``) skip embedding those texts. ``exclude_nodes``: taxonomy
        nodes whose texts, aliases and glosses are left out (held-out evaluation)."""
        from pipeline.classify.training import load_training
        from pipeline.taxonomy import load_taxonomy

        self._check_params()
        tax = self.taxonomy if self.taxonomy is not None else load_taxonomy()
        norm = resolve_normaliser(self.normaliser)
        texts = _texts(X) if X is not None else []
        labels = list(y) if y is not None else []
        if len(texts) != len(labels):
            raise ValueError(f"X and y must have the same length. Got {len(texts)} statements and "
                             f"{len(labels)} labels.")
        grp = list(groups) if groups is not None else [f"x{i}" for i in range(len(texts))]
        self.taxonomy_ = tax
        bank = build_bank(tax, normalise=norm, exclude_nodes=exclude_nodes, use_nodes=self.use_taxonomy_texts,
                          use_aliases=self.use_aliases, use_glosses=self.use_glosses)
        outside: list[tuple[str, str, float]] = []  # (normalised text, group, weight)
        if self.training is not None:
            train = load_training(None if self.training == "auto" else self.training,
                                  node_ids={n.node_id for n in tax})
            bank += build_bank(tax, [(t.text, t.label, t.id) for t in train if not t.outside], example_kind="training",
                               normalise=norm, use_nodes=False)
            outside += [(norm(t.text), t.id, 1.0) for t in train if t.outside]
        human = [(t, n, g) for t, n, g in zip(texts, labels, grp, strict=True) if n != OUTSIDE]
        bank += build_bank(tax, human, normalise=norm, use_nodes=False)
        outside += [(norm(t), g, float(self.label_weight)) for t, n, g in zip(texts, labels, grp, strict=True)
                    if n == OUTSIDE]
        outside += [(norm(t), f"ood{i}", 1.0) for i, t in enumerate(self._ood_texts())]
        bank = [p for p in bank if p.goal_id is not None]  # macro-problems and sub-problems name no goal
        if not bank:
            raise ValueError("Nothing to fit on: no taxonomy texts, training statements or examples below a goal.")
        self.bank_ = bank
        known = {}
        if embeddings is not None and self.use_embed:
            known = {norm(t): np.asarray(v, dtype=np.float32) for t, v in zip(texts, embeddings, strict=True)}
        all_texts = [p.text for p in bank] + [t for t, _, _ in outside]
        E = self._embed(all_texts, known) if self.use_embed else None
        self.embeddings_ = E[: len(bank)] if E is not None else None
        self._fit_char(all_texts)
        F = self._features(all_texts, E)
        n_in = len(bank)
        w_in = np.array([float(self.label_weight) if p.kind == "example" else 1.0 for p in bank])
        g_in = [p.group for p in bank]

        y_dom = ["in"] * n_in + [OUTSIDE] * len(outside)
        w_dom = np.r_[w_in, [w for _, _, w in outside]]
        self.detector_ = self._fit_scorer(F, y_dom, w_dom, g_in + [g for _, g, _ in outside], float(self.C_domain))
        Fi = F[:n_in]
        self.goal_model_ = self._fit_scorer(Fi, [p.goal_id for p in bank], w_in, g_in, float(self.C))
        gp_rows = [i for i, p in enumerate(bank) if p.general_policy_id is not None]
        self.gp_model_ = self._fit_scorer(Fi[gp_rows], [bank[i].general_policy_id for i in gp_rows], w_in[gp_rows],
                                          [g_in[i] for i in gp_rows], float(self.C), calibrate=False)
        self._index()
        self.char_ = self.vectorizer_.transform([p.text for p in bank]) if self.vectorizer_ is not None else None
        return self

    def _fit_scorer(self, F: Any, y: list[str], w: np.ndarray, groups: list[str], C: float,
                    calibrate: bool = True) -> LinearScorer:
        """A :class:`LinearScorer` and, with calibration, its temperature from grouped out-of-fold scores."""
        model = LinearScorer.fit(F, y, w, C)
        if self.calibration == "none" or not calibrate or len(set(groups)) < int(self.cv):
            return model
        from sklearn.model_selection import GroupKFold

        idx = {c: i for i, c in enumerate(model.classes)}
        yi = np.array([idx[c] for c in y])
        oof = np.full((len(y), len(model.classes)), -np.inf)
        for tr, te in GroupKFold(n_splits=int(self.cv)).split(np.zeros(len(y)), yi, groups):
            if len(set(yi[tr])) < 2:
                continue
            inner = LinearScorer.fit(F[tr], [y[i] for i in tr], w[tr], C)
            cols = [idx[c] for c in inner.classes]
            oof[np.ix_(te, cols)] = inner.scores(F[te])
        ok = np.isfinite(oof)
        model.temperature = fit_temperature(np.where(ok, oof, 0.0), ok, yi)
        return model

    def _ood_texts(self) -> list[str]:
        if self.ood is None:
            return []
        if isinstance(self.ood, str):
            return load_ood_texts(None if self.ood == "auto" else self.ood)
        return _texts(self.ood)

    # -- shared machinery -----------------------------------------------------------------
    def _embed(self, texts: list[str], known: dict[str, np.ndarray] | None = None) -> np.ndarray:
        known = known or {}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            vecs = np.asarray(self.embedder.embed(missing), dtype=np.float32)
            if vecs.shape[0] != len(missing):
                raise ValueError(f"The embedder returned {vecs.shape[0]} vectors for {len(missing)} texts.")
            known = {**known, **dict(zip(missing, vecs, strict=True))}
        out = np.stack([known[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)
        if getattr(self, "embeddings_", None) is not None and out.shape[1] != self.embeddings_.shape[1]:
            raise ValueError(f"Embeddings have {out.shape[1]} dimensions; the classifier was fitted with "
                             f"{self.embeddings_.shape[1]}. Use the embedder it was fitted with.")
        return out

    def _fit_char(self, texts: list[str]) -> None:
        """The wording view: character 2-5-gram TF-IDF (its vocabulary and idf are saved, not refitted)."""
        self.vectorizer_ = None
        if self.use_char:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                               min_df=2, max_features=int(self.max_char_features),
                                               dtype=np.float64).fit(texts)

    def _features(self, texts: list[str], E: np.ndarray | None) -> Any:
        from scipy import sparse

        parts = []
        if self.use_embed:
            parts.append(sparse.csr_matrix(np.asarray(E, dtype=np.float64)))
        if self.use_char:
            parts.append(self.vectorizer_.transform(texts))
        return sparse.hstack(parts).tocsr() if len(parts) > 1 else parts[0].tocsr()

    def _index(self) -> None:
        """Class lists (``classes_`` included) from the taxonomy."""
        tax = self.taxonomy_
        self.macros_ = [n.node_id for n in tax.macro_problems()]
        self.goals_ = [n.node_id for n in tax.goals()]
        self.gps_ = [n.node_id for n in tax.by_level("general_policy")]
        self.macro_index_ = {m: i for i, m in enumerate(self.macros_)}
        self.goal_index_ = {g: i for i, g in enumerate(self.goals_)}
        self.gp_index_ = {g: i for i, g in enumerate(self.gps_)}
        self.classes_ = np.array(self.goals_ + [OUTSIDE])
        self.goal_macro_ = np.array([self.macro_index_[tax.gold_path(g)[0]] for g in self.goals_])
        self.gp_goal_ = np.array([self.goal_index_[tax.gold_path(g)[1]] for g in self.gps_])

    # -- prediction ---------------------------------------------------------------------
    def predict_levels(self, X: Sequence[Any], embeddings: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Calibrated probabilities per level, conditional on being in the taxonomy:
        ``macro_problem`` (n, 4), ``goal`` (n, 16), ``general_policy`` (n, 51) = P(goal) x P(policy | goal),
        ``policy_given_goal`` (n, 51), and ``in_domain`` (n,)."""
        self._check_fitted()
        texts = [resolve_normaliser(self.normaliser)(t) for t in _texts(X)]
        n = len(texts)
        out = {"macro_problem": np.zeros((n, len(self.macros_))), "goal": np.zeros((n, len(self.goals_))),
               "general_policy": np.zeros((n, len(self.gps_))), "policy_given_goal": np.zeros((n, len(self.gps_))),
               "in_domain": np.zeros(n)}
        if n == 0:
            return out
        E = None
        if self.use_embed:
            E = self._embed(texts) if embeddings is None else np.asarray(embeddings, dtype=np.float32)
        F = self._features(texts, E)
        dom = self.detector_.proba(F)
        out["in_domain"] = dom[:, self.detector_.classes.index("in")]
        goal = out["goal"]
        goal[:, [self.goal_index_[c] for c in self.goal_model_.classes]] = self.goal_model_.proba(F)
        np.add.at(out["macro_problem"].T, self.goal_macro_, goal.T)
        scores = np.full((n, len(self.gps_)), -np.inf)
        scores[:, [self.gp_index_[c] for c in self.gp_model_.classes]] = self.gp_model_.scores(F)
        given = out["policy_given_goal"]
        for gi in range(len(self.goals_)):
            cols = np.flatnonzero(self.gp_goal_ == gi)
            given[:, cols] = masked_softmax(scores[:, cols], np.isfinite(scores[:, cols]))
        out["general_policy"] = given * goal[:, self.gp_goal_]
        out["_embeddings"] = E  # type: ignore[assignment]
        out["_texts"] = texts  # type: ignore[assignment]
        return out

    def predict_proba(self, X: Sequence[Any], embeddings: np.ndarray | None = None) -> np.ndarray:
        """(n, 17): P(goal) x in_domain for the 16 goals, then P(outside the taxonomy); see ``classes_``."""
        lv = self.predict_levels(X, embeddings)
        p_in = lv["in_domain"][:, None]
        return np.hstack([lv["goal"] * p_in, 1.0 - p_in])

    def predict(self, X: Sequence[Any], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Goal id per statement, or ``"outside"`` when the statement abstains."""
        return np.array([OUTSIDE if p.abstained else p.goal_id for p in self.classify(X, embeddings)])

    def classify(self, X: Sequence[Any], embeddings: np.ndarray | None = None) -> list[Prediction]:
        """A :class:`Prediction` per statement: path, confidence per level, alternatives, abstention."""
        texts = _texts(X)
        lv = self.predict_levels(texts, embeddings)
        return [self._decide(i, texts[i], lv) for i in range(len(texts))]

    def _decide(self, i: int, text: str, lv: dict[str, np.ndarray]) -> Prediction:
        macro, goal, gp, given, p_in = (lv["macro_problem"][i], lv["goal"][i], lv["general_policy"][i],
                                        lv["policy_given_goal"][i], float(lv["in_domain"][i]))
        g = int(np.argmax(goal))
        m = int(self.goal_macro_[g])
        kids = np.flatnonzero(self.gp_goal_ == g)
        gpi = int(kids[np.argmax(given[kids])]) if len(kids) and given[kids].max() > 0 else None
        conf = {"macro_problem": float(macro[m]), "goal": float(goal[g]),
                "general_policy": float(gp[gpi]) if gpi is not None else 0.0}
        reason = None
        if p_in < IN_DOMAIN_THRESHOLD:
            reason = (f"outside the taxonomy: it reads like a statement that names no problem, aim or policy "
                      f"of a city (in-domain probability {p_in:.2f} < {IN_DOMAIN_THRESHOLD})")
        elif conf["goal"] < self.abstain_threshold:
            reason = (f"no goal is likely enough: the best, {self.goals_[g]}, has {conf['goal']:.2f} "
                      f"< {self.abstain_threshold}")

        def top(names: list[str], probs: np.ndarray) -> tuple[Alternative, ...]:
            order = np.argsort(-probs, kind="stable")[: int(self.top_k)]
            return tuple(Alternative(names[j], round(float(probs[j]), 4)) for j in order if probs[j] > 0)

        multi = tuple(Alternative(self.goals_[j], round(float(goal[j]), 4))
                      for j in np.argsort(-goal, kind="stable") if goal[j] >= self.multi_label_threshold)
        return Prediction(
            text=text, macro_id=self.macros_[m], goal_id=self.goals_[g],
            general_policy_id=self.gps_[gpi] if gpi is not None else None,
            confidence={k: round(v, 4) for k, v in conf.items()}, in_domain=round(p_in, 4),
            abstained=reason is not None, reason=reason,
            alternatives={"macro_problem": top(self.macros_, macro), "goal": top(self.goals_, goal),
                          "general_policy": top(self.gps_, gp)},
            goals=multi, evidence=self._evidence(i, lv),
            distribution={g: round(float(goal[j]), 4) for j, g in enumerate(self.goals_)})  # type: ignore[arg-type]

    def _evidence(self, i: int, lv: dict[str, Any], n: int = 3) -> tuple[Evidence, ...]:
        """The nearest prototypes (taxonomy texts, training statements, human examples)."""
        e_sim = c_sim = None
        if self.embeddings_ is not None and lv.get("_embeddings") is not None:
            e_sim = self.embeddings_ @ np.asarray(lv["_embeddings"][i], dtype=np.float32)
        if self.char_ is not None:
            c_sim = (self.char_ @ self.vectorizer_.transform([lv["_texts"][i]]).T).toarray().ravel()
        score = (e_sim if e_sim is not None else 0) + (c_sim if c_sim is not None else 0)
        out = []
        for j in np.argsort(-np.asarray(score), kind="stable")[:n]:
            p = self.bank_[j]
            out.append(Evidence(p.node_id, p.kind, p.text,
                                round(float(e_sim[j]), 4) if e_sim is not None else None,
                                round(float(c_sim[j]), 4) if c_sim is not None else None))
        return tuple(out)

    def _check_fitted(self) -> None:
        if not hasattr(self, "goal_model_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This TaxonomyClassifier is not fitted yet; call fit() or load a saved one "
                                 "with pipeline.classify.load_classifier(path, embedder).")

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: Any) -> None:
        """Plain artifacts in a folder: ``model.json`` (params, bank, vocabulary) + ``arrays.npz``."""
        from pipeline.classify.persist import save_classifier

        save_classifier(self, path)

    @classmethod
    def load(cls, path: Any, embedder: Any = None, taxonomy: Any = None) -> TaxonomyClassifier:
        from pipeline.classify.persist import load_classifier

        return load_classifier(path, embedder=embedder, taxonomy=taxonomy)
