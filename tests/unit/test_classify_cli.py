"""`udiplo classify`: stdin, folders in one call (classifier loaded once), readable text, lazy imports.

Hashing embedder; the classifier is loaded from (or fitted once into) the model cache, and one store
is shared by the module so statement embeddings are cached across tests."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from udiplo.cli import app

PLAN = ("# Isfahan sister-city roadmap\n\n"
        "Neutralise economic sanctions and win the confidence of foreign investors.\n"
        "توسعه گردشگری سلامت و جذب زائران از کشورهای همسایه\n")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    home = tmp_path_factory.mktemp("classify_home")
    return f"sqlite:///{home / 'c.sqlite'}"


def _run(args: list[str], db: str, **kw):
    return CliRunner().invoke(app, ["classify", *args, "--embedder", "hashing", "--db", db], **kw)


def test_stdin_is_classified_as_a_plain_text_document(db):
    res = _run(["-", "--json"], db, input=PLAN.encode("utf-8"))
    assert res.exit_code == 0, res.output
    (doc,) = json.loads(res.stdout)
    assert doc["file"] == "<stdin>"
    texts = [s["text"] for s in doc["statements"]]
    assert "Isfahan sister-city roadmap" in texts and texts[-1] == "توسعه گردشگری سلامت و جذب زائران از کشورهای همسایه"
    assert doc["profile"]["statements"] == len(doc["statements"]) == 3
    heading = next(s for s in doc["statements"] if s["kind"] == "heading")
    assert heading["abstained"] and heading["reason"].startswith("not classified")


def test_stdin_too_large_or_not_utf8_is_refused(db, monkeypatch):
    monkeypatch.setenv("UDIPLO_MAX_FILE_MB", "0.001")  # 1048 bytes
    res = _run(["-"], db, input=b"a city plan. " * 100)
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr.strip() == ("error: <stdin>: more than 0.001 MB on stdin; save the text to a file and split "
                                  "it, or raise UDIPLO_MAX_FILE_MB")
    monkeypatch.delenv("UDIPLO_MAX_FILE_MB")
    res = _run(["-"], db, input="برنامه شهر".encode("cp1256"))
    assert res.exit_code == 1
    assert res.stderr.startswith("error: <stdin>: not valid UTF-8 (byte 0: invalid continuation byte); convert it")
    assert _run(["-"], db, input=b" \n").stderr.strip() == (
        "error: <stdin>: no text on stdin; pipe a document, e.g. udiplo classify - < plan.txt")
    assert _run(["-", "-"], db).stderr.strip() == "error: give - (stdin) at most once"


def test_a_folder_is_one_call_the_classifier_loaded_once_and_a_bad_file_reported(db, tmp_path, monkeypatch):
    import corpus.analysis

    folder = tmp_path / "plans"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Attract foreign investors to the city's tourism economy.\n", encoding="utf-8")
    (folder / "b.md").write_text("توسعه گردشگری سلامت و جذب زائران از کشورهای همسایه\n", encoding="utf-8")
    (folder / "sub" / "c.txt").write_text("Train municipal staff in intercultural communication.\n", encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"")
    (folder / ".hidden.txt").write_text("not read\n", encoding="utf-8")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a document")
    calls = []
    real = corpus.analysis.fitted_classifier

    def counting(*a, **kw):  # the real loader, counted
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(corpus.analysis, "fitted_classifier", counting)
    res = _run([str(folder), "--json"], db)
    assert res.exit_code == 3, res.output
    assert res.stderr.splitlines() == [f"error: {folder / 'bad.txt'}: empty file (0 bytes of content)"]
    docs = json.loads(res.stdout)
    assert [d["file"] for d in docs] == [str(folder / n) for n in ("a.txt", "b.md", "sub/c.txt")]
    assert len(calls) == 1
    assert len({d["classifier"]["key"] for d in docs}) == 1


def test_text_output_names_goals_explains_and_warns_under_ten_statements(db):
    from pipeline.taxonomy import load_taxonomy

    tax = load_taxonomy()
    res = _run(["-", "--json"], db, input=PLAN.encode("utf-8"))
    statements = json.loads(res.stdout)[0]["statements"]
    text = _run(["-", "--statements"], db, input=PLAN.encode("utf-8"))
    assert text.exit_code == 0, text.output
    out = text.stdout
    assert "warning: profile rests on" in out and "statements: read it as anecdotal" in out
    for m in tax.macro_problems():  # every macro-problem named in English and Persian
        assert m.gloss_en in out and m.text_fa in out
    sanctions = statements[1]
    goal = tax.node(sanctions["path"]["goal"])
    assert f"{goal.node_id} {goal.gloss_en[:40]}" in out  # the statement's path by name
    assert "not classified (heading)" in out
    verdict = "abstained: " + sanctions["reason"] if sanctions["abstained"] else "confidence: goal"
    assert verdict in out


def test_help_and_argument_errors_import_no_heavy_library():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from udiplo.cli import app\n"
        "codes = [CliRunner().invoke(app, a).exit_code for a in (['classify', '--help'], ['classify'],\n"
        "         ['classify', '--top', '0', 'x'], ['classify', '-', '-'])]\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'sklearn', 'spacy', 'transformers')\n"
        "         if m in sys.modules]\n"
        "print(codes, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[0, 2, 2, 1] []"


def test_help_documents_stdin_folders_and_the_json_fields():
    out = CliRunner().invoke(app, ["classify", "--help"], terminal_width=200).stdout
    for word in ("stdin", "folders", "--max-files", "statements[]", "top_goals", "in_domain", "distribution"):
        assert word in out
