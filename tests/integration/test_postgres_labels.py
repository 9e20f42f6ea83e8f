"""The v6 migration (content-anchored human labels) on a real PostgreSQL server."""

from corpus.ingest import ingest_paths
from corpus.store import CorpusStore


def test_v5_labels_are_anchored_by_the_v6_migration_on_postgres(postgres_url, sample_paths):
    """The v6 migration (ALTER TABLE, id rewrite) on PostgreSQL, in a database of its own."""
    from sqlalchemy import create_engine, text

    from corpus.analysis import segment_corpus

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS udiplo_v5"))
        conn.execute(text("CREATE DATABASE udiplo_v5"))
    admin.dispose()
    url = postgres_url.replace("/udiplo?", "/udiplo_v5?")
    with CorpusStore.open(url) as store:
        ingest_paths(sample_paths[3:4], store)
        segment_corpus(store)
        st = store.statements()[4]
        with store.engine.begin() as conn:  # back to schema v5: no anchor columns, positional ids
            conn.execute(text("ALTER TABLE human_labels DROP COLUMN doc_id, DROP COLUMN text_hash, "
                              "DROP COLUMN occurrence, DROP COLUMN text"))
            conn.execute(text("DELETE FROM schema_version WHERE version = 6"))
            conn.execute(text("INSERT INTO human_labels (statement_id, node_id, coder) VALUES (:s, 'G01', 'maryam')"),
                         {"s": f"{st.doc_id[:16]}:s{st.index}"})
    with CorpusStore.open(url) as store:
        assert store.schema_version() == 6
        (row,) = store.labels()
        assert (row["statement_id"], row["doc_id"], row["text_hash"], row["occurrence"], row["text"]) == (
            st.statement_id, st.doc_id, st.text_hash, st.occurrence, st.text)
