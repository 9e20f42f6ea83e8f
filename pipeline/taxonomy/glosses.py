"""Hand-written English glosses, kept as data and merged into a generated taxonomy by node id.

Each entry keeps the Persian text it translates (``fa``); when regeneration
changes a node's text, the gloss is reported as stale instead of silently
attached to a different statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from pipeline.errors import UdiploError
from pipeline.taxonomy.model import Taxonomy
from pipeline.taxonomy.store import load_yaml
from pipeline.taxonomy.validate import Problem


class GlossError(UdiploError):
    """The glosses file cannot be read."""


@dataclass(frozen=True)
class Gloss:
    fa: str
    en: str


def same_text(a: str, b: str) -> bool:
    return re.sub(r"\s+", " ", a).strip() == re.sub(r"\s+", " ", b).strip()


def load_glosses(path: str | Path) -> dict[str, Gloss]:
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise GlossError(f"{path}: cannot read glosses ({exc}).") from None
    out = {}
    for node_id, entry in data.items():
        if not isinstance(entry, dict) or not entry.get("en"):
            raise GlossError(f"{path}: the gloss for {node_id} needs `fa` (the Persian it translates) and `en`.")
        out[str(node_id)] = Gloss(fa=str(entry.get("fa", "")), en=str(entry["en"]).strip())
    return out


def apply_glosses(tax: Taxonomy, glosses: dict[str, Gloss]) -> tuple[Taxonomy, list[Problem]]:
    """Set ``gloss_en`` by id (None where missing or stale); report missing, stale and unknown entries."""
    problems: list[Problem] = []
    nodes = []
    for n in tax.nodes:
        g = glosses.get(n.node_id)
        if g is None:
            problems.append(Problem("warning", n.node_id, "no English gloss.",
                                    "Add an entry to the glosses file (`udiplo taxonomy build --gloss-template`)."))
            nodes.append(replace(n, gloss_en=None))
        elif not same_text(g.fa, n.text_fa):
            problems.append(Problem("warning", n.node_id, "the gloss was written for different Persian text.",
                                    "Re-translate the node and update `fa` and `en` in the glosses file."))
            nodes.append(replace(n, gloss_en=None))
        else:
            nodes.append(replace(n, gloss_en=g.en))
    ids = {n.node_id for n in tax.nodes}
    for node_id in sorted(set(glosses) - ids):
        problems.append(Problem("warning", node_id, "a gloss for a node that no longer exists.",
                                "Delete the entry or re-key it to the node's new id."))
    return replace(tax, nodes=tuple(nodes)), problems


def gloss_template(tax: Taxonomy, existing: dict[str, Gloss] | None = None) -> str:
    """YAML skeleton of every node (tree order) with current glosses filled in where still valid."""
    existing = existing or {}
    data = {}
    for n in tax.walk():
        g = existing.get(n.node_id)
        en = g.en if g is not None and same_text(g.fa, n.text_fa) else ""
        data[n.node_id] = {"fa": n.text_fa, "en": en}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
