"""Ingest files and folders into the corpus store.

Each file is read once, identified by the SHA-256 of its bytes (a file already
stored is skipped without extraction), extracted, and written in one
transaction. A bad file is recorded as a failure with its reason and the
batch goes on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corpus.store import CorpusStore
from pipeline.errors import ConfigError, ExtractionError, NotRegularFileError
from pipeline.extract import (
    SIDECAR_SUFFIX,
    ExtractConfig,
    extract_bytes,
    file_kind,
    read_sidecar,
    read_source,
)
from pipeline.types import CITIES, DOC_KINDS, DocumentMeta, Failure, sha256_bytes


@dataclass
class IngestReport:
    added: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "skipped": self.skipped,
            "failed": self.failed,
            "counts": {"added": len(self.added), "skipped": len(self.skipped), "failed": len(self.failed)},
        }


SkipFn = Callable[[Path, str], None]


def iter_files(
    paths: Iterable[str | os.PathLike[str]], *, follow_links: bool = False, on_skip: SkipFn | None = None
) -> Iterator[Path]:
    """Files named, and regular files under folders named (sorted), skipping sidecars and hidden files.

    In a folder, a symbolic link that leads outside it is not followed unless ``follow_links``, and
    FIFOs, sockets and devices are passed over: each is reported to ``on_skip(path, reason)``. Files
    named directly are yielded as they are; :func:`pipeline.extract.read_source` refuses the ones that
    are not regular files.
    """
    skip = on_skip or (lambda _path, _reason: None)
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from _walk(p, p.resolve(), follow_links, skip, set())
        else:
            yield p


def _walk(folder: Path, root: Path, follow_links: bool, skip: SkipFn, seen: set) -> Iterator[Path]:
    try:
        st = os.stat(folder)
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        skip(folder, f"cannot list folder: {exc.strerror}")
        return
    if (st.st_dev, st.st_ino) in seen:  # a link loop: each folder is walked once
        return
    seen.add((st.st_dev, st.st_ino))
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            target = path.resolve()
            if not target.exists():
                skip(path, f"broken symbolic link to {target}")
                continue
            if not follow_links:
                if not target.is_relative_to(root):
                    skip(path, f"symbolic link to {target}, outside {root}: not followed (use --follow-links)")
                    continue
                if target.is_dir():
                    continue  # a link to a folder inside the one given: walked under its own name
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            skip(path, f"cannot read: {exc.strerror}")
            continue
        if stat.S_ISDIR(mode):
            yield from _walk(path, root, follow_links, skip, seen)
        elif not stat.S_ISREG(mode):
            skip(path, f"{file_kind(mode)}, not a regular file")
        elif not entry.name.endswith(SIDECAR_SUFFIX):
            yield path


def check_overrides(city: str | None, kind: str | None) -> None:
    if kind is not None and kind not in DOC_KINDS:
        raise ConfigError(f"--kind must be one of {', '.join(DOC_KINDS)}; got {kind!r}.")
    if city is not None and not city.strip():
        raise ConfigError("--city must not be empty; e.g. --city Isfahan (known: " + ", ".join(CITIES) + ").")


def ingest_file(
    path: Path,
    store: CorpusStore,
    *,
    override: DocumentMeta | None = None,
    config: ExtractConfig | None = None,
) -> tuple[str, dict]:
    """Ingest one file. Returns ``(status, item)`` with status added, skipped or failed."""
    config = config or ExtractConfig.from_env()
    sha = None
    try:
        data = read_source(path, config)
        sha = sha256_bytes(data)
        if store.has_document(sha):
            return "skipped", {"path": str(path), "doc_id": sha, "reason": "already stored (same SHA-256)"}
        doc = extract_bytes(data, str(path), config)
        doc = doc.with_meta(read_sidecar(path)).with_meta(override or DocumentMeta())
        if store.add_document(doc):
            store.clear_failures(str(path))
            return "added", {"path": str(path), "doc_id": sha, "segments": len(doc.segments),
                             "pages": len(doc.pages), "chars": len(doc.text), "warnings": list(doc.warnings)}
        return "skipped", {"path": str(path), "doc_id": sha, "reason": "already stored (same SHA-256)"}
    except NotRegularFileError as exc:  # nothing to store or retry: reported, not recorded as a failure
        return "skipped", {"path": str(path), "reason": exc.reason}
    except ExtractionError as exc:
        store.record_failure(Failure(str(path), exc.reason, exc.code, sha))
        return "failed", {"path": str(path), "error": exc.code, "reason": exc.reason, "message": str(exc)}
    except Exception as exc:  # an extractor bug must not stop the batch
        reason = f"unexpected {type(exc).__name__}: {exc}"
        store.record_failure(Failure(str(path), reason, "internal_error", sha))
        return "failed", {"path": str(path), "error": "internal_error", "reason": reason,
                          "message": f"{path}: {reason}"}


def ingest_paths(
    paths: Iterable[str | os.PathLike[str]],
    store: CorpusStore,
    *,
    city: str | None = None,
    kind: str | None = None,
    config: ExtractConfig | None = None,
    on_result: Callable[[str, dict], None] | None = None,
    follow_links: bool = False,
) -> IngestReport:
    """Ingest every file under ``paths``; ``on_result(status, item)`` is called per file, and for each
    entry passed over (a link leaving its folder, a FIFO, socket or device) with status skipped."""
    check_overrides(city, kind)
    config = config or ExtractConfig.from_env()
    override = DocumentMeta(city=city, kind=kind)
    report = IngestReport()

    def record(status: str, item: dict) -> None:
        getattr(report, status).append(item)
        if on_result:
            on_result(status, item)

    def skipped(path: Path, reason: str) -> None:
        record("skipped", {"path": str(path), "reason": reason})

    for path in iter_files(paths, follow_links=follow_links, on_skip=skipped):
        record(*ingest_file(path, store, override=override, config=config))
    return report
