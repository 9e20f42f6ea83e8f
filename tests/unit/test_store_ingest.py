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


# -- hostile local files -----------------------------------------------------------------------------
GOOD = "دیپلماسی شهری اصفهان با شهرهای خواهرخوانده\n"


def _no_hang(seconds: int = 10):
    """Fail the test instead of hanging forever if something opens a FIFO for reading."""
    import signal

    def boom(*_):
        raise TimeoutError("ingest hung on a FIFO")

    signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)


def test_fifo_in_a_folder_and_named_directly_is_skipped_without_hanging(store, tmp_path):
    import os
    import signal

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(inbox / "pipe.txt")
    os.mkfifo(tmp_path / "named.txt")
    _no_hang()
    try:
        report = ingest_paths([inbox, tmp_path / "named.txt"], store)
    finally:
        signal.alarm(0)
    assert [a["path"] for a in report.added] == [str(inbox / "a.txt")]
    assert report.skipped == [
        {"path": str(inbox / "pipe.txt"), "reason": "a FIFO (named pipe), not a regular file"},
        {"path": str(tmp_path / "named.txt"), "reason": "a FIFO (named pipe), not a regular file"},
    ]
    assert not report.failed and store.failures() == []


def test_dev_zero_named_directly_is_skipped_unread(store):
    report = ingest_paths(["/dev/zero", "/dev/null"], store)
    assert [s["reason"] for s in report.skipped] == ["a character device, not a regular file"] * 2
    assert not report.failed and store.count("documents") == 0


def test_reading_a_device_directly_is_a_one_line_error():
    from pipeline.errors import NotRegularFileError

    with pytest.raises(NotRegularFileError, match=r"^/dev/zero: a character device, not a regular file$"):
        extract("/dev/zero")


def test_symlinks_leaving_the_folder_are_not_followed_unless_asked(store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret notes about sister cities, not for the corpus.\n", encoding="utf-8")
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "sub" / "a.txt").write_text(GOOD, encoding="utf-8")
    (inbox / "file-link.txt").symlink_to(outside / "secret.txt")
    (inbox / "dir-link").symlink_to(outside)
    (inbox / "inside-link.txt").symlink_to(inbox / "sub" / "a.txt")  # stays inside: followed
    (inbox / "loop").symlink_to(inbox)
    (inbox / "broken.txt").symlink_to(tmp_path / "missing.txt")

    report = ingest_paths([inbox], store)
    assert [a["path"] for a in report.added] == [str(inbox / "inside-link.txt")]
    skipped = {s["path"].rsplit("/", 1)[-1]: s["reason"] for s in report.skipped}
    root = inbox.resolve()
    assert skipped == {
        "broken.txt": f"broken symbolic link to {tmp_path.resolve() / 'missing.txt'}",
        "dir-link": f"symbolic link to {outside.resolve()}, outside {root}: not followed (use --follow-links)",
        "file-link.txt": f"symbolic link to {outside.resolve() / 'secret.txt'}, outside {root}: not followed "
                         "(use --follow-links)",
        "a.txt": "already stored (same SHA-256)",
    }
    assert "Secret" not in "".join(store.get_document(d).text for d in store.document_ids())

    followed = ingest_paths([inbox], store, follow_links=True)  # the loop is walked once
    assert [a["path"] for a in followed.added] == [str(inbox / "dir-link" / "secret.txt")]
    assert store.count("documents") == 2


def test_cli_follow_links_option(tmp_path):
    from typer.testing import CliRunner

    from udiplo.cli import app

    (tmp_path / "out.txt").write_text(GOOD, encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "link.txt").symlink_to(tmp_path / "out.txt")
    db = ["--db", f"sqlite:///{tmp_path / 'c.sqlite'}"]
    first = CliRunner().invoke(app, ["ingest", str(inbox), *db])
    assert first.exit_code == 0
    assert f"skipped  {inbox / 'link.txt'}  (symbolic link to {(tmp_path / 'out.txt').resolve()}, outside " \
           in first.output and "0 added, 1 skipped, 0 failed" in first.output
    second = CliRunner().invoke(app, ["ingest", str(inbox), "--follow-links", *db])
    assert second.exit_code == 0 and "1 added, 0 skipped, 0 failed" in second.output


def test_failures_are_not_duplicated_on_reingest_and_clear_once_fixed(store, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "bad.xlsx").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    for _ in range(3):
        assert len(ingest_paths([inbox], store).failed) == 2
    assert sorted((f.path.rsplit("/", 1)[-1], f.error_type) for f in store.failures()) == [
        ("bad.xlsx", "unsupported_type"), ("empty.txt", "empty_file")]
    (inbox / "empty.txt").write_text(GOOD, encoding="utf-8")
    ingest_paths([inbox], store)
    assert [f.path.rsplit("/", 1)[-1] for f in store.failures()] == ["bad.xlsx"]


def test_text_longer_than_the_store_takes_is_refused_and_nothing_is_written(tmp_path):
    from corpus.store import MAX_TEXT_CHARS

    assert MAX_TEXT_CHARS == 200_000_000
    (tmp_path / "long.txt").write_text("دیپلماسی شهری " * 100, encoding="utf-8")
    with CorpusStore.open(f"sqlite:///{tmp_path / 'c.sqlite'}") as store:
        store.max_text_chars = 1000
        report = ingest_paths([tmp_path / "long.txt"], store)
        assert report.failed[0]["error"] == "text_too_long"
        assert report.failed[0]["message"] == (
            f"{tmp_path / 'long.txt'}: extracted text is 1,400 characters, more than the store takes (1,000); "
            "split the document into smaller files")
        assert store.count("documents") == 0 and store.count("segments") == 0


def test_no_nul_character_reaches_the_store(store, tmp_path):
    from sqlalchemy import text

    from pipeline.types import Failure

    (tmp_path / "u16.txt").write_bytes(("Urban diplomacy\x00 in Isfahan.\n" * 4).encode("utf-16-le"))
    (tmp_path / "u16.txt.meta.yaml").write_text('title: "Isfahan\\0 plan"\nnotes: "a\\0b"\n', encoding="utf-8")
    report = ingest_paths([tmp_path / "u16.txt"], store)
    assert report.added and report.added[0]["warnings"] == ["decoded as utf-16-le", "removed 4 NUL characters"]
    doc = dataclasses.replace(extract(tmp_path / "u16.txt"), doc_id="f" * 64, text="a\x00b", segments=())
    store.add_document(doc)  # an extractor that let a NUL through
    store.record_failure(Failure(str(tmp_path / "x.txt"), "bad byte \x00 here", "corrupt"))
    with store.engine.connect() as conn:
        for table, cols in {"documents": ["text", "title", "notes"], "segments": ["text"],
                            "failures": ["reason"]}.items():
            for col in cols:
                assert conn.execute(text(f"select count(*) from {table} where instr({col}, char(0)) > 0")).scalar() == 0
    stored = store.get_document("f" * 64)
    assert stored.text == "a\ufffdb" and stored.meta.title == "Isfahan\ufffd plan"
    store.put_labels([{"statement_id": "x", "node_id": "G1", "coder": "ali\x00", "source": "sheet.csv:2\x00"}])
    assert [(r["coder"], r["source"]) for r in store.labels()] == [("ali\ufffd", "sheet.csv:2\ufffd")]
