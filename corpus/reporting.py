"""Assemble what is stored and analysed into the report and the exports researchers use.

Reads the store (documents, statements, classifications) and a theme result;
writes ``report.html``, ``statements.csv``, ``statements.json`` and a REFI-QDA
project ``udiplo.qdpx`` (taxonomy as codebook, machine codings as coded
segments). Every file is written atomically.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus.analysis import statement_context
from corpus.store import CorpusStore
from pipeline.csvsafe import csv_text
from pipeline.files import write_atomic
from pipeline.report.data import DocRow, NodeRow, ReportData, StatementLabel, StatementRef, ThemeRow

log = logging.getLogger("udiplo.report")

EXPORT_FIELDS = ["statement_id", "doc_id", "filename", "city", "city_source", "kind", "date_iso", "page", "start",
                 "end", "table", "row", "col", "lang", "kind_of_statement", "raw", "text", "theme_id", "theme_label",
                 "theme_probability", "macro_id", "goal_id", "general_policy_id", "goal_confidence", "in_domain",
                 "abstained"]


def statement_rows(store: CorpusStore, themes=None, taxonomy=None) -> list[dict[str, Any]]:
    """One flat row per statement: provenance, theme and taxonomy path."""
    ctx, summaries = statement_context(store)
    cls = store.classifications()
    theme_of = {a.statement_id: a for a in themes.primary()} if themes else {}
    theme_label = {t.theme_id: t.label_en for t in themes.themes} if themes else {}
    rows = []
    for st in store.statements():
        c = ctx.get(st.doc_id, {})
        k = cls.get((st.doc_id, st.index))
        a = theme_of.get(st.statement_id)
        assigned = k is not None and not k["abstained"]
        rows.append({
            "statement_id": st.statement_id, "doc_id": st.doc_id, "filename": summaries[st.doc_id].filename,
            "city": c.get("city"), "city_source": c.get("city_source"), "kind": c.get("kind"),
            "date_iso": c.get("date_iso"), "page": st.page, "start": st.start, "end": st.end, "table": st.table,
            "row": st.row, "col": st.col, "lang": st.lang, "kind_of_statement": st.kind, "raw": st.raw,
            "text": st.text,
            "theme_id": None if a is None or a.theme_id < 0 else f"T{a.theme_id}",
            "theme_label": theme_label.get(a.theme_id) if a is not None else None,
            "theme_probability": round(a.probability, 4) if a is not None else None,
            "macro_id": k["macro_id"] if assigned else None,
            "goal_id": k["goal_id"] if assigned else None,
            "general_policy_id": k["policy_id"] if assigned else None,
            "goal_confidence": round(k["conf_goal"], 4) if k else None,
            "in_domain": round(k["in_domain"], 4) if k else None,
            "abstained": bool(k["abstained"]) if k else None,
        })
    return rows


def report_data(store: CorpusStore, rows: list[dict], themes=None, taxonomy=None, *, evaluation=None,
                notes: tuple[str, ...] = (), codebook=None) -> ReportData:
    """Everything the report shows. ``codebook`` (see ``codebook_of``) becomes the appendix; None omits it."""
    from pipeline.report.sections import codebook_appendix, outside_section

    ctx, summaries = statement_context(store)
    n_by_doc: dict[str, int] = {}
    for r in rows:
        n_by_doc[r["doc_id"]] = n_by_doc.get(r["doc_id"], 0) + 1
    docs = tuple(DocRow(d, s.title or s.filename, s.filename, ctx.get(d, {}).get("city"),
                        ctx.get(d, {}).get("city_source"), s.kind, s.date_iso, n_by_doc.get(d, 0))
                 for d, s in summaries.items())
    labels = tuple(StatementLabel(r["statement_id"], r["doc_id"], r["city"], r["kind"], r["date_iso"], r["theme_id"],
                                  r["macro_id"], r["goal_id"], r["goal_confidence"]) for r in rows)
    theme_rows: tuple[ThemeRow, ...] = ()
    if themes:
        lang_of = {r["statement_id"]: r["lang"] for r in rows}
        theme_rows = tuple(
            ThemeRow(f"T{t.theme_id}", t.label_en, t.label_fa, tuple(t.terms_fa[:8]), t.size, t.seed_goal,
                     tuple(StatementRef(e.statement_id, e.doc_id, e.page, e.start or 0, e.end or 0, e.text,
                                        lang_of.get(e.statement_id, "fa")) for e in t.examples[:3]))
            for t in themes.themes if t.theme_id >= 0)
    macros = goals = ()
    if taxonomy:
        macros = tuple(NodeRow(n.node_id, n.rank, None, n.text_fa, n.gloss_en) for n in taxonomy.macro_problems())
        goals = tuple(NodeRow(n.node_id, n.rank, n.parent_id, n.text_fa, n.gloss_en) for n in taxonomy.goals())
    return ReportData(
        title="udiplo: urban diplomacy in Mashhad, Isfahan and Tehran",
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        docs=docs, labels=labels, themes=theme_rows, macros=macros, goals=goals,
        stability=themes.stability if themes else None, evaluation=evaluation, notes=notes,
        outside=outside_section(rows, theme_rows),
        codebook=codebook_appendix(codebook) if codebook is not None else None)


_LOAD = object()


def write_exports(store: CorpusStore, rows: list[dict], out: Path, taxonomy=None, codebook=_LOAD) -> dict[str, str]:
    """statements.csv (UTF-8 with BOM so spreadsheet tools read Persian; formula-like text guarded, see
    ``pipeline.csvsafe``), statements.json, udiplo.qdpx (code descriptions from ``codebook``, loaded with
    ``codebook_of`` unless given; None: the taxonomy text)."""
    from pipeline.report.qdpx import Coding, Source, taxonomy_codes, write_qdpx

    table = csv_text(EXPORT_FIELDS, ([r.get(f) for f in EXPORT_FIELDS] for r in rows))
    paths = {"csv": str(write_atomic(out / "statements.csv", ("\ufeff" + table).encode("utf-8"))),
             "json": str(write_atomic(out / "statements.json",
                                       json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8")))}
    if taxonomy:
        codes = taxonomy_codes(taxonomy, codebook_of(taxonomy) if codebook is _LOAD else codebook)
        docs = {d: store.get_document(d) for d in {r["doc_id"] for r in rows}}
        sources = [Source(d, doc.meta.title or Path(doc.source_path).name, doc.text) for d, doc in docs.items()]
        codings = []
        for r in rows:
            node = r["general_policy_id"] or r["goal_id"]
            if node:
                codings.append(Coding(r["doc_id"], r["start"], r["end"], node, r["goal_confidence"],
                                      f"theme {r['theme_id']}" if r["theme_id"] else None))
        paths["qdpx"] = str(write_qdpx(out / "udiplo.qdpx", codes, sources, codings, name="udiplo machine coding"))
    return paths


def codebook_of(taxonomy):
    """The coders' codebook for the report appendix and the QDA code descriptions (None when there is none for
    ``taxonomy``); a broken one is reported and the report and export go on without it."""
    from pipeline.taxonomy.codebook import CodebookError, codebook_for

    try:
        return codebook_for(taxonomy)
    except CodebookError as exc:
        log.warning("the codebook is left out of the report and the udiplo.qdpx code descriptions show the "
                    "taxonomy text only: %s", str(exc).replace("\n", " "))
        return None
