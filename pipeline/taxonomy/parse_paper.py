"""Parse the four problem/goal/policy tables of Mehrabanifar & Ramooz (2023) from extracted text.

The text (one table row per line, cells separated by tabs) has the defects of
a PDF conversion, handled here step by step:

1. ``scan``: header rows repeat at every page break and some pages print the
   columns in reverse order (the header then starts with «سیاستهای اجرایی»);
   each header gives the column order for the rows below it.
2. ``clean_cell``: ``<p>`` tags mark several paragraphs in one cell; each
   paragraph is an item, except one that opens with "(" (it details the item
   before it).
3. ``join_continuations``: a cell continued on the next page appears as a
   fragment in the first row after the repeated header; a fragment is appended
   to the last item of its column unless it clearly opens a new item.
4. ``split_executive``: several executive policies run together in one cell;
   they are split before a policy-opening verbal noun (برگزاری, راهاندازی ...).
5. Corrections (``corrections.py``, data in ``models/taxonomy/``) repair cells
   the conversion scrambled, each with its reason.
6. Goals are ranked by the list of 16 goals in the conclusion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.lang.fa import FOLD_ARABIC_LETTERS
from pipeline.taxonomy.builder import COLUMNS, Cell, MacroSpec, TableRow
from pipeline.taxonomy.corrections import Corrections, CorrectionsError, spell
from pipeline.taxonomy.ranking import (
    PERSIAN_DIGITS,
    ConclusionGoal,
    PaperParseError,
    conclusion_goals,
    match_goal_ranks,
    norm_text,
)

HEADER_COLUMNS: dict[str, str] = {
    "مسائل": "sub_problem",
    "ریز مسائل": "sub_problem",
    "هدف": "goal",
    "سیاستهای کلی": "general_policy",
    "سیاستهای اجرایی": "executive_policy",
}
CAPTION_RE = re.compile(r"^جدول \(([۰-۹0-9]+)\)\s*:\s*(.*)$")
SECTION_RE = re.compile(r"کلان مسئله\s*«?([^»]+?)»?\s*$")
TABLE_END_PREFIXES = ("منبع:",)

# Policy-opening verbal nouns: an executive-policy cell is split before one of
# these when the text before it reads as a finished item.
SPLIT_OPENERS = frozenset(
    """برگزاری راهاندازی ایجاد حمایت طراحی توجه ارائه انتقال اعطا اعطاء اعطای شرکت تصویب ترجمه
    گسترش عضویت""".split()
)
# A fragment after a page break that starts with one of these opens a new item.
ITEM_OPENERS = SPLIT_OPENERS | frozenset(
    """پیشبرد ترسیم گفتگو فعالسازی بهرهگیری شناسایی تقویت تربیت پیادهسازی انعقاد عنوانگذاری
    شناساندن تضمین توانمندسازی نظارت ابقا حذف شاخصگذاری""".split()
)
# An opener followed by one of these is a participle ("ارائه شده"), not a new item.
NOT_AFTER_OPENER = frozenset("شده شد شدند میشود".split())
# A split never follows one of these words: the item goes on.
CONNECTORS = frozenset(
    """و یا به از در با بر برای تا که بهعلاوه علاوه بهمنظور منظور جهت راستای قالب طریق مانند نیز هرچه
    بهویژه ویژه عدم بدون جای بهجای حول ضمن • - /""".split()
)
CONTINUATION_STARTS = ("(", "/", "...", "…", "،", ")")


@dataclass
class Item:
    """A statement being assembled; ``lines`` are 1-based source lines."""

    text: str
    lines: list[int]
    note: str | None = None


def _notes(*notes: str | None) -> str | None:
    return " ".join(dict.fromkeys(n for n in notes if n)) or None


@dataclass
class PhysRow:
    """One text line of a table, cells in canonical column order."""

    table: int
    line: int
    cols: list[list[Item]]
    after_break: bool = False
    reversed: bool = False

    def is_empty(self) -> bool:
        return not any(self.cols)


@dataclass(frozen=True)
class TableSpec:
    number: int
    caption: str
    macro_text: str
    lines: tuple[int, ...]
    aliases: tuple[str, ...] = ()


# --- step 1: scan ---------------------------------------------------------------
def header_order(cells: list[str]) -> list[str] | None:
    """Canonical column names for a header row, or None if the row is not a header."""
    names = [re.sub(r"\s+", " ", c).strip() for c in cells]
    if len(names) != len(COLUMNS) or any(n not in HEADER_COLUMNS for n in names):
        return None
    order = [HEADER_COLUMNS[n] for n in names]
    return order if sorted(order) == sorted(COLUMNS) else None


def scan(lines: list[str]) -> tuple[list[TableSpec], list[PhysRow]]:
    """Find captions, headers and data rows. Rows are returned in canonical column order."""
    tables: list[TableSpec] = []
    rows: list[PhysRow] = []
    table: int | None = None
    order: list[str] | None = None
    headers_seen = 0
    section_alias: str | None = None
    pending_break = False
    for i, raw in enumerate(lines):
        lineno = i + 1
        line = raw.rstrip("\r")
        m = CAPTION_RE.match(line.strip())
        if m:
            table = int(m.group(1).translate(PERSIAN_DIGITS))
            tables.append(_table_spec(table, m.group(2), lines, i, section_alias))
            order, headers_seen, pending_break = None, 0, False
            continue
        sm = SECTION_RE.search(line) if "\t" not in line else None
        if sm:
            section_alias = sm.group(1).strip()
            continue
        if table is None:
            continue
        if line.strip().startswith(TABLE_END_PREFIXES):
            table, order = None, None
            continue
        if "\t" not in line:
            continue
        cells = line.split("\t")
        new_order = header_order(cells)
        if new_order is not None:
            order = new_order
            headers_seen += 1
            pending_break = headers_seen > 1
            continue
        if order is None:
            raise PaperParseError(
                f"line {lineno}: a table row before any header row in table {table}; expected a header "
                f"with the columns {', '.join(HEADER_COLUMNS)}."
            )
        if len(cells) != len(COLUMNS):
            raise PaperParseError(f"line {lineno}: expected {len(COLUMNS)} tab-separated cells, got {len(cells)}.")
        cols: list[list[Item]] = [[] for _ in COLUMNS]
        for name, cell in zip(order, cells, strict=True):
            cols[COLUMNS.index(name)] = [Item(p, [lineno]) for p in clean_cell(cell)]
        rows.append(
            PhysRow(table=table, line=lineno, cols=cols, after_break=pending_break,
                    reversed=order != list(COLUMNS))
        )
        pending_break = False
    if not tables:
        raise PaperParseError("No table captions («جدول (n): ...») found; is this the Mashhad paper's text?")
    return tables, rows


def _table_spec(number: int, caption: str, lines: list[str], i: int, alias: str | None) -> TableSpec:
    text = caption.split("متناظر با مسائل", 1)[-1].strip()
    used = [i + 1]
    for j in range(i + 1, min(i + 4, len(lines))):
        nxt = lines[j].strip()
        if not nxt:
            continue
        if nxt.startswith("(") and "\t" not in nxt:  # caption wrapped onto the next line
            text = f"{text} {nxt}"
            used.append(j + 1)
        break
    aliases = tuple(a for a in (alias,) if a and norm_text(a) != norm_text(text))
    return TableSpec(number=number, caption=caption.strip(), macro_text=text, lines=tuple(used), aliases=aliases)


# --- step 2: cells ------------------------------------------------------------------


def clean_cell(cell: str) -> list[str]:
    """Paragraphs of a cell without ``<p>`` tags; a paragraph opening with "(" joins the one before.

    Arabic yeh/kaf become Persian ones (the conversion mixes them).
    """
    parts = re.split(r"</p>\s*<p>", cell.translate(FOLD_ARABIC_LETTERS))
    out: list[str] = []
    for part in parts:
        text = re.sub(r"\s+", " ", re.sub(r"</?p>", " ", part)).strip()
        if not text:
            continue
        if out and text.startswith("("):
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return out


# --- step 3: continuations -------------------------------------------------------------
def is_finished(text: str) -> bool:
    """Whether a cell's text could end here: balanced parentheses, no trailing connector."""
    if text.count("(") > text.count(")"):
        return False
    words = text.split()
    return bool(words) and words[-1] not in CONNECTORS and not text.endswith(("،", "-", "/"))


def opens_item(text: str) -> bool:
    words = text.split()
    return bool(words) and words[0] in ITEM_OPENERS


def join_continuations(rows: list[PhysRow]) -> list[PhysRow]:
    """Append cell fragments to the item they continue; drop rows left empty."""
    last: dict[tuple[int, int], Item] = {}
    out: list[PhysRow] = []
    for row in rows:
        for c, items in enumerate(row.cols):
            if not items:
                continue
            prev = last.get((row.table, c))
            first = items[0]
            cont = prev is not None and (
                first.text.startswith(CONTINUATION_STARTS)
                or (row.after_break and not (is_finished(prev.text) and opens_item(first.text)))
            )
            if cont:
                prev.text = f"{prev.text} {first.text}"
                prev.lines.extend(n for n in first.lines if n not in prev.lines)
                prev.note = _notes(prev.note, first.note)
                items.pop(0)
            if items:
                last[(row.table, c)] = items[-1]
        if not row.is_empty():
            out.append(row)
    return out


# --- step 4: merged executive policies ---------------------------------------------------
def split_executive(text: str, min_words: int = 3) -> list[str]:
    """Split a cell holding several executive policies before each policy-opening word."""
    words = text.split(" ")
    pieces: list[list[str]] = [[]]
    for k, w in enumerate(words):
        cur = pieces[-1]
        nxt = words[k + 1] if k + 1 < len(words) else ""
        if (
            w in SPLIT_OPENERS
            and nxt not in NOT_AFTER_OPENER
            and len(cur) >= min_words
            and cur[-1] not in CONNECTORS
            and not cur[-1].endswith(("،", ":", "-"))
            and is_finished(" ".join(cur))
        ):
            pieces.append([w])
        else:
            cur.append(w)
    return [strip_period(" ".join(p)) for p in pieces if p]


def strip_period(text: str) -> str:
    """Drop one closing full stop, keep ellipses («و...»)."""
    text = text.strip()
    return text[:-1].rstrip() if re.search(r"(?<!\.)\.$", text) else text


def split_goals(text: str) -> list[str]:
    """Goals merged in one cell are separated by «؛»."""
    return [p.strip() for p in text.split("؛") if p.strip()]


def macro_specs(tables: list[TableSpec]) -> list[MacroSpec]:
    """One macro-problem per table; priority = table order, as the paper presents them."""
    return [MacroSpec(table=t.number, text=t.macro_text, rank=t.number, lines=t.lines, aliases=t.aliases)
            for t in tables]


# --- corrections ------------------------------------------------------------------------
def apply_row_edits(rows: list[PhysRow], corr: Corrections, lines: list[str]) -> None:
    """Replace the columns named by each edit; the new items carry the edit's reason as note."""
    by_line = {r.line: r for r in rows}
    for e in corr.rows:
        row = by_line.get(e.line)
        if row is None or e.expect not in lines[e.line - 1]:
            raise CorrectionsError(
                f"{corr.path}: the edit for line {e.line} expects a table row containing {e.expect!r}; "
                f"the text differs. Update the corrections for this text."
            )
        for col, items in e.set.items():
            row.cols[COLUMNS.index(col)] = [Item(text, [line or e.line], e.note) for text, line in items]


def apply_spelling(rows: list[PhysRow], spelling: dict[str, str]) -> None:
    for r in rows:
        for items in r.cols:
            for it in items:
                it.text = spell(it.text, spelling)


def goal_assignments(rows: list[PhysRow], corr: Corrections) -> dict[int, int]:
    """First line of a general policy -> goal rank, from the corrections' goal_assign entries."""
    gps = {it.lines[0]: it for r in rows for it in r.cols[2]}
    out: dict[int, int] = {}
    for a in corr.goal_assign:
        it = gps.get(a.line)
        if it is None or a.expect not in it.text:
            raise CorrectionsError(
                f"{corr.path}: goal_assign for line {a.line} expects a general policy starting there and "
                f"containing {a.expect!r}; none found. Update the corrections for this text."
            )
        out[a.line] = a.goal_rank
        it.note = _notes(it.note, a.note)
    return out


# --- all steps -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParsedPaper:
    macros: tuple[MacroSpec, ...]
    rows: tuple[TableRow, ...]
    conclusion: tuple[ConclusionGoal, ...]


def parse_paper(text: str, corrections: Corrections | None = None) -> ParsedPaper:
    """Scan, correct, join, split and rank: the rows the builder turns into a taxonomy."""
    corr = corrections or Corrections.empty()
    lines = text.split("\n")
    tables, rows = scan(lines)
    apply_row_edits(rows, corr, lines)
    apply_spelling(rows, corr.spelling)
    rows = join_continuations(rows)
    for r in rows:
        r.cols[0] = [Item(strip_period(it.text), it.lines, it.note) for it in r.cols[0]]
        r.cols[1] = [Item(g, list(it.lines), it.note) for it in r.cols[1] for g in split_goals(strip_period(it.text))]
        r.cols[2] = [Item(strip_period(it.text), it.lines, it.note) for it in r.cols[2]]
        r.cols[3] = [Item(e, list(it.lines), it.note) for it in r.cols[3] for e in split_executive(it.text)]
    assign = goal_assignments(rows, corr)
    conclusion = conclusion_goals(lines)
    table_goals = [it for r in rows for it in r.cols[1]]
    ranks = match_goal_ranks([it.text for it in table_goals], conclusion)
    rank_of = {id(it): rank for it, rank in zip(table_goals, ranks, strict=True)}
    by_rank = {c.rank: c for c in conclusion}
    out: list[TableRow] = []
    for r in rows:
        def cells(c: int, r: PhysRow = r) -> tuple[Cell, ...]:
            return tuple(
                Cell(text=it.text, lines=tuple(it.lines), note=it.note,
                     goal=assign.get(it.lines[0]) if c == 2 else None)
                for it in r.cols[c]
            )

        goals = []
        for it in r.cols[1]:
            rank = rank_of[id(it)]
            concl = by_rank[rank]
            alias = () if norm_text(concl.text) == norm_text(it.text) else (concl.text,)
            goals.append(Cell(text=it.text, lines=tuple(it.lines), rank=rank, aliases=alias, note=it.note))
        out.append(TableRow(table=r.table, sub_problems=cells(0), goals=tuple(goals),
                            general_policies=cells(2), executive_policies=cells(3), line=r.line))
    return ParsedPaper(macros=tuple(macro_specs(tables)), rows=tuple(out), conclusion=tuple(conclusion))
