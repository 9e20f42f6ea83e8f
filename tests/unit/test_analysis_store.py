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
