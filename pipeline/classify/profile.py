"""A document's profile over the taxonomy: how much of it speaks to each macro-problem and goal.

Two measures per node, both over the document's statements:

``count`` / ``share``: statements whose (non-abstained) top-1 path passes through the node, and
that count over the statements that were not abstained.
``mass``: the mean over all statements of P(node) x P(in the taxonomy), the soft version that
does not depend on the abstention threshold.

``evidence`` lists the statements behind a node, most confident first, with whatever provenance
the caller attached (page, offsets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.classify.result import Prediction


def document_profile(predictions: Sequence[Prediction], taxonomy: Any, *,
                     provenance: Sequence[Mapping[str, Any]] | None = None,
                     evidence_per_node: int = 3) -> dict[str, Any]:
    """Profile of one document over the 4 macro-problems and 16 goals (priority order)."""
    n = len(predictions)
    prov = list(provenance) if provenance is not None else [{} for _ in predictions]
    if len(prov) != n:
        raise ValueError(f"provenance must have one entry per prediction: {len(prov)} for {n}.")
    kept = [i for i, p in enumerate(predictions) if not p.abstained]

    def block(level: str, nodes: list, key: int) -> list[dict[str, Any]]:
        rows = []
        for node in nodes:
            mine = sorted((i for i in kept if predictions[i].path[key] == node.node_id),
                          key=lambda i: -predictions[i].confidence.get(level, 0.0))
            mass = sum(_probability(p, level, node.node_id, taxonomy) for p in predictions) / n if n else 0.0
            rows.append({
                "node_id": node.node_id, "rank": node.rank, "text_fa": node.text_fa, "gloss_en": node.gloss_en,
                "count": len(mine), "share": round(len(mine) / len(kept), 4) if kept else 0.0,
                "mass": round(mass, 4),
                "evidence": [{**prov[i], "text": predictions[i].text,
                              "confidence": predictions[i].confidence.get(level)}
                             for i in mine[:evidence_per_node]],
            })
        return rows

    macros = block("macro_problem", taxonomy.macro_problems(), 0)
    goals = block("goal", taxonomy.goals(), 1)
    top = sorted((g for g in goals if g["count"]), key=lambda g: (-g["count"], -g["mass"]))
    return {"statements": n, "classified": len(kept), "abstained": n - len(kept),
            "macro_problems": macros, "goals": goals, "top_goals": [g["node_id"] for g in top[:5]]}


def _probability(p: Prediction, level: str, node_id: str, taxonomy: Any) -> float:
    """P(node) x P(in the taxonomy): a goal's from the distribution, a macro-problem's as the sum
    over its goals."""
    if level == "goal":
        return p.distribution.get(node_id, 0.0) * p.in_domain
    return sum(v for g, v in p.distribution.items() if taxonomy.gold_path(g)[0] == node_id) * p.in_domain
