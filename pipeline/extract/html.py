"""News pages and other HTML: boilerplate removed (trafilatura), title and date kept.

trafilatura drops every non-printable character, ZWNJ (U+200C, the Persian
half-space) included, which would turn «می‌شود» into «میشود». We swap ZWNJ
for a printable placeholder before extraction and back afterwards.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from pipeline.errors import CorruptFileError
from pipeline.extract.builder import DocumentBuilder
from pipeline.extract.text import decode
from pipeline.lang.fa import ZWNJ
from pipeline.types import Document, DocumentMeta

_PLACEHOLDERS = ("\U0001d30c", "\U0001d30d", "\U0001d30e")  # printable, never seen in prose
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.I)


def _decode_html(data: bytes, path: str) -> str:
    m = _META_CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii").lower()
        enc = {"windows-1256": "cp1256", "utf8": "utf-8"}.get(enc, enc)
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, path)[0]


def _placeholder(html: str) -> str:
    for ch in _PLACEHOLDERS:
        if ch not in html:
            return ch
    return ""  # pathological input: accept losing ZWNJ rather than corrupting text


def extract_html(data: bytes, source_path: str, doc_id: str) -> Document:
    """Extract the main text of an HTML page as headings, paragraphs, list items and tables."""
    import trafilatura

    html = _decode_html(data, source_path)
    ph = _placeholder(html)
    protected = html.replace(ZWNJ, ph) if ph else html
    xml = trafilatura.extract(
        protected,
        output_format="xml",
        include_tables=True,
        include_comments=False,
        with_metadata=True,
        favor_recall=True,
        deduplicate=False,
    )
    b = DocumentBuilder(doc_id, source_path, "text/html", "html/trafilatura", len(data))
    if xml is None:
        raise CorruptFileError(source_path, "no readable main text found in the HTML page")
    if ph:
        xml = xml.replace(ph, ZWNJ)
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:  # pragma: no cover - trafilatura emits valid XML
        raise CorruptFileError(source_path, f"could not parse extracted HTML structure: {exc}") from None
    title = root.get("title")
    b.meta = DocumentMeta(
        title=title,
        date_iso=(root.get("date") or None),
        url=root.get("url") or None,
        source=root.get("sitename") or None,
        authors=tuple(a.strip() for a in (root.get("author") or "").split(";") if a.strip()),
    )
    main = root.find("main")
    if title and (main is None or not any((h.text or "").strip() == title for h in main.iter("head"))):
        b.add_block(title, kind="heading")
    if main is not None:
        _walk(main, b)
    return b.build()


def _text(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _walk(el: ET.Element, b: DocumentBuilder) -> None:
    for child in el:
        tag = child.tag
        if tag == "head":
            b.add_block(_text(child), kind="heading")
        elif tag in ("p", "quote", "code"):
            b.add_block(_text(child), kind="paragraph")
        elif tag == "list":
            for item in child.iter("item"):
                b.add_block(_text(item), kind="list_item", sep="\n")
        elif tag == "table":
            rows = [[_text(c) for c in row.findall("cell")] for row in child.iter("row")]
            b.add_table(rows)
        elif tag in ("div", "section", "main"):
            _walk(child, b)
        else:
            txt = _text(child)
            if txt:
                b.add_block(txt, kind="paragraph")
