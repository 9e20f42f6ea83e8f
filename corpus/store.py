"""The corpus store: documents, pages, segments, failures and cached embeddings.

SQLite by default (``corpus/udiplo.sqlite`` under ``UDIPLO_HOME`` or the
current folder), PostgreSQL or any SQLAlchemy URL through ``UDIPLO_DB_URL``.
Each document is written in one transaction, so a crash never leaves half a
document behind.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, delete, event, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from corpus import schema as s
from pipeline.artefacts import cache_miss
from pipeline.errors import StoreError, TextTooLongError
from pipeline.types import Document, DocumentMeta, Failure, Page, Segment, Statement, number_occurrences

DEFAULT_DB_FILE = Path("corpus") / "udiplo.sqlite"
# Longest document text the store takes: at most 800 MB as UTF-8, under both SQLite's default
# SQLITE_MAX_LENGTH (1,000,000,000 bytes per value) and PostgreSQL's 1 GB per text value.
MAX_TEXT_CHARS = 200_000_000


def default_url() -> str:
    """``UDIPLO_DB_URL``, else a SQLite file under ``UDIPLO_HOME`` (default: current folder)."""
    url = os.environ.get("UDIPLO_DB_URL")
    if url:
        return url
    home = Path(os.environ.get("UDIPLO_HOME", "."))
    return f"sqlite:///{(home / DEFAULT_DB_FILE).resolve()}"


@dataclass(frozen=True)
class DocumentSummary:
    doc_id: str
    filename: str
    title: str | None
    city: str | None
    kind: str | None
    date_iso: str | None
    language: str | None
    n_pages: int
    n_segments: int
    n_chars: int


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class CorpusStore:
    """Access to one corpus database. Create with :meth:`open`."""

    def __init__(self, engine: Engine, max_text_chars: int = MAX_TEXT_CHARS):
        self.engine = engine
        self.max_text_chars = max_text_chars

    # -- lifecycle ------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> CorpusStore:
        url = url or default_url()
        if url.startswith("sqlite:///") and create:
            path = Path(url[len("sqlite:///"):])
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = create_engine(url, future=True)
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(
                f"Cannot use store URL {_redact(url)}: {exc}. Expected e.g. sqlite:///corpus/udiplo.sqlite "
                "or postgresql+psycopg://user:pass@host/db (pip install 'udiplo[postgres]')."
            ) from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine)
        try:
            with engine.begin() as conn:
                s.migrate(conn)
        except OperationalError as exc:
            raise StoreError(f"Cannot open store {_redact(url)}: {exc.orig}") from None
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> CorpusStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def url(self) -> str:
        return _redact(str(self.engine.url))

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return s.current_version(conn)

    # -- documents ------------------------------------------------------------
    def has_document(self, doc_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(s.documents.c.doc_id).where(s.documents.c.doc_id == doc_id)).first() is not None

    def add_document(self, doc: Document) -> bool:
        """Store a document with its pages and segments in one transaction.

        Returns False (and writes nothing) when a document with the same
        SHA-256 is already stored. Raises TextTooLongError (writing nothing)
        when the text is longer than ``max_text_chars``.
        """
        if len(doc.text) > self.max_text_chars:
            raise TextTooLongError(
                doc.source_path,
                f"extracted text is {len(doc.text):,} characters, more than the store takes "
                f"({self.max_text_chars:,}); split the document into smaller files",
            )
        m = doc.meta
        row = {
            "doc_id": doc.doc_id,
            "source_path": doc.source_path,
            "filename": Path(doc.source_path).name,
            "media_type": doc.media_type,
            "extractor": doc.extractor,
            "title": m.title,
            "city": m.city,
            "kind": m.kind,
            "date_iso": m.date_iso,
            "date_jalali": m.date_jalali,
            "language": m.language,
            "source": m.source,
            "url": m.url,
            "authors": json.dumps(list(m.authors), ensure_ascii=False),
            "notes": m.notes,
            "text": doc.text,
            "size_bytes": doc.size_bytes,
            "warnings": json.dumps(list(doc.warnings), ensure_ascii=False),
        }
        try:
            with self.engine.begin() as conn:
                if conn.execute(select(s.documents.c.doc_id).where(s.documents.c.doc_id == doc.doc_id)).first():
                    return False
                conn.execute(insert(s.documents), [_nul_free(row)])
                if doc.pages:
                    conn.execute(
                        insert(s.pages),
                        [{"doc_id": doc.doc_id, "number": p.number, "start": p.start, "end": p.end} for p in doc.pages],
                    )
                if doc.segments:
                    conn.execute(insert(s.segments), [_nul_free(_segment_row(g)) for g in doc.segments])
        except IntegrityError:
            if self.has_document(doc.doc_id):
                return False  # a concurrent writer stored it first
            raise  # the transaction was rolled back: nothing of this document is stored
        return True

    def update_metadata(self, doc_id: str, meta: DocumentMeta) -> None:
        values = {k: v for k, v in meta.to_dict().items() if v not in (None, [], "")}
        if "authors" in values:
            values["authors"] = json.dumps(values["authors"], ensure_ascii=False)
        if values:
            with self.engine.begin() as conn:
                conn.execute(s.documents.update().where(s.documents.c.doc_id == doc_id).values(**_nul_free(values)))

    def delete_document(self, doc_id: str) -> bool:
        with self.engine.begin() as conn:
            conn.execute(delete(s.minhashes).where(s.minhashes.c.doc_id == doc_id))
            conn.execute(delete(s.classifications).where(s.classifications.c.doc_id == doc_id))
            conn.execute(delete(s.statements).where(s.statements.c.doc_id == doc_id))
            conn.execute(delete(s.doc_analysis).where(s.doc_analysis.c.doc_id == doc_id))
            conn.execute(delete(s.segments).where(s.segments.c.doc_id == doc_id))
            conn.execute(delete(s.pages).where(s.pages.c.doc_id == doc_id))
            return conn.execute(delete(s.documents).where(s.documents.c.doc_id == doc_id)).rowcount > 0

    def get_document(self, doc_id: str) -> Document:
        """Load a stored document; ``doc_id`` may be a unique prefix of at least 6 characters."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.documents).where(s.documents.c.doc_id.like(f"{doc_id}%")).limit(2)).all()
            if len(doc_id) < 6 or not rows:
                raise StoreError(f"No stored document with id {doc_id!r}; `udiplo docs` lists them.")
            if len(rows) > 1:
                raise StoreError(f"Document id prefix {doc_id!r} is ambiguous; give more characters.")
            d = rows[0]._mapping
            pgs = conn.execute(select(s.pages).where(s.pages.c.doc_id == d["doc_id"]).order_by(s.pages.c.number))
            segs = conn.execute(
                select(s.segments).where(s.segments.c.doc_id == d["doc_id"]).order_by(s.segments.c.idx)
            )
            return Document(
                doc_id=d["doc_id"],
                source_path=d["source_path"],
                media_type=d["media_type"],
                extractor=d["extractor"],
                text=d["text"],
                pages=tuple(Page(p.number, p.start, p.end) for p in pgs),
                segments=tuple(_segment_from_row(g._mapping) for g in segs),
                meta=_meta_from_row(d),
                size_bytes=d["size_bytes"],
                warnings=tuple(json.loads(d["warnings"] or "[]")),
            )

    def document_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(select(s.documents.c.doc_id).order_by(s.documents.c.filename))]

    def iter_documents(self) -> Iterator[Document]:
        for doc_id in self.document_ids():
            yield self.get_document(doc_id)

    def summaries(self) -> list[DocumentSummary]:
        d = s.documents
        n_pages = select(func.count()).where(s.pages.c.doc_id == d.c.doc_id).scalar_subquery()
        n_segs = select(func.count()).where(s.segments.c.doc_id == d.c.doc_id).scalar_subquery()
        q = select(
            d.c.doc_id, d.c.filename, d.c.title, d.c.city, d.c.kind, d.c.date_iso, d.c.language,
            n_pages, n_segs, func.length(d.c.text),
        ).order_by(d.c.filename)
        with self.engine.connect() as conn:
            return [DocumentSummary(*r) for r in conn.execute(q)]

    def count(self, table: str) -> int:
        t = s.metadata.tables[table]
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)

    def find_by_source(self, source_path: str) -> str | None:
        """doc_id of a document ingested from this path or URL, if any."""
        d = s.documents
        with self.engine.connect() as conn:
            row = conn.execute(select(d.c.doc_id).where(d.c.source_path == source_path).limit(1)).first()
            return row[0] if row else None

    # -- statements ------------------------------------------------------------
    def put_statements(self, doc_id: str, statements: Iterable[Statement], *, segmenter_version: str,
                       city: str | None, city_source: str | None, city_scores: dict | None = None) -> int:
        """Replace a document's statements and analysis row in one transaction."""
        rows = [
            _nul_free({"doc_id": st.doc_id, "idx": st.index, "kind": st.kind, "start": st.start, "end": st.end,
                       "page": st.page, "table_no": st.table, "row_no": st.row, "col_no": st.col, "lang": st.lang,
                       "heading": st.heading, "raw": st.raw, "text": st.text, "text_hash": st.text_hash})
            for st in statements
        ]
        with self.engine.begin() as conn:
            conn.execute(delete(s.classifications).where(s.classifications.c.doc_id == doc_id))
            conn.execute(delete(s.statements).where(s.statements.c.doc_id == doc_id))
            conn.execute(delete(s.doc_analysis).where(s.doc_analysis.c.doc_id == doc_id))
            if rows:
                conn.execute(insert(s.statements), rows)
            conn.execute(insert(s.doc_analysis), [{
                "doc_id": doc_id, "segmenter_version": segmenter_version, "city": city, "city_source": city_source,
                "city_scores": json.dumps(city_scores or {}, ensure_ascii=False), "n_statements": len(rows)}])
        return len(rows)

    def segmenter_version(self, doc_id: str) -> str | None:
        a = s.doc_analysis
        with self.engine.connect() as conn:
            row = conn.execute(select(a.c.segmenter_version).where(a.c.doc_id == doc_id)).first()
            return row[0] if row else None

    def statements(self, doc_id: str | None = None) -> list[Statement]:
        t = s.statements
        q = select(t).order_by(t.c.doc_id, t.c.idx)
        if doc_id:
            q = q.where(t.c.doc_id == doc_id)
        with self.engine.connect() as conn:
            return list(number_occurrences(
                Statement(doc_id=r.doc_id, index=r.idx, kind=r.kind, start=r.start, end=r.end, raw=r.raw,
                          text=r.text, lang=r.lang, page=r.page, table=r.table_no, row=r.row_no,
                          col=r.col_no, heading=r.heading) for r in conn.execute(q)))

    def analysis_rows(self) -> dict[str, dict]:
        """Per document: effective city (metadata first, else attribution) and its source."""
        d, a = s.documents, s.doc_analysis
        q = select(d.c.doc_id, d.c.city, a.c.city, a.c.city_source, a.c.n_statements).select_from(
            d.outerjoin(a, a.c.doc_id == d.c.doc_id))
        with self.engine.connect() as conn:
            out = {}
            for doc_id, meta_city, inferred, source, n in conn.execute(q):
                city = meta_city or inferred
                out[doc_id] = {"city": city, "city_source": "metadata" if meta_city else (source if inferred else None),
                               "n_statements": n}
            return out

    # -- taxonomy classifications and human labels ------------------------------
    def put_classifications(self, rows: list[dict]) -> None:
        """Replace the classification of each (doc_id, idx) given, in one transaction."""
        c = s.classifications
        with self.engine.begin() as conn:
            for chunk in _chunks(rows, 500):
                for r in chunk:
                    conn.execute(delete(c).where(c.c.doc_id == r["doc_id"], c.c.idx == r["idx"]))
                conn.execute(insert(c), chunk)

    def classifications(self, classifier_key: str | None = None) -> dict[tuple[str, int], dict]:
        c = s.classifications
        q = select(c) if classifier_key is None else select(c).where(c.c.classifier_key == classifier_key)
        with self.engine.connect() as conn:
            return {(r.doc_id, r.idx): dict(r._mapping) for r in conn.execute(q)}

    def put_labels(self, rows: list[dict], *, replace_ids: Iterable[int] = ()) -> int:
        """Store human label rows (statement_id, doc_id, text_hash, occurrence, text, node_id, coder,
        source; see ``corpus.labels``) and delete the labels ``replace_ids``, in one transaction."""
        h = s.human_labels
        replace_ids = list(replace_ids)
        with self.engine.begin() as conn:
            for chunk in _chunks(replace_ids, 500):
                conn.execute(delete(h).where(h.c.id.in_(chunk)))
            if rows:
                conn.execute(insert(h), [_nul_free(r) for r in rows])
        return len(rows)

    def labels(self) -> list[dict]:
        h = s.human_labels
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(h).order_by(h.c.id))]

    # -- analysis runs -----------------------------------------------------------
    def record_run(self, *, corpus_key: str, n_statements: int, embedder: str | None, themes_dir: str | None,
                   classifier_key: str | None, summary: dict) -> None:
        """Remember what an analysis produced, so the report can be rebuilt without re-analysing."""
        with self.engine.begin() as conn:
            conn.execute(insert(s.analysis_runs), [{
                "corpus_key": corpus_key, "n_statements": n_statements, "embedder": embedder,
                "themes_dir": themes_dir, "classifier_key": classifier_key,
                "summary": json.dumps(summary, ensure_ascii=False, default=str)}])

    def last_run(self) -> dict | None:
        r = s.analysis_runs
        with self.engine.connect() as conn:
            row = conn.execute(select(r).order_by(r.c.id.desc()).limit(1)).first()
        if row is None:
            return None
        out = dict(row._mapping)
        out["summary"] = json.loads(out["summary"])
        return out

    # -- near-duplicate signatures ---------------------------------------------
    def put_signature(self, doc_id: str, sig: np.ndarray) -> None:
        m = s.minhashes
        with self.engine.begin() as conn:
            if conn.execute(select(m.c.doc_id).where(m.c.doc_id == doc_id)).first() is None:
                conn.execute(insert(m), [{"doc_id": doc_id, "num_perm": int(sig.shape[0]),
                                          "signature": np.asarray(sig, dtype="<u8").tobytes()}])

    def signatures(self) -> dict[str, np.ndarray]:
        m = s.minhashes
        with self.engine.connect() as conn:
            return {r.doc_id: np.frombuffer(r.signature, dtype="<u8", count=r.num_perm).copy()
                    for r in conn.execute(select(m))}

    # -- failures -------------------------------------------------------------
    def record_failure(self, failure: Failure) -> None:
        """Record why a file or URL failed; a path keeps one row (its latest failure), however often retried."""
        row = _nul_free({"path": failure.path, "sha256": failure.sha256, "error_type": failure.error_type,
                         "reason": failure.reason})
        with self.engine.begin() as conn:
            conn.execute(delete(s.failures).where(s.failures.c.path == row["path"]))
            conn.execute(insert(s.failures), [row])

    def clear_failures(self, path: str) -> None:
        """Forget the failure of ``path`` (it has now been stored)."""
        with self.engine.begin() as conn:
            conn.execute(delete(s.failures).where(s.failures.c.path == _nul_free({"path": path})["path"]))

    def failures(self) -> list[Failure]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.failures).order_by(s.failures.c.id))
            return [Failure(r.path, r.reason, r.error_type, r.sha256) for r in rows]

    # -- embeddings cache -------------------------------------------------------
    def get_embeddings(self, keys: list[str], model: str, revision: str, prompt: str) -> dict[str, np.ndarray]:
        """Stored vectors of ``keys``; a damaged row (wrong length, not finite) is a cache miss and removed."""
        e = s.embeddings
        out: dict[str, np.ndarray] = {}
        bad: list[str] = []
        with self.engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(keys)), 500):
                rows = conn.execute(
                    select(e.c.text_hash, e.c.dim, e.c.vector).where(
                        e.c.model == model, e.c.revision == revision, e.c.prompt == prompt,
                        e.c.text_hash.in_(chunk),
                    )
                )
                for h, dim, blob in rows:
                    v = _vector(blob, dim)
                    if v is None:
                        bad.append(h)
                    else:
                        out[h] = v
        if bad:  # dropped, so the caller's put_embeddings stores them afresh
            cache_miss(self.url, f"{len(bad)} stored embedding(s) of {model}", "wrong length or not finite")
            with self.engine.begin() as conn:
                for chunk in _chunks(bad, 500):
                    conn.execute(delete(e).where(e.c.model == model, e.c.revision == revision,
                                                 e.c.prompt == prompt, e.c.text_hash.in_(chunk)))
        return out

    def put_embeddings(self, items: dict[str, np.ndarray], model: str, revision: str, prompt: str) -> None:
        if not items:
            return
        e = s.embeddings
        with self.engine.begin() as conn:
            have = set()
            for chunk in _chunks(list(items), 500):
                have.update(
                    r[0] for r in conn.execute(
                        select(e.c.text_hash).where(
                            e.c.model == model, e.c.revision == revision, e.c.prompt == prompt,
                            e.c.text_hash.in_(chunk),
                        )
                    )
                )
            rows = [
                {"text_hash": h, "model": model, "revision": revision, "prompt": prompt, "dim": int(v.shape[0]),
                 "vector": np.asarray(v, dtype="<f4").tobytes(), "norm": float(np.linalg.norm(v))}
                for h, v in items.items() if h not in have
            ]
            if rows:
                conn.execute(_insert_ignoring_duplicates(conn, e), rows)


def _vector(blob: bytes | None, dim: int | None) -> np.ndarray | None:
    """The stored float32 vector, or None when the row cannot be one."""
    if blob is None or not dim or dim < 1 or len(blob) != 4 * dim:
        return None
    v = np.frombuffer(blob, dtype="<f4", count=dim).copy()
    return v if np.isfinite(v).all() else None


def _insert_ignoring_duplicates(conn, table):
    """INSERT that skips rows whose key exists: concurrent writers (Dask workers, parallel tasks) may
    compute the same content-keyed row at the same time; both results are identical."""
    name = conn.dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:  # pragma: no cover - other databases keep the check-then-insert above
        return insert(table)
    return dialect_insert(table).on_conflict_do_nothing()


def _nul_free(row: dict) -> dict:
    """The one gate for text into the database: no NUL character (PostgreSQL text cannot hold it).

    Extractors already drop NULs; any left are replaced by U+FFFD, one character for one, so segment
    offsets into the document text stay true. Bytes values (vectors, signatures) are left alone.
    """
    return {k: v.replace("\x00", "\ufffd") if isinstance(v, str) and "\x00" in v else v for k, v in row.items()}


def _chunks(items: list, n: int) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _segment_row(g: Segment) -> dict:
    return {
        "doc_id": g.doc_id, "idx": g.index, "kind": g.kind, "start": g.start, "end": g.end, "page": g.page,
        "table_no": g.table, "row_no": g.row, "col_no": g.col, "lang": g.lang, "heading": g.heading,
        "text": g.text,
    }


def _segment_from_row(r) -> Segment:
    return Segment(
        doc_id=r["doc_id"], index=r["idx"], kind=r["kind"], start=r["start"], end=r["end"], text=r["text"],
        page=r["page"], table=r["table_no"], row=r["row_no"], col=r["col_no"], lang=r["lang"],
        heading=r["heading"],
    )


def _meta_from_row(d) -> DocumentMeta:
    return DocumentMeta(
        title=d["title"], city=d["city"], kind=d["kind"], date_iso=d["date_iso"], date_jalali=d["date_jalali"],
        language=d["language"], source=d["source"], url=d["url"],
        authors=tuple(json.loads(d["authors"] or "[]")), notes=d["notes"],
    )


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
