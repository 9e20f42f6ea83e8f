"""Tables of the corpus store and their explicit, versioned migrations.

The schema version lives in ``schema_version``. Each migration is a function
that takes a connection inside a transaction; ``migrate()`` applies the ones
newer than the stored version, in order. Never edit a released migration: add
a new one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.engine import Connection

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("description", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), server_default=func.now()),
)

documents = Table(
    "documents",
    metadata,
    Column("doc_id", String(64), primary_key=True),  # SHA-256 of the raw bytes
    Column("source_path", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("extractor", String(100), nullable=False),
    Column("title", Text),
    Column("city", String(100)),
    Column("kind", String(20)),
    Column("date_iso", String(10)),
    Column("date_jalali", String(10)),
    Column("language", String(10)),
    Column("source", Text),
    Column("url", Text),
    Column("authors", Text),  # JSON list
    Column("notes", Text),
    Column("text", Text, nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("warnings", Text),  # JSON list
    Column("ingested_at", DateTime(timezone=True), server_default=func.now()),
)

pages = Table(
    "pages",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)

segments = Table(
    "segments",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("page", Integer),
    Column("table_no", Integer),
    Column("row_no", Integer),
    Column("col_no", Integer),
    Column("lang", String(10)),
    Column("heading", Text),
    Column("text", Text, nullable=False),
)

failures = Table(
    "failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64)),
    Column("error_type", String(50), nullable=False),
    Column("reason", Text, nullable=False),
    Column("failed_at", DateTime(timezone=True), server_default=func.now()),
)

embeddings = Table(
    "embeddings",
    metadata,
    Column("text_hash", String(64), primary_key=True),
    Column("model", String(200), primary_key=True),
    Column("revision", String(100), primary_key=True),
    Column("prompt", String(100), primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32 little-endian
    Column("norm", Float),
)

minhashes = Table(
    "minhashes",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id", ondelete="CASCADE"), primary_key=True),
    Column("num_perm", Integer, nullable=False),
    Column("signature", LargeBinary, nullable=False),  # uint64 little-endian
)

statements = Table(
    "statements",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("start", Integer, nullable=False),  # offsets into documents.text
    Column("end", Integer, nullable=False),
    Column("page", Integer),
    Column("table_no", Integer),
    Column("row_no", Integer),
    Column("col_no", Integer),
    Column("lang", String(10), nullable=False),
    Column("heading", Text),
    Column("raw", Text, nullable=False),
    Column("text", Text, nullable=False),  # normalised
    Column("text_hash", String(64), nullable=False, index=True),
)

doc_analysis = Table(
    "doc_analysis",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id", ondelete="CASCADE"), primary_key=True),
    Column("segmenter_version", String(50), nullable=False),
    Column("city", String(100)),
    Column("city_source", String(20)),
    Column("city_scores", Text),  # JSON
    Column("n_statements", Integer, nullable=False),
    Column("analysed_at", DateTime(timezone=True), server_default=func.now()),
)

classifications = Table(
    "classifications",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("classifier_key", String(64), nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("macro_id", String(40), nullable=False),
    Column("goal_id", String(40), nullable=False),
    Column("policy_id", String(60)),
    Column("conf_macro", Float, nullable=False),
    Column("conf_goal", Float, nullable=False),
    Column("conf_policy", Float),
    Column("in_domain", Float, nullable=False),
    Column("abstained", Integer, nullable=False),
    Column("detail", Text, nullable=False),  # JSON: alternatives, multi-label goals, evidence
)

human_labels = Table(
    "human_labels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("statement_id", String(80), nullable=False, index=True),
    Column("node_id", String(60), nullable=False),
    Column("coder", String(100), nullable=False),
    Column("source", Text),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
    # v6: the statement's content anchor; NULL for a label whose statement could not be found when
    # the store was upgraded (it stays, listed by `udiplo label check`)
    Column("doc_id", String(64)),
    Column("text_hash", String(64)),  # sha256 of the statement's normalised text
    Column("occurrence", Integer),  # earlier statements of the document with the same text
    Column("text", Text),  # the normalised text the coder saw
)

analysis_runs = Table(
    "analysis_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("corpus_key", String(64), nullable=False),  # hash of (statement id, text hash) pairs
    Column("n_statements", Integer, nullable=False),
    Column("embedder", String(200)),
    Column("themes_dir", Text),
    Column("classifier_key", String(64)),
    Column("summary", Text, nullable=False),  # JSON: what the run did
    Column("finished_at", DateTime(timezone=True), server_default=func.now()),
)

Migration = Callable[[Connection], None]


def _v1(conn: Connection) -> None:
    for table in (documents, pages, segments, failures, embeddings):
        table.create(conn, checkfirst=True)


def _v2(conn: Connection) -> None:
    minhashes.create(conn, checkfirst=True)


def _v3(conn: Connection) -> None:
    statements.create(conn, checkfirst=True)
    doc_analysis.create(conn, checkfirst=True)


def _v4(conn: Connection) -> None:
    classifications.create(conn, checkfirst=True)
    human_labels.create(conn, checkfirst=True)


def _v5(conn: Connection) -> None:
    analysis_runs.create(conn, checkfirst=True)


def _v6(conn: Connection) -> None:
    """Human labels anchored to statement text: add the anchor columns, then rewrite each positional
    id ``<doc16>:s<index>`` to the content id of the statement stored at that position (its text,
    hash and occurrence recorded). Labels whose statement is not stored keep their id, anchorless."""
    import re

    from sqlalchemy import inspect

    from pipeline.types import Statement, number_occurrences

    have = {c["name"] for c in inspect(conn).get_columns("human_labels")}
    for name in ("doc_id", "text_hash", "occurrence", "text"):
        if name not in have:  # stores created after v6 was written already have them (v4 creates the table)
            col = human_labels.c[name]
            conn.exec_driver_sql(f"ALTER TABLE human_labels ADD COLUMN {name} {col.type.compile(conn.dialect)}")
    positional = re.compile(r"^([0-9a-f]{16}):s(\d+)$")
    h, st = human_labels, statements
    anchors: dict[str, dict[int, Statement]] = {}
    for label_id, sid in conn.execute(select(h.c.id, h.c.statement_id).where(h.c.text_hash.is_(None))).all():
        m = positional.match(sid)
        if not m:
            continue
        prefix, idx = m.group(1), int(m.group(2))
        if prefix not in anchors:
            rows = conn.execute(select(st).where(st.c.doc_id.like(f"{prefix}%")).order_by(st.c.doc_id, st.c.idx))
            numbered = number_occurrences(
                Statement(doc_id=r.doc_id, index=r.idx, kind=r.kind, start=r.start, end=r.end, raw=r.raw,
                          text=r.text, lang=r.lang) for r in rows)
            single_doc = len({x.doc_id for x in numbered}) == 1  # two documents sharing the prefix: unknowable
            anchors[prefix] = {x.index: x for x in numbered} if single_doc else {}
        found = anchors[prefix].get(idx)
        if found is not None:
            conn.execute(h.update().where(h.c.id == label_id).values(
                statement_id=found.statement_id, doc_id=found.doc_id, text_hash=found.text_hash,
                occurrence=found.occurrence, text=found.text))


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "documents, pages, segments, failures, embeddings", _v1),
    (2, "minhashes: near-duplicate signatures of documents", _v2),
    (3, "statements and per-document analysis (city attribution)", _v3),
    (4, "taxonomy classifications and human labels", _v4),
    (5, "analysis runs: which themes model and classifier the last analysis used", _v5),
    (6, "human labels anchored to statement text (content ids instead of positions)", _v6),
]

LATEST = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    if not conn.dialect.has_table(conn, "schema_version"):
        return 0
    value = conn.execute(select(func.max(schema_version.c.version))).scalar()
    return int(value or 0)


def migrate(conn: Connection) -> list[int]:
    """Apply pending migrations; return the versions applied."""
    schema_version.create(conn, checkfirst=True)
    have = current_version(conn)
    if have > LATEST:
        from pipeline.errors import StoreError

        raise StoreError(
            f"The store has schema version {have}, newer than this udiplo knows ({LATEST}); upgrade udiplo."
        )
    applied = []
    for version, description, fn in MIGRATIONS:
        if version > have:
            fn(conn)
            conn.execute(schema_version.insert().values(version=version, description=description))
            applied.append(version)
    return applied
