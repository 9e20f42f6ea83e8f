"""What a thematic-analysis report is made of: plain rows, built by the analysis, read by the renderer."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocRow:
    doc_id: str
    title: str
    filename: str
    city: str | None
    city_source: str | None
    kind: str | None
    date_iso: str | None
    n_statements: int


@dataclass(frozen=True)
class StatementRef:
    statement_id: str
    doc_id: str
    page: int | None
    start: int
    end: int
    text: str
    lang: str


@dataclass(frozen=True)
class ThemeRow:
    theme_id: str
    label_en: str
    label_fa: str
    terms: tuple[str, ...]
    size: int
    nearest_goal: str | None
    representatives: tuple[StatementRef, ...]


@dataclass(frozen=True)
class NodeRow:
    node_id: str
    rank: int | None
    parent_id: str | None
    text_fa: str
    gloss_en: str


@dataclass(frozen=True)
class StatementLabel:
    """One statement's place in the analysis: its document, city, date, theme and taxonomy path."""

    statement_id: str
    doc_id: str
    city: str | None
    kind: str | None
    date_iso: str | None
    theme_id: str | None
    macro_id: str | None
    goal_id: str | None
    confidence: float | None = None


@dataclass(frozen=True)
class ReportData:
    title: str
    generated_at: str
    docs: tuple[DocRow, ...]
    labels: tuple[StatementLabel, ...]
    themes: tuple[ThemeRow, ...] = ()
    macros: tuple[NodeRow, ...] = ()
    goals: tuple[NodeRow, ...] = ()
    stability: dict | None = None
    evaluation: dict | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
