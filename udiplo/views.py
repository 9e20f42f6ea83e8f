"""JSON views of pipeline objects for the CLI (``--json`` output)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pipeline.types import Document


def document_view(doc: Document, with_statements: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "source_path": doc.source_path,
        "media_type": doc.media_type,
        "extractor": doc.extractor,
        "size_bytes": doc.size_bytes,
        "meta": doc.meta.to_dict(),
        "warnings": list(doc.warnings),
        "pages": [asdict(p) for p in doc.pages],
        "text": doc.text,
        "segments": [
            {k: v for k, v in asdict(s).items() if k != "doc_id"} | {"segment_id": s.segment_id}
            for s in doc.segments
        ],
    }
    return view
