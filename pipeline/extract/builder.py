"""Accumulates extracted text into a Document with exact offsets.

Every extractor appends blocks (paragraphs, headings, table cells, list items)
page by page; the builder keeps ``segment.text == document.text[start:end]``
true by construction, so no extractor computes offsets by hand.
"""

from __future__ import annotations

from pipeline.types import Document, DocumentMeta, Page, Segment

_BLOCK_SEP = "\n\n"
_CELL_SEP = "\t"
_ROW_SEP = "\n"


class DocumentBuilder:
    """Build a Document incrementally.

    >>> b = DocumentBuilder("ab" * 32, "x.txt", "text/plain", "text")
    >>> _ = b.add_block("سلام", kind="heading")
    >>> _ = b.add_block("Hello world.")
    >>> doc = b.build()
    >>> doc.text
    'سلام\\n\\nHello world.'
    >>> [doc.text[s.start:s.end] for s in doc.segments]
    ['سلام', 'Hello world.']
    """

    def __init__(self, doc_id: str, source_path: str, media_type: str, extractor: str, size_bytes: int = 0):
        self.doc_id = doc_id
        self.source_path = source_path
        self.media_type = media_type
        self.extractor = extractor
        self.size_bytes = size_bytes
        self._parts: list[str] = []
        self._len = 0
        self._pages: list[Page] = []
        self._page_no: int | None = None
        self._page_start = 0
        self._segments: list[Segment] = []
        self._heading: str | None = None
        self._tables = 0
        self.meta = DocumentMeta()
        self.warnings: list[str] = []

    # -- text accumulation -------------------------------------------------
    def _append(self, s: str) -> tuple[int, int]:
        start = self._len
        self._parts.append(s)
        self._len += len(s)
        return start, self._len

    def _sep(self, sep: str) -> None:
        if self._len and not self._page_just_started():
            self._append(sep)

    def _page_just_started(self) -> bool:
        return self._page_no is not None and self._len == self._page_start

    def start_page(self, number: int) -> None:
        """Begin page ``number`` (1-based). Pages are separated by a form feed."""
        self.end_page()
        if self._len:
            self._append("\f")
        self._page_no = number
        self._page_start = self._len

    def end_page(self) -> None:
        if self._page_no is not None:
            self._pages.append(Page(self._page_no, self._page_start, self._len))
            self._page_no = None

    def add_block(self, text: str, kind: str = "paragraph", *, sep: str = _BLOCK_SEP) -> Segment | None:
        """Append one block of text as its own segment. Empty blocks are skipped."""
        text = text.strip()
        if not text:
            return None
        self._sep(sep)
        start, end = self._append(text)
        if kind == "heading":
            self._heading = text
        seg = Segment(
            doc_id=self.doc_id,
            index=len(self._segments),
            kind=kind,
            start=start,
            end=end,
            text=text,
            page=self._page_no,
            heading=None if kind == "heading" else self._heading,
        )
        self._segments.append(seg)
        return seg

    def add_table(self, rows: list[list[str]]) -> int:
        """Append a table as tab-separated rows; each non-empty cell becomes a segment.

        Cells are given in reading order (for Persian: right-to-left columns
        already turned into logical order by the extractor). Returns the
        1-based table number.
        """
        rows = [[" ".join((c or "").split()) for c in row] for row in rows]
        rows = [r for r in rows if any(r)]
        if not rows:
            return 0
        self._tables += 1
        table_no = self._tables
        self._sep(_BLOCK_SEP)
        for r, row in enumerate(rows, start=1):
            if r > 1:
                self._append(_ROW_SEP)
            for c, cell in enumerate(row, start=1):
                if c > 1:
                    self._append(_CELL_SEP)
                start, end = self._append(cell)
                if cell:
                    self._segments.append(
                        Segment(
                            doc_id=self.doc_id,
                            index=len(self._segments),
                            kind="table_cell",
                            start=start,
                            end=end,
                            text=cell,
                            page=self._page_no,
                            table=table_no,
                            row=r,
                            col=c,
                            heading=self._heading,
                        )
                    )
        return table_no

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    @property
    def text_length(self) -> int:
        return self._len

    def build(self) -> Document:
        self.end_page()
        text = "".join(self._parts)
        return Document(
            doc_id=self.doc_id,
            source_path=self.source_path,
            media_type=self.media_type,
            extractor=self.extractor,
            text=text,
            pages=tuple(self._pages),
            segments=tuple(self._segments),
            meta=self.meta,
            size_bytes=self.size_bytes,
            warnings=tuple(self.warnings),
        )
