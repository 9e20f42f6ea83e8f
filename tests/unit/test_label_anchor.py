"""Statement ids anchored to text: human labels survive re-segmentation or are listed as orphans,
never moved onto another sentence; the v6 migration anchors labels of older stores; label import
is idempotent and refuses double codings."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from typer.testing import CliRunner

import corpus.analysis
import pipeline.segment
from corpus.analysis import segment_corpus
from corpus.ingest import ingest_paths
from corpus.labels import attach, orphans
from corpus.store import CorpusStore
from pipeline.classify.labels import LabelFileError, read_labels
from pipeline.types import sha256_text
from udiplo.cli import app

ID = re.compile(r"^[0-9a-f]{16}:[0-9a-f]{12}(-[2-9]\d*)?$")
REPEATED = "The sister-city committee of Mashhad meets every spring in the city hall."


@pytest.fixture
def db(tmp_path, sample_paths):
    """A store with sample 002 (84 sentences) and a small document whose one sentence occurs three times."""
    repeats = tmp_path / "repeats.txt"
    repeats.write_text(f"{REPEATED}\n\nIsfahan signed a cultural memorandum with Kuala Lumpur in 2019. {REPEATED}\n\n"
                       f"Tehran hosted the urban diplomacy forum for three days. {REPEATED}\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    with CorpusStore.open(url) as store:
        ingest_paths([sample_paths[2], repeats], store)
        segment_corpus(store)
    return url


def _import(db, tmp_path, rows, name="coded.csv", *extra):
    path = tmp_path / name
    path.write_text("statement_id,node_id,coder\n" + "".join(f"{s},{n},{c}\n" for s, n, c in rows), encoding="utf-8")
    return CliRunner().invoke(app, ["label", "import", str(path), "--no-agreement", "--json", "--db", db, *extra])


def _merge_first_two_sentences(original):
    """A changed sentence splitter: the first sentence of every paragraph swallows the second."""
    def split(text, lang, base=0):
        spans = original(text, lang, base)
        return [(spans[0][0], spans[1][1]), *spans[2:]] if len(spans) >= 2 else spans
    return split


def test_ids_are_anchored_to_text_and_repeats_numbered_in_order(db):
    with CorpusStore.open(db) as store:
        sts = store.statements()
    assert all(ID.match(s.statement_id) for s in sts) and len({s.statement_id for s in sts}) == len(sts)
    rep = [s for s in sts if s.text == REPEATED]
    assert [s.occurrence for s in rep] == [0, 1, 2]
    base = f"{rep[0].doc_id[:16]}:{sha256_text(REPEATED)[:12]}"
    assert [s.statement_id for s in rep] == [base, f"{base}-2", f"{base}-3"]


def test_labels_follow_their_text_through_a_segmenter_change_or_are_orphaned(db, tmp_path, monkeypatch):
    with CorpusStore.open(db) as store:
        before = store.statements()
    coded = [(s.statement_id, "G09.GP1" if i % 2 else "outside", "maryam") for i, s in enumerate(before)]
    res = _import(db, tmp_path, coded)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["imported"] == len(before)
    assert CliRunner().invoke(app, ["label", "check", "--db", db]).exit_code == 0

    # a new segmenter: sentences merge (so every later one changes position) and short statements are dropped
    monkeypatch.setattr(pipeline.segment, "split_sentences", _merge_first_two_sentences(pipeline.segment.split_sentences))
    monkeypatch.setattr(pipeline.segment, "MIN_WORDS", 8)
    monkeypatch.setattr(corpus.analysis, "SEGMENTER_VERSION", "test+merged")
    assert segment_corpus(store := CorpusStore.open(db))["segmented"] == 2
    after = store.statements()
    rows = store.labels()
    attached, lost = attach(after, rows)
    old = {s.statement_id: s for s in before}
    new_by_text = {}
    for s in after:
        new_by_text.setdefault((s.doc_id, s.text), []).append(s)
    for x, st in attached:  # every attached label sits on a statement with exactly its text
        src = old[x["statement_id"]]
        assert st.text == src.text == x["text"] and st.doc_id == src.doc_id and st.statement_id == x["statement_id"]
        assert st.occurrence == src.occurrence
    for x in lost:  # and an orphan's text (at its occurrence) is really gone
        src = old[x["statement_id"]]
        assert len(new_by_text.get((src.doc_id, src.text), [])) <= src.occurrence
    assert len(attached) + len(lost) == len(before)
    assert len(attached) > 20 and len(lost) > 20  # the change removed many sentences and kept many ...
    moved = sum(st.index != old[x["statement_id"]].index for x, st in attached)
    assert moved > 20  # ... at new positions: a positional id would have put their labels on other sentences
    rep = [x for x in lost if x["text"] == REPEATED]
    assert len(rep) == 2  # 2 of the 3 repeats were merged into their neighbour; the first keeps its label
    assert any(x["text"] == REPEATED for x, _ in attached)

    res = CliRunner().invoke(app, ["label", "check", "--db", db])
    assert res.exit_code == 3
    lines = res.stdout.splitlines()
    assert lines[-1] == (f"{len(attached)} of {len(before)} labels attached to a statement, {len(lost)} orphaned; "
                         "re-code the orphaned statements in a new `udiplo label sheet`")
    assert any(line.startswith("orphaned  repeats.txt  maryam -> ") and line.endswith(REPEATED) for line in lines)
    listed = json.loads(CliRunner().invoke(app, ["label", "check", "--json", "--db", db]).stdout)
    assert {x["label_id"] for x in listed["orphaned"]} == {x["id"] for x in lost}
    # orphans are kept, not deleted, and never used for fitting
    assert store.count("human_labels") == len(before)
    store.close()


def test_an_orphan_comes_back_when_its_sentence_does(db, tmp_path, monkeypatch):
    with CorpusStore.open(db) as store:
        before = store.statements()
    assert _import(db, tmp_path, [(s.statement_id, "outside", "reza") for s in before]).exit_code == 0
    monkeypatch.setattr(pipeline.segment, "MIN_WORDS", 12)
    monkeypatch.setattr(corpus.analysis, "SEGMENTER_VERSION", "test+long-only")
    with CorpusStore.open(db) as store:
        segment_corpus(store)
        assert len(orphans(store)) > 10
    monkeypatch.undo()
    with CorpusStore.open(db) as store:
        segment_corpus(store)
        assert orphans(store) == []


def test_v5_store_labels_are_rewritten_to_anchored_ids(db, tmp_path):
    with CorpusStore.open(db) as store:
        sts = store.statements()
    rep = [s for s in sts if s.text == REPEATED]
    plain = next(s for s in sts if s.text != REPEATED)
    # turn the store back into what udiplo wrote at schema v5: positional ids, no anchor columns
    con = sqlite3.connect(tmp_path / "a.sqlite")
    con.executescript("""
        DROP TABLE human_labels;
        CREATE TABLE human_labels (id INTEGER NOT NULL PRIMARY KEY, statement_id VARCHAR(80) NOT NULL,
            node_id VARCHAR(60) NOT NULL, coder VARCHAR(100) NOT NULL, source TEXT,
            created_at DATETIME DEFAULT (CURRENT_TIMESTAMP));
        CREATE INDEX ix_human_labels_statement_id ON human_labels (statement_id);
        DELETE FROM schema_version WHERE version = 6;
    """)
    old_rows = [(f"{plain.doc_id[:16]}:s{plain.index}", "G09.GP1", "maryam", "old.csv:2"),
                (f"{rep[1].doc_id[:16]}:s{rep[1].index}", "outside", "maryam", "old.csv:3"),
                (f"{'f' * 16}:s3", "G01", "reza", "old.csv:4"),  # a document deleted since
                ("hand-made-id", "G01", "reza", "old.csv:5")]
    con.executemany("INSERT INTO human_labels (statement_id, node_id, coder, source) VALUES (?, ?, ?, ?)", old_rows)
    con.commit()
    con.close()

    with CorpusStore.open(db) as store:
        assert store.schema_version() == 6
        rows = store.labels()
        attached, lost = attach(store.statements(), rows)
    assert [(x["statement_id"], x["text"], x["occurrence"]) for x, _ in attached] == [
        (plain.statement_id, plain.text, 0), (rep[1].statement_id, REPEATED, 1)]
    assert [(x["statement_id"], x["text_hash"]) for x in lost] == [(f"{'f' * 16}:s3", None), ("hand-made-id", None)]
    res = CliRunner().invoke(app, ["label", "check", "--db", db])
    assert res.exit_code == 3 and "statement hand-made-id  reza -> G01  (old.csv:5)  (text unknown" in res.stdout
    with CorpusStore.open(db) as store:  # reopening migrates nothing more
        assert store.labels() == rows


def test_label_import_is_idempotent_and_refuses_a_second_code_unless_replace(db, tmp_path):
    with CorpusStore.open(db) as store:
        a, b = (s.statement_id for s in store.statements()[:2])
    first = _import(db, tmp_path, [(a, "G09.GP1", "maryam"), (b, "outside", "maryam")])
    assert json.loads(first.stdout) | {"agreement": None} == {
        "file": str(tmp_path / "coded.csv"), "imported": 2, "unchanged": 0, "replaced": 0, "coders": ["maryam"],
        "agreement": None}
    again = _import(db, tmp_path, [(a, "G09.GP1", "maryam"), (b, "outside", "maryam")])
    assert (json.loads(again.stdout)["imported"], json.loads(again.stdout)["unchanged"]) == (0, 2)
    other = _import(db, tmp_path, [(a, "G09.GP1", "reza")], "reza.csv")  # another coder: a new label
    assert json.loads(other.stdout)["imported"] == 1

    changed = _import(db, tmp_path, [(b, "G09.GP1", "maryam")], "second.csv")
    assert changed.exit_code == 1
    assert changed.stderr.strip() == (
        f"error: 1 statement(s) coded again by the same coder, nothing imported: second.csv:2: maryam coded "
        f"statement {b} as 'outside' already (coded.csv:3), now 'G09.GP1'; pass --replace to replace the "
        f"stored codes with the file's")
    replaced = _import(db, tmp_path, [(b, "G09.GP1", "maryam")], "second.csv", "--replace")
    assert json.loads(replaced.stdout) | {"agreement": None, "file": None} == {
        "file": None, "imported": 1, "unchanged": 0, "replaced": 1, "coders": ["maryam"], "agreement": None}
    with CorpusStore.open(db) as store:
        assert sorted((x["statement_id"], x["node_id"], x["coder"]) for x in store.labels()) == sorted(
            [(a, "G09.GP1", "maryam"), (a, "G09.GP1", "reza"), (b, "G09.GP1", "maryam")])


def test_a_statement_coded_twice_in_one_file_names_both_physical_lines(tmp_path):
    ids = ["G01", "G09.GP1"]
    p = tmp_path / "twice.csv"
    # line 3 holds a quoted note over two physical lines, so the next record starts on line 5
    p.write_text('statement_id,node_id,coder,note\nd:1,G01,maryam,\nd:2,G01,maryam,"two\nlines"\n'
                 "d:1,G09.GP1,maryam,\n", encoding="utf-8")
    with pytest.raises(LabelFileError) as err:
        read_labels(p, node_ids=ids)
    assert str(err.value) == (f"{p}: 1 bad line(s), nothing imported: line 5: statement 'd:1' is coded by 'maryam' "
                              "on line 2 too; keep one of the lines, or pass --replace to keep the last")
    got = read_labels(p, node_ids=ids, replace=True)
    assert [(x.statement_id, x.node_id, x.source) for x in got] == [("d:2", "G01", "twice.csv:3"),
                                                                    ("d:1", "G09.GP1", "twice.csv:5")]
    p.write_text("statement_id\tnode_id\tcoder\r\r\nd:1\tG99\tx\r", encoding="utf-8")  # CR line ends
    with pytest.raises(LabelFileError, match=r"1 bad line\(s\), nothing imported: line 3: node 'G99'"):
        read_labels(p, node_ids=ids)


def test_an_old_positional_id_gets_a_hint(tmp_path):
    p = tmp_path / "old.csv"
    p.write_text("statement_id,node_id,coder\n0bc4d1f2a9e8c7b6:s12,G01,maryam\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match=r"line 2: statement '0bc4d1f2a9e8c7b6:s12' is not in the store \(a "
                                             r"position-based id from before ids were anchored"):
        read_labels(p, node_ids=["G01"], statement_ids=[])
