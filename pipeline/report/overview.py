"""Corpus overview page (self-contained HTML, right-to-left where Persian, all text escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from pipeline.files import write_atomic

_CSS = """
body{font-family:'Vazirmatn','Noto Naskh Arabic','DejaVu Sans',sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem;vertical-align:top}
th{background:#f3f3f3}.fa{direction:rtl;unicode-bidi:plaintext;text-align:right}.num{text-align:right}
"""


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f'<td dir="auto" class="fa">{escape(text)}</td>' if any("\u0600" <= c <= "\u06ff" for c in text) \
        else f"<td>{escape(text)}</td>"


def write_overview(summaries: Sequence[Any], failures: Sequence[Any], path: Path) -> Path:
    rows = "\n".join(
        "<tr>" + "".join(_cell(v) for v in (s.doc_id[:12], s.title or s.filename, s.city, s.kind, s.date_iso,
                                              s.language, s.n_pages, s.n_segments, s.n_chars)) + "</tr>"
        for s in summaries
    )
    fails = "\n".join(f"<tr>{_cell(f.path)}{_cell(f.error_type)}{_cell(f.reason)}</tr>" for f in failures)
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>udiplo corpus overview</title>
<style>{_CSS}</style></head><body>
<h1>Corpus overview</h1>
<p>{len(summaries)} documents, {sum(s.n_segments for s in summaries)} segments.</p>
<table><thead><tr><th>id</th><th>title</th><th>city</th><th>kind</th><th>date</th><th>lang</th>
<th>pages</th><th>segments</th><th>chars</th></tr></thead><tbody>
{rows}
</tbody></table>
<h2>Failures</h2>
<table><thead><tr><th>file</th><th>error</th><th>reason</th></tr></thead><tbody>
{fails or '<tr><td colspan="3">none</td></tr>'}
</tbody></table>
</body></html>
"""
    return write_atomic(path, html)
