"""Turn table rows (problem | goal | general policy | executive policy) into a Taxonomy.

A row lists only what *starts* on it: an empty column means "same as the row
above" (a merged cell). Both the paper parser and the table importer produce
``TableRow``s and share this builder, so ids and ranks follow one scheme:

    P1, P1.S2 (sub-problem), G05 (goal, numbered by rank), G05.GP2, G05.GP2.E3
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.errors import UdiploError
from pipeline.taxonomy.model import SourceRef, Taxonomy, TaxonomyNode, TaxonomySource

COLUMNS: tuple[str, ...] = ("sub_problem", "goal", "general_policy", "executive_policy")


class TaxonomyBuildError(UdiploError):
    """Rows cannot form a tree (e.g. an executive policy before any general policy)."""


@dataclass(frozen=True)
class Cell:
    """One statement in a table cell.

    ``rank``: a goal's priority when the source gives one. ``goal``: for a
    general policy on a row that opened several goals, the rank (or, without
    ranks, the 0-based position) of the goal it belongs to.
    """

    text: str
    lines: tuple[int, ...] = ()
    rank: int | None = None
    goal: int | None = None
    aliases: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class TableRow:
    table: int
    sub_problems: tuple[Cell, ...] = ()
    goals: tuple[Cell, ...] = ()
    general_policies: tuple[Cell, ...] = ()
    executive_policies: tuple[Cell, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class MacroSpec:
    """A macro-problem: one table of the source."""

    table: int
    text: str
    rank: int
    lines: tuple[int, ...] = ()
    aliases: tuple[str, ...] = ()
    note: str | None = None


@dataclass
class _TableState:
    macro_id: str
    subs: list[TaxonomyNode] = field(default_factory=list)
    block_subs: list[str] = field(default_factory=list)
    block_goals: list[dict] = field(default_factory=list)
    gp: dict | None = None
    row: int = 0


def build_taxonomy(
    name: str,
    version: str,
    source: TaxonomySource,
    macros: Sequence[MacroSpec],
    rows: Iterable[TableRow],
    doc_key: str,
    meta: dict | None = None,
) -> Taxonomy:
    """Assemble nodes with stable ids; goals are numbered by rank (or order of appearance)."""
    by_table = {m.table: m for m in macros}
    if len(by_table) != len(macros):
        raise TaxonomyBuildError("Two macro-problems share a table number; give each table its own number.")
    states = {m.table: _TableState(macro_id=f"P{m.rank}") for m in macros}
    goals: list[dict] = []
    for r in rows:
        if r.table not in states:
            raise TaxonomyBuildError(
                f"Row at line {r.line} belongs to table {r.table}, which has no macro-problem; "
                f"expected one of {sorted(states)}."
            )
        _add_row(states[r.table], r, goals, doc_key)
    _number_goals(goals)

    nodes: list[TaxonomyNode] = []
    for m in sorted(macros, key=lambda m: m.rank):
        st = states[m.table]
        nodes.append(
            TaxonomyNode(
                node_id=st.macro_id, level="macro_problem", parent_id=None, text_fa=m.text,
                rank=m.rank, aliases_fa=m.aliases, note=m.note,
                source=SourceRef(doc=doc_key, table=m.table, lines=m.lines),
            )
        )
        nodes.extend(st.subs)
    sub_related: dict[str, list[str]] = {}
    for g in goals:
        for s in g["related"]:
            sub_related.setdefault(s, []).append(g["id"])
    nodes = [
        _with_related(n, sub_related.get(n.node_id, [])) if n.level == "sub_problem" else n for n in nodes
    ]
    for g in sorted(goals, key=lambda g: g["rank"]):
        nodes.append(_goal_node(g))
        for i, gp in enumerate(g["gps"], 1):
            gp_id = f"{g['id']}.GP{i}"
            nodes.append(_node(gp_id, "general_policy", g["id"], gp["cell"], i, gp["src"]))
            for j, (cell, src) in enumerate(gp["eps"], 1):
                nodes.append(_node(f"{gp_id}.E{j}", "executive_policy", gp_id, cell, j, src))
    return Taxonomy(name=name, version=version, source=source, nodes=tuple(nodes), meta=dict(meta or {}))


def _add_row(st: _TableState, r: TableRow, goals: list[dict], doc: str) -> None:
    next_row = st.row + 1
    if r.goals:
        st.block_subs = []
        st.block_goals = []
        st.gp = None
    for cell in r.sub_problems:
        sid = f"{st.macro_id}.S{len(st.subs) + 1}"
        st.subs.append(_node(sid, "sub_problem", st.macro_id, cell, len(st.subs) + 1, _src(doc, r, next_row, 1, cell)))
        st.block_subs.append(sid)
        for g in st.block_goals:  # a problem listed below its goal still relates to it
            g["related"].append(sid)
    for cell in r.goals:
        g = {
            "cell": cell, "rank": cell.rank, "macro": st.macro_id, "related": list(st.block_subs),
            "src": _src(doc, r, next_row, 2, cell), "gps": [], "order": len(goals),
        }
        goals.append(g)
        st.block_goals.append(g)
    for cell in r.general_policies:
        if not st.block_goals:
            raise TaxonomyBuildError(
                f"Table {r.table}, line {r.line}: general policy {cell.text[:40]!r} comes before any goal. "
                f"Every general policy needs a goal on its row or above it."
            )
        st.row += 1
        goal = _pick_goal(st.block_goals, cell, r)
        st.gp = {"cell": cell, "src": _src(doc, r, st.row, 3, cell), "eps": []}
        goal["gps"].append(st.gp)
    for cell in r.executive_policies:
        if st.gp is None:
            raise TaxonomyBuildError(
                f"Table {r.table}, line {r.line}: executive policy {cell.text[:40]!r} has no general policy "
                f"above it in the same goal. Put its general policy on this row or above."
            )
        st.gp["eps"].append((cell, _src(doc, r, st.row, 4, cell)))


def _pick_goal(block: list[dict], cell: Cell, r: TableRow) -> dict:
    if cell.goal is None:
        return block[0]
    for g in block:
        if g["rank"] is not None and g["rank"] == cell.goal:
            return g
    if all(g["rank"] is None for g in block) and 0 <= cell.goal < len(block):
        return block[cell.goal]
    have = [g["rank"] for g in block]
    raise TaxonomyBuildError(
        f"Table {r.table}, line {r.line}: general policy {cell.text[:40]!r} is assigned to goal {cell.goal}, "
        f"but the goals open on this row are {have}. Assign it to one of those."
    )


def _number_goals(goals: list[dict]) -> None:
    ranked = [g for g in goals if g["rank"] is not None]
    if ranked and len(ranked) != len(goals):
        missing = [g["cell"].text[:40] for g in goals if g["rank"] is None]
        raise TaxonomyBuildError(f"Some goals have a rank and some do not; give a rank to {missing}.")
    if not ranked:
        for i, g in enumerate(goals, 1):
            g["rank"] = i
    ranks = [g["rank"] for g in goals]
    if len(set(ranks)) != len(ranks):
        raise TaxonomyBuildError(f"Goal ranks must be unique; got {sorted(ranks)}.")
    width = max(2, len(str(max(ranks, default=0))))
    for g in goals:
        g["id"] = f"G{g['rank']:0{width}d}"


def _goal_node(g: dict) -> TaxonomyNode:
    cell: Cell = g["cell"]
    return TaxonomyNode(
        node_id=g["id"], level="goal", parent_id=g["macro"], text_fa=cell.text, rank=g["rank"],
        source=g["src"], related=tuple(g["related"]), aliases_fa=cell.aliases, note=cell.note,
    )


def _node(node_id: str, level: str, parent: str, cell: Cell, rank: int, src: SourceRef) -> TaxonomyNode:
    return TaxonomyNode(
        node_id=node_id, level=level, parent_id=parent, text_fa=cell.text, rank=rank, source=src,
        aliases_fa=cell.aliases, note=cell.note,
    )


def _with_related(n: TaxonomyNode, related: list[str]) -> TaxonomyNode:
    from dataclasses import replace

    return replace(n, related=tuple(related))


def _src(doc: str, r: TableRow, row: int, col: int, cell: Cell) -> SourceRef:
    return SourceRef(doc=doc, table=r.table, row=row, col=col, lines=cell.lines)
