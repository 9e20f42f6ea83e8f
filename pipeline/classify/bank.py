"""The prototype bank: every labelled text the classifier compares a statement with.

Prototypes come from the taxonomy itself (each node's Persian text, its aliases and its English
gloss) and from labelled examples (the paper's cells, human labels). Every prototype carries
its path (macro-problem, goal, general policy), a ``group`` (the table row it came from, or the
example's own group) and a ``unit`` (the statement it renders: a node's text, alias and gloss
share one unit), so fitting can hide a prototype's own row or its own translations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pipeline.taxonomy.model import LEVELS, Taxonomy
from pipeline.taxonomy.statements import paper_statements

KINDS = ("node", "alias", "gloss", "training", "example")


@dataclass(frozen=True)
class Prototype:
    text: str  # normalised
    node_id: str
    level: str
    macro_id: str
    goal_id: str | None
    general_policy_id: str | None
    kind: str
    lang: str
    group: str
    unit: str
    related_goals: tuple[str, ...] = ()

    @property
    def path(self) -> tuple[str, str | None, str | None]:
        return self.macro_id, self.goal_id, self.general_policy_id


def node_groups(tax: Taxonomy) -> dict[str, str]:
    """node id -> its table row (``T<table>.R<row>``), the grouping used to keep rows apart."""
    return {s.node_id: s.group for s in paper_statements(tax, levels=LEVELS)}


def build_bank(
    tax: Taxonomy,
    examples: Sequence[tuple[str, str, str]] = (),
    example_kind: str = "example",
    *,
    normalise: Callable[[str], str],
    exclude_nodes: Iterable[str] = (),
    use_nodes: bool = True,
    use_aliases: bool = True,
    use_glosses: bool = True,
) -> list[Prototype]:
    """Prototypes from the taxonomy (minus ``exclude_nodes``, whose texts, aliases and glosses are
    all left out) and from ``examples`` = (text, node id, group), of kind ``example_kind`` ("training"
    for the team-written statements, "example" for human labels). Duplicates (same text, same node)
    are kept once."""
    excluded = set(exclude_nodes)
    groups = node_groups(tax)
    out: list[Prototype] = []
    seen: set[tuple[str, str]] = set()

    def add(text: str, node_id: str, kind: str, lang: str, group: str, unit: str) -> None:
        text = normalise(text) if lang != "en" else " ".join(text.split())
        if not text or (text, node_id) in seen:
            return
        seen.add((text, node_id))
        node = tax.node(node_id)
        macro, goal, gp = tax.gold_path(node_id)
        related = tuple(r for r in node.related if r in tax and tax.node(r).level == "goal") \
            if node.level == "sub_problem" else ()
        out.append(Prototype(text, node_id, node.level, macro, goal, gp, kind, lang, group, unit, related))

    if use_nodes:
        for node in tax.walk():
            if node.node_id in excluded:
                continue
            group = groups.get(node.node_id, node.node_id)
            if node.text_fa:
                add(node.text_fa, node.node_id, "node", "fa", group, node.node_id)
            if use_aliases:
                for alias in node.aliases_fa:
                    add(alias, node.node_id, "alias", "fa", group, node.node_id)
            if use_glosses and node.gloss_en:
                add(node.gloss_en, node.node_id, "gloss", "en", group, node.node_id)
    for i, (text, node_id, group) in enumerate(examples):
        if node_id not in tax:
            raise ValueError(f"Example {i} is labelled {node_id!r}, which is not a node of taxonomy "
                             f"{tax.name!r} {tax.version}; run `udiplo taxonomy show` to list ids.")
        add(text, node_id, example_kind, _lang(text), group, f"{example_kind[0]}{i}")
    return out


def _lang(text: str) -> str:
    arabic = sum(1 for ch in text if "\u0600" <= ch <= "\u06ff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "en" if latin > arabic else "fa"
