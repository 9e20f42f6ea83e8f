"""The thematic-analysis report: one self-contained HTML file with Plotly charts.

No network is needed to read it (plotly.js is inlined once, no web fonts).
Every piece of document text is escaped, in the page and in the charts
(Plotly renders a subset of HTML in labels), so a document containing
``<script>`` shows the text and runs nothing. Persian runs right-to-left.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from html import escape
from pathlib import Path

from pipeline import compare
from pipeline.files import write_atomic
from pipeline.lang.fa import ARABIC_BLOCK
from pipeline.report.data import (
    Bilingual,
    CodebookAppendix,
    CodebookRule,
    OutsideExample,
    OutsideSection,
    ReportData,
    StatementLabel,
    ThemeRow,
)
from pipeline.types import CITIES

_RTL = re.compile(f"[{ARABIC_BLOCK}]")

CSS = """
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--accent:#1f6f8b}
*{box-sizing:border-box}
body{font-family:'Vazirmatn','Noto Naskh Arabic','Noto Sans Arabic','DejaVu Sans','Segoe UI',Tahoma,sans-serif;
color:var(--ink);margin:0;line-height:1.55;background:#fafbfc}
header{background:var(--accent);color:#fff;padding:1.2rem 2rem}header h1{margin:0;font-size:1.6rem}
header p{margin:.3rem 0 0;opacity:.9}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:.5rem 2rem;z-index:5}
nav a{margin-right:1rem;color:var(--accent);text-decoration:none;font-weight:600}
main{padding:1rem 2rem;max-width:1200px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:1rem 1.4rem;margin:1rem 0}
h2{margin-top:0;color:var(--accent)}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.92rem}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f4f8}
.fa{direction:rtl;text-align:right;unicode-bidi:plaintext}
.muted{color:var(--muted);font-size:.88rem}
.theme{border-top:1px solid var(--line);padding:.6rem 0}
.theme h3{margin:.2rem 0}.terms{font-weight:600}
blockquote{margin:.4rem 0;padding:.4rem .8rem;border-right:3px solid var(--accent);background:#f7fafc}
blockquote.ltr{border-right:0;border-left:3px solid var(--accent)}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid var(--line);border-radius:6px;padding:.6rem 1rem}
.card b{font-size:1.4rem;display:block}
h2 .fa,h3 .fa{font-weight:normal;margin-left:.6rem}
table.bi td{width:50%}table.bi th{width:9rem}
details.goal{border-top:1px solid var(--line);padding:.4rem 0}details.goal summary{font-weight:600;cursor:pointer}
"""


def esc(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def pesc(text: object) -> str:
    """Escape for Plotly labels, which render <br>, <b> … but not &quot;."""
    return escape("" if text is None else str(text), quote=False)


def dir_attr(text: str) -> str:
    return ' dir="rtl" class="fa"' if _RTL.search(text or "") else ' dir="ltr"'


def _fig_html(fig, first: list[bool]) -> str:
    import plotly.io as pio

    include = first[0]
    first[0] = False
    fig.update_layout(margin=dict(l=40, r=20, t=40, b=40), font=dict(family="DejaVu Sans, Tahoma, sans-serif"))
    return pio.to_html(fig, full_html=False, include_plotlyjs=include,
                       config={"displaylogo": False, "responsive": True})


def _cities(labels: Sequence[StatementLabel]) -> list[str]:
    present = {x.city for x in labels if x.city}
    return [c for c in CITIES if c in present] + sorted(present - set(CITIES))


def render(data: ReportData) -> str:
    import plotly.graph_objects as go

    first = [True]
    goal_ids = [g.node_id for g in data.goals]
    goal_name = {g.node_id: f"{g.node_id} {g.gloss_en}" for g in data.goals}
    macro_name = {m.node_id: f"{m.node_id} {m.gloss_en}" for m in data.macros}
    theme_by_id = {t.theme_id: t for t in data.themes}
    doc_by_id = {d.doc_id: d for d in data.docs}
    cities = _cities(data.labels)
    by_city: dict[str, list[StatementLabel]] = defaultdict(list)
    for lab in data.labels:
        if lab.city:
            by_city[lab.city].append(lab)
    parts: list[str] = []

    # -- overview --------------------------------------------------------------
    kinds = sorted({d.kind or "other" for d in data.docs})
    fig = go.Figure([go.Bar(name=pesc(k), x=[pesc(c) for c in cities],
                            y=[sum(1 for d in data.docs if d.city == c and (d.kind or "other") == k) for c in cities])
                     for k in kinds])
    fig.update_layout(barmode="stack", title="Documents per city and kind", height=320)
    rows = "".join(
        f'<tr id="doc-{esc(d.doc_id[:12])}"><td><code>{esc(d.doc_id[:12])}</code></td>'
        f"<td{dir_attr(d.title)}>{esc(d.title)}</td><td>{esc(d.city or '–')}"
        f"{' <span class=muted>(' + esc(d.city_source) + ')</span>' if d.city_source else ''}</td>"
        f"<td>{esc(d.kind or '–')}</td><td>{esc(d.date_iso or '–')}</td><td>{d.n_statements}</td></tr>"
        for d in data.docs)
    cards = "".join(f'<div class="card"><b>{v}</b>{esc(k)}</div>' for k, v in [
        ("documents", len(data.docs)), ("statements", len(data.labels)), ("themes", len(data.themes)),
        ("cities", len(cities)),
        ("statements in the taxonomy", sum(1 for x in data.labels if x.goal_id or x.macro_id))])
    parts.append(f"""<section id="overview"><h2>Corpus overview</h2><div class="cards">{cards}</div>
{_fig_html(fig, first)}
<table><thead><tr><th>id</th><th>title</th><th>city</th><th>kind</th><th>date</th><th>statements</th></tr></thead>
<tbody>{rows}</tbody></table></section>""")

    # -- themes ----------------------------------------------------------------
    if data.themes:
        ordered = sorted(data.themes, key=lambda t: -t.size)
        fig = go.Figure(go.Bar(x=[t.size for t in ordered][::-1],
                               y=[pesc(f"{t.theme_id} {t.label_en}")[:70] for t in ordered][::-1], orientation="h"))
        fig.update_layout(title="Statements per theme", height=max(300, 26 * len(ordered) + 80))
        stab = ""
        if data.stability:
            stab = (f"<p class=muted>Stability: adjusted Rand index across {len(data.stability.get('seeds', []))} "
                    f"seeds: mean {data.stability.get('ari_mean', float('nan')):.2f}, "
                    f"min {data.stability.get('ari_min', float('nan')):.2f}.</p>")
        parts.append(f'<section id="themes"><h2>Themes</h2>{stab}{_fig_html(fig, first)}'
                     + "".join(_theme_html(t, doc_by_id, goal_name) for t in ordered) + "</section>")

    # -- taxonomy coverage -------------------------------------------------------
    if data.goals:
        doc_ids = [d.doc_id for d in data.docs]
        z, text = [], []
        for d in doc_ids:
            labs = [x for x in data.labels if x.doc_id == d]
            n = len(labs) or 1
            counts = Counter(x.goal_id for x in labs if x.goal_id)
            z.append([counts.get(g, 0) / n for g in goal_ids])
            text.append([f"{counts.get(g, 0)} of {len(labs)} statements" for g in goal_ids])
        fig = go.Figure(go.Heatmap(z=z, x=[pesc(goal_name[g])[:40] for g in goal_ids],
                                   y=[pesc(doc_by_id[d].title)[:40] for d in doc_ids], text=text,
                                   hovertemplate="%{y}<br>%{x}<br>share %{z:.1%}<br>%{text}<extra></extra>",
                                   colorscale="Blues"))
        fig.update_layout(title="Goal coverage per document (share of the document's statements)", height=420)
        macro_ids = [m.node_id for m in data.macros]
        figm = go.Figure([go.Bar(name=pesc(macro_name[m])[:45], x=[pesc(c) for c in cities],
                                 y=[sum(1 for x in by_city[c] if x.macro_id == m) / max(1, len(by_city[c]))
                                    for c in cities]) for m in macro_ids])
        figm.update_layout(barmode="group", title="Macro-problems per city (share of the city's statements)",
                           height=360, yaxis_tickformat=".0%")
        goal_rows = "".join(
            f"<tr><td>{esc(g.node_id)}</td><td>{g.rank or ''}</td><td>{esc(g.parent_id)}</td>"
            f"<td{dir_attr(g.text_fa)}>{esc(g.text_fa)}</td><td>{esc(g.gloss_en)}</td></tr>" for g in data.goals)
        parts.append(f"""<section id="coverage"><h2>Taxonomy coverage</h2>
<p class=muted>Statements mapped onto the problem → goal → policy taxonomy of the Mashhad paper; statements the
classifier judged outside the taxonomy count in the totals but not in any goal.</p>
{_fig_html(fig, first)}{_fig_html(figm, first)}
<details><summary>The 16 goals</summary><table><thead><tr><th>goal</th><th>rank</th><th>macro-problem</th>
<th>Persian</th><th>English gloss</th></tr></thead><tbody>{goal_rows}</tbody></table></details></section>""")

    # -- city comparison ----------------------------------------------------------
    if len(cities) >= 2 and data.goals:
        labels_goal = {c: [x.goal_id for x in by_city[c]] for c in cities}
        cells = compare.coverage(labels_goal, goal_ids)
        grid = {(c.city, c.label): c for c in cells}
        fig = go.Figure(go.Heatmap(
            z=[[grid[(c, g)].share for g in goal_ids] for c in cities],
            x=[pesc(goal_name[g])[:40] for g in goal_ids], y=[pesc(c) for c in cities],
            text=[[f"{grid[(c, g)].count}/{grid[(c, g)].total}, 95% CI {grid[(c, g)].low:.0%}–{grid[(c, g)].high:.0%}"
                   for g in goal_ids] for c in cities],
            hovertemplate="%{y} · %{x}<br>share %{z:.1%}<br>%{text}<extra></extra>", colorscale="Viridis"))
        fig.update_layout(title="Goal coverage per city (share of each city's statements)", height=360)
        sims = compare.similarity(labels_goal, goal_ids)
        sim_rows = "".join(f"<tr><td>{esc(s.a)}</td><td>{esc(s.b)}</td><td>{s.cosine:.2f}</td>"
                           f"<td>{s.low:.2f}–{s.high:.2f}</td></tr>" for s in sims)
        dist_rows = ""
        if data.themes:
            labels_theme = {c: [x.theme_id for x in by_city[c]] for c in cities}
            dist = compare.distinctive(labels_theme)
            for c in cities:
                top = [d for d in dist if d.city == c and d.z > 0][:3]
                dist_rows += "".join(
                    f"<tr><td>{esc(c)}</td><td>{esc(d.label)}</td><td>{esc(theme_by_id[d.label].label_en) if d.label in theme_by_id else ''}</td>"
                    f"<td>{d.count}</td><td>{d.z:.2f}</td></tr>" for d in top)
        n_docs = Counter(d.city for d in data.docs)
        caveat = ", ".join(f"{esc(c)}: {n_docs.get(c, 0)} document(s), {len(by_city[c])} statements" for c in cities)
        parts.append(f"""<section id="cities"><h2>Mashhad, Isfahan and Tehran compared</h2>
<p class=muted>{caveat}. Intervals treat statements as independent; with few documents per city they understate
the real uncertainty.</p>{_fig_html(fig, first)}
<h3>Similarity between city strategies (cosine of goal profiles, 95% bootstrap interval)</h3>
<table><thead><tr><th>city</th><th>city</th><th>cosine</th><th>interval</th></tr></thead><tbody>{sim_rows}</tbody></table>
<h3>Distinctive themes per city (weighted log-odds z)</h3>
<table><thead><tr><th>city</th><th>theme</th><th>label</th><th>statements</th><th>z</th></tr></thead>
<tbody>{dist_rows or '<tr><td colspan=5>no themes</td></tr>'}</tbody></table></section>""")

    # -- themes over time ------------------------------------------------------------
    dated = [x for x in data.labels if x.kind == "news" and x.date_iso and x.theme_id]
    if dated:
        periods = sorted({x.date_iso[:7] for x in dated})
        themes_t = sorted({x.theme_id for x in dated})
        fig = go.Figure([go.Scatter(x=periods, y=[sum(1 for x in dated if x.theme_id == t and x.date_iso[:7] == p)
                                                   for p in periods], mode="lines+markers",
                                    name=pesc(f"{t} {theme_by_id[t].label_en if t in theme_by_id else ''}")[:50])
                         for t in themes_t])
        fig.update_layout(title="News statements per theme and month", height=360)
        fig.update_xaxes(type="category")
        body = _fig_html(fig, first)
    else:
        body = "<p class=muted>No dated news statements in the corpus yet.</p>"
    parts.append(f'<section id="time"><h2>Themes over time (news)</h2>{body}</section>')

    if data.outside is not None:
        parts.append(_outside_html(data.outside, doc_by_id))

    if data.evaluation:
        rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in data.evaluation.items())
        parts.append(f'<section id="evaluation"><h2>Classifier evaluation</h2><table>{rows}</table></section>')
    notes = "".join(f"<li>{esc(n)}</li>" for n in data.notes)
    parts.append(f'<section id="notes"><h2>Methods and notes</h2><ul>{notes}</ul></section>')
    parts.append(_codebook_html(data.codebook))

    nav = "".join(f'<a href="#{i}">{t}</a>' for i, t in [("overview", "Corpus"), ("themes", "Themes"),
                                                          ("coverage", "Taxonomy"), ("cities", "Cities"),
                                                          ("time", "Over time"), ("outside", "Outside"),
                                                          ("notes", "Notes"), ("codebook", "Codebook")])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(data.title)}</title><style>{CSS}</style></head>
<body><header><h1>{esc(data.title)}</h1><p>Generated {esc(data.generated_at)} by udiplo</p></header>
<nav>{nav}</nav><main>{''.join(parts)}</main></body></html>
"""


def _theme_html(t: ThemeRow, doc_by_id, goal_name) -> str:
    reps = []
    for r in t.representatives:
        d = doc_by_id.get(r.doc_id)
        where = f"{esc(d.title if d else r.doc_id[:12])}, p. {r.page or '–'}, chars {r.start}–{r.end}"
        cls = "" if r.lang in ("fa", "ar") else ' class="ltr"'
        reps.append(f'<blockquote{cls}{dir_attr(r.text)}>{esc(r.text)}</blockquote>'
                    f'<div class=muted>— <a href="#doc-{esc(r.doc_id[:12])}">{where}</a></div>')
    goal = f"<span class=muted>nearest goal: {esc(goal_name.get(t.nearest_goal, t.nearest_goal))}</span>" \
        if t.nearest_goal else ""
    return (f'<div class="theme" id="theme-{esc(t.theme_id)}"><h3>{esc(t.theme_id)} · {esc(t.label_en)} '
            f'<span class=muted>({t.size} statements)</span></h3>'
            f'<div{dir_attr(t.label_fa)}>{esc(t.label_fa)}</div>'
            f'<div class="terms fa" dir="rtl">{esc(" · ".join(t.terms))}</div>{goal}{"".join(reps)}</div>')


def _h(level: int, en: str, fa: str) -> str:
    """A bilingual heading: English, then the Persian right-to-left."""
    return f'<h{level}>{esc(en)} <span class="fa" dir="rtl" lang="fa">{esc(fa)}</span></h{level}>'


def _example_html(x: OutsideExample, doc_by_id) -> str:
    d = doc_by_id.get(x.doc_id)
    cls = "" if x.lang in ("fa", "ar") else ' class="ltr"'
    in_domain = f", in-domain {x.in_domain:.2f}" if x.in_domain is not None else ""
    return (f'<blockquote{cls}{dir_attr(x.text)}>{esc(x.text)}</blockquote>'
            f'<div class=muted>— <a href="#doc-{esc(x.doc_id[:12])}">{esc(d.title if d else x.doc_id[:12])}</a>, '
            f'p. {esc(x.page or "–")}, statement <code>{esc(x.statement_id)}</code>{in_domain}</div>')


def _outside_html(o: OutsideSection, doc_by_id) -> str:
    head = _h(2, "Outside the taxonomy", "بیرون از طبقه‌بندی")
    if not o.n_classified:
        return f'<section id="outside">{head}<p class=muted>No statement has been classified yet.</p></section>'
    cards = "".join(f'<div class="card"><b>{v}</b>{esc(k)}</div>' for k, v in [
        ("outside statements", o.n_outside), ("share of classified statements", f"{o.share:.0%}"),
        ("outside and in no theme", o.n_no_theme)])
    unclassified = f" {o.n_unclassified} statement(s) have no classification and are not counted." \
        if o.n_unclassified else ""
    rows = "".join(
        f'<tr><td><a href="#outside-{esc(t.theme_id)}">{esc(t.theme_id)}</a></td><td>{esc(t.label_en)}'
        f'<div{dir_attr(t.label_fa)}>{esc(t.label_fa)}</div></td><td class="fa" dir="rtl">{esc(" · ".join(t.terms))}</td>'
        f"<td>{t.n_outside}</td><td>{t.n_classified}</td><td>{t.share:.0%}</td></tr>" for t in o.themes)
    table = (f"<table><thead><tr><th>theme</th><th>label</th><th>top terms</th><th>outside</th>"
             f"<th>classified</th><th>share</th></tr></thead><tbody>{rows}</tbody></table>") if o.themes else \
        "<p class=muted>No themes were fitted; every outside statement is in no theme.</p>"
    detail = "".join(
        f'<div class="theme" id="outside-{esc(t.theme_id)}"><h3>{esc(t.theme_id)} · {esc(t.label_en)} '
        f'<span class=muted>({t.n_outside} of {t.n_classified} outside)</span></h3>'
        + "".join(_example_html(x, doc_by_id) for x in t.examples) + "</div>"
        for t in o.themes if t.n_outside)
    if o.no_theme_examples:
        detail += (f'<div class="theme" id="outside-none"><h3>In no theme <span class=muted>({o.n_no_theme} '
                   f'outside)</span></h3>' + "".join(_example_html(x, doc_by_id) for x in o.no_theme_examples)
                   + "</div>")
    return f"""<section id="outside">{head}
<p class=muted>Statements the classifier left outside the problem → goal → policy taxonomy (it abstained: the statement
looked outside the domain, or no goal was likely enough), grouped by theme, themes with the most outside statements
first. A theme that is mostly outside is a subject the paper's scheme does not cover.{unclassified}</p>
<div class="cards">{cards}</div>{table}{detail}</section>"""


def _bi_row(label: str, en: str, fa: str) -> str:
    return f'<tr><th>{esc(label)}</th><td dir="ltr">{en}</td><td dir="rtl" class="fa" lang="fa">{fa}</td></tr>'


def _bi_text(label: str, b: Bilingual | None) -> str:
    return _bi_row(label, esc(b.en), esc(b.fa)) if b else ""


def _bi_list(label: str, en: list[str] | tuple[str, ...], fa: list[str] | tuple[str, ...]) -> str:
    if not en and not fa:
        return ""
    return _bi_row(label, "<ul>" + "".join(f"<li>{x}</li>" for x in en) + "</ul>",
                   "<ul>" + "".join(f"<li>{x}</li>" for x in fa) + "</ul>")


def _rules_table(rules: tuple[CodebookRule, ...]) -> str:
    return ('<table class="bi">' + "".join(_bi_text(r.rule_id, r.text) for r in rules) + "</table>") if rules else ""


def _codebook_html(cb: CodebookAppendix | None) -> str:
    head = _h(2, "Appendix: the coders' codebook", "پیوست: دستورالعمل کدگذاری")
    if cb is None:
        return (f'<section id="codebook">{head}<p class=muted>No codebook fits this taxonomy '
                f"(models/taxonomy/codebook.yaml), so the appendix is omitted.</p></section>")
    goals = []
    for g in cb.goals:
        rows = (_bi_text("definition", g.definition)
                + _bi_list("in", [esc(i.en) for i in g.includes], [esc(i.fa) for i in g.includes])
                + _bi_list("out", [f"{esc(e.text.en)} → <b>{esc(e.see)}</b>" for e in g.excludes],
                           [f"{esc(e.text.fa)} ← <b>{esc(e.see)}</b>" for e in g.excludes])
                + (_bi_row("actors", esc(", ".join(g.actors_en)), esc("، ".join(g.actors_fa)))
                   if g.actors_en or g.actors_fa else "")
                + (_bi_row("verbs", esc(", ".join(g.verbs_en)), esc("، ".join(g.verbs_fa)))
                   if g.verbs_en or g.verbs_fa else "")
                + _bi_list("examples", [esc(x.en) for x in g.examples], [esc(x.fa) for x in g.examples])
                + _bi_list("general policies", [f"<b>{esc(p.rule_id)}</b> {esc(p.text.en)}" for p in g.policies],
                           [f"<b>{esc(p.rule_id)}</b> {esc(p.text.fa)}" for p in g.policies]))
        alts = (f"<p class=muted>Also acceptable: {esc(', '.join(g.acceptable_alternatives))}</p>"
                if g.acceptable_alternatives else "")
        goals.append(f'<details class="goal" id="cb-{esc(g.goal_id)}"><summary>{esc(g.goal_id)} · {esc(g.label.en)} '
                     f'<span class="fa" dir="rtl" lang="fa">{esc(g.label.fa)}</span></summary>'
                     f'<table class="bi">{rows}</table>{alts}</details>')
    pairs = []
    for p in cb.pairs:
        ex = "".join(_bi_text(x.code or "", x.text) for x in p.examples)
        pairs.append(f"<h4>{esc(' / '.join(p.goals))}</h4><table class=\"bi\">{_bi_text('rule', p.rule)}{ex}</table>")
    outside_ex = "".join(_bi_text(f"example ({x.code})" if x.code else "example", x.text) for x in cb.outside_examples)
    return f"""<section id="codebook">{head}
<p class=muted>{esc(cb.name)} {esc(cb.version)}, for taxonomy {esc(cb.taxonomy)}: what a human coder reads. Open a goal to
see its definition, what is in and out, typical actors and verbs, examples and general policies.</p>
<table class="bi">{_bi_text("city in question", cb.city_in_question)}</table>
{_h(3, "General rules", "قاعده‌های کلی")}{_rules_table(cb.general_rules)}
{_h(3, "Macro-problems", "کلان‌مسئله‌ها")}{_rules_table(cb.macro_problems)}
{_h(3, "Goals", "اهداف")}{''.join(goals)}
{_h(3, "Confusable pairs", "جفت‌های مشابه")}{''.join(pairs)}
{_h(3, "Outside the taxonomy", "بیرون از طبقه‌بندی")}<table class="bi">{_bi_text("definition", cb.outside_definition)}</table>
{_rules_table(cb.outside_rules)}<table class="bi">{outside_ex}</table></section>"""


def write_report(data: ReportData, path: Path) -> Path:
    """Render and write atomically."""
    return write_atomic(path, render(data))
