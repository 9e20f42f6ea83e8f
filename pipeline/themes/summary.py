"""From fitted labels to a ThemeResult: centroids, bilingual labels, representatives, tables."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pipeline.lang.fa import TO_ASCII_DIGITS
from pipeline.lang.glossary import Glossary
from pipeline.themes.model import OUTLIER, Representative, SeedGoal, Theme, ThemeAssignment, ThemeResult
from pipeline.themes.vectorizer import is_latin, is_persian

UNKNOWN = "unknown"
_DIGITS = TO_ASCII_DIGITS
_DATE_RE = re.compile(r"^(\d{4})(?:[-/](\d{1,2}))?")


def centroids(E: np.ndarray, labels: np.ndarray, theme_ids: Sequence[int]) -> np.ndarray:
    """Unit-length mean embedding of each theme's members, one row per id in ``theme_ids``."""
    C = np.vstack([E[labels == t].mean(axis=0) for t in theme_ids]).astype(np.float32)
    return C / np.linalg.norm(C, axis=1, keepdims=True)


def softmax(S: np.ndarray, temperature: float) -> np.ndarray:
    Z = (S - S.max(axis=1, keepdims=True)) / temperature
    P = np.exp(Z)
    return P / P.sum(axis=1, keepdims=True)


def compact_terms(terms: Sequence[str], k: int) -> list[str]:
    """Up to ``k`` terms without repeats: «دیپلماسی» is dropped once «دیپلماسی شهری» is in."""
    chosen: list[str] = []
    for t in terms:
        words = set(t.split())
        if words <= {w for c in chosen for w in c.split()}:
            continue
        chosen = [c for c in chosen if not set(c.split()) < words]
        chosen.append(t)
        if len(chosen) == k:
            break
    return chosen


def english_label(goal: SeedGoal | None, similarity: float | None, terms_en: Sequence[str], label_fa: str,
                  translated: Sequence[str] = ()) -> str:
    """An honest English label: the key terms the glossary can translate (``translated``) or the
    theme's own English terms, then the nearest goal's gloss marked with "≈"; never a guess."""
    words = list(translated) or list(terms_en)
    goal_part = (f"nearest goal {goal.goal_id} ({similarity:.2f}): {_shorten(goal.gloss_en or goal.goal_id)}"
                 if goal is not None else "")
    if words and goal_part:
        return f"{', '.join(words)} (≈ {goal_part})"
    if words:
        return ", ".join(words)
    return "≈ " + (goal_part or f"untranslated: {label_fa}")


def _shorten(text: str, limit: int = 90) -> str:
    """Cut a long gloss at a word boundary, before any parenthesis."""
    text = text.split(" (")[0] if len(text) > limit else text
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)] + " …"


def nearest_goals(C: np.ndarray, model: Any, theme_ids: Sequence[int], goals: Sequence[SeedGoal],
                  goal_matrix: np.ndarray | None, goal_ids: Sequence[str]) -> tuple[list, str | None]:
    """(goal, similarity) per theme.

    With goal embeddings: the goal maximising the sum of z-scored similarities over goals of
    (a) centroid-to-goal-embedding cosine and (b) theme-c-TF-IDF-to-goal-text cosine (wording
    and meaning combined); the reported similarity is the embedding cosine. Without: (b) alone.
    """
    if not goals and goal_matrix is None:
        return [(None, None)] * len(theme_ids), None
    by_id = {g.goal_id: g for g in goals}
    ordered = [by_id.get(i) or SeedGoal(i, "") for i in goal_ids] if goal_matrix is not None else list(goals)
    T = _term_similarity(model, theme_ids, ordered)
    if goal_matrix is None:
        return [(ordered[j], float(T[i, j])) if T[i, j] > 0 else (None, None)
                for i, j in enumerate(T.argmax(axis=1))], "terms"
    S = C @ goal_matrix.T
    score = _z(S) + (_z(T) if np.ptp(T) > 0 else 0.0)
    return [(ordered[j], float(S[i, j])) for i, j in enumerate(score.argmax(axis=1))], "embedding+terms"


def _term_similarity(model: Any, theme_ids: Sequence[int], goals: Sequence[SeedGoal]) -> np.ndarray:
    from sklearn.metrics.pairwise import cosine_similarity

    G = model.ctfidf_model.transform(model.vectorizer_model.transform([g.text_fa for g in goals]))
    rows = model.c_tf_idf_[[t + model._outliers for t in theme_ids]]
    return cosine_similarity(rows, G)


def _z(S: np.ndarray) -> np.ndarray:
    """Each theme's similarities standardised over the goals."""
    return (S - S.mean(axis=1, keepdims=True)) / np.maximum(S.std(axis=1, keepdims=True), 1e-9)


def summarise(statements: Sequence[Any], E: np.ndarray, topics: np.ndarray, model: Any, config: Any, *,
              goals: Sequence[SeedGoal] = (), goal_matrix: np.ndarray | None = None, goal_ids: Sequence[str] = (),
              city_of: Callable[[Any], str | None] | None = None,
              date_of: Callable[[Any], Any] | None = None) -> ThemeResult:
    topics = np.asarray(topics)
    theme_ids = sorted(int(t) for t in set(topics) - {OUTLIER})
    C = centroids(E, topics, theme_ids)
    S = E @ C.T
    P = softmax(S, config.temperature)
    col = {t: j for j, t in enumerate(theme_ids)}
    matches, goal_method = nearest_goals(C, model, theme_ids, goals, goal_matrix, goal_ids)
    glossary = Glossary.load()
    themes = []
    for j, t in enumerate(theme_ids):
        members = np.flatnonzero(topics == t)
        terms = [(w, s) for w, s in (model.get_topic(t) or []) if s > 0]
        terms_fa = tuple(w for w, _ in terms if is_persian(w))[: config.top_n_terms]
        terms_en = tuple(w for w, _ in terms if is_latin(w))[: config.top_n_terms]
        # English-only themes (an abstract, references) get their English terms as the label.
        label_fa = ("، " if terms_fa else ", ").join(compact_terms(terms_fa or terms_en, config.label_terms))
        goal, sim = matches[j]
        examples = representatives(statements, members, S[members, j], config.n_representatives)
        themes.append(Theme(
            theme_id=t, label_fa=label_fa,
            label_en=english_label(goal, sim, compact_terms(terms_en, config.label_terms), label_fa,
                                   glossary.translate_terms(terms_fa, config.label_terms)),
            terms_fa=terms_fa, terms_en=terms_en, size=int(len(members)),
            representatives=tuple(e.statement_id for e in examples),
            seed_goal=goal.goal_id if goal else None,
            seed_goal_similarity=round(sim, 4) if sim is not None else None, examples=examples))
    assignments = []
    second = []
    for i, st in enumerate(statements):
        t = int(topics[i])
        assignments.append(ThemeAssignment(st.statement_id, t, round(float(P[i, col[t]]), 4) if t in col else 0.0))
        if config.multi_label and t in col and len(theme_ids) > 1:
            order = np.argsort(-S[i])
            u = order[0] if theme_ids[order[0]] != t else order[1]
            if S[i, u] >= S[i, col[t]] - config.multi_label_margin:
                second.append(ThemeAssignment(st.statement_id, theme_ids[u], round(float(P[i, u]), 4), primary=False))
    labels = [int(t) for t in topics]
    per_city = theme_table(statements, labels, city_of, "city") if city_of else ()
    per_period = period_table(statements, labels, date_of, city_of, config.period) if date_of else ()
    return ThemeResult(themes=tuple(themes), assignments=tuple(assignments + second),
                       params={"goal_match": goal_method, "secondary_assignments": len(second)},
                       per_city=per_city, per_period=per_period)


def representatives(statements: Sequence[Any], members: np.ndarray, sims: np.ndarray, k: int
                    ) -> tuple[Representative, ...]:
    """The ``k`` members most similar to the centroid, skipping repeated texts."""
    out, seen = [], set()
    for idx in np.argsort(-sims, kind="stable"):
        st = statements[members[idx]]
        if st.text in seen:
            continue
        seen.add(st.text)
        out.append(Representative.from_statement(st, sims[idx]))
        if len(out) == k:
            break
    return tuple(out)


def theme_table(statements: Sequence[Any], labels: Sequence[int], key_of: Callable[[Any], Any],
                key_name: str) -> tuple[dict[str, Any], ...]:
    """Counts and shares of each theme (outliers as -1) within each group; shares sum to 1 per group."""
    keys = [key_of(s) or UNKNOWN for s in statements]
    counts = Counter(zip(keys, labels, strict=True))
    totals = Counter(keys)
    return tuple({key_name: k, "theme_id": t, "count": c, "share": round(c / totals[k], 4)}
                 for (k, t), c in sorted(counts.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])))


def period_of(value: Any, granularity: str = "year") -> str:
    """"2022" or "2022-07" from a date, datetime or "YYYY[-MM[-DD]]" string (Persian digits too);
    "unknown" otherwise. A year-only date stays a year at month granularity."""
    if value is None:
        return UNKNOWN
    m = _DATE_RE.match(str(getattr(value, "isoformat", lambda: value)()).translate(_DIGITS).strip())
    if not m:
        return UNKNOWN
    if granularity == "month" and m.group(2):
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    return m.group(1)


def period_table(statements: Sequence[Any], labels: Sequence[int], date_of: Callable[[Any], Any],
                 city_of: Callable[[Any], str | None] | None, granularity: str) -> tuple[dict[str, Any], ...]:
    """Theme counts per period, for all cities ("all") and per city (group x time)."""
    rows = [{"city": "all", **r} for r in theme_table(statements, labels,
                                                        lambda s: period_of(date_of(s), granularity), "period")]
    if city_of:
        def key(s):
            return f"{city_of(s) or UNKNOWN}\t{period_of(date_of(s), granularity)}"

        for r in theme_table(statements, labels, key, "key"):
            city, period = r.pop("key").split("\t")
            rows.append({"city": city, "period": period, **r})
    return tuple(rows)
