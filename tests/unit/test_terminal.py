"""Terminal safety: control, escape and bidi-override characters in file names, titles and texts are
shown escaped by the CLI (a file name must not recolour the terminal or reorder what the user reads)."""

import json

import pytest
from typer.testing import CliRunner

from udiplo.cli import app
from udiplo.common import term

runner = CliRunner()
ESC, BEL, CSI, RLO, LRI, PDI, ZWNJ = "\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u2069", "\u200c"
RAW = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]] + \
      [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


@pytest.mark.parametrize(("text", "shown"), [
    ("a\x1b[31mb", "a\\x1b[31mb"),
    ("title\x1b]0;pwned\x07", "title\\x1b]0;pwned\\x07"),
    ("x\x9b2J", "x\\x9b2J"),
    ("del\x7f", "del\\x7f"),
    ("abc\u202egpj.exe", "abc\\u202egpj.exe"),
    ("\u2066x\u2069", "\\u2066x\\u2069"),
    ("over\rwrite", "over\\rwrite"),
    ("two\nlines\tand tab", "two\\nlines\\tand tab"),
    ("می\u200cشود \u200f(RLM) \u200e(LRM)", "می\u200cشود \u200f(RLM) \u200e(LRM)"),  # Persian stays as is
])
def test_term_escapes_controls_and_keeps_persian(text, shown):
    assert term(text) == shown


def test_term_multiline_keeps_newlines_and_tabs_only():
    assert term("a\nb\tc\x1b", multiline=True) == "a\nb\tc\\x1b"
    assert not any(c in term("".join(RAW), multiline=True) for c in RAW if c not in "\n\t")


def _clean(output: str) -> None:
    assert not any(c in output for c in RAW if c not in "\n"), repr(output)


def test_ingest_shows_escaped_file_names_and_one_line_errors(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil\x1b[31mred.txt").write_text("دیپلماسی شهری مشهد با شهرهای خواهرخوانده\n", encoding="utf-8")
    (folder / "empty\x1b]0;pwned\x07.txt").write_bytes(b"")
    (folder / "forged\nerror: ok.txt").write_bytes(b"")  # a newline must not forge a second error line
    res = runner.invoke(app, ["ingest", str(folder), "--db", f"sqlite:///{tmp_path / 's.sqlite'}"])
    assert res.exit_code == 3
    _clean(res.stdout)
    _clean(res.stderr)
    assert "evil\\x1b[31mred.txt" in res.stdout
    errors = res.stderr.splitlines()
    assert len(errors) == 2 and all(e.startswith(f"error: {folder}/") for e in errors)
    assert any("empty\\x1b]0;pwned\\x07.txt: empty file" in e for e in errors)
    assert any("forged\\nerror: ok.txt: empty file" in e for e in errors)
    res = runner.invoke(app, ["failures", "--db", f"sqlite:///{tmp_path / 's.sqlite'}"])
    _clean(res.stdout)
    assert "empty\\x1b]0;pwned\\x07.txt" in res.stdout


def test_extract_shows_title_and_text_escaped_and_json_stays_exact(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(f"دیپلماسی شهری مشهد {ESC}]0;pwned{BEL} با شهرهای {CSI}2J خواهرخوانده {RLO}abc\n", encoding="utf-8")
    (tmp_path / "a.txt.meta.yaml").write_text('title: "Report \\e[2J \\u202eabc \\u2066x\\u2069 نیم\\u200cفاصله"\n',
                                              encoding="utf-8")
    res = runner.invoke(app, ["extract", str(src)])
    assert res.exit_code == 0, res.output
    _clean(res.stdout)
    first = res.stdout.splitlines()[0]
    assert first.startswith(f"# Report \\x1b[2J \\u202eabc \\u2066x\\u2069 نیم{ZWNJ}فاصله  [")
    assert "\\x1b]0;pwned\\x07" in res.stdout and "\\x9b2J" in res.stdout
    res = runner.invoke(app, ["extract", str(src), "--json"])
    _clean(res.stdout)
    data = json.loads(res.stdout)  # escaped as JSON \u escapes, so the data itself is unchanged
    assert data["meta"]["title"] == f"Report {ESC}[2J {RLO}abc {LRI}x{PDI} نیم{ZWNJ}فاصله"


def test_error_message_with_escape_in_path_is_escaped(tmp_path):
    res = runner.invoke(app, ["extract", str(tmp_path / "gone\x1b[2J.pdf")])
    assert res.exit_code == 1
    _clean(res.stderr)
    assert res.stderr == f"error: {tmp_path}/gone\\x1b[2J.pdf: file does not exist\n"
