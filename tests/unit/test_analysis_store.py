from sqlalchemy import create_engine

from corpus import schema
from corpus.analysis import SEGMENTER_VERSION, segment_corpus
from corpus.ingest import ingest_paths
from corpus.store import CorpusStore


def test_old_store_is_migrated_without_losing_documents(tmp_path, sample_paths):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as conn:  # a version-1 store, as the first release wrote it
        schema.schema_version.create(conn)
        schema._v1(conn)
        conn.execute(schema.schema_version.insert().values(version=1, description="v1"))
    engine.dispose()
    store = CorpusStore.open(url)
    assert store.schema_version() == schema.LATEST
    ingest_paths(sample_paths[:1], store)
    assert store.count("documents") == 1
    store.close()


def test_segmentation_is_stored_and_skipped_when_unchanged(store, sample_paths):
    ingest_paths(sample_paths, store)
    first = segment_corpus(store)
    assert first["segmented"] == 5
    sts = store.statements()
    assert len(sts) == sum(d["statements"] for d in first["documents"]) > 400
    docs = {d: store.get_document(d) for d in store.document_ids()}
    assert all(docs[s.doc_id].text[s.start:s.end] == s.raw for s in sts)
    assert {s.lang for s in sts} >= {"fa", "en"}
    assert all(store.segmenter_version(d) == SEGMENTER_VERSION for d in docs)
    again = segment_corpus(store)
    assert again["segmented"] == 0 and again["skipped"] == 5
    cities = sorted(r["city"] for r in store.analysis_rows().values())
    assert cities == ["Isfahan", "Isfahan", "Isfahan", "Mashhad", "Tehran"]


def test_concurrent_writers_of_the_same_embedding_do_not_fail(store):
    import numpy as np

    v = np.ones(4, dtype=np.float32) / 2
    store.put_embeddings({"h1": v}, "m", "r", "")
    # a second writer computed the same row before seeing the first: stored once, no error
    store.put_embeddings({"h1": v, "h2": v}, "m", "r", "")
    got = store.get_embeddings(["h1", "h2"], "m", "r", "")
    assert sorted(got) == ["h1", "h2"] and np.allclose(got["h1"], v)


def test_report_from_last_run_needs_a_current_analysis(store, sample_paths, tmp_path):
    import pytest

    from corpus.job import record, report_from_last_run
    from pipeline.embed import get_embedder
    from pipeline.errors import AnalysisError

    ingest_paths(sample_paths[1:3], store)
    with pytest.raises(AnalysisError, match="no analysis yet"):
        report_from_last_run(store, tmp_path / "out")
    segment_corpus(store)
    record(store, store.statements(), get_embedder("hashing"), None, None, {"statements": 1})
    assert store.last_run()["summary"] == {"statements": 1}
    done = report_from_last_run(store, tmp_path / "out")
    assert (tmp_path / "out" / "report.html").exists() and done["analysis"]["themes_dir"] is None
    ingest_paths(sample_paths[3:4], store)
    segment_corpus(store)
    with pytest.raises(AnalysisError, match="corpus changed"):
        report_from_last_run(store, tmp_path / "out")
