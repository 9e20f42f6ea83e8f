"""`udiplo label ...`: human codings of statements, which the taxonomy classifier learns from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from udiplo.common import EXIT_PARTIAL, DbOpt, EmbedderOpt, JsonOpt, echo, emit_json, fail, open_store, term

app = typer.Typer(help="Human codings: import them (the classifier learns from them), export a coding sheet.",
                  no_args_is_help=True)


@app.command("import")
def import_labels(
    file: Annotated[Path, typer.Argument(help="CSV/TSV with columns statement_id,node_id[,coder].")],
    coder: Annotated[str | None, typer.Option(help="Coder of every row (when the file has no coder column).")] = None,
    agreement: Annotated[bool, typer.Option(help="Then report agreement with the classifier.")] = True,
    replace: Annotated[bool, typer.Option("--replace", help="A statement the coder coded already (in the store "
                                                            "or higher up the file) takes the new code.")] = False,
    embedder: EmbedderOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store a human coding (statement id -> taxonomy node id or 'outside'). The whole file is checked
    first: unknown statements or nodes reject it with every bad line named. Importing a file again
    stores nothing new; a statement coded twice by the same coder (in the file, or in the file and the
    store) is an error naming both lines unless --replace. The next `udiplo analyse` or `udiplo
    classify` refits the classifier with these labels."""
    from corpus.analysis import agreement_with_coders
    from corpus.labels import import_labels as store_labels
    from pipeline.classify.labels import read_labels
    from pipeline.embed import get_embedder
    from pipeline.errors import UdiploError
    from pipeline.taxonomy import load_taxonomy
    from udiplo.commands.evaluate import render_agreement

    with open_store(db) as store:
        try:
            tax = load_taxonomy()
            statements = store.statements()
            labels = read_labels(file, node_ids=[n.node_id for n in tax],
                                 statement_ids=[s.statement_id for s in statements], default_coder=coder,
                                 replace=replace)
            counts = store_labels(store, labels, replace=replace, statements=statements)
            report = agreement_with_coders(store, get_embedder(embedder), tax) if agreement else None
        except UdiploError as exc:
            raise fail(str(exc)) from None
    result = {"file": str(file), **counts, "coders": sorted({x.coder for x in labels}), "agreement": report}
    if as_json:
        emit_json(result)
        return
    echo(f"imported {counts['imported']} labels from {term(file)} ({term(', '.join(result['coders']))}); "
         f"{counts['unchanged']} already stored, {counts['replaced']} replaced")
    if report:
        echo(render_agreement(report))


@app.command("sheet")
def sheet(
    out: Annotated[Path, typer.Argument(help="CSV to write (UTF-8 with BOM, opens in spreadsheet programs).")],
    coder: Annotated[str, typer.Option(help="Pre-filled coder name.")] = "",
    db: DbOpt = None,
) -> None:
    """Write a coding sheet of every stored statement: statement_id, an empty node_id, coder, the
    machine's goal and confidence, document, page, text. Fill node_id and import it back. Text that a
    spreadsheet would run as a formula (starting with = + - @) is written with a leading ' and read
    back without it."""
    from corpus.reporting import statement_rows
    from pipeline.csvsafe import csv_text
    from pipeline.files import write_atomic

    with open_store(db) as store:
        rows = statement_rows(store)
    if not rows:
        raise fail("the store has no statements; run `udiplo ingest PATH` and `udiplo analyse` first")
    table = csv_text(["statement_id", "node_id", "coder", "machine_goal", "machine_confidence", "filename", "page",
                      "text"],
                     ([r["statement_id"], "", coder, r["goal_id"] or ("outside" if r["abstained"] else ""),
                       r["goal_confidence"], r["filename"], r["page"] or "", r["text"]] for r in rows))
    write_atomic(out, ("\ufeff" + table).encode("utf-8"))
    echo(f"{len(rows)} statements written to {term(out)}")


@app.command("check")
def check(
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List orphaned labels: human labels whose statement no longer exists with the same text (a new
    segmenter merged or split it, normalisation changed it, or its document was deleted). They are
    kept but not used. Exit code 0 when every label is attached, 3 when some are orphaned."""
    from corpus.labels import orphans

    with open_store(db) as store:
        lost = orphans(store)
        total = store.count("human_labels")
    if as_json:
        emit_json({"labels": total, "attached": total - len(lost), "orphaned": lost})
    else:
        for x in lost:
            where = x["filename"] or (f"document {x['doc_id'][:16]} (no longer stored)" if x["doc_id"]
                                      else f"statement {x['statement_id']}")
            text = x["text"] if x["text"] is not None else "(text unknown: labelled before udiplo kept statement texts)"
            echo(f"orphaned  {term(where)}  {term(x['coder'])} -> {x['node_id']}  ({term(x['source'] or '')})  "
                 f"{term(text)}")
        echo(f"{total - len(lost)} of {total} labels attached to a statement, {len(lost)} orphaned"
             + ("; re-code the orphaned statements in a new `udiplo label sheet`" if lost else ""))
    if lost:
        raise typer.Exit(EXIT_PARTIAL)
