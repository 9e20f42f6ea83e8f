"""Human labels anchored to statement text: idempotent import, re-attachment, orphans.

A stored label records its statement's document, text hash (of the normalised text), occurrence
(earlier statements of the document with the same text) and text. It is attached to the current
statement of that document with the same text hash and occurrence; statement ids are built from
exactly these (``pipeline.types.statement_id``), so an unchanged sentence keeps its id and its
labels whatever a new segmenter does to the sentences around it. A label with no such statement
(its sentence was merged, split, re-normalised or its document deleted) is an *orphan*: it is kept
(human work is never deleted), left out of fitting and agreement, and listed by
``udiplo label check``. Attachment is worked out from the stored anchor every time, so nothing is
rewritten on re-segmentation and a label comes back if a later segmenter restores its sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from corpus.store import CorpusStore
from pipeline.classify.labels import HumanLabel, LabelFileError
from pipeline.types import Statement


def attach(statements: Iterable[Statement], rows: Iterable[dict]) -> tuple[list[tuple[dict, Statement]], list[dict]]:
    """Stored label rows split into ``(row, statement)`` pairs attached to a current statement, and orphans."""
    by_anchor = {(s.doc_id, s.text_hash, s.occurrence): s for s in statements}
    attached: list[tuple[dict, Statement]] = []
    orphans: list[dict] = []
    for x in rows:
        st = by_anchor.get((x["doc_id"], x["text_hash"], x["occurrence"])) if x["text_hash"] else None
        if st is None:
            orphans.append(x)
        else:
            attached.append((x, st))
    return attached, orphans


def attached_labels(store: CorpusStore, statements: Sequence[Statement] | None = None) -> list[HumanLabel]:
    """The stored labels attached to a current statement, with that statement's id, oldest first."""
    pairs, _ = attach(store.statements() if statements is None else statements, store.labels())
    return [HumanLabel(st.statement_id, x["node_id"], x["coder"], x["source"]) for x, st in pairs]


def import_labels(store: CorpusStore, labels: Sequence[HumanLabel], *, replace: bool = False,
                  statements: Sequence[Statement] | None = None) -> dict[str, Any]:
    """Store ``labels`` (from ``read_labels``, checked against the store's statement ids) with their anchors.
    ``statements``: the store's statements when the caller has read them already.

    Idempotent: a label the store holds already (same statement, coder and node) is not stored
    again. A statement the coder coded already with another node is a ``LabelFileError`` naming
    the new line and the stored one, unless ``replace``: then the stored code is replaced. All in
    one transaction. Returns ``{"imported", "unchanged", "replaced"}``."""
    by_id = {s.statement_id: s for s in (store.statements() if statements is None else statements)}
    pairs, _ = attach(by_id.values(), store.labels())
    stored: dict[tuple[str, str], list[dict]] = {}
    for x, st in pairs:
        stored.setdefault((st.statement_id, x["coder"]), []).append(x)
    rows: list[dict] = []
    replace_ids: list[int] = []
    unchanged = 0
    conflicts: list[str] = []
    for x in labels:
        st = by_id.get(x.statement_id)
        if st is None:
            raise LabelFileError(f"{x.source}: statement {x.statement_id!r} is not in the store")
        old = stored.get((x.statement_id, x.coder), [])
        if old and old[-1]["node_id"] == x.node_id:
            unchanged += 1
            continue
        if old and not replace:
            conflicts.append(f"{x.source}: {x.coder} coded statement {x.statement_id} as {old[-1]['node_id']!r} "
                             f"already ({old[-1]['source'] or 'stored'}), now {x.node_id!r}")
            continue
        replace_ids += [o["id"] for o in old]
        rows.append({"statement_id": st.statement_id, "doc_id": st.doc_id, "text_hash": st.text_hash,
                     "occurrence": st.occurrence, "text": st.text, "node_id": x.node_id, "coder": x.coder,
                     "source": x.source})
    if conflicts:
        more = f" (and {len(conflicts) - 20} more)" if len(conflicts) > 20 else ""
        raise LabelFileError(f"{len(conflicts)} statement(s) coded again by the same coder, nothing imported: "
                             + "; ".join(conflicts[:20]) + more
                             + "; pass --replace to replace the stored codes with the file's")
    store.put_labels(rows, replace_ids=replace_ids)
    return {"imported": len(rows), "unchanged": unchanged, "replaced": len(replace_ids)}


def orphans(store: CorpusStore) -> list[dict[str, Any]]:
    """Stored labels attached to no current statement: id, document (id and file name or None when it is
    no longer stored), the text the coder saw (None if never known), coder, node, source."""
    _, lost = attach(store.statements(), store.labels())
    names = {s.doc_id: s.filename for s in store.summaries()}
    return [{"label_id": x["id"], "statement_id": x["statement_id"], "doc_id": x["doc_id"],
             "filename": names.get(x["doc_id"]) if x["doc_id"] else None, "text": x["text"],
             "coder": x["coder"], "node_id": x["node_id"], "source": x["source"]} for x in lost]
