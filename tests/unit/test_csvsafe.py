"""Spreadsheet formula injection: every CSV udiplo writes guards formula-like text; import undoes it."""

import csv
import io
import json

import pytest

from pipeline.csvsafe import DANGEROUS, csv_text, guard_cell, unguard_cell

CASES = [  # (cell, written)
    ("=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"),
    ("+1+1", "'+1+1"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-0.5", "'-0.5"),  # text that reads as a negative number is text: guarded like any other
    ("'=1", "''=1"),  # already starts with the guard: one more, so reading back is lossless
    ("''@x", "'''@x"),
    ("it's", "it's"),  # an apostrophe before a harmless character is left alone
    ("'plain", "'plain"),
    ("مشهد = شهر", "مشهد = شهر"),
    (" =1", " =1"),
    ("", ""),
]


@pytest.mark.parametrize(("cell", "written"), CASES)
def test_guard_and_unguard_cells(cell, written):
    assert guard_cell(cell) == written
    assert unguard_cell(written) == cell


@pytest.mark.parametrize("value", [-0.5, -3, 0.25, 7, None, True])
def test_numbers_stay_numbers(value):
    assert guard_cell(value) is value


def test_round_trip_is_lossless_for_every_prefix_combination():
    alphabet = ["'", "=", "+", "-", "@", "\t", "\r", "a", " ", "ی"]
    strings = [a + b + c for a in alphabet for b in alphabet for c in alphabet]
    for s in strings:
        assert unguard_cell(guard_cell(s)) == s, repr(s)
        assert not guard_cell(s).startswith(DANGEROUS), repr(s)
    rows = list(csv.reader(io.StringIO(csv_text(["h"], [[s] for s in strings]))))
    assert [unguard_cell(r[0]) for r in rows[1:]] == strings


def _hostile_store(tmp_path):
    from corpus.analysis import segment_corpus
    from corpus.ingest import ingest_paths
    from corpus.store import CorpusStore

    src = tmp_path / "=1+1.txt"  # a file name that is a formula too
    src.write_text('=HYPERLINK("http://evil.example/?x";"دیپلماسی شهری مشهد با شهرهای خواهرخوانده")\n\n@SUM(A1:A9) شهر مشهد\n\n'
                   "دیپلماسی شهری اصفهان با شهرهای خواهرخوانده گسترش یافت.\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    with CorpusStore.open(db) as store:
        ingest_paths([src], store)
        segment_corpus(store)
        texts = [s.text for s in store.statements()]
    assert any(t.startswith("=HYPERLINK") for t in texts) and any(t.startswith("@SUM") for t in texts)
    return db


def _cells(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_coding_sheet_guards_text_and_coder_and_import_restores_them(tmp_path):
    from typer.testing import CliRunner

    from corpus.store import CorpusStore
    from udiplo.cli import app

    db = _hostile_store(tmp_path)
    runner = CliRunner()
    sheet = tmp_path / "sheet.csv"
    res = runner.invoke(app, ["label", "sheet", str(sheet), "--coder", "@evil", "--db", db])
    assert res.exit_code == 0, res.output
    rows = _cells(sheet)
    assert all(not c.startswith(DANGEROUS) for r in rows for c in r)
    formula = next(r for r in rows if r[7].startswith("'=HYPERLINK"))
    assert formula[2] == "'@evil" and formula[5] == "'=1+1.txt"
    formula[1] = "G09.GP1"
    buf = io.StringIO()
    csv.writer(buf).writerows([rows[0], formula])
    (tmp_path / "coded.csv").write_text(buf.getvalue(), encoding="utf-8-sig")
    res = runner.invoke(app, ["label", "import", str(tmp_path / "coded.csv"), "--no-agreement", "--json", "--db", db])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["coders"] == ["@evil"]
    with CorpusStore.open(db) as store:
        assert [(x["statement_id"], x["coder"]) for x in store.labels()] == [(formula[0], "@evil")]


def test_statements_csv_guards_formula_text_and_file_names(tmp_path):
    from corpus.reporting import statement_rows, write_exports
    from corpus.store import CorpusStore

    db = _hostile_store(tmp_path)
    with CorpusStore.open(db) as store:
        rows = statement_rows(store)
        write_exports(store, rows, tmp_path / "out")
    cells = _cells(tmp_path / "out" / "statements.csv")
    header, body = cells[0], cells[1:]
    assert all(not c.startswith(DANGEROUS) for r in cells for c in r)
    col = {h: i for i, h in enumerate(header)}
    assert {r[col["filename"]] for r in body} == {"'=1+1.txt"}
    assert [unguard_cell(r[col["text"]]) for r in body] == [r["text"] for r in rows]
    assert body[0][col["start"]] == str(rows[0]["start"])  # numbers are written as numbers
