"""Build the typed report sections that are computed rather than read: what the taxonomy misses, and the codebook.

    outside_section(rows, theme_rows)   # rows: ``corpus.reporting.statement_rows``; theme_rows: ReportData.themes
    codebook_appendix(codebook)         # a checked ``pipeline.taxonomy.codebook.Codebook``
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pipeline.report.data import (
    Bilingual,
    CodebookAppendix,
    CodebookExample,
    CodebookExclusion,
    CodebookGoal,
    CodebookRule,
    ConfusablePair,
    OutsideExample,
    OutsideSection,
    OutsideTheme,
    ThemeRow,
)

EXAMPLES_PER_THEME = 3
EXAMPLE_CHARS = 400


def outside_section(rows: Sequence[Mapping[str, Any]], theme_rows: Sequence[ThemeRow] = (),
                    n_examples: int = EXAMPLES_PER_THEME) -> OutsideSection:
    """Statements the classifier abstained on, per theme, themes with the most outside statements first.

    A theme's share is over its classified statements. Examples are the theme's most typical outside
    statements (highest theme probability, then the most in-domain), so they show what the theme is about."""
    classified = [r for r in rows if r.get("abstained") is not None]
    outside = [r for r in classified if r["abstained"]]
    n_by_theme: dict[str | None, int] = defaultdict(int)
    out_by_theme: dict[str | None, list[Mapping[str, Any]]] = defaultdict(list)
    for r in classified:
        n_by_theme[r.get("theme_id")] += 1
    for r in outside:
        out_by_theme[r.get("theme_id")].append(r)
    known = {t.theme_id for t in theme_rows}
    themes = [OutsideTheme(t.theme_id, t.label_en, t.label_fa, t.terms, n_by_theme.get(t.theme_id, 0),
                           len(out_by_theme.get(t.theme_id, ())), _examples(out_by_theme.get(t.theme_id, ()), n_examples))
              for t in theme_rows]
    themes.sort(key=lambda t: (-t.n_outside, -t.share, _theme_order(t.theme_id)))
    no_theme = [r for r in outside if r.get("theme_id") not in known]
    return OutsideSection(n_classified=len(classified), n_outside=len(outside), n_no_theme=len(no_theme),
                          n_unclassified=len(rows) - len(classified), themes=tuple(themes),
                          no_theme_examples=_examples(no_theme, n_examples))


def _examples(rows: Iterable[Mapping[str, Any]], n: int) -> tuple[OutsideExample, ...]:
    ranked = sorted(enumerate(rows), key=lambda ir: (-(ir[1].get("theme_probability") or 0.0),
                                                       -(ir[1].get("in_domain") or 0.0), ir[0]))
    return tuple(OutsideExample(r["statement_id"], r["doc_id"], r.get("page"), _clip(r.get("text") or ""),
                                r.get("lang") or "fa", r.get("in_domain")) for _, r in ranked[:n])


def _clip(text: str, limit: int = EXAMPLE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _theme_order(theme_id: str) -> tuple[int, str]:
    digits = theme_id.lstrip("T")
    return (int(digits), theme_id) if digits.isdigit() else (1 << 30, theme_id)


# --- codebook ----------------------------------------------------------------------------------
def codebook_appendix(codebook) -> CodebookAppendix:
    """The codebook's own fields, typed for the renderer (every field the checker requires; actors, verbs,
    examples and alternatives shown when present)."""
    doc = codebook.doc
    outside = doc.get("outside") or {}
    return CodebookAppendix(
        name=codebook.name, version=codebook.version,
        taxonomy=f"{codebook.taxonomy_name} {codebook.taxonomy_version}",
        city_in_question=_bi(doc.get("city_in_question")),
        general_rules=_rules(doc.get("general_rules")),
        outside_definition=_bi(outside.get("definition")),
        outside_rules=_rules(outside.get("rules")),
        outside_examples=tuple(CodebookExample(_bi(e), e.get("why")) for e in outside.get("examples") or ()),
        macro_problems=tuple(CodebookRule(k, _bi(v)) for k, v in (doc.get("macro_problems") or {}).items()),
        goals=tuple(_goal(gid, g) for gid, g in (doc.get("goals") or {}).items()),
        pairs=tuple(ConfusablePair(tuple(p["pair"]), _bi(p.get("rule")),
                                   tuple(CodebookExample(_bi(e), e.get("goal")) for e in p.get("examples") or ()))
                    for p in doc.get("confusable_pairs") or ()),
    )


def _bi(m: Mapping[str, Any] | None) -> Bilingual | None:
    if not m:
        return None
    return Bilingual(str(m.get("en") or "").strip(), str(m.get("fa") or "").strip())


def _rules(items) -> tuple[CodebookRule, ...]:
    return tuple(CodebookRule(str(r.get("id") or i + 1), _bi(r)) for i, r in enumerate(items or ()))


def _words(m: Mapping[str, Any] | None, lang: str) -> tuple[str, ...]:
    return tuple(str(w) for w in (m or {}).get(lang) or ())


def _goal(gid: str, g: Mapping[str, Any]) -> CodebookGoal:
    return CodebookGoal(
        goal_id=gid, label=_bi(g.get("label")) or Bilingual(gid, gid),
        definition=Bilingual(str(g.get("definition_en") or "").strip(), str(g.get("definition_fa") or "").strip()),
        includes=tuple(_bi(i) for i in g.get("includes") or ()),
        excludes=tuple(CodebookExclusion(_bi(e), str(e.get("see"))) for e in g.get("excludes") or ()),
        actors_en=_words(g.get("actors"), "en"), actors_fa=_words(g.get("actors"), "fa"),
        verbs_en=_words(g.get("verbs"), "en"), verbs_fa=_words(g.get("verbs"), "fa"),
        examples=tuple(_bi(e) for e in g.get("examples") or ()),
        acceptable_alternatives=tuple(str(a) for a in g.get("acceptable_alternatives") or ()),
        policies=tuple(CodebookRule(pid, _bi(c)) for pid, c in (g.get("policies") or {}).items()),
    )
