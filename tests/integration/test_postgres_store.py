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


def test_no_nul_character_reaches_postgres(postgres_url, tmp_path):
    """PostgreSQL refuses NUL in text outright; UTF-16 without a byte-order mark, a NUL in metadata and
    in a failure reason must all store."""
    import dataclasses

    from pipeline.types import Failure

    (tmp_path / "u16.txt").write_bytes("دیپلماسی شهری\x00 اصفهان و شیان\n".encode("utf-16-be"))
    (tmp_path / "u16.txt.meta.yaml").write_text('title: "plan\\0 2024"\n', encoding="utf-8")
    store = CorpusStore.open(postgres_url)
    try:
        report = ingest_paths([tmp_path / "u16.txt"], store)
        assert not report.failed, report.failed
        doc = store.get_document(report.added[0]["doc_id"])
        assert doc.text == "دیپلماسی شهری اصفهان و شیان\n" and doc.meta.title == "plan\ufffd 2024"
        raw = dataclasses.replace(doc, doc_id="e" * 64, text="x\x00y", segments=())
        assert store.add_document(raw)
        assert store.get_document("e" * 64).text == "x\ufffdy"
        store.record_failure(Failure("nul.txt", "byte \x00 seen", "corrupt"))
        assert store.failures()[-1].reason == "byte \ufffd seen"
    finally:
        store.close()
