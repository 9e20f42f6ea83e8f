"""Import another city's or framework's problem -> goal -> policy table (TSV, CSV or DOCX).

The first row is the header. ``ColumnMap`` says which column holds which level,
by header text or 1-based index; without one, headers are recognised from
common Persian and English names. Merged cells (DOCX) and empty cells mean
"same as above"; so does a value repeated down the problem, goal or general
policy column. Each line (DOCX: paragraph) in a cell is a separate item.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from pipeline.errors import UdiploError
from pipeline.taxonomy.builder import COLUMNS, Cell, MacroSpec, TableRow, build_taxonomy
from pipeline.taxonomy.model import Taxonomy, TaxonomySource

LEVEL_COLUMNS: tuple[str, ...] = ("macro_problem",) + COLUMNS
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "macro_problem": ("کلان مسئله", "کلان مسائل", "مسئله کلان", "macro problem", "macro_problem", "problem area"),
    "sub_problem": ("مسائل", "ریز مسائل", "مسئله", "problem", "problems", "sub problem", "sub_problem", "issue"),
    "goal": ("هدف", "اهداف", "goal", "goals", "objective", "objectives"),
    "general_policy": ("سیاستهای کلی", "سیاست کلی", "general policy", "general policies", "general_policy",
                       "policy", "policies", "strategy", "strategies"),
    "executive_policy": ("سیاستهای اجرایی", "سیاست اجرایی", "executive policy", "executive policies",
                         "executive_policy", "action", "actions", "measure", "measures"),
}
_BULLET = re.compile(r"^\s*(?:[•\-–*]|[0-9۰-۹]+[.)\-])\s*")


class TableImportError(UdiploError):
    """The table cannot be read or its columns cannot be mapped to levels."""


@dataclass(frozen=True)
class ColumnMap:
    """Column (header text or 1-based index) of each level; None = the table has no such column."""

    macro_problem: str | int | None = None
    sub_problem: str | int | None = None
    goal: str | int | None = None
    general_policy: str | int | None = None
    executive_policy: str | int | None = None

    @classmethod
    def parse(cls, spec: str) -> ColumnMap:
        """``"goal=هدف,general_policy=3"`` -> ColumnMap."""
        values: dict[str, str | int] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, sep, col = part.partition("=")
            key = key.strip()
            if not sep or key not in LEVEL_COLUMNS or not col.strip():
                raise TableImportError(
                    f"The columns spec must be level=column pairs with levels from {', '.join(LEVEL_COLUMNS)}. "
                    f"Got {part!r} instead."
                )
            col = col.strip()
            values[key] = int(col) if col.isdigit() else col
        return cls(**values)

    def resolve(self, header: list[str]) -> dict[str, int]:
        """0-based column index per level present in the table."""
        norm = [_norm_header(h) for h in header]
        out: dict[str, int] = {}
        explicit = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        for level in LEVEL_COLUMNS:
            if level in explicit:
                want = explicit[level]
                if isinstance(want, int):
                    if not 1 <= want <= len(header):
                        raise TableImportError(f"Column {want} for {level} is outside the table's {len(header)} columns.")
                    out[level] = want - 1
                elif _norm_header(want) in norm:
                    out[level] = norm.index(_norm_header(want))
                else:
                    raise TableImportError(f"No column named {want!r} for {level}; the headers are {header}.")
            elif not explicit:
                for name in HEADER_NAMES[level]:
                    if _norm_header(name) in norm:
                        out[level] = norm.index(_norm_header(name))
                        break
        if "goal" not in out:
            raise TableImportError(
                f"No goal column among the headers {header}. Name the columns, e.g. "
                f"--columns \"goal=Objective,general_policy=Policy,executive_policy=Action\"."
            )
        return out


def _norm_header(text: str) -> str:
    return re.sub(r"[\s\u200c_]+", " ", str(text)).strip().lower()


# --- reading ---------------------------------------------------------------------------------------
def read_rows(path: str | Path, table_index: int | None = None) -> list[list[str | None]]:
    """Header + data rows; a cell is its text, or None for the continuation of a merged cell."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _read_docx(path, table_index)
    if suffix in (".tsv", ".tab", ".csv", ".txt"):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise TableImportError(f"{path}: cannot read as UTF-8 text ({exc}).") from None
        delim = "\t" if suffix in (".tsv", ".tab") or "\t" in text.split("\n", 1)[0] else ","
        return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delim) if any(c.strip() for c in r)]
    raise TableImportError(f"{path}: unsupported table type {suffix!r}; use .tsv, .csv or .docx.")


def _read_docx(path: Path, table_index: int | None) -> list[list[str | None]]:
    try:
        import docx
    except ImportError:  # pragma: no cover
        raise TableImportError("Reading DOCX needs python-docx: pip install python-docx") from None
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for broken files
        raise TableImportError(f"{path}: not a readable DOCX file ({exc}).") from None
    tables = document.tables
    if not tables:
        raise TableImportError(f"{path}: the document has no tables.")
    if table_index is not None:
        if not 1 <= table_index <= len(tables):
            raise TableImportError(f"{path}: table {table_index} requested, the document has {len(tables)}.")
        tables = [tables[table_index - 1]]
    rows: list[list[str | None]] = []
    header: list[str | None] | None = None
    for table in tables:
        above: list = []
        for tr in table.rows:
            cells = tr.cells
            out: list[str | None] = []
            for j, cell in enumerate(cells):
                merged_down = j < len(above) and above[j] is cell._tc
                merged_across = j > 0 and cells[j - 1]._tc is cell._tc
                out.append(None if merged_down or merged_across else "\n".join(p.text for p in cell.paragraphs))
            above = [c._tc for c in cells]
            if header is None:
                header = out
            elif [(_norm_header(c) if c else "") for c in out] == [(_norm_header(c) if c else "") for c in header]:
                continue  # header repeated (a second table or a page-break header)
            rows.append(out)
    return rows


# --- building --------------------------------------------------------------------------------------
def items(text: str | None, split: str = r"\n+") -> tuple[str, ...]:
    if not text:
        return ()
    parts = re.split(split, text) if split else [text]
    return tuple(t for t in (re.sub(r"\s+", " ", _BULLET.sub("", p)).strip() for p in parts) if t)


def table_rows(rows: list[list[str | None]], columns: dict[str, int], default_macro: str,
               split: str = r"\n+") -> tuple[list[MacroSpec], list[TableRow]]:
    """Builder rows from raw rows; a new macro-problem starts where the macro column changes."""
    macros: list[MacroSpec] = []
    out: list[TableRow] = []
    last: dict[str, tuple[str, ...]] = {}
    for k, raw in enumerate(rows[1:], start=2):
        def col(level: str, raw: list[str | None] = raw) -> tuple[str, ...]:
            j = columns.get(level)
            return items(raw[j] if j is not None and j < len(raw) else None, split)

        macro = col("macro_problem")
        if macro and (not macros or macro != last.get("macro_problem")):
            macros.append(MacroSpec(table=len(macros) + 1, text=" ".join(macro), rank=len(macros) + 1, lines=(k,)))
            last = {"macro_problem": macro}
        if not macros:
            macros.append(MacroSpec(table=1, text=default_macro, rank=1))
        vals = {}
        for level in COLUMNS:
            v = col(level)
            if v and level != "executive_policy" and v == last.get(level):
                v = ()  # a value repeated down the column continues the cell above
            if v:
                last[level] = v
                if level == "goal":  # the same policy text under a new goal is a new policy
                    last.pop("general_policy", None)
            vals[level] = tuple(Cell(text=t, lines=(k,)) for t in v)
        if any(vals.values()):
            out.append(TableRow(table=len(macros), sub_problems=vals["sub_problem"], goals=vals["goal"],
                                general_policies=vals["general_policy"],
                                executive_policies=vals["executive_policy"], line=k))
    return macros, out


def import_table(
    path: str | Path,
    name: str,
    columns: ColumnMap | None = None,
    version: str = "1.0.0",
    macro: str | None = None,
    lang: str = "fa",
    table_index: int | None = None,
    split: str = r"\n+",
) -> Taxonomy:
    """Read a table file into a Taxonomy (ids P1, G01, G01.GP1 ... by order of appearance).

    ``lang="en"`` stores the texts as English (``gloss_en``) and leaves ``text_fa`` empty.
    """
    from pipeline.types import sha256_bytes

    if lang not in ("fa", "en"):
        raise TableImportError(f"The lang parameter of import_table must be 'fa' or 'en'. Got {lang!r} instead.")
    path = Path(path)
    rows = read_rows(path, table_index)
    if len(rows) < 2:
        raise TableImportError(f"{path}: expected a header row and at least one data row.")
    header = [c or "" for c in rows[0]]
    cols = (columns or ColumnMap()).resolve(header)
    macros, trows = table_rows(rows, cols, macro or name, split)
    sha = sha256_bytes(path.read_bytes())
    tax = build_taxonomy(name, version, TaxonomySource(doc=path.name, sha256=sha), macros, trows, doc_key=sha[:16],
                         meta={"generator": {"tool": "pipeline.taxonomy.import_table", "columns": cols}})
    if lang == "en":
        tax = replace(tax, nodes=tuple(replace(n, gloss_en=n.text_fa, text_fa="") for n in tax.nodes))
    return tax
