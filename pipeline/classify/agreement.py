"""Agreement between the machine's codings and human coders, per taxonomy level.

A human label at any depth implies its ancestors (a general policy says which goal and
macro-problem too); a pair enters a level only when both sides say something there. The
machine's value is ``outside`` when it abstained. Reported per coder and level: the number of
statements, raw agreement, Cohen's kappa (scikit-learn) and Krippendorff's alpha for nominal
data (the ``krippendorff`` package); with two or more coders, also alpha among the humans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.classify.labels import OUTSIDE, HumanLabel
from pipeline.classify.result import CLASSIFY_LEVELS

_DEPTH = {"macro_problem": 0, "goal": 1, "general_policy": 2}


@dataclass(frozen=True)
class MachineCoding:
    """What the classifier said of one statement (the stored classification)."""

    macro_id: str
    goal_id: str | None
    general_policy_id: str | None
    abstained: bool

    def at(self, level: str) -> str | None:
        if self.abstained:
            return OUTSIDE
        return (self.macro_id, self.goal_id, self.general_policy_id)[_DEPTH[level]]


def human_at(taxonomy: Any, node_id: str, level: str) -> str | None:
    """The node a human label implies at ``level`` (``outside`` stays ``outside``; None if too shallow)."""
    if node_id == OUTSIDE:
        return OUTSIDE
    return taxonomy.gold_path(node_id)[_DEPTH[level]]


def _scores(a: Sequence[str], b: Sequence[str]) -> dict[str, Any]:
    from sklearn.metrics import cohen_kappa_score

    n = len(a)
    if n == 0:
        return {"n": 0, "agreement": None, "cohen_kappa": None, "krippendorff_alpha": None}
    agree = float(np.mean([x == y for x, y in zip(a, b, strict=True)]))
    one_category = len(set(a) | set(b)) < 2
    kappa = None if one_category else float(cohen_kappa_score(a, b))
    return {"n": n, "agreement": round(agree, 4), "cohen_kappa": None if kappa is None else round(kappa, 4),
            "krippendorff_alpha": _alpha([list(a), list(b)])}


def _alpha(rows: list[list[str | None]]) -> float | None:
    """Nominal Krippendorff's alpha over raters x units (None = missing); None when undefined."""
    import krippendorff

    cats = sorted({v for r in rows for v in r if v is not None})
    if len(cats) < 2:
        return None
    code = {c: i for i, c in enumerate(cats)}
    data = np.array([[np.nan if v is None else code[v] for v in r] for r in rows], dtype=float)
    paired = (~np.isnan(data)).sum(0) >= 2
    if paired.sum() < 1:
        return None
    value = krippendorff.alpha(reliability_data=data[:, paired], level_of_measurement="nominal")
    return None if not np.isfinite(value) else round(float(value), 4)


def agreement_report(labels: Sequence[HumanLabel], machine: Mapping[str, MachineCoding],
                     taxonomy: Any) -> dict[str, Any]:
    """``{"by_coder": {coder: {level: scores}}, "between_coders": {level: alpha} | None, "unmatched": n}``.

    ``machine`` maps statement id -> coding; labels of statements without one are counted as
    ``unmatched``. A coder's latest label for a statement wins."""
    latest: dict[tuple[str, str], str] = {}
    for x in labels:
        latest[(x.coder, x.statement_id)] = x.node_id
    coders = sorted({c for c, _ in latest})
    unmatched = sum(1 for (_, sid) in latest if sid not in machine)
    by_coder: dict[str, dict[str, Any]] = {}
    for coder in coders:
        mine = {sid: node for (c, sid), node in latest.items() if c == coder and sid in machine}
        by_coder[coder] = {}
        for level in CLASSIFY_LEVELS:
            h, m = [], []
            for sid, node in sorted(mine.items()):
                hv, mv = human_at(taxonomy, node, level), machine[sid].at(level)
                if hv is not None and mv is not None:
                    h.append(hv)
                    m.append(mv)
            by_coder[coder][level] = _scores(h, m)
    between = None
    if len(coders) >= 2:
        units = sorted({sid for (_, sid) in latest})
        between = {}
        for level in CLASSIFY_LEVELS:
            rows = [[human_at(taxonomy, latest[(c, sid)], level) if (c, sid) in latest else None for sid in units]
                    for c in coders]
            between[level] = _alpha(rows)
    return {"coders": coders, "by_coder": by_coder, "between_coders": between, "unmatched": unmatched}
