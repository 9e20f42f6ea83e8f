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
class OutsideExample:
    """A statement the classifier left outside the taxonomy, with where it comes from."""

    statement_id: str
    doc_id: str
    page: int | None
    text: str
    lang: str
    in_domain: float | None


@dataclass(frozen=True)
class OutsideTheme:
    """One theme's statements outside the taxonomy: how many, their share of the theme's classified statements."""

    theme_id: str
    label_en: str
    label_fa: str
    terms: tuple[str, ...]
    n_classified: int
    n_outside: int
    examples: tuple[OutsideExample, ...]

    @property
    def share(self) -> float:
        return self.n_outside / self.n_classified if self.n_classified else 0.0


@dataclass(frozen=True)
class OutsideSection:
    """What the taxonomy misses: statements the classifier abstained on, grouped by theme (most outside first).

    ``n_no_theme`` counts outside statements in no theme (theme outliers, or all of them when no themes were
    fitted); ``no_theme_examples`` shows a few of them. ``n_unclassified`` statements have no classification."""

    n_classified: int
    n_outside: int
    n_no_theme: int
    n_unclassified: int
    themes: tuple[OutsideTheme, ...]
    no_theme_examples: tuple[OutsideExample, ...] = ()

    @property
    def share(self) -> float:
        return self.n_outside / self.n_classified if self.n_classified else 0.0


@dataclass(frozen=True)
class Bilingual:
    en: str
    fa: str


@dataclass(frozen=True)
class CodebookRule:
    """A numbered rule (general, outside), a macro-problem definition or a general policy's cue."""

    rule_id: str
    text: Bilingual


@dataclass(frozen=True)
class CodebookExample:
    """An example statement; ``code`` is the goal it belongs to (pairs) or the outside rule it shows."""

    text: Bilingual
    code: str | None = None


@dataclass(frozen=True)
class CodebookExclusion:
    """What is out of a goal, and ``see``: the goal it belongs to, or ``outside``."""

    text: Bilingual
    see: str


@dataclass(frozen=True)
class CodebookGoal:
    goal_id: str
    label: Bilingual
    definition: Bilingual
    includes: tuple[Bilingual, ...]
    excludes: tuple[CodebookExclusion, ...]
    actors_en: tuple[str, ...] = ()
    actors_fa: tuple[str, ...] = ()
    verbs_en: tuple[str, ...] = ()
    verbs_fa: tuple[str, ...] = ()
    examples: tuple[Bilingual, ...] = ()
    acceptable_alternatives: tuple[str, ...] = ()
    policies: tuple[CodebookRule, ...] = ()


@dataclass(frozen=True)
class ConfusablePair:
    goals: tuple[str, str]
    rule: Bilingual
    examples: tuple[CodebookExample, ...]


@dataclass(frozen=True)
class CodebookAppendix:
    """The coders' codebook as the report shows it (built from ``pipeline.taxonomy.codebook.Codebook``)."""

    name: str
    version: str
    taxonomy: str
    city_in_question: Bilingual | None
    general_rules: tuple[CodebookRule, ...]
    outside_definition: Bilingual | None
    outside_rules: tuple[CodebookRule, ...]
    outside_examples: tuple[CodebookExample, ...]
    macro_problems: tuple[CodebookRule, ...]
    goals: tuple[CodebookGoal, ...]
    pairs: tuple[ConfusablePair, ...]


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
    outside: OutsideSection | None = None
    codebook: CodebookAppendix | None = None
