"""Word documents (DOCX) with python-docx: paragraphs, headings, list items and tables in body order."""

from __future__ import annotations

import io
import zipfile
import zlib

from pipeline.errors import CorruptFileError, EncryptedFileError, HostileFileError
from pipeline.extract.builder import DocumentBuilder
from pipeline.types import Document, DocumentMeta

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and legacy .doc are OLE containers


def extract_docx(data: bytes, source_path: str, doc_id: str) -> Document:
    """Extract a DOCX file in body order; merged table cells appear once, in their first grid slot."""
    if data[:8] == _OLE_MAGIC:
        raise EncryptedFileError(
            source_path, "an OLE container (password-protected DOCX or legacy .doc); save it as a plain .docx"
        )
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, EOFError, zlib.error) as exc:
        raise CorruptFileError(source_path, f"corrupt or truncated DOCX: {exc}") from None
    except XMLSyntaxError as exc:  # libxml2 stops entity expansion (billion laughs) with this error too
        raise _xml_error(source_path, exc) from None

    b = DocumentBuilder(doc_id, source_path,
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        "docx/python-docx", len(data))
    props = document.core_properties
    b.meta = DocumentMeta(
        title=(props.title or None),
        authors=tuple(a.strip() for a in (props.author or "").split(";") if a.strip()),
        date_iso=props.created.date().isoformat() if props.created else None,
    )
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            style = (block.style.name if block.style is not None else "") or ""
            text = block.text
            if style.startswith("Heading") or style == "Title":
                b.add_block(text, kind="heading")
            elif style.startswith("List") or block._p.pPr is not None and block._p.pPr.numPr is not None:
                b.add_block(text, kind="list_item", sep="\n")
            else:
                b.add_block(text, kind="paragraph")
        elif isinstance(block, Table):
            b.add_table(_table_rows(block))
    return b.build()


def _table_rows(table) -> list[list[str]]:
    """Cells in grid order; a merged cell's text appears once and its other grid slots are empty."""
    rows, seen = [], set()
    for row in table.rows:
        cells = []
        for cell in row.cells:
            tc = cell._tc  # the set keeps the lxml proxies alive, so identity is stable
            cells.append("" if tc in seen else cell.text)
            seen.add(tc)
        rows.append(cells)
    return rows


def _xml_error(source_path: str, exc: Exception) -> CorruptFileError:
    """A DOCX whose XML libxml2 refuses: entity expansion is hostile, anything else corrupt."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    cls = HostileFileError if "entit" in detail.lower() else CorruptFileError
    return cls(source_path, f"hostile or corrupt DOCX: its XML cannot be parsed safely ({detail}); "
                            "open it in Word and save it again, or leave it out")
