"""Data types that flow one way through udiplo.

    Document -> Segment (statement) -> Embedding -> Theme / Assignment

All types are frozen dataclasses of plain values so they can cross process
boundaries (Prefect, Dask) and be stored without custom pickling. Offsets are
always character offsets into ``Document.text`` (Python ``str`` indices).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

DocKind = Literal["paper", "plan", "news", "other"]
SegmentKind = Literal["heading", "paragraph", "sentence", "table_cell", "list_item", "metadata"]
Lang = Literal["fa", "en", "ar", "other"]

DOC_KINDS: tuple[str, ...] = ("paper", "plan", "news", "other")
CITIES: tuple[str, ...] = ("Mashhad", "Isfahan", "Tehran")


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of raw bytes: the identity of a document."""
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a UTF-8 string: the identity of a statement text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


STATEMENT_HASH_CHARS = 12  # 48 bits of the text hash: a clash inside one document is ~1e-7 at 10,000 statements


def statement_id(doc_id: str, text_hash: str, occurrence: int = 0) -> str:
    """Identity of a statement anchored to its content, not its position:
    ``<doc_id[:16]>:<text_hash[:12]>`` for the first statement of a document with this text,
    ``…-2``, ``…-3`` for its repeats. A segmenter change that moves, merges or splits other
    sentences leaves the id of an unchanged sentence as it was.

    >>> statement_id("0bc4d1f2a9e8c7b6" + "0" * 48, "3f9c0e1d2a4b" + "0" * 52, 1)
    '0bc4d1f2a9e8c7b6:3f9c0e1d2a4b-2'
    """
    base = f"{doc_id[:16]}:{text_hash[:STATEMENT_HASH_CHARS]}"
    return f"{base}-{occurrence + 1}" if occurrence else base


@dataclass(frozen=True)
class DocumentMeta:
    """Bibliographic facts about a document, from a sidecar, the file, or the user."""

    title: str | None = None
    city: str | None = None
    kind: str | None = None
    date_iso: str | None = None
    date_jalali: str | None = None
    language: str | None = None
    source: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    notes: str | None = None

    def merged(self, other: DocumentMeta) -> DocumentMeta:
        """Values from ``other`` win where they are set."""
        values = {k: v for k, v in asdict(other).items() if v not in (None, (), "")}
        return replace(self, **values)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["authors"] = list(self.authors)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> DocumentMeta:
        if not d:
            return cls()
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(d) - known
        if unknown:
            raise ValueError(
                f"Unknown metadata field(s) {sorted(unknown)}; expected some of {sorted(known)}."
            )
        values = dict(d)
        if "authors" in values and values["authors"] is not None:
            values["authors"] = tuple(values["authors"])
        for key in ("date_iso", "date_jalali"):
            if values.get(key) is not None:
                values[key] = str(values[key])
        return cls(**values)


@dataclass(frozen=True)
class Page:
    """A page of a document: ``text[start:end]`` is its text. Numbers start at 1."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """A span of a document's text: a heading, paragraph, sentence, table cell, list item.

    ``text == document.text[start:end]`` always holds for segments produced by
    extractors. ``table``/``row``/``col`` are 1-based and set only for table cells.
    ``heading`` is the nearest preceding heading text (context), if any.
    """

    doc_id: str
    index: int
    kind: str
    start: int
    end: int
    text: str
    page: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    lang: str | None = None
    heading: str | None = None

    @property
    def segment_id(self) -> str:
        return f"{self.doc_id[:16]}:{self.index}"


@dataclass(frozen=True)
class Document:
    """Extracted text of one source file with provenance.

    ``doc_id`` is the SHA-256 of the raw bytes, so re-ingesting the same file
    is a no-op. ``text`` is the faithful extracted text (not normalised).
    """

    doc_id: str
    source_path: str
    media_type: str
    extractor: str
    text: str
    pages: tuple[Page, ...]
    segments: tuple[Segment, ...]
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    size_bytes: int = 0
    warnings: tuple[str, ...] = ()

    def page_of(self, offset: int) -> int | None:
        """Page number holding character ``offset`` (None for documents without pages)."""
        for p in self.pages:
            if p.start <= offset < p.end or (offset == p.end and p is self.pages[-1]):
                return p.number
        return None

    def with_meta(self, meta: DocumentMeta) -> Document:
        return replace(self, meta=self.meta.merged(meta))


@dataclass(frozen=True)
class Statement:
    """One unit of analysis: a sentence, table cell, list item or heading.

    ``start``/``end`` are offsets into the source ``Document.text`` (the raw,
    extracted text), so ``document.text[start:end] == raw``. ``text`` is the
    normalised form used for embeddings, themes and classification.
    """

    doc_id: str
    index: int
    kind: str
    start: int
    end: int
    raw: str
    text: str
    lang: str
    page: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    heading: str | None = None
    occurrence: int = 0  # earlier statements of the document with the same id base (same text); see number_occurrences

    @property
    def statement_id(self) -> str:
        return statement_id(self.doc_id, self.text_hash, self.occurrence)

    @cached_property  # ids are looked up often; the hash of a frozen text is computed once
    def text_hash(self) -> str:
        return sha256_text(self.text)


def number_occurrences(statements: Iterable[Statement]) -> tuple[Statement, ...]:
    """``statements`` (reading order) with ``occurrence`` set: how many earlier statements of the same
    document share the id base, so every statement id is unique and repeats are numbered in order."""
    seen: dict[str, int] = {}
    out = []
    for st in statements:
        base = statement_id(st.doc_id, st.text_hash)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(st if st.occurrence == n else replace(st, occurrence=n))
    return tuple(out)


@dataclass(frozen=True)
class Failure:
    """A file that could not be ingested, and why."""

    path: str
    reason: str
    error_type: str
    sha256: str | None = None
