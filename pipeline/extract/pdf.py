"""PDF files with pdfplumber: Persian, English and mixed text as headings, paragraphs and ruled tables.

Each page's glyphs are grouped into lines; every line is read right to left
or left to right (see :mod:`pipeline.extract.bidi`), lines are grouped into
paragraphs by spacing, indentation and line fill, and larger type becomes a
heading. Ruled tables are read cell by cell, columns in reading order, and
their text is kept out of the paragraphs.
"""

from __future__ import annotations

import io
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from pipeline.errors import CorruptFileError, EncryptedFileError, NeedsOCRError
from pipeline.extract.bidi import (
    Char,
    LineText,
    choose_mirroring,
    is_cid,
    is_rtl,
    line_text,
    logical_row,
    rtl_share,
    unit_class,
)
from pipeline.extract.builder import DocumentBuilder
from pipeline.types import Document, DocumentMeta

MEDIA_TYPE = "application/pdf"
EXTRACTOR = "pdf/pdfplumber"
HEADING_RATIO = 1.15  # type this much larger than the body text is a heading
PARA_PITCH_RATIO = 1.2  # a line this much further down than the usual line pitch starts a paragraph
_BULLETS = tuple("•◦▪▫●○■□")


@dataclass
class Line:
    """One line of text on a page, already in logical order."""

    chars: list[Char]
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    bold: bool
    read: LineText | None = None
    text: str = ""  # logical text before the document-wide bracket decision

    @property
    def rtl(self) -> bool:
        return self.read.rtl if self.read else True

    @property
    def first_word(self) -> float:
        return self.read.first_word if self.read else 0.0


@dataclass
class PageLayout:
    number: int
    lines: list[Line] = field(default_factory=list)
    tables: list[tuple[float, list[list[list[LineText]]]]] = field(default_factory=list)  # (top, rows of cells)
    n_chars: int = 0
    note: str | None = None


# -- opening -------------------------------------------------------------------------
def open_pdf(data: bytes, source_path: str):
    """Open PDF bytes with pdfplumber, turning pdfminer's failures into one-line extraction errors."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfplumber wraps pdfminer errors in PdfminerException
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise EncryptedFileError(source_path, "encrypted PDF: needs a password") from None
        if isinstance(cause, PDFEncryptionError):
            raise EncryptedFileError(source_path, f"encrypted PDF: unsupported encryption ({cause})") from None
        raise CorruptFileError(source_path, f"corrupt or truncated PDF: {_describe(cause)}") from None


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


def pdf_meta(info: dict[str, Any]) -> DocumentMeta:
    """Title and author from the PDF info dictionary (file names posing as titles are ignored)."""

    def clean(key: str) -> str | None:
        value = info.get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str):
            return None
        value = " ".join(value.replace("\x00", "").split())
        return value or None

    title = clean("Title")
    if title and (title.lower().endswith((".doc", ".docx", ".pdf", ".odt", ".rtf")) or title.lower() == "untitled"):
        title = None
    author = clean("Author")
    return DocumentMeta(title=title, authors=(author,) if author else ())


# -- lines -----------------------------------------------------------------------------
def cluster_lines(chars: list[Char]) -> list[list[Char]]:
    """Group glyphs into lines: a glyph joins the current line when at least half of it overlaps the line vertically."""
    out: list[list[Char]] = []
    band = (0.0, 0.0)
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if out:
            top, bottom = band
            overlap = min(bottom, c["bottom"]) - max(top, c["top"])
            if overlap >= 0.5 * max(min(c["bottom"] - c["top"], bottom - top), 0.1):
                out[-1].append(c)
                if c["bottom"] - c["top"] > bottom - top:
                    band = (c["top"], c["bottom"])
                continue
        out.append([c])
        band = (c["top"], c["bottom"])
    return out


def make_line(chars: list[Char]) -> Line:
    sizes = [round(c["size"], 1) for c in chars if not c["text"].isspace()] or [round(chars[0]["size"], 1)]
    letters = [c for c in chars if unit_class(c["text"]) in "RL"]
    return Line(
        chars=chars,
        top=min(c["top"] for c in chars),
        bottom=max(c["bottom"] for c in chars),
        x0=min(c["x0"] for c in chars),
        x1=max(c["x1"] for c in chars),
        size=Counter(sizes).most_common(1)[0][0],
        bold=bool(letters) and all("bold" in str(c.get("fontname", "")).lower() for c in letters),
    )


def line_direction(line: Line, left: float, right: float, default_rtl: bool) -> bool | None:
    """Right-to-left? Mixed lines follow their alignment, then their majority script.

    A line of one script is read in that script's direction, unless it hangs on
    the other margin of a page written mostly in the other direction: the
    Latin-only last line «(Acuto, 2013, p. 20).» of a Persian paragraph is read
    right to left, so its full stop lands at the end.
    """
    r, l_ = rtl_share(c["text"] for c in line.chars)
    if not r and not l_:
        return None
    em = line.size
    touch_right, touch_left = right - line.x1 <= em, line.x0 - left <= em
    aligned = touch_right if touch_right != touch_left else None
    if r and l_:
        return aligned if aligned is not None else is_rtl((c["text"] for c in line.chars), default_rtl)
    if aligned is not None and aligned != bool(r) and aligned == default_rtl:
        return aligned
    return bool(r)


# -- tables ------------------------------------------------------------------------------
def _inside(c: Char, bbox: tuple[float, float, float, float]) -> bool:
    x, y = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def cell_lines(chars: list[Char], default_rtl: bool) -> list[LineText]:
    return [line_text(group, None, default_rtl) for group in cluster_lines(chars)]


def read_tables(page, chars: list[Char], default_rtl: bool) -> tuple[list, list[Char]]:
    """Ruled tables of at least 2 rows and 2 columns, rows in reading order; returns them and the glyphs outside them."""
    if not (page.lines or page.rects or page.curves):
        return [], chars
    try:
        found = page.find_tables()
    except Exception:  # odd vector graphics: keep the text as paragraphs rather than lose the page
        return [], chars
    tables = []
    rest = chars
    for t in found:
        if len(t.rows) < 2 or max(len(r.cells) for r in t.rows) < 2:
            continue
        inside = [c for c in rest if _inside(c, t.bbox)]
        rest = [c for c in rest if not _inside(c, t.bbox)]
        r, l_ = rtl_share(c["text"] for c in inside)
        rtl = default_rtl if r == l_ else r > l_
        row_tops = [row.bbox[1] for row in t.rows]
        buckets: list[list[list[Char]]] = [[[] for _ in row.cells] for row in t.rows]
        for c in inside:
            y = (c["top"] + c["bottom"]) / 2
            i = max(bisect_right(row_tops, y) - 1, 0)
            for j, cell in enumerate(t.rows[i].cells):
                if cell is not None and _inside(c, cell):
                    buckets[i][j].append(c)
                    break
        rows = [logical_row([cell_lines(b, rtl) for b in row], rtl) for row in buckets]
        tables.append((t.bbox[1], rows))
    return tables, rest


# -- pages --------------------------------------------------------------------------------
def read_page(page, number: int) -> PageLayout:
    """Lines (text in logical order) and tables of one page."""
    layout = PageLayout(number)
    chars = [c for c in page.chars if c["text"] and c.get("upright", True)]
    rotated = len(page.chars) - len(chars)
    layout.n_chars = len(page.chars)
    if rotated:
        layout.note = f"page {number}: {rotated} rotated or vertical characters skipped"
    if not chars:
        return layout
    r, l_ = rtl_share(c["text"] for c in chars)
    default_rtl = r >= l_
    layout.tables, chars = read_tables(page, chars, default_rtl)
    lines = [make_line(group) for group in cluster_lines(chars)]
    lines = [ln for ln in lines if any(not c["text"].isspace() and not is_cid(c["text"]) for c in ln.chars)]
    if lines:
        left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
        for ln in lines:
            rtl = line_direction(ln, left, right, default_rtl)
            ln.read = line_text(ln.chars, default_rtl if rtl is None else rtl)
            ln.text = ln.read.text()
    layout.lines = [ln for ln in lines if ln.text]
    return layout


def body_size(pages: list[PageLayout]) -> float:
    """The most common type size, weighted by characters."""
    sizes: Counter[float] = Counter()
    for p in pages:
        for ln in p.lines:
            sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def line_pitch(pages: list[PageLayout]) -> dict[float, float]:
    """Usual distance between consecutive lines of each type size (a low quantile: paragraph gaps only add)."""
    pitches: dict[float, list[float]] = {}
    for p in pages:
        for a, b in pairwise(p.lines):
            if a.size == b.size and b.top > a.top:
                pitches.setdefault(a.size, []).append(b.top - a.top)
    out = {}
    for size, values in pitches.items():
        values.sort()
        out[size] = values[len(values) // 4]
    return out


def _starts_block(prev: Line, line: Line, pitch: dict[float, float], left: float, right: float, body: float) -> bool:
    if (prev.size >= body * HEADING_RATIO) != (line.size >= body * HEADING_RATIO) or abs(prev.size - line.size) > 0.6:
        return True
    usual = pitch.get(line.size, line.size * 1.2)
    if line.top - prev.top > usual * PARA_PITCH_RATIO + 0.5 or line.top < prev.top:
        return True
    if line.text.startswith(_BULLETS) and line.text[1:2] == " ":
        return True
    free = (prev.x0 - left) if prev.rtl else (right - prev.x1)
    if free > line.first_word + line.size:  # the next word would have fitted: the line was ended on purpose
        return True
    indent = (right - line.x1) if line.rtl else (line.x0 - left)
    prev_indent = (right - prev.x1) if prev.rtl else (prev.x0 - left)
    return indent > line.size and prev_indent < line.size / 2


def join_lines(lines: list[Line], mirror: bool = False) -> str:
    """Lines of one paragraph joined with a space (a URL or DOI broken after «/» and soft hyphens are rejoined)."""
    out = lines[0].read.text(mirror)
    for ln in lines[1:]:
        t = ln.read.text(mirror)
        if out.endswith("\u00ad"):
            out = out[:-1] + t
        elif out.endswith("/") and unit_class(t[:1]) in "LD":
            out += t
        elif out.endswith("-") and not ln.rtl and out[-2:-1].isalpha() and t[:1].islower():
            out += t
        else:
            out += " " + t
    return out


def page_blocks(layout: PageLayout, body: float, pitch: dict[float, float], mirror: bool = False) -> list[tuple[str, Any]]:
    """(kind, text) blocks and ("table", rows) items of a page in top-to-bottom order."""
    items: list[tuple[float, str, Any]] = [
        (top, "table", [[" ".join(lt.text(mirror) for lt in cell) for cell in row] for row in rows])
        for top, rows in layout.tables
    ]
    lines = layout.lines
    if lines:
        left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
        table_tops = sorted(top for top, _ in layout.tables)
        group: list[Line] = [lines[0]]
        for prev, ln in pairwise(lines):
            crossed = any(prev.top < t < ln.top for t in table_tops)
            if crossed or _starts_block(prev, ln, pitch, left, right, body):
                items.append(_block(group, body, mirror))
                group = []
            group.append(ln)
        items.append(_block(group, body, mirror))
    items.sort(key=lambda it: it[0])
    return [(kind, value) for _, kind, value in items]


def _block(lines: list[Line], body: float, mirror: bool) -> tuple[float, str, str]:
    text = join_lines(lines, mirror)
    if lines[0].size >= body * HEADING_RATIO:
        kind = "heading"
    elif len(lines) == 1 and lines[0].bold and len(text.split()) <= 12 and not text.endswith((".", ":", "؛", ";")):
        kind = "heading"
    elif text.startswith(_BULLETS) and text[1:2] == " ":
        kind = "list_item"
    else:
        kind = "paragraph"
    return lines[0].top, kind, text


# -- document ---------------------------------------------------------------------------
def extract_pdf(data: bytes, source_path: str, doc_id: str) -> Document:
    """Extract a PDF page by page; raises CorruptFileError, EncryptedFileError or NeedsOCRError for bad input."""
    pdf = open_pdf(data, source_path)
    with pdf:
        builder = DocumentBuilder(doc_id, source_path, MEDIA_TYPE, EXTRACTOR, len(data))
        try:
            builder.meta = pdf_meta(pdf.metadata or {})
        except Exception:  # a damaged info dictionary costs the title, not the text
            builder.warn("PDF info dictionary unreadable: title not taken from the file")
        try:
            pages = list(pdf.pages)
        except Exception as exc:
            raise CorruptFileError(source_path, f"corrupt or truncated PDF: {_describe(exc)}") from None
        if not pages:
            raise CorruptFileError(source_path, "corrupt or truncated PDF: no pages found")
        layouts: list[PageLayout] = []
        failed: list[PageLayout] = []
        for number, page in enumerate(pages, start=1):
            try:
                layouts.append(read_page(page, number))
            except Exception as exc:  # one unreadable page should not lose the others
                failed.append(PageLayout(number, note=f"page {number}: unreadable ({_describe(exc)})"))
                layouts.append(failed[-1])
            finally:
                page.close()
    if len(failed) == len(layouts):
        raise CorruptFileError(source_path, f"corrupt or truncated PDF: {failed[0].note}")
    if not any(p.lines or p.tables for p in layouts):
        if any(p.n_chars for p in layouts):
            reason = f"no readable text on any of {len(layouts)} pages (glyphs without Unicode mapping): needs OCR"
        else:
            reason = f"no text layer on any of {len(layouts)} pages: needs OCR"
        raise NeedsOCRError(source_path, reason)
    body, pitch = body_size(layouts), line_pitch(layouts)
    mirror = choose_mirroring(_all_line_texts(layouts))
    for layout in layouts:
        builder.start_page(layout.number)
        if layout.note:
            builder.warn(layout.note)
        elif not layout.lines and not layout.tables:
            what = "text without Unicode mapping" if layout.n_chars else "no text layer"
            builder.warn(f"page {layout.number}: {what} (needs OCR)")
        for kind, value in page_blocks(layout, body, pitch, mirror):
            if kind == "table":
                builder.add_table(value)
            else:
                builder.add_block(value, kind=kind)
    return builder.build()


def _all_line_texts(layouts: list[PageLayout]):
    for layout in layouts:
        for ln in layout.lines:
            yield ln.read
        for _, rows in layout.tables:
            for row in rows:
                for cell in row:
                    yield from cell


__all__ = ["EXTRACTOR", "MEDIA_TYPE", "cluster_lines", "extract_pdf", "open_pdf", "pdf_meta", "read_page"]
