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
    if with_statements:
        view |= statements_view(doc)
    return view


def statements_view(doc: Document) -> dict[str, Any]:
    """``statements`` (with entities; entity offsets are into the statement's ``text``) and
    ``city_attribution`` of a document."""
    from pipeline.attribution import attribute_city
    from pipeline.nlp.entities import find_entities_many
    from pipeline.segment import segment_document

    statements = segment_document(doc)
    entities = find_entities_many([s.text for s in statements], [s.lang for s in statements])
    keys = ("kind", "lang", "start", "end", "page", "table", "row", "col", "heading", "raw", "text")
    return {
        "statements": [
            {"statement_id": s.statement_id, **{k: getattr(s, k) for k in keys},
             "entities": [e.to_dict() for e in ents]}
            for s, ents in zip(statements, entities, strict=True)
        ],
        "city_attribution": attribute_city(doc.meta.city, statements, entities).to_dict(),
    }
