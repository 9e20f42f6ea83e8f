"""Ingest files and folders into the corpus store.

Each file is read once, identified by the SHA-256 of its bytes (a file already
stored is skipped without extraction), extracted, and written in one
transaction. A bad file is recorded as a failure with its reason and the
batch goes on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corpus.store import CorpusStore
from pipeline.errors import ConfigError, ExtractionError
from pipeline.extract import SIDECAR_SUFFIX, ExtractConfig, extract_bytes, read_sidecar, read_source
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


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named, and files under folders named (sorted), skipping sidecars and hidden files."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.is_file() and not f.name.endswith(SIDECAR_SUFFIX) and not any(x.startswith(".") for x in rel):
                    yield f
        else:
            yield p


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
            return "added", {"path": str(path), "doc_id": sha, "segments": len(doc.segments),
                             "pages": len(doc.pages), "chars": len(doc.text), "warnings": list(doc.warnings)}
        return "skipped", {"path": str(path), "doc_id": sha, "reason": "already stored (same SHA-256)"}
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
) -> IngestReport:
    """Ingest every file under ``paths``; ``on_result(status, item)`` is called per file."""
    check_overrides(city, kind)
    config = config or ExtractConfig.from_env()
    override = DocumentMeta(city=city, kind=kind)
    report = IngestReport()
    for path in iter_files(paths):
        status, item = ingest_file(path, store, override=override, config=config)
        getattr(report, status).append(item)
        if on_result:
            on_result(status, item)
    return report
