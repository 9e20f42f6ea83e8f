"""The problem -> goal -> policy taxonomy as frozen data with tree operations.

Levels, top to bottom::

    macro_problem ─┬─ sub_problem
                   └─ goal ── general_policy ── executive_policy

Every node has exactly one parent (``parent_id``); sub-problems hang from the
macro-problem because in the source tables one problem row can motivate
several goals and one goal several problems. That many-to-many link is kept
in ``related`` (ids), never in the tree, so a classifier can walk one path
macro_problem -> goal -> general_policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

LEVELS: tuple[str, ...] = ("macro_problem", "sub_problem", "goal", "general_policy", "executive_policy")

PARENT_LEVEL: dict[str, str | None] = {
    "macro_problem": None,
    "sub_problem": "macro_problem",
    "goal": "macro_problem",
    "general_policy": "goal",
    "executive_policy": "general_policy",
}

# Where a rank must be unique: across the whole level, or among siblings.
RANK_SCOPE: dict[str, str] = {
    "macro_problem": "level",
    "sub_problem": "parent",
    "goal": "level",
    "general_policy": "parent",
    "executive_policy": "parent",
}


@dataclass(frozen=True)
class SourceRef:
    """Where a node's text comes from.

    ``table``/``row``/``col`` are 1-based; ``col`` counts columns in the table's
    canonical order (for the paper: sub-problem, goal, general, executive) even
    when a page printed them reversed. ``row`` is the logical row: one general
    policy with its executive policies. ``lines`` are the 1-based lines of the
    source text that the cell was assembled from (several when a cell was
    continued across a page break).
    """

    doc: str
    table: int | None = None
    row: int | None = None
    col: int | None = None
    lines: tuple[int, ...] = ()

    @property
    def line(self) -> int | None:
        return self.lines[0] if self.lines else None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"doc": self.doc}
        for key in ("table", "row", "col"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        if self.lines:
            d["lines"] = list(self.lines)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SourceRef:
        return cls(
            doc=d["doc"],
            table=d.get("table"),
            row=d.get("row"),
            col=d.get("col"),
            lines=tuple(d.get("lines", ())),
        )


@dataclass(frozen=True)
class TaxonomyNode:
    """One statement of the taxonomy: a problem, goal or policy."""

    node_id: str
    level: str
    parent_id: str | None
    text_fa: str
    gloss_en: str | None = None
    rank: int | None = None
    source: SourceRef | None = None
    related: tuple[str, ...] = ()
    aliases_fa: tuple[str, ...] = ()
    note: str | None = None

    @property
    def text(self) -> str:
        """Persian text, or the English gloss for nodes imported from English frameworks."""
        return self.text_fa or (self.gloss_en or "")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.node_id,
            "level": self.level,
            "parent": self.parent_id,
            "fa": self.text_fa,
            "en": self.gloss_en,
            "rank": self.rank,
        }
        if self.related:
            d["related"] = list(self.related)
        if self.aliases_fa:
            d["aliases_fa"] = list(self.aliases_fa)
        if self.note:
            d["note"] = self.note
        if self.source is not None:
            d["source"] = self.source.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TaxonomyNode:
        return cls(
            node_id=d["id"],
            level=d["level"],
            parent_id=d.get("parent"),
            text_fa=d.get("fa") or "",
            gloss_en=d.get("en"),
            rank=d.get("rank"),
            source=SourceRef.from_dict(d["source"]) if d.get("source") else None,
            related=tuple(d.get("related", ())),
            aliases_fa=tuple(d.get("aliases_fa", ())),
            note=d.get("note"),
        )


@dataclass(frozen=True)
class TaxonomySource:
    """The document a taxonomy was built from. ``sha256`` is of the exact bytes parsed."""

    doc: str
    sha256: str | None = None
    title: str | None = None
    citation: str | None = None
    doi: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TaxonomySource:
        return cls(**{k: d.get(k) for k in ("doc", "sha256", "title", "citation", "doi")})


@dataclass(frozen=True)
class Taxonomy:
    """A named, versioned set of nodes. Construction stores; call ``validate`` to check."""

    name: str
    version: str
    source: TaxonomySource
    nodes: tuple[TaxonomyNode, ...]
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    # -- lookup -----------------------------------------------------------------
    @cached_property
    def _by_id(self) -> dict[str, TaxonomyNode]:
        return {n.node_id: n for n in self.nodes}

    @cached_property
    def _children(self) -> dict[str | None, list[TaxonomyNode]]:
        out: dict[str | None, list[TaxonomyNode]] = {}
        for n in self.nodes:
            out.setdefault(n.parent_id, []).append(n)
        return out

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[TaxonomyNode]:
        return iter(self.nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._by_id

    def node(self, node_id: str) -> TaxonomyNode:
        try:
            return self._by_id[node_id]
        except KeyError:
            raise KeyError(
                f"No node {node_id!r} in taxonomy {self.name!r} {self.version}; "
                f"run `udiplo taxonomy show` to list ids."
            ) from None

    # -- tree operations ----------------------------------------------------------
    def children(self, node_id: str | None, level: str | None = None) -> list[TaxonomyNode]:
        """Direct children in rank order (``None`` gives the roots); optionally of one level."""
        kids = self._children.get(node_id, [])
        if level is not None:
            kids = [k for k in kids if k.level == level]
        return sorted(kids, key=_tree_key)

    def parent(self, node_id: str) -> TaxonomyNode | None:
        pid = self.node(node_id).parent_id
        return None if pid is None else self.node(pid)

    def path_to_root(self, node_id: str) -> list[TaxonomyNode]:
        """The node, its parent, ... up to its macro-problem (node first)."""
        path = [self.node(node_id)]
        seen = {node_id}
        while path[-1].parent_id is not None:
            pid = path[-1].parent_id
            if pid in seen:
                raise ValueError(f"Cycle in taxonomy {self.name!r} at {pid!r}; run `udiplo taxonomy validate`.")
            seen.add(pid)
            path.append(self.node(pid))
        return path

    def descendants(self, node_id: str) -> list[TaxonomyNode]:
        out: list[TaxonomyNode] = []
        stack = list(reversed(self.children(node_id)))
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(reversed(self.children(n.node_id)))
        return out

    def by_level(self, level: str) -> list[TaxonomyNode]:
        """All nodes of one level in tree order (macro-problem rank, then parent rank, then rank)."""
        if level not in LEVELS:
            raise ValueError(f"The level must be one of {', '.join(LEVELS)}. Got {level!r} instead.")
        return [n for n in self.walk() if n.level == level]

    def walk(self) -> list[TaxonomyNode]:
        """Depth-first, rank-ordered list of every node reachable from the roots."""
        out: list[TaxonomyNode] = []
        for root in self.children(None):
            out.append(root)
            out.extend(self.descendants(root.node_id))
        return out

    def macro_problems(self) -> list[TaxonomyNode]:
        return sorted(self._level_nodes("macro_problem"), key=_rank_key)

    def goals(self) -> list[TaxonomyNode]:
        """Goals in priority order (their rank), across macro-problems."""
        return sorted(self._level_nodes("goal"), key=_rank_key)

    def gold_path(self, node_id: str) -> tuple[str, str | None, str | None]:
        """(macro-problem id, goal id or None, general-policy id or None) above or at a node."""
        ids = {n.level: n.node_id for n in self.path_to_root(node_id)}
        return ids["macro_problem"], ids.get("goal"), ids.get("general_policy")

    def counts(self) -> dict[str, int]:
        return {level: len(self._level_nodes(level)) for level in LEVELS}

    def _level_nodes(self, level: str) -> list[TaxonomyNode]:
        return [n for n in self.nodes if n.level == level]


def _tree_key(n: TaxonomyNode) -> tuple[int, int, str]:
    return (LEVELS.index(n.level) if n.level in LEVELS else len(LEVELS),) + _rank_key(n)


def _rank_key(n: TaxonomyNode) -> tuple[int, str]:
    return (n.rank if n.rank is not None else 1_000_000, n.node_id)
