"""`udiplo classify FILE|FOLDER|-...`: map a document's statements onto the problem -> goal -> policy taxonomy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from udiplo.common import EXIT_PARTIAL, DbOpt, EmbedderOpt, JsonOpt, echo, emit_json, fail, open_store, term

STDIN = "-"
STDIN_NAME = "<stdin>"
DEFAULT_MAX_FILES = 1000
ANECDOTAL_BELOW = 10  # classified statements under which a profile is read as anecdotal

EPILOG = """\b
--json prints a list, one object per document (every field is described in README.md,
section "udiplo classify: output"):
  file, city, classifier,
  profile.{statements, classified, abstained, macro_problems[], goals[], top_goals},
  statements[].{statement_id, kind, lang, page, start, end, table, row, col, text, path,
                confidence, in_domain, abstained, reason, alternatives, goals, evidence,
                distribution}
"""


def register(app: typer.Typer) -> None:
    @app.command("classify", epilog=EPILOG)
    def classify(
        files: Annotated[list[Path], typer.Argument(
            help="PDF, HTML, DOCX, text or Markdown files; folders (every supported file inside, "
                 "recursively); or - to read plain UTF-8 text from stdin.")],
        top: Annotated[int, typer.Option(help="Goals to show per document (text output).", min=1)] = 5,
        all_statements: Annotated[bool, typer.Option("--statements", help="Text output: list every "
                                                     "statement's path too.")] = False,
        max_files: Annotated[int, typer.Option(help="Most files classified in one call (folders included).",
                                               min=1)] = DEFAULT_MAX_FILES,
        follow_links: Annotated[bool, typer.Option(
            "--follow-links", help="Also follow symbolic links that lead outside the folders given.")] = False,
        embedder: EmbedderOpt = None,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Classify each statement of FILE onto macro-problem -> goal -> general policy with a calibrated
        confidence (or abstain: outside the taxonomy), with its evidence (text, page, offsets), and
        profile the document over the 4 macro-problems and 16 goals. Files are not stored; the
        store supplies the embedding cache and the human labels (`udiplo label import`). The
        classifier is loaded once for all files."""
        if sum(str(f) == STDIN for f in files) > 1:
            raise fail("give - (stdin) at most once")
        from corpus.analysis import classify_document, fitted_classifier
        from pipeline.embed import get_embedder
        from pipeline.errors import UdiploError
        from pipeline.extract import ExtractConfig, extract
        from pipeline.taxonomy import load_taxonomy

        try:
            config = ExtractConfig.from_env()
            paths = _bounded(_inputs(files, follow_links), max_files)
            taxonomy = load_taxonomy()
            model = get_embedder(embedder)
        except UdiploError as exc:
            raise fail(str(exc)) from None
        results, failed, fitted = [], 0, None
        with open_store(db) as store:
            for path in paths:
                name = STDIN_NAME if str(path) == STDIN else str(path)
                try:
                    doc = read_stdin(config) if str(path) == STDIN else extract(path, config)
                    if fitted is None:  # loaded (or fitted) once, on the first readable file
                        fitted = fitted_classifier(store, model, taxonomy)
                    r = classify_document(store, doc, model, taxonomy, progress=not as_json, fitted=fitted)
                except UdiploError as exc:
                    echo(f"error: {term(exc)}", err=True)
                    failed += 1
                    continue
                except Exception as exc:  # an extractor bug must not stop the batch
                    echo(f"error: {term(name)}: unexpected {type(exc).__name__}: {term(exc)}", err=True)
                    failed += 1
                    continue
                if as_json:
                    results.append(_view(name, r))
                else:
                    results.append(name)
                    echo(render(name, r, taxonomy, top=top, all_statements=all_statements))
        if as_json:
            emit_json(results)
        if failed:
            raise typer.Exit(EXIT_PARTIAL if results else 1)


def _inputs(files: list[Path], follow_links: bool) -> Iterator[Path]:
    """``-`` and files as given; every supported file under a folder (sorted, recursive, hidden files,
    sidecars and other types passed over; links as ``udiplo ingest`` treats them)."""
    from corpus.ingest import iter_files
    from pipeline.extract import HTML_SUFFIXES, TEXT_SUFFIXES

    supported = {".pdf", ".docx", *HTML_SUFFIXES, *TEXT_SUFFIXES}

    def skipped(path: Path, reason: str) -> None:
        echo(f"skipped: {term(path)}: {term(reason)}", err=True)

    for f in files:
        if str(f) == STDIN or not f.is_dir():
            yield f
            continue
        for path in iter_files([f], follow_links=follow_links, on_skip=skipped):
            if path.suffix.lower() in supported:
                yield path


def _bounded(paths: Iterator[Path], limit: int) -> list[Path]:
    from pipeline.errors import ConfigError

    out = []
    for p in paths:
        if len(out) == limit:
            raise ConfigError(f"more than {limit} files to classify (--max-files {limit}); classify a smaller "
                              "folder, raise --max-files, or store them with `udiplo ingest` and run "
                              "`udiplo analyse`")
        out.append(p)
    return out


def read_stdin(config):
    """The text piped on stdin as a plain-text Document named ``<stdin>``: at most the file size limit
    (``UDIPLO_MAX_FILE_MB``), UTF-8 (a byte-order mark is allowed)."""
    import click

    from pipeline.errors import EmptyFileError, FileTooLargeError, UndecodableTextError
    from pipeline.extract.text import extract_text_file
    from pipeline.types import sha256_bytes

    data = click.get_binary_stream("stdin").read(config.max_bytes + 1)
    if len(data) > config.max_bytes:
        raise FileTooLargeError(STDIN_NAME, f"more than {config.max_mb:g} MB on stdin; save the text to a file "
                                            "and split it, or raise UDIPLO_MAX_FILE_MB")
    if not data.strip():
        raise EmptyFileError(STDIN_NAME, "no text on stdin; pipe a document, e.g. udiplo classify - < plan.txt")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UndecodableTextError(STDIN_NAME, f"not valid UTF-8 (byte {exc.start}: {exc.reason}); convert it, "
                                               "e.g. iconv -f WINDOWS-1256 -t UTF-8, or pass the file "
                                               "instead") from None
    return extract_text_file(data, STDIN_NAME, sha256_bytes(data))


def _view(name: str, r: dict[str, Any]) -> dict[str, Any]:
    return {
        "file": name, "city": r["city"], "classifier": r["classifier"], "profile": r["profile"],
        "statements": [
            {"statement_id": s.statement_id, "kind": s.kind, "lang": s.lang, "page": s.page, "start": s.start,
             "end": s.end, "table": s.table, "row": s.row, "col": s.col, "text": s.text,
             "path": {"macro_problem": p.macro_id, "goal": p.goal_id, "general_policy": p.general_policy_id},
             **{k: v for k, v in p.to_dict().items() if k not in ("text", "macro_id", "goal_id",
                                                                   "general_policy_id")}}
            for s, p in zip(r["statements"], r["predictions"], strict=True)
        ],
    }


def render(name: str, r: dict[str, Any], taxonomy: Any, *, top: int = 5, all_statements: bool = False) -> str:
    """A document's classification for reading: nodes named in English and Persian, abstentions
    explained, a warning when the profile rests on few statements."""
    prof = r["profile"]
    city = r["city"].get("city") or "no city"
    set_aside = prof["abstained"] - sum(1 for s, p in _pairs(r) if p.abstained and _is_content(s))
    lines = [f"# {term(Path(name).name if name != STDIN_NAME else name)}  ({city}; {prof['statements']} "
             f"statements: {prof['classified']} classified, {prof['abstained'] - set_aside} outside the "
             f"taxonomy, {set_aside} not classified: headings, references, captions…)"]
    if prof["classified"] < ANECDOTAL_BELOW:
        lines.append(f"warning: profile rests on {prof['classified']} statements: read it as anecdotal")
    lines.append("macro-problems:")
    for m in prof["macro_problems"]:
        lines.append(f"  {m['node_id']:<4} {m['share']:4.0%}  {m['count']:3d} statements  {_name(m)}")
    goals = {g["node_id"]: g for g in prof["goals"]}
    lines.append(f"top goals ({min(top, len(prof['top_goals']))} of {len(prof['top_goals'])} with statements):"
                 if prof["top_goals"] else "top goals: none (no statement classified)")
    for gid in prof["top_goals"][:top]:
        g = goals[gid]
        lines.append(f"  {gid:<4} {g['share']:4.0%}  {g['count']:3d} statements  {_name(g)}")
        for e in g["evidence"]:
            where = f"p{e['page']}" if e.get("page") else "text"
            lines.append(f"        [{e['confidence']:.2f}] {e['statement_id']} {where} {e['start']}-{e['end']}: "
                         f"{_short(e['text'])}")
    if all_statements:
        lines.append("statements:")
        for s, p in _pairs(r):
            where = f"p{s.page} {s.start}-{s.end}" if s.page else f"{s.start}-{s.end}"
            lines.append(f"  {s.statement_id}  {s.kind}, {where}: {_short(s.text, 100)}")
            lines.extend(f"      {x}" for x in _verdict(s, p, taxonomy))
    return "\n".join(lines)


def _pairs(r: dict[str, Any]):
    return zip(r["statements"], r["predictions"], strict=True)


def _is_content(statement) -> bool:
    from pipeline.segment import is_content

    return is_content(statement)


def _verdict(s, p, taxonomy) -> list[str]:
    """What the classifier concluded about one statement, in words (indented lines)."""
    if p.abstained and not _is_content(s):
        return [f"not classified ({s.kind.replace('_', ' ')})"]
    path = " > ".join(f"{nid} {_short(taxonomy.node(nid).gloss_en or taxonomy.node(nid).text_fa, 60)}"
                      for nid in p.path if nid)
    conf = (f"confidence: goal {p.confidence.get('goal', 0):.2f}, macro-problem "
            f"{p.confidence.get('macro_problem', 0):.2f}; in the taxonomy {p.in_domain:.2f}")
    if p.abstained:
        return [f"abstained: {p.reason or 'outside the taxonomy'}", f"best guess: {path}", conf]
    return [path, conf]


def _name(node: Any) -> str:
    """A node's English gloss and Persian text (either may be missing), from a node or a profile row."""
    get = node.get if isinstance(node, dict) else lambda k: getattr(node, k, None)
    en, fa = get("gloss_en"), get("text_fa")
    return " / ".join(_short(x, 70) for x in (en, fa) if x) or "(no text)"


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
