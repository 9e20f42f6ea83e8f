"""What the taxonomy classifier says about one statement."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CLASSIFY_LEVELS: tuple[str, ...] = ("macro_problem", "goal", "general_policy")


@dataclass(frozen=True)
class Alternative:
    node_id: str
    probability: float


@dataclass(frozen=True)
class Evidence:
    """A prototype close to the statement: which node, which text, how similar (cosines)."""

    node_id: str
    kind: str
    text: str
    embed_similarity: float | None
    char_similarity: float | None


@dataclass(frozen=True)
class Prediction:
    """One statement's place in the taxonomy.

    ``path`` is always a valid chain macro-problem -> goal -> general policy (the best guess,
    also when ``abstained``). ``confidence`` holds the calibrated probability of the chosen node
    per level *given that the statement is about the taxonomy*; ``in_domain`` is the probability
    that it is (the out-of-domain detector). Multiply the two for an unconditional probability.
    The statement abstains when ``in_domain`` < 0.5 or the goal's confidence is below the
    classifier's threshold. ``goals`` lists every goal at or above the multi-label threshold;
    ``distribution`` holds P(goal | in the taxonomy) for every goal.
    """

    text: str
    macro_id: str
    goal_id: str
    general_policy_id: str | None
    confidence: dict[str, float]
    in_domain: float
    abstained: bool
    reason: str | None = None
    alternatives: dict[str, tuple[Alternative, ...]] = field(default_factory=dict)
    goals: tuple[Alternative, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    distribution: dict[str, float] = field(default_factory=dict)

    @property
    def path(self) -> tuple[str, str, str | None]:
        return self.macro_id, self.goal_id, self.general_policy_id

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["alternatives"] = {k: [asdict(a) for a in v] for k, v in self.alternatives.items()}
        d["goals"] = [asdict(a) for a in self.goals]
        d["evidence"] = [asdict(e) for e in self.evidence]
        return d


def set_aside(p: Prediction, kind: str) -> Prediction:
    """``p`` marked as not classified because its statement is a ``kind`` (heading, reference, keyword
    line, front matter, caption) rather than a statement of the document (``pipeline.segment.is_content``)."""
    from dataclasses import replace

    return replace(p, abstained=True, reason=f"not classified: a {kind.replace('_', ' ')} of the document, "
                                             f"not a statement (headings, references, keyword lines, front "
                                             f"matter and captions are left out)")
