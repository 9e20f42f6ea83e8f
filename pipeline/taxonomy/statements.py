"""Every table cell of a taxonomy as a labelled statement, for evaluating classifiers.

Each statement carries its gold path (macro-problem, goal, general policy) and
a ``group``: the table row it came from (one general policy with its
executive policies; a problem or goal belongs to the row it starts on). Use
the groups for grouped cross-validation so a statement is never tested
against a model trained on its own row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.taxonomy.model import Taxonomy

STATEMENT_LEVELS: tuple[str, ...] = ("sub_problem", "goal", "general_policy", "executive_policy")


@dataclass(frozen=True)
class LabelledStatement:
    text: str
    node_id: str
    level: str
    macro_id: str
    goal_id: str | None
    general_policy_id: str | None
    group: str

    @property
    def path(self) -> tuple[str, str | None, str | None]:
        return self.macro_id, self.goal_id, self.general_policy_id


def paper_statements(tax: Taxonomy, levels: Iterable[str] = STATEMENT_LEVELS) -> list[LabelledStatement]:
    """Statements in tree order. Sub-problems have no goal (their goal links are ``related``)."""
    wanted = set(levels)
    out = []
    for n in tax.walk():
        if n.level not in wanted:
            continue
        macro, goal, gp = tax.gold_path(n.node_id)
        out.append(
            LabelledStatement(
                text=n.text, node_id=n.node_id, level=n.level, macro_id=macro, goal_id=goal,
                general_policy_id=gp, group=_group(tax, n.node_id),
            )
        )
    return out


def _group(tax: Taxonomy, node_id: str) -> str:
    n = tax.node(node_id)
    src = n.source
    if src is not None and src.table is not None and src.row is not None:
        return f"T{src.table}.R{src.row}"
    # no row recorded: the general policy (or the node itself) stands for its row
    _, _, gp = tax.gold_path(node_id)
    return gp or node_id
