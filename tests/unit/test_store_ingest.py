import dataclasses
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from corpus.ingest import ingest_paths
from corpus.schema import LATEST
from corpus.store import CorpusStore
from pipeline.errors import ConfigError, StoreError
from pipeline.extract import ExtractConfig, extract


def test_schema_is_versioned_and_reopening_migrates_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    s1 = CorpusStore.open(url)
    assert s1.schema_version() == LATEST
    s1.close()
    s2 = CorpusStore.open(url)
    assert s2.schema_version() == LATEST
    from sqlalchemy import text

    with s2.engine.connect() as conn:
        assert conn.execute(text("select count(*) from schema_version")).scalar() == LATEST


def test_sample_corpus_roundtrip_and_reingest_is_a_noop(store, sample_paths):
    first = ingest_paths(sample_paths, store)
    assert len(first.added) == 5 and not first.failed
    second = ingest_paths(sample_paths, store)
    assert not second.added and len(second.skipped) == 5
    assert store.count("documents") == 5
    by_city = sorted((s.city, s.kind) for s in store.summaries())
    assert by_city == [("Isfahan", "news"), ("Isfahan", "news"), ("Isfahan", "plan"),
                       ("Mashhad", "paper"), ("Tehran", "news")]
    original = extract(sample_paths[0])
    loaded = store.get_document(original.doc_id[:10])
    assert loaded.text == original.text
    assert loaded.segments == original.segments
    assert loaded.pages == original.pages
    assert loaded.meta == original.meta


def test_a_failed_write_leaves_nothing_half_written(store, sample_paths):
    doc = extract(sample_paths[2])
    broken = dataclasses.replace(doc, segments=doc.segments + (doc.segments[0],))  # duplicate primary key
    with pytest.raises(IntegrityError):
        store.add_document(broken)
    assert store.count("documents") == 0 and store.count("segments") == 0 and store.count("pages") == 0
    assert store.add_document(doc) is True
    assert store.count("segments") == len(doc.segments)


def test_bad_inputs_are_recorded_and_the_batch_goes_on(store, tmp_path, sample_paths):
    bad = {
        "empty.txt": b"",
        "notes.xlsx": b"PK\x05\x06" + b"\x00" * 18,
        "garbled.txt": bytes(range(128, 256)) * 8 + b"\x00",
        "truncated.pdf": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog",
        "broken.docx": b"PK\x03\x04" + b"\x00" * 40,
        "big.txt": "دیپلماسی شهری ".encode() * 100_000,
    }
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, data in bad.items():
        (inbox / name).write_bytes(data)
    (inbox / "good.txt").write_bytes(sample_paths[4].read_bytes())
    pdfs = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
    for name in ("encrypted.pdf", "image_only.pdf"):
        (inbox / name).write_bytes((pdfs / "other" / name).read_bytes())
    (inbox / "good.pdf").write_bytes((pdfs / "nazli_right.pdf").read_bytes())
    report = ingest_paths([inbox], store, config=ExtractConfig(max_mb=1))
    errors = {item["path"].rsplit("/", 1)[-1]: item["error"] for item in report.failed}
    assert errors == {
        "empty.txt": "empty_file",
        "notes.xlsx": "unsupported_type",
        "garbled.txt": "undecodable",
        "truncated.pdf": "corrupt",
        "broken.docx": "corrupt",
        "big.txt": "too_large",
        "encrypted.pdf": "encrypted",
        "image_only.pdf": "needs_ocr",
    }
    assert [a["path"].rsplit("/", 1)[-1] for a in report.added] == ["good.pdf", "good.txt"]
    stored = {f.path.rsplit("/", 1)[-1]: f for f in store.failures()}
    assert set(stored) == set(bad) | {"encrypted.pdf", "image_only.pdf"}
    assert stored["image_only.pdf"].reason == "no text layer on any of 1 pages: needs OCR"
    assert all(f.reason and "\n" not in f.reason for f in stored.values())
    assert stored["big.txt"].error_type == "too_large"


def test_overrides_and_validation(store, sample_paths):
    report = ingest_paths([sample_paths[3]], store, city="Shiraz", kind="news")
    assert report.added
    assert store.summaries()[0].city == "Shiraz"
    with pytest.raises(ConfigError, match="--kind must be one of paper, plan, news, other"):
        ingest_paths([sample_paths[3]], store, kind="blog")


def test_unknown_document_id_is_a_clear_error(store):
    with pytest.raises(StoreError, match="No stored document with id 'abcdef'"):
        store.get_document("abcdef")


def test_bad_store_url_is_a_clear_error():
    with pytest.raises(StoreError, match="Cannot use store URL"):
        CorpusStore.open("nosuchdb://x")


def test_embedding_cache_roundtrip(store):
    import numpy as np

    v = {"h1": np.arange(4, dtype="float32"), "h2": np.ones(4, dtype="float32")}
    store.put_embeddings(v, "m", "r1", "query: ")
    store.put_embeddings(v, "m", "r1", "query: ")  # idempotent
    got = store.get_embeddings(["h1", "h2", "h3"], "m", "r1", "query: ")
    assert set(got) == {"h1", "h2"} and np.array_equal(got["h1"], v["h1"])
    assert store.get_embeddings(["h1"], "m", "r2", "query: ") == {}
    assert store.count("embeddings") == 2
