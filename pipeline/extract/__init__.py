"""Turn files (PDF, HTML, DOCX, text/Markdown/TSV) into provenance-carrying Documents.

``extract(path)`` picks the extractor from the file's magic bytes and suffix,
enforces the size limit, reads a metadata sidecar (``NAME.meta.yaml``) when
present, and raises an :class:`~pipeline.errors.ExtractionError` subclass with
a one-line reason for bad input.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import (
    EmptyFileError,
    ExtractionError,
    FileTooLargeError,
    NotRegularFileError,
    UnsupportedTypeError,
)
from pipeline.types import Document, DocumentMeta, sha256_bytes

DEFAULT_MAX_MB = 50.0
SIDECAR_SUFFIX = ".meta.yaml"
SIDECAR_MAX_MB = 1.0
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".tsv", ".csv", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED = "PDF, HTML, DOCX, plain text, Markdown, TSV"


@dataclass(frozen=True)
class ExtractConfig:
    """Limits for extraction. ``max_mb`` can also come from ``UDIPLO_MAX_FILE_MB``."""

    max_mb: float = DEFAULT_MAX_MB

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)

    @classmethod
    def from_env(cls) -> ExtractConfig:
        raw = os.environ.get("UDIPLO_MAX_FILE_MB")
        if raw is None:
            return cls()
        try:
            value = float(raw)
        except ValueError:
            from pipeline.errors import ConfigError

            raise ConfigError(f"UDIPLO_MAX_FILE_MB must be a number of megabytes; got {raw!r}.") from None
        return cls(max_mb=value)


def detect_type(data: bytes, path: str) -> str:
    """Return one of 'pdf', 'docx', 'html', 'text' or raise UnsupportedTypeError."""
    suffix = Path(path).suffix.lower()
    head = data[:1024]
    if head.lstrip()[:5] == b"%PDF-" or suffix == ".pdf":
        return "pdf"
    if head[:4] == b"PK\x03\x04":
        if suffix == ".docx" or b"word/" in data[:65536] or b"[Content_Types].xml" in data[:4096]:
            return "docx"
        raise UnsupportedTypeError(path, f"a ZIP archive that is not a DOCX; supported: {SUPPORTED}")
    if suffix == ".docx":
        return "docx"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES or suffix == "":
        sniff = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if sniff.startswith((b"<!doctype html", b"<html")):
            return "html"
        return "text"
    raise UnsupportedTypeError(path, f"unsupported file type {suffix!r}; supported: {SUPPORTED}")


def _extractor(kind: str) -> Callable[[bytes, str, str], Document]:
    if kind == "pdf":
        from pipeline.extract.pdf import extract_pdf

        return extract_pdf
    if kind == "docx":
        from pipeline.extract.docx import extract_docx

        return extract_docx
    if kind == "html":
        from pipeline.extract.html import extract_html

        return extract_html
    from pipeline.extract.text import extract_text_file

    return extract_text_file


def read_sidecar(path: Path) -> DocumentMeta:
    """Metadata from ``NAME.meta.yaml`` beside ``path`` (empty when absent)."""
    side = path.with_name(path.name + SIDECAR_SUFFIX)
    if not side.exists():
        return DocumentMeta()
    import yaml

    raw = read_source(side, ExtractConfig(max_mb=SIDECAR_MAX_MB))  # a FIFO named like a sidecar must not hang
    try:
        data = yaml.safe_load(raw.decode("utf-8")) or {}
        return DocumentMeta.from_dict(data)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise ExtractionError(str(side), f"invalid metadata sidecar: {exc}") from None


def extract_bytes(data: bytes, source_path: str, config: ExtractConfig | None = None) -> Document:
    """Extract a Document from raw bytes; ``source_path`` names it in errors and provenance."""
    config = config or ExtractConfig()
    if not data or not data.strip():
        raise EmptyFileError(source_path, "empty file (0 bytes of content)")
    if len(data) > config.max_bytes:
        raise _too_large(source_path, len(data), config)
    kind = detect_type(data, source_path)
    if kind == "docx":
        from pipeline.extract.archive import ArchiveLimits, check_archive

        check_archive(data, source_path, ArchiveLimits.for_max_bytes(config.max_bytes))
    doc = _extractor(kind)(data, source_path, sha256_bytes(data))
    if not doc.text.strip():
        raise EmptyFileError(source_path, f"no text could be extracted ({kind})")
    return doc


_NOT_REGULAR = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages: ``a FIFO (named pipe)``, ``a character device``, ..."""
    return next((name for test, name in _NOT_REGULAR if test(mode)), "a special file")


def _check_regular(mode: int, path: str) -> None:
    if stat.S_ISDIR(mode):
        raise ExtractionError(path, "is a folder; pass files, or use `udiplo ingest FOLDER`")
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(path, f"{file_kind(mode)}, not a regular file")


def read_source(path: str | os.PathLike[str], config: ExtractConfig | None = None) -> bytes:
    """Read a regular file's bytes, refusing FIFOs, sockets and devices and files over the size limit.

    The type is checked with ``stat`` before opening (opening a FIFO could block), and again on the
    open descriptor; at most limit + 1 bytes are read, so a file that grows meanwhile is still refused.
    """
    p = Path(path)
    config = config or ExtractConfig()
    limit = config.max_bytes
    try:
        _check_regular(os.stat(p).st_mode, str(p))
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            _check_regular(st.st_mode, str(p))
            size = st.st_size
            if size <= limit:  # refuse before reading a huge file into memory
                data = f.read(size + 1)
                if len(data) > size:  # growing while read: take at most the limit + 1
                    data += f.read(limit + 1 - len(data))
                size = max(size, len(data))
    except FileNotFoundError:
        raise ExtractionError(str(p), "file does not exist") from None
    except OSError as exc:
        raise ExtractionError(str(p), f"cannot read file: {exc.strerror}") from None
    if size > limit:
        raise _too_large(str(p), size, config)
    return data


def _too_large(path: str, size: int, config: ExtractConfig) -> FileTooLargeError:
    return FileTooLargeError(
        path,
        f"file is {size / 1048576:.1f} MB, over the {config.max_mb:g} MB limit "
        "(raise it with --max-mb or UDIPLO_MAX_FILE_MB)",
    )


def extract(path: str | os.PathLike[str], config: ExtractConfig | None = None) -> Document:
    """Extract one file, merging metadata from its sidecar (sidecar values win)."""
    data = read_source(path, config)
    doc = extract_bytes(data, str(path), config)
    return doc.with_meta(read_sidecar(Path(path)))


__all__ = ["ExtractConfig", "detect_type", "extract", "extract_bytes", "file_kind", "read_sidecar", "read_source"]
