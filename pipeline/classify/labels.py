"""Human codings of statements: read and check a CSV of statement id -> taxonomy node id.

    statement_id,node_id,coder
    0bc4d1f2a9e8c7b6:3f9c0e1d2a4b,G09.GP2,maryam
    0bc4d1f2a9e8c7b6:77ab01c9e2f0-2,outside,maryam

Statement ids are anchored to the statement text (``pipeline.types.statement_id``).

``node_id`` is any node of the taxonomy (a macro-problem, sub-problem, goal or policy; a
deeper node implies its ancestors) or ``outside`` (the coder judged the statement outside the
taxonomy). Rows with an empty ``node_id`` (a coding sheet's uncoded
rows) are skipped. ``coder`` may be left out when the whole file is one coder's (``default_coder``).
Header names are matched case-insensitively; ``statement``/``node``/``code`` are accepted too.
The apostrophe that guards formula-like cells in the sheets udiplo writes (``pipeline.csvsafe``)
is removed again, so ``'=x`` reads as ``=x``.
Every problem is reported with the file and line, and nothing is returned unless the whole
file is valid, so a half-imported file never reaches the store.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from pipeline.csvsafe import unguard_cell
from pipeline.errors import UdiploError

OUTSIDE = "outside"
_POSITIONAL = re.compile(r"^[0-9a-f]{16}:s\d+$")  # the ids udiplo wrote before schema v6
_ALIASES = {
    "statement_id": ("statement_id", "statement", "segment_id"),
    "node_id": ("node_id", "node", "code", "label"),
    "coder": ("coder", "annotator", "rater"),
}


class LabelFileError(UdiploError):
    """A label file that cannot be imported (missing columns, unknown ids)."""


@dataclass(frozen=True)
class HumanLabel:
    statement_id: str
    node_id: str
    coder: str
    source: str | None = None


def read_labels(path: str | Path, *, node_ids: Collection[str], statement_ids: Collection[str] | None = None,
                default_coder: str | None = None, replace: bool = False) -> list[HumanLabel]:
    """All labels of ``path`` (CSV or TSV, UTF-8 with or without BOM), or ``LabelFileError`` listing
    every bad line (up to 20) by its physical line number (a quoted cell may span lines).
    ``statement_ids``: the statements that exist (None: do not check). A statement coded twice by
    the same coder is a bad line naming both lines, unless ``replace``: then the last line wins."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise LabelFileError(f"{p}: cannot read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LabelFileError(f"{p}: not UTF-8 text; save the label file as UTF-8 CSV") from None
    if not text.strip():
        raise LabelFileError(f"{p}: the file is empty; expected a header 'statement_id,node_id[,coder]'")
    first = text.splitlines()[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    cols = {}
    for key, names in _ALIASES.items():
        cols[key] = next((header.index(n) for n in names if n in header), None)
    if cols["statement_id"] is None or cols["node_id"] is None:
        raise LabelFileError(f"{p}: line 1 must name the columns statement_id and node_id (and optionally "
                             f"coder); got {', '.join(header) or 'nothing'}")
    if cols["coder"] is None and not default_coder:
        raise LabelFileError(f"{p}: no coder column; add one or pass --coder NAME")
    known_nodes = set(node_ids) | {OUTSIDE}
    known_statements = set(statement_ids) if statement_ids is not None else None
    labels: dict[tuple[str, str], tuple[int, HumanLabel]] = {}  # (statement, coder) -> (line, label)
    problems: list[str] = []
    end = reader.line_num
    for row in reader:
        line_no, end = end + 1, reader.line_num  # the physical line the record starts on
        if not any(c.strip() for c in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            i = cols[key]
            return unguard_cell(row[i].strip()) if i is not None and i < len(row) else ""

        sid, node, coder = cell("statement_id"), cell("node_id"), cell("coder") or (default_coder or "")
        if not node:
            continue  # a row of a coding sheet not coded yet
        if not sid:
            problems.append(f"line {line_no}: node {node!r} given without a statement_id")
        elif node not in known_nodes:
            problems.append(f"line {line_no}: node {node!r} is not in the taxonomy (nor 'outside'); "
                            f"`udiplo taxonomy show` lists the ids")
        elif known_statements is not None and sid not in known_statements:
            hint = (" (a position-based id from before ids were anchored to the statement text: write a new "
                    "sheet with `udiplo label sheet` and code it there)" if _POSITIONAL.match(sid) else "")
            problems.append(f"line {line_no}: statement {sid!r} is not in the store{hint}; ids are as in "
                            f"statements.csv or `udiplo classify --json`")
        elif not coder:
            problems.append(f"line {line_no}: no coder; fill the coder column or pass --coder NAME")
        elif (sid, coder) in labels and not replace:
            problems.append(f"line {line_no}: statement {sid!r} is coded by {coder!r} on line "
                            f"{labels[sid, coder][0]} too; keep one of the lines, or pass --replace to keep the last")
        else:
            labels[sid, coder] = (line_no, HumanLabel(sid, node, coder, f"{p.name}:{line_no}"))
    if problems:
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise LabelFileError(f"{p}: {len(problems)} bad line(s), nothing imported: "
                             + "; ".join(problems[:20]) + more)
    if not labels:
        raise LabelFileError(f"{p}: no labels below the header")
    return [x for _, x in sorted(labels.values(), key=lambda v: v[0])]
