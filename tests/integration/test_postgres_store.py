"""The same store code on a real PostgreSQL server."""

from corpus.ingest import ingest_paths
from corpus.store import CorpusStore
from pipeline.extract import extract


def test_ingest_roundtrip_on_postgres(postgres_url, sample_paths, tmp_path):
    store = CorpusStore.open(postgres_url)
    try:
        from corpus.schema import LATEST

        assert store.schema_version() == LATEST
        report = ingest_paths(sample_paths, store)
        assert len(report.added) == 5
        assert len(ingest_paths(sample_paths, store).skipped) == 5
        (tmp_path / "empty.txt").write_bytes(b"")
        assert ingest_paths([tmp_path / "empty.txt"], store).failed[0]["error"] == "empty_file"
        original = extract(sample_paths[0])
        loaded = store.get_document(original.doc_id)
        assert loaded.text == original.text and loaded.segments == original.segments
        assert [f.error_type for f in store.failures()] == ["empty_file"]
        import numpy as np

        store.put_embeddings({"h": np.ones(3, dtype="float32")}, "m", "r", "query: ")
        assert store.get_embeddings(["h"], "m", "r", "query: ")["h"].tolist() == [1.0, 1.0, 1.0]
    finally:
        store.close()
