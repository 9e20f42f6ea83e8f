"""Checks on ZIP-based inputs (DOCX) before a parser sees them.

First the central directory alone (``infolist()``: sizes as the archive
declares them): an archive that would expand beyond the limits is refused in
milliseconds whatever it holds. Declared sizes can lie, and ``ZipFile.read``
(which python-docx uses) inflates a whole entry in one call before cutting it
to the declared size, so a 1 MB entry declared as 2 KB still takes 1 GB of
memory. Every entry is therefore then inflated in small chunks, which zipfile
stops at the declared size and checks against the CRC: a liar fails there,
with memory bounded by the chunk and work bounded by the declared total.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from pipeline.errors import CorruptFileError, EncryptedFileError, HostileFileError

EXPANSION_FACTOR = 4  # an archive may expand to this many times the --max-mb limit
MAX_RATIO = 100  # largest compression ratio of an entry bigger than RATIO_FLOOR (Word XML: about 10)
RATIO_FLOOR = 1 << 20
MAX_ENTRIES = 10_000  # Word documents have tens, with many images a few hundred
_CENTRAL_ENTRY = b"PK\x01\x02"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class ArchiveLimits:
    max_expanded_bytes: int
    max_ratio: float = MAX_RATIO
    max_entries: int = MAX_ENTRIES

    @classmethod
    def for_max_bytes(cls, max_file_bytes: int) -> ArchiveLimits:
        """Limits that follow the file size limit (``--max-mb`` / ``UDIPLO_MAX_FILE_MB``)."""
        return cls(max_expanded_bytes=max_file_bytes * EXPANSION_FACTOR)


def human_size(n: float) -> str:
    """``1.0 GB``, ``12.5 MB``, ``800 KB``, ``12 bytes``."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}" if unit != "KB" else f"{n / size:.0f} KB"
    return f"{n:.0f} bytes"


def check_archive(data: bytes, path: str, limits: ArchiveLimits) -> None:
    """Raise HostileFileError when the ZIP in ``data`` would expand too far; other bytes pass unchecked."""
    # Count central-directory records before zipfile builds one object per entry.
    if data.count(_CENTRAL_ENTRY) > limits.max_entries:
        raise HostileFileError(path, f"has more than {limits.max_entries:,} archive entries: refused as a "
                                     "likely zip bomb")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        return  # not a readable ZIP: the extractor says what it is (corrupt, encrypted, legacy .doc)
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise HostileFileError(path, f"has {len(infos):,} archive entries (limit {limits.max_entries:,}): "
                                     "refused as a likely zip bomb")
    total = sum(i.file_size for i in infos)
    if total > limits.max_expanded_bytes:
        raise HostileFileError(
            path,
            f"expands to {human_size(total)}: refused (limit {human_size(limits.max_expanded_bytes)}, "
            f"{EXPANSION_FACTOR}x --max-mb / UDIPLO_MAX_FILE_MB; raise --max-mb only for a file you trust)",
        )
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            ratio = i.file_size / max(i.compress_size, 1)
            raise HostileFileError(
                path,
                f"entry {i.filename!r} expands {ratio:,.0f}x ({human_size(i.compress_size)} to "
                f"{human_size(i.file_size)}): refused as a likely zip bomb (limit {limits.max_ratio:g}x)",
            )
    for i in infos:
        _inflate_in_chunks(archive, i, path)


def _inflate_in_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> None:
    try:
        with archive.open(info) as f:
            while f.read(_CHUNK):
                pass
    except RuntimeError:  # zipfile: "File ... is encrypted, password required"
        raise EncryptedFileError(path, f"archive entry {info.filename!r} is password-protected; "
                                       "save the document without a password") from None
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, ValueError) as exc:
        raise CorruptFileError(path, f"corrupt or hostile archive: entry {info.filename!r} does not match "
                                     f"its declared size and checksum ({exc}); re-save the document") from None
