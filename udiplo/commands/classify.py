"""`udiplo classify FILE...`: map a document's statements onto the problem -> goal -> policy taxonomy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from udiplo.common import DbOpt, EmbedderOpt, JsonOpt, echo, emit_json, fail, open_store, term


def register(app: typer.Typer) -> None:
    @app.command("classify")
    def classify(
        files: Annotated[list[Path], typer.Argument(help="PDF, HTML, DOCX, text or Markdown files.")],
        top: Annotated[int, typer.Option(help="Goals to show per document (text output).", min=1)] = 5,
        all_statements: Annotated[bool, typer.Option("--statements", help="Text output: list every "
                                                     "statement's path too.")] = False,
        embedder: EmbedderOpt = None,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Classify each statement of FILE onto macro-problem -> goal -> general policy with a calibrated
        confidence (or abstain: outside the taxonomy), with its evidence (text, page, offsets), and
        profile the document over the 4 macro-problems and 16 goals. The file is not stored; the
        store supplies the embedding cache and the human labels (`udiplo label import`)."""
        from corpus.analysis import classify_document
        from pipeline.embed import get_embedder
        from pipeline.errors import UdiploError
        from pipeline.extract import ExtractConfig, extract
        from pipeline.taxonomy import load_taxonomy

        results, failed = [], 0
        try:
            taxonomy = load_taxonomy()
            model = get_embedder(embedder)
        except UdiploError as exc:
            raise fail(str(exc)) from None
        with open_store(db) as store:
            for file in files:
                try:
                    doc = extract(file, ExtractConfig.from_env())
                    results.append((file, classify_document(store, doc, model, taxonomy, progress=not as_json)))
                except UdiploError as exc:
                    echo(f"error: {term(exc)}", err=True)
                    failed += 1
        if as_json:
            emit_json([_view(f, r) for f, r in results])
        else:
            for f, r in results:
                echo(render(f, r, top=top, all_statements=all_statements))
        if failed:
            raise typer.Exit(3 if results else 1)


def _view(file: Path, r: dict[str, Any]) -> dict[str, Any]:
    return {
        "file": str(file), "city": r["city"], "classifier": r["classifier"], "profile": r["profile"],
        "statements": [
            {"statement_id": s.statement_id, "kind": s.kind, "lang": s.lang, "page": s.page, "start": s.start,
             "end": s.end, "table": s.table, "row": s.row, "col": s.col, "text": s.text,
             "path": {"macro_problem": p.macro_id, "goal": p.goal_id, "general_policy": p.general_policy_id},
             **{k: v for k, v in p.to_dict().items() if k not in ("text", "macro_id", "goal_id",
                                                                   "general_policy_id")}}
            for s, p in zip(r["statements"], r["predictions"], strict=True)
        ],
    }


def render(file: Path, r: dict[str, Any], *, top: int = 5, all_statements: bool = False) -> str:
    prof = r["profile"]
    city = r["city"].get("city") or "no city"
    lines = [f"# {term(file.name)}  ({city}; {prof['statements']} statements, {prof['classified']} classified, "
             f"{prof['abstained']} outside the taxonomy)"]
    lines.append("macro-problems: " + "  ".join(f"{m['node_id']} {m['share']:.0%}" for m in prof["macro_problems"]))
    goals = {g["node_id"]: g for g in prof["goals"]}
    for gid in prof["top_goals"][:top]:
        g = goals[gid]
        lines.append(f"{gid}  {g['count']:3d} statements ({g['share']:.0%})  {_short(g['gloss_en'] or g['text_fa'], 100)}")
        for e in g["evidence"]:
            where = f"p{e['page']}" if e.get("page") else "text"
            lines.append(f"      [{e['confidence']:.2f}] {e['statement_id']} {where} {e['start']}-{e['end']}: "
                         f"{_short(e['text'])}")
    if all_statements:
        for s, p in zip(r["statements"], r["predictions"], strict=True):
            path = "outside" if p.abstained else " > ".join(x for x in p.path if x)
            lines.append(f"{s.statement_id}  {path}  {p.confidence.get('goal', 0):.2f}  {_short(s.text, 60)}")
    return "\n".join(lines)


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
