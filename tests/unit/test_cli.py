import json

import pytest
from typer.testing import CliRunner

from udiplo.cli import app

runner = CliRunner()


def _commands(typer_app, prefix=()):
    import typer.main

    group = typer.main.get_command(typer_app)
    stack = [(prefix, group)]
    while stack:
        path, cmd = stack.pop()
        yield path
        for name, sub in getattr(cmd, "commands", {}).items():
            stack.append((path + (name,), sub))


ALL = sorted(_commands(app))


@pytest.mark.parametrize("path", ALL, ids=[" ".join(p) or "udiplo" for p in ALL])
def test_every_command_has_help(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    if path:
        # the command's own docstring is shown, not an empty help
        assert len(result.output.split("Usage:")[1].strip().splitlines()) > 2


def test_readme_documents_every_top_level_command():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for path in ALL:
        if len(path) >= 1:
            assert f"udiplo {' '.join(path[:2])}" in readme, f"README lacks `udiplo {' '.join(path[:2])}`"


def test_ingest_json_then_docs_and_failures(tmp_path, sample_paths):
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(sample_paths[1]), str(tmp_path / "empty.txt"), "--db", db, "--json"])
    assert result.exit_code == 3  # partial: one file failed
    data = json.loads(result.stdout)
    assert data["counts"] == {"added": 1, "skipped": 0, "failed": 1}
    assert data["failed"][0]["error"] == "empty_file"
    docs = json.loads(runner.invoke(app, ["docs", "--db", db, "--json"]).stdout)
    assert [d["city"] for d in docs] == ["Isfahan"]
    fails = json.loads(runner.invoke(app, ["failures", "--db", db, "--json"]).stdout)
    assert fails[0]["error_type"] == "empty_file" and fails[0]["path"].endswith("empty.txt")


def test_ingest_reports_errors_on_stderr_in_one_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    (tmp_path / "x.xlsx").write_bytes(b"data")
    result = runner.invoke(app, ["ingest", str(tmp_path / "x.xlsx"), "--db", db])
    assert result.exit_code == 3
    assert "error: " in result.stderr and "x.xlsx: unsupported file type '.xlsx'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_extract_json_has_text_segments_and_offsets(sample_paths):
    result = runner.invoke(app, ["extract", str(sample_paths[1]), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["meta"]["city"] == "Isfahan" and data["meta"]["kind"] == "plan"
    text = data["text"]
    assert all(text[s["start"]:s["end"]] == s["text"] for s in data["segments"])
    assert {s["page"] for s in data["segments"]} == {1}
    assert any(s["kind"] == "table_cell" and s["row"] and s["col"] for s in data["segments"])


def test_extract_missing_file_is_one_line_error(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.pdf")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.pdf'}: file does not exist"


def test_serve_dry_run_lists_scheduled_deployments(monkeypatch):
    monkeypatch.delenv("UDIPLO_NEWS_FEEDS", raising=False)
    result = runner.invoke(app, ["serve", "--dry-run", "--json", "--feed", "https://example.org/rss",
                                 "--news-cron", "0 */2 * * *"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["news-hourly"]["schedules"] == ["0 */2 * * *"]
    assert rows["news-hourly"]["parameters"]["feeds"] == ["https://example.org/rss"]
    assert rows["analysis-nightly"]["flow"] == "analyse_corpus" and rows["analysis-nightly"]["schedules"] == ["30 2 * * *"]
    # without a feed there is nothing to fetch: no news deployment
    result = runner.invoke(app, ["serve", "--dry-run", "--json"])
    assert "news-hourly" not in {r["name"] for r in json.loads(result.stdout)}


def test_report_without_analysis_says_what_to_run(tmp_path):
    result = runner.invoke(app, ["report", "--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "run `udiplo analyse`" in result.stderr
