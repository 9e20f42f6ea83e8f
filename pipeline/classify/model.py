"""TaxonomyClassifier: statements -> macro-problem -> goal -> general policy, calibrated, with abstention.

    from pipeline.embed import get_embedder
    from pipeline.classify import TaxonomyClassifier
    clf = TaxonomyClassifier(embedder=get_embedder("e5")).fit()      # the taxonomy's own texts
    [p.path for p in clf.classify(["توسعه گردشگری سلامت با کشورهای همسایه"])]

How it decides. Every statement is compared with every prototype (taxonomy texts, English glosses,
labelled examples) in two views, meaning (embedding cosine) and wording (char_wb 2-5 TF-IDF cosine);
per class the similarities are summarised (:mod:`pipeline.classify.features`) and a conditional logit
with shared weights scores the 16 goals (macro-problem evidence of each goal's parent included).
The macro-problem probability is the sum of its goals' probabilities; a general policy's is
P(goal) x P(policy | goal) from a second conditional logit over the goal's children, so every
path is consistent. Both logits are fitted on out-of-row features (a prototype never sees its own
table row) and temperature-scaled on inner grouped folds. A detector trained on in-domain vs
out-of-domain text gives ``in_domain``; the statement abstains when that is below 0.5 or the best
goal's confidence is below ``abstain_threshold``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from pipeline.classify.bank import Prototype, build_bank
from pipeline.classify.calibrate import ConditionalLogit, fit_temperature, masked_softmax
from pipeline.classify.features import Membership, combined_similarity, level_features
from pipeline.classify.ood import DomainDetector, load_ood_texts, ood_features
from pipeline.classify.result import Alternative, Evidence, Prediction
from pipeline.errors import ConfigError

CLASSIFIER_VERSION = "1.1.0"
# prototypes whose out-of-fold scores set the temperatures: like what is classified later
CALIBRATION_KINDS = ("node", "example")
OUTSIDE = "outside"


def _calibration_rows(kinds: np.ndarray) -> np.ndarray:
    """Rows whose out-of-fold scores set the temperatures: prototypes of :data:`CALIBRATION_KINDS`
    (like the statements classified later, not aliases or English glosses), or every row when
    there are fewer than 20 of them."""
    return kinds if kinds.sum() >= 20 else np.ones(len(kinds), dtype=bool)


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


class TaxonomyClassifier(ClassifierMixin, BaseEstimator):
    """Hierarchical, calibrated, abstaining classifier onto a problem -> goal -> policy taxonomy.

    ``embedder``: any object with ``embed(texts) -> (n, d)`` unit rows (``pipeline.embed``); needed
    when ``use_embed``. ``taxonomy``: a :class:`~pipeline.taxonomy.Taxonomy` (default: the committed
    Mashhad taxonomy, loaded at fit). ``ood``: ``"auto"`` (bundled out-of-domain sentences), a list
    of texts, or ``None`` (no detector: ``in_domain`` is 1).
    """

    def __init__(self, embedder: Any = None, taxonomy: Any = None, normaliser: Any = "auto", *,
                 use_embed: bool = True, use_char: bool = True, use_glosses: bool = True,
                 use_aliases: bool = True, subproblem_goals: str = "related", k: int = 5, l2: float = 0.01,
                 parent_features: bool = True, calibration: str = "temperature", cv: int = 5,
                 abstain_threshold: float = 0.15, multi_label_threshold: float = 0.3, ood: Any = "auto",
                 top_k: int = 3, gloss_weight: float = 1.0, definition_features: bool = True):
        self.embedder = embedder
        self.taxonomy = taxonomy
        self.normaliser = normaliser
        self.use_embed = use_embed
        self.use_char = use_char
        self.use_glosses = use_glosses
        self.use_aliases = use_aliases
        self.subproblem_goals = subproblem_goals
        self.k = k
        self.l2 = l2
        self.parent_features = parent_features
        self.calibration = calibration
        self.cv = cv
        self.abstain_threshold = abstain_threshold
        self.multi_label_threshold = multi_label_threshold
        self.ood = ood
        self.top_k = top_k
        self.gloss_weight = gloss_weight
        self.definition_features = definition_features

    # -- fitting ------------------------------------------------------------------------
    def _check_params(self) -> None:
        if not (self.use_embed or self.use_char):
            raise ConfigError("TaxonomyClassifier needs use_embed or use_char (or both). Got neither.")
        if self.use_embed and self.embedder is None:
            raise ConfigError("TaxonomyClassifier(use_embed=True) needs an embedder: pass "
                              "embedder=pipeline.embed.get_embedder('e5') (or 'hashing' in tests), "
                              "or use_embed=False for wording only.")
        if self.subproblem_goals not in ("related", "none"):
            raise ConfigError(f"The subproblem_goals parameter must be 'related' or 'none'. "
                              f"Got {self.subproblem_goals!r} instead.")
        if self.calibration not in ("temperature", "none"):
            raise ConfigError(f"The calibration parameter must be 'temperature' or 'none'. "
                              f"Got {self.calibration!r} instead.")
        for name in ("abstain_threshold", "multi_label_threshold"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ConfigError(f"The {name} parameter must be in [0, 1]. Got {v!r} instead.")
        if int(self.k) < 1 or int(self.top_k) < 1 or int(self.cv) < 2:
            raise ConfigError(f"k and top_k must be >= 1 and cv >= 2. Got k={self.k}, top_k={self.top_k}, "
                              f"cv={self.cv}.")

    def fit(self, X: Sequence[Any] | None = None, y: Sequence[str] | None = None, *,
            groups: Sequence[str] | None = None, embeddings: np.ndarray | None = None,
            exclude_nodes: Iterable[str] = ()) -> TaxonomyClassifier:
        """Fit on the taxonomy's own texts plus labelled examples ``X`` with node ids ``y`` (any level).

        ``groups`` tie examples that must not see each other while fitting (default: each its own).
        ``embeddings`` (aligned with ``X``) skip embedding those texts. ``exclude_nodes``: taxonomy
        nodes whose texts, aliases and glosses are left out of the bank (for held-out evaluation).
        """
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
        examples = list(zip(texts, labels, grp, strict=True))
        bank = build_bank(tax, examples, normalise=norm, exclude_nodes=exclude_nodes,
                          use_aliases=self.use_aliases, use_glosses=self.use_glosses)
        if not bank:
            raise ValueError("Nothing to fit on: the taxonomy has no texts and no examples were given.")
        known = {}
        if embeddings is not None and self.use_embed:
            known = {norm(t): np.asarray(v, dtype=np.float32) for t, v in zip(texts, embeddings, strict=True)}
        self.taxonomy_ = tax
        self.bank_ = bank
        self.embeddings_ = self._embed([p.text for p in bank], known) if self.use_embed else None
        self._fit_char()
        self._index()
        s = self._bank_sims()
        same_row = np.array([p.group for p in bank])
        same_unit = np.array([p.unit for p in bank])
        row_valid = same_row[:, None] != same_row[None, :]
        unit_valid = same_unit[:, None] != same_unit[None, :]
        weights = np.array([self.gloss_weight if p.kind == "gloss" else 1.0 for p in bank])
        kinds = np.array([p.kind in CALIBRATION_KINDS for p in bank])

        q_goal = np.array([i for i, p in enumerate(bank) if p.goal_id is not None])
        sg = {v: m[q_goal] for v, m in s.items()}
        yg = np.array([self.goal_index_[bank[i].goal_id] for i in q_goal])
        calibrate = self._goal_features(sg, row_valid[q_goal])
        self.goal_model_, self.goal_decision_temperature_, self.goal_temperature_, oof = self._fit_level(
            self._goal_features(sg, unit_valid[q_goal]), calibrate, yg, [bank[i].group for i in q_goal],
            weights[q_goal], _calibration_rows(kinds[q_goal]))
        self.macro_temperature_ = 1.0
        if oof is not None:  # macro-problem confidences: the decision's macro sums, power-calibrated
            k = _calibration_rows(kinds[q_goal])
            macro_oof = self._macro_sums(masked_softmax(oof[k] / self.goal_decision_temperature_, calibrate[1][k]))
            with np.errstate(divide="ignore"):
                self.macro_temperature_ = fit_temperature(np.log(macro_oof), macro_oof > 0,
                                                          self.goal_macro_[yg[k]])

        q_gp = np.array([i for i, p in enumerate(bank) if p.general_policy_id is not None])
        Fp, Pp = self._gp_features({v: m[q_gp] for v, m in s.items()}, unit_valid[q_gp])
        yp = np.array([self.gp_index_[bank[i].general_policy_id] for i in q_gp])
        sib = np.array([[self.gp_goal_[c] == self.goal_index_[bank[i].goal_id] for c in range(len(self.gps_))]
                        for i in q_gp])
        self.gp_model_, _, self.gp_temperature_, _ = self._fit_level(
            (Fp, Pp & sib), (Fp, Pp & sib), yp, [bank[i].group for i in q_gp], weights[q_gp],
            _calibration_rows(kinds[q_gp]))

        self.detector_ = DomainDetector()
        ood_texts = self._ood_texts()
        if ood_texts:
            inside = ood_features(s.get("embed"), s.get("char"), row_valid)
            q = self._query_sims(ood_texts)
            outside = ood_features(q.get("embed"), q.get("char"), np.ones((len(ood_texts), len(bank)), bool))
            self.detector_.fit(inside, outside)
        return self

    def _fit_level(self, train: tuple[np.ndarray, np.ndarray], calibrate: tuple[np.ndarray, np.ndarray],
                   y: np.ndarray, groups: list[str], weights: np.ndarray, calibrate_on: np.ndarray
                   ) -> tuple[ConditionalLogit, float, float, np.ndarray | None]:
        """The logit, two temperatures and the out-of-fold ``calibrate`` scores (inner grouped folds).

        Weights come from ``train`` features, where a prototype hides only its own texts, so the
        model learns that a near-duplicate of a labelled example means its class; the decision
        temperature is fitted on those. The reported confidences use a temperature fitted on
        ``calibrate`` features, where a prototype hides its whole table row, as a new statement
        has no row-mates in the bank. Temperatures are fitted on the ``calibrate_on`` rows only
        (see :func:`_calibration_rows`)."""
        F, present = train
        model = ConditionalLogit(l2=self.l2).fit(F, present, y, weights)
        if self.calibration == "none":
            return model, 1.0, 1.0, None
        from sklearn.model_selection import GroupKFold

        n_groups = len(set(groups))
        if n_groups < 2:
            return model, 1.0, 1.0, None
        Fc, pc = calibrate
        oof, oof_c = np.full(present.shape, -np.inf), np.full(pc.shape, -np.inf)
        for tr, te in GroupKFold(n_splits=min(int(self.cv), n_groups)).split(F, y, groups):
            inner = ConditionalLogit(l2=self.l2).fit(F[tr], present[tr], y[tr], weights[tr])
            oof[te] = inner.decision_function(F[te], present[te])
            oof_c[te] = inner.decision_function(Fc[te], pc[te])
        cal = calibrate_on
        return (model, fit_temperature(oof[cal], present[cal], y[cal]),
                fit_temperature(oof_c[cal], pc[cal], y[cal]), oof_c)

    def _macro_sums(self, goal: np.ndarray) -> np.ndarray:
        macro = np.zeros((goal.shape[0], len(self.macros_)))
        np.add.at(macro.T, self.goal_macro_, goal.T)
        return macro

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

    def _fit_char(self) -> None:
        """The wording view: character 2-5-gram TF-IDF of the bank (deterministic, so a loaded
        classifier refits it from the saved bank texts)."""
        self.vectorizer_ = None
        if self.use_char:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
            self.char_ = self.vectorizer_.fit_transform([p.text for p in self.bank_]).tocsr()

    def _index(self) -> None:
        """Class lists (``classes_`` included) and prototype membership per level, from the bank and
        the taxonomy."""
        tax, bank = self.taxonomy_, self.bank_
        self.macros_ = [n.node_id for n in tax.macro_problems()]
        self.goals_ = [n.node_id for n in tax.goals()]
        self.gps_ = [n.node_id for n in tax.by_level("general_policy")]
        self.macro_index_ = {m: i for i, m in enumerate(self.macros_)}
        self.goal_index_ = {g: i for i, g in enumerate(self.goals_)}
        self.gp_index_ = {g: i for i, g in enumerate(self.gps_)}
        self.classes_ = np.array(self.goals_ + [OUTSIDE])
        self.goal_macro_ = np.array([self.macro_index_[tax.gold_path(g)[0]] for g in self.goals_])
        self.gp_goal_ = np.array([self.goal_index_[tax.gold_path(g)[1]] for g in self.gps_])

        def members(classes: list[str], key: Callable[[Prototype], Iterable[str]]) -> Membership:
            cols: dict[str, list[int]] = {c: [] for c in classes}
            for j, p in enumerate(bank):
                for c in key(p):
                    if c in cols:
                        cols[c].append(j)
            return Membership(tuple(classes), tuple(np.array(cols[c], dtype=int) for c in classes))

        related = self.subproblem_goals == "related"
        self.macro_members_ = members(self.macros_, lambda p: [p.macro_id])
        self.goal_members_ = members(self.goals_, lambda p: [p.goal_id] if p.goal_id else
                                     (list(p.related_goals) if related else []))
        self.gp_members_ = members(self.gps_, lambda p: [p.general_policy_id] if p.general_policy_id else [])
        definition = ("node", "alias", "gloss")
        self.goal_def_members_ = members(self.goals_, lambda p: [p.goal_id] if p.kind in definition and
                                         p.level in ("goal", "general_policy") else [])

    def _views(self) -> tuple[str, ...]:
        if self.use_embed and self.use_char:
            return ("embed", "char", "both")
        return ("embed",) if self.use_embed else ("char",)

    def _with_both(self, s: dict[str, np.ndarray], valid: np.ndarray) -> dict[str, np.ndarray]:
        if self.use_embed and self.use_char:
            s = {**s, "both": combined_similarity(s["embed"], s["char"], valid)}
        return s

    def _bank_sims(self) -> dict[str, np.ndarray]:
        s = {}
        if self.use_embed:
            s["embed"] = self.embeddings_ @ self.embeddings_.T
        if self.use_char:
            s["char"] = (self.char_ @ self.char_.T).toarray()
        return s

    def _query_sims(self, texts: list[str], embeddings: np.ndarray | None = None) -> dict[str, np.ndarray]:
        s = {}
        if self.use_embed:
            E = self._embed(texts) if embeddings is None else np.asarray(embeddings, dtype=np.float32)
            s["embed"] = E @ self.embeddings_.T
        if self.use_char:
            s["char"] = (self.vectorizer_.transform(texts) @ self.char_.T).toarray()
        return s

    def _goal_features(self, s: dict[str, np.ndarray], valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = self._with_both(s, valid)
        F, present, _ = level_features(s, valid, self.goal_members_, int(self.k), self._views())
        if self.parent_features:
            Fm, _, _ = level_features(s, valid, self.macro_members_, int(self.k), self._views())
            F = np.concatenate([F, Fm[:, self.goal_macro_, :]], axis=2)
        if self.definition_features:
            Fd, _, _ = level_features(s, valid, self.goal_def_members_, int(self.k), self._views())
            F = np.concatenate([F, Fd], axis=2)
        return F, present

    def _gp_features(self, s: dict[str, np.ndarray], valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = self._with_both(s, valid)
        F, present, _ = level_features(s, valid, self.gp_members_, int(self.k), self._views())
        return F, present

    # -- prediction ---------------------------------------------------------------------
    def predict_levels(self, X: Sequence[Any], embeddings: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Calibrated probabilities per level, conditional on being in the taxonomy:
        ``macro_problem`` (n, 4), ``goal`` (n, 16), ``general_policy`` (n, 51) = P(goal) x P(policy | goal),
        ``policy_given_goal`` (n, 51), and ``in_domain`` (n,)."""
        self._check_fitted()
        texts = [resolve_normaliser(self.normaliser)(t) for t in _texts(X)]
        n = len(texts)
        if n == 0:
            return {"macro_problem": np.zeros((0, len(self.macros_))), "goal": np.zeros((0, len(self.goals_))),
                    "general_policy": np.zeros((0, len(self.gps_))),
                    "policy_given_goal": np.zeros((0, len(self.gps_))), "in_domain": np.zeros(0)}
        s = self._query_sims(texts, embeddings)
        valid = np.ones((n, len(self.bank_)), dtype=bool)
        Fg, Pg = self._goal_features(s, valid)
        scores = self.goal_model_.decision_function(Fg, Pg)
        goal = masked_softmax(scores / self.goal_temperature_, Pg)
        # the macro-problem is decided on goal probabilities at the decision temperature (the flatter
        # calibrated ones would favour macro-problems with many goals), its confidence power-calibrated
        decide = self._macro_sums(masked_softmax(scores / self.goal_decision_temperature_, Pg))
        with np.errstate(divide="ignore"):
            macro = masked_softmax(np.log(decide) / self.macro_temperature_, decide > 0)
        Fp, Pp = self._gp_features(s, valid)
        scores = self.gp_model_.decision_function(Fp, Pp) / self.gp_temperature_
        given = np.zeros_like(scores)
        for gi in range(len(self.goals_)):
            cols = np.flatnonzero(self.gp_goal_ == gi)
            given[:, cols] = masked_softmax(scores[:, cols], Pp[:, cols])
        gp = given * goal[:, self.gp_goal_]
        inside = self.detector_.proba(ood_features(s.get("embed"), s.get("char"), valid))
        return {"macro_problem": macro, "goal": goal, "general_policy": gp, "policy_given_goal": given,
                "in_domain": inside, "_sims": s}  # type: ignore[dict-item]

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
        m = int(np.argmax(macro))
        in_m = np.flatnonzero(self.goal_macro_ == m)
        g = int(in_m[np.argmax(goal[in_m])])
        kids = np.flatnonzero(self.gp_goal_ == g)
        gpi = int(kids[np.argmax(given[kids])]) if len(kids) and given[kids].max() > 0 else None
        conf = {"macro_problem": float(macro[m]), "goal": float(goal[g]),
                "general_policy": float(gp[gpi]) if gpi is not None else 0.0}
        reason = None
        if p_in < 0.5:
            reason = f"far from every prototype of the taxonomy (in-domain probability {p_in:.2f})"
        elif conf["goal"] < self.abstain_threshold:
            reason = f"no goal is likely enough (best {conf['goal']:.2f} < {self.abstain_threshold})"

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
            goals=multi, evidence=self._evidence(i, lv["_sims"]),
            distribution={g: round(float(goal[j]), 4) for j, g in enumerate(self.goals_)})  # type: ignore[arg-type]

    def _evidence(self, i: int, s: dict[str, np.ndarray], n: int = 3) -> tuple[Evidence, ...]:
        key = "embed" if "embed" in s else "char"
        score = s[key][i] if len(s) == 1 else s["embed"][i] + s["char"][i]
        out = []
        for j in np.argsort(-score, kind="stable")[:n]:
            p = self.bank_[j]
            out.append(Evidence(p.node_id, p.kind, p.text,
                                round(float(s["embed"][i, j]), 4) if "embed" in s else None,
                                round(float(s["char"][i, j]), 4) if "char" in s else None))
        return tuple(out)

    def _check_fitted(self) -> None:
        if not hasattr(self, "goal_model_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This TaxonomyClassifier is not fitted yet; call fit() or load a saved one "
                                 "with pipeline.classify.load_classifier(path, embedder).")

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: Any) -> None:
        """Plain artifacts in a folder: ``model.json`` (params, bank, weights) + ``arrays.npz``."""
        from pipeline.classify.persist import save_classifier

        save_classifier(self, path)

    @classmethod
    def load(cls, path: Any, embedder: Any = None, taxonomy: Any = None) -> TaxonomyClassifier:
        from pipeline.classify.persist import load_classifier

        return load_classifier(path, embedder=embedder, taxonomy=taxonomy)
