"""Plain text, Markdown and tab-separated tables, with encoding detection.

The document text is the decoded file (newlines normalised to ``\\n``), so
segment offsets point straight into the source. Lines holding tabs form
tables (the seed papers carry their tables that way); every non-empty cell
becomes a ``table_cell`` segment with table/row/column.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import NamedTuple

from pipeline.errors import UndecodableTextError
from pipeline.types import Document, DocumentMeta, Page, Segment

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•▪●◦–]|\(?[0-9۰-۹]{1,3}[.)\-]|[a-zA-Z][.)])\s+")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_SENTENCE_END = ("." , "!", "?", "؟", ":", "؛", "»", ")", '"')


class Decoded(NamedTuple):
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


# UTF-32 before UTF-16: the UTF-32LE mark starts with the UTF-16LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
         (codecs.BOM_UTF8, "utf-8", "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"))
# Tried, in order, on text holding NUL bytes and no byte-order mark; a wrong guess fails strict
# decoding, yields NUL characters or yields no Latin/Arabic-script letters (see _looks_like_text).
_WIDE = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")
_SNIFF_BYTES = 1 << 16


def decode(data: bytes, path: str) -> Decoded:
    """Decode bytes as UTF-8, UTF-16 or UTF-32 (with a byte-order mark, or without one when the pattern of
    NUL bytes shows it) or Windows-1256. The text never holds a NUL character.

    Raises UndecodableTextError when none fits.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _without_nul(_strict(data[len(bom):], codec, path), name)
    if b"\x00" in data:
        return _decode_with_nul_bytes(data, path)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_like_text(text):
        return Decoded(text, "cp1256")
    raise UndecodableTextError(
        path,
        f"not valid UTF-8 (byte {utf8_error.start}: {utf8_error.reason}), UTF-16 or Windows-1256 text; "
        "re-save it as UTF-8",
    )


def _decode_with_nul_bytes(data: bytes, path: str) -> Decoded:
    """UTF-16/32 without a byte-order mark, or UTF-8 with a few stray NUL bytes; else refuse as binary."""
    sample = data[:_SNIFF_BYTES]
    for codec in _WIDE:
        head = codecs.getincrementaldecoder(codec)("strict")
        try:
            text = head.decode(sample, final=len(sample) == len(data))
        except UnicodeDecodeError:
            continue
        if text.count("\x00") * 10 < len(text) and _looks_like_text(text):  # UTF-32 read as UTF-16: half NULs
            return _without_nul(_strict(data, codec, path, f"looks like {codec} without a byte-order mark, but"),
                                codec)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_like_text(text.replace("\x00", "")):
        return _without_nul(text, "utf-8")
    raise UndecodableTextError(
        path, "binary content (NUL bytes), not UTF-8, UTF-16 or UTF-32 text; save the file as UTF-8 text"
    )


def _without_nul(text: str, encoding: str) -> Decoded:
    """NUL characters never reach the store (PostgreSQL text cannot hold them): dropped, with a warning."""
    n = text.count("\x00")
    if not n:
        return Decoded(text, encoding)
    return Decoded(text.replace("\x00", ""), encoding, (f"removed {n} NUL characters",))


def _strict(data: bytes, encoding: str, path: str, context: str = "") -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        prefix = f"{context} " if context else ""
        raise UndecodableTextError(path, f"{prefix}invalid {encoding} at byte {exc.start}: {exc.reason}") from None


def _looks_like_text(text: str) -> bool:
    """True when decoded text is mostly letters, digits, spaces and punctuation."""
    sample = text[:20000]
    good = sum(1 for ch in sample if ch.isalnum() or ch.isspace() or unicodedata.category(ch)[0] in "PZ")
    letters = len(_ARABIC_SCRIPT.findall(sample)) + sum(1 for ch in sample if "a" <= ch.lower() <= "z")
    return good / max(1, len(sample)) > 0.9 and letters / max(1, len(sample)) > 0.3


def _is_heading(line: str, next_line: str | None) -> bool:
    s = line.strip()
    if _MD_HEADING.match(line):
        return True
    if not s or len(s) > 90 or s.endswith(_SENTENCE_END) or "\t" in s:
        return False
    if len(s.split()) < 2:
        return False
    return next_line is not None and len(next_line.strip()) > len(s) * 1.5


def _hard_wrapped(lines: list[str]) -> bool:
    """Guess whether paragraphs are wrapped over several lines (e-mail style text)."""
    body = [ln for ln in lines if ln.strip() and "\t" not in ln]
    if len(body) < 8:
        return False
    wrapped = [ln for ln in body if 50 <= len(ln) <= 100 and not ln.rstrip().endswith(_SENTENCE_END)]
    return len(wrapped) / len(body) > 0.5


class _Seg:
    def __init__(self, doc_id: str):
        self.doc_id = doc_id
        self.items: list[Segment] = []
        self.heading: str | None = None
        self.tables = 0

    def add(self, kind: str, start: int, end: int, text: str, **kw) -> None:
        # trim surrounding whitespace so text == doc.text[start:end]
        raw = text[start:end]
        lead = len(raw) - len(raw.lstrip())
        trail = len(raw) - len(raw.rstrip())
        start, end = start + lead, end - trail
        if end <= start:
            return
        value = text[start:end]
        if kind == "heading":
            self.heading = value.lstrip("# ").strip() or value
        self.items.append(
            Segment(
                doc_id=self.doc_id,
                index=len(self.items),
                kind=kind,
                start=start,
                end=end,
                text=value,
                page=1,
                heading=None if kind == "heading" else self.heading,
                **kw,
            )
        )


def segment_text(text: str, doc_id: str) -> tuple[Segment, ...]:
    """Split decoded text into headings, paragraphs, list items and table cells."""
    seg = _Seg(doc_id)
    lines = text.split("\n")
    offsets = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    wrapped = _hard_wrapped(lines)
    i = 0
    in_table = False
    row_no = 0
    para_start: int | None = None
    para_end = 0

    def flush_para() -> None:
        nonlocal para_start
        if para_start is not None:
            seg.add("paragraph", para_start, para_end, text)
            para_start = None

    while i < len(lines):
        line = lines[i]
        start = offsets[i]
        end = start + len(line)
        if not line.strip():
            flush_para()
            in_table = False
            i += 1
            continue
        if "\t" in line:
            flush_para()
            if not in_table:
                seg.tables += 1
                row_no = 0
                in_table = True
            row_no += 1
            col_start = start
            for col, cell in enumerate(line.split("\t"), start=1):
                seg.add("table_cell", col_start, col_start + len(cell), text,
                        table=seg.tables, row=row_no, col=col)
                col_start += len(cell) + 1
            i += 1
            continue
        in_table = False
        nxt = next((lines[j] for j in range(i + 1, min(i + 3, len(lines))) if lines[j].strip()), None)
        if _is_heading(line, nxt) and para_start is None:
            seg.add("heading", start, end, text)
        elif _LIST_ITEM.match(line):
            flush_para()
            seg.add("list_item", start, end, text)
        elif wrapped:
            if para_start is None:
                para_start = start
            para_end = end
        else:
            seg.add("paragraph", start, end, text)
        i += 1
    flush_para()
    return tuple(seg.items)


def extract_text_file(data: bytes, source_path: str, doc_id: str) -> Document:
    """Extract a plain text / Markdown / TSV file."""
    text, encoding, warnings = decode(data, source_path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    segments = segment_text(text, doc_id)
    title = next((s.text.lstrip("# ").strip() for s in segments if s.kind == "heading"), None)
    if encoding not in ("utf-8", "utf-8-sig"):
        warnings = (f"decoded as {encoding}", *warnings)
    return Document(
        doc_id=doc_id,
        source_path=source_path,
        media_type="text/markdown" if source_path.lower().endswith((".md", ".markdown")) else "text/plain",
        extractor=f"text/{encoding}",
        text=text,
        pages=(Page(1, 0, len(text)),),
        segments=segments,
        meta=DocumentMeta(title=title),
        size_bytes=len(data),
        warnings=warnings,
    )
