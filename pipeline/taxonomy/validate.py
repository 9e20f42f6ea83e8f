"""Structural checks of a taxonomy; each problem names the node and the fix."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from pipeline.taxonomy.model import LEVELS, PARENT_LEVEL, RANK_SCOPE, Taxonomy


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" or "warning"
    node_id: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = self.node_id or "taxonomy"
        return f"{self.severity}: {where}: {self.message} Fix: {self.fix}"

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "node": self.node_id, "message": self.message, "fix": self.fix}


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def validate_taxonomy(tax: Taxonomy) -> list[Problem]:
    """Unique ids, existing parents of the right level, one chain to a root, ranks unique in scope."""
    out: list[Problem] = []
    counts = Counter(n.node_id for n in tax.nodes)
    for node_id, k in counts.items():
        if k > 1:
            out.append(Problem("error", node_id, f"id used by {k} nodes.", "Give each node its own id."))
    ids = set(counts)
    for n in tax.nodes:
        if n.level not in LEVELS:
            out.append(Problem("error", n.node_id, f"unknown level {n.level!r}.", f"Use one of {', '.join(LEVELS)}."))
            continue
        want = PARENT_LEVEL[n.level]
        if want is None and n.parent_id is not None:
            out.append(Problem("error", n.node_id, f"a macro-problem has parent {n.parent_id!r}.",
                               "Set `parent: null`: macro-problems are roots."))
        elif want is not None and n.parent_id is None:
            out.append(Problem("error", n.node_id, f"a {n.level} has no parent.", f"Set `parent` to a {want} id."))
        elif want is not None and n.parent_id not in ids:
            out.append(Problem("error", n.node_id, f"parent {n.parent_id!r} does not exist.",
                               f"Set `parent` to an existing {want} id or add that node."))
        elif want is not None:
            plevel = tax.node(n.parent_id).level
            if plevel != want:
                out.append(Problem("error", n.node_id, f"a {n.level} under a {plevel} ({n.parent_id}).",
                                   f"Move it under a {want}."))
        if not (n.text_fa or n.gloss_en):
            out.append(Problem("error", n.node_id, "no text.", "Give the node `fa` (or `en`) text."))
        for r in n.related:
            if r not in ids:
                out.append(Problem("error", n.node_id, f"related id {r!r} does not exist.",
                                   "Remove it from `related` or add that node."))
    out.extend(_chain_problems(tax, ids))
    out.extend(_rank_problems(tax))
    for g in tax.nodes:
        if g.level == "goal" and g.node_id in ids and not tax.children(g.node_id, "general_policy"):
            out.append(Problem("warning", g.node_id, "a goal without general policies.",
                               "Add its general policies, or check the source table for a lost cell."))
    return out


def _chain_problems(tax: Taxonomy, ids: set[str]) -> list[Problem]:
    out = []
    parent = {n.node_id: n.parent_id for n in tax.nodes}
    for start in ids:
        seen = [start]
        cur = parent.get(start)
        while cur is not None and cur in parent and cur not in seen and len(seen) <= len(LEVELS):
            seen.append(cur)
            cur = parent[cur]
        if cur is not None and cur in seen:
            out.append(Problem("error", start, f"parent chain loops: {' -> '.join(seen + [cur])}.",
                               "Point one of these parents at a node higher up the tree."))
        elif len(seen) > len(LEVELS):
            out.append(Problem("error", start, "parent chain longer than the number of levels.",
                               "Check the parents along the chain."))
    return out


def _rank_problems(tax: Taxonomy) -> list[Problem]:
    groups: dict[tuple, list[str]] = defaultdict(list)
    for n in tax.nodes:
        if n.rank is None or n.level not in RANK_SCOPE:
            continue
        scope = (n.level,) if RANK_SCOPE[n.level] == "level" else (n.level, n.parent_id)
        groups[scope + (n.rank,)].append(n.node_id)
    out = []
    for key, nodes in groups.items():
        if len(nodes) > 1:
            where = "level" if len(key) == 2 else f"siblings under {key[1]}"
            out.append(Problem("error", nodes[1], f"rank {key[-1]} is shared by {', '.join(nodes)} ({where}).",
                               f"Give each {key[0]} a rank unique among its {where}."))
    return out


def schema_problems(document: dict[str, Any], schema: dict[str, Any]) -> list[Problem]:
    """JSON-Schema errors, each tied to the node it is in when there is one."""
    from jsonschema import Draft202012Validator

    out = []
    nodes = document.get("nodes") if isinstance(document, dict) else None
    for err in sorted(Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = list(err.absolute_path)
        node_id = None
        if len(path) >= 2 and path[0] == "nodes" and isinstance(nodes, list) and isinstance(path[1], int):
            node = nodes[path[1]] if path[1] < len(nodes) else None
            node_id = node.get("id") if isinstance(node, dict) else f"nodes[{path[1]}]"
        field = "/".join(str(p) for p in path) or "(top level)"
        out.append(Problem("error", node_id, f"{field}: {err.message}.",
                           "Edit the value to match models/taxonomy/schema.json."))
    return out
