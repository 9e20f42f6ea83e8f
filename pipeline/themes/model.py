"""Plain frozen results of theme discovery; JSON round-trips with ``to_dict``/``from_dict``.

Theme ids are BERTopic's topic ids (0 = largest theme at fit time); ``OUTLIER``
(-1) marks statements that fit no theme. Tables (``per_city``, ``per_period``)
are tuples of flat row dicts so they drop straight into CSV, pandas or JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OUTLIER = -1


@dataclass(frozen=True)
class SeedGoal:
    """A taxonomy goal used to guide themes: Persian text for seed words, English gloss for labels."""

    goal_id: str
    text_fa: str
    gloss_en: str | None = None

    @classmethod
    def from_node(cls, node: Any) -> SeedGoal:
        """From anything with ``node_id``, ``text_fa`` and ``gloss_en`` (a ``TaxonomyNode``)."""
        return cls(goal_id=node.node_id, text_fa=node.text_fa or "", gloss_en=node.gloss_en)


@dataclass(frozen=True)
class Representative:
    """A statement shown for a theme, with where it comes from in its document."""

    statement_id: str
    doc_id: str
    text: str
    similarity: float
    page: int | None = None
    start: int | None = None
    end: int | None = None

    @classmethod
    def from_statement(cls, st: Any, similarity: float) -> Representative:
        return cls(statement_id=st.statement_id, doc_id=st.doc_id, text=st.raw, similarity=round(float(similarity), 4),
                   page=st.page, start=st.start, end=st.end)


@dataclass(frozen=True)
class Theme:
    """One discovered theme.

    ``label_en`` is built from the key terms that udiplo's Persian -> English glossary
    knows (or English terms found in the statements) and the nearest taxonomy goal's
    English gloss, marked "≈" (there is no offline translation model). ``representatives`` are the statement ids most
    similar to the theme centroid; ``examples`` carries their text and provenance.
    """

    theme_id: int
    label_en: str
    label_fa: str
    terms_fa: tuple[str, ...]
    terms_en: tuple[str, ...]
    size: int
    representatives: tuple[str, ...]
    seed_goal: str | None = None
    seed_goal_similarity: float | None = None
    examples: tuple[Representative, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("terms_fa", "terms_en", "representatives"):
            d[key] = list(d[key])
        d["examples"] = [asdict(e) for e in self.examples]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Theme:
        values = dict(d)
        for key in ("terms_fa", "terms_en", "representatives"):
            values[key] = tuple(values.get(key, ()))
        values["examples"] = tuple(Representative(**e) for e in values.get("examples", ()))
        return cls(**values)


@dataclass(frozen=True)
class ThemeAssignment:
    """A statement's theme. ``primary`` is False for the optional second theme (multi-label).

    ``probability`` is the softmax over cosine similarities to the theme centroids
    (0.0 for outliers).
    """

    statement_id: str
    theme_id: int
    probability: float
    primary: bool = True


@dataclass(frozen=True)
class ThemeResult:
    """Themes, one primary assignment per statement (plus optional secondary ones) and tables."""

    themes: tuple[Theme, ...]
    assignments: tuple[ThemeAssignment, ...]
    params: dict[str, Any] = field(default_factory=dict)
    stability: dict[str, Any] | None = None
    per_city: tuple[dict[str, Any], ...] = ()
    per_period: tuple[dict[str, Any], ...] = ()

    def theme(self, theme_id: int) -> Theme:
        for t in self.themes:
            if t.theme_id == theme_id:
                return t
        raise KeyError(f"No theme {theme_id}; known ids: {[t.theme_id for t in self.themes]}.")

    def primary(self) -> tuple[ThemeAssignment, ...]:
        return tuple(a for a in self.assignments if a.primary)

    def labels(self) -> list[int]:
        """Primary theme id per statement, in input order."""
        return [a.theme_id for a in self.primary()]

    @property
    def outlier_share(self) -> float:
        prim = self.primary()
        return sum(a.theme_id == OUTLIER for a in prim) / len(prim) if prim else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "themes": [t.to_dict() for t in self.themes],
            "assignments": [asdict(a) for a in self.assignments],
            "params": self.params,
            "stability": self.stability,
            "per_city": list(self.per_city),
            "per_period": list(self.per_period),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ThemeResult:
        return cls(
            themes=tuple(Theme.from_dict(t) for t in d["themes"]),
            assignments=tuple(ThemeAssignment(**a) for a in d["assignments"]),
            params=dict(d.get("params") or {}),
            stability=d.get("stability"),
            per_city=tuple(d.get("per_city") or ()),
            per_period=tuple(d.get("per_period") or ()),
        )
